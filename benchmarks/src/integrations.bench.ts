/**
 * The overhead each integration adds to one model call and one tool call, in one run (issue 18):
 * the same call plain, through `@hookspell/ai-sdk` (1 hook, sync `continue`, on each point the
 * call fires), and the same with `@hookspell/otel` recording every fire as spans into an
 * OpenTelemetry SDK (BatchSpanProcessor, an exporter that drops what it gets). The process runs as
 * an OTel-traced Node app does — an AsyncLocalStorage context manager registered — so every row
 * pays its promise hooks alike (DESIGN.md, "The price of AsyncLocalStorage").
 *
 * Each row: 21 samples; a sample times a batch of each case back to back in a rotating order, so
 * all see the same load; the overhead is the median of the per-call differences to the plain batch,
 * "best" the fastest batch of the case minus the fastest plain batch. The streamed rows add two
 * bare stages on the same model stream — the one-read-per-pull pass-through the middleware used
 * before, and the bounded read-ahead it uses now — to show where a long stream's time goes.
 *
 *   pnpm build && pnpm --filter @hookspell/benchmarks bench integrations
 *   BENCH_NO_ALS=1 pnpm --filter @hookspell/benchmarks bench integrations   # no context manager
 */
import { guardTools, hookspellMiddleware, type Model, type StreamPart } from '@hookspell/ai-sdk';
import { guardMcpClient } from '@hookspell/ai-sdk/mcp';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { instrumentHookspell } from '@hookspell/otel';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { jsonSchema, tool, wrapLanguageModel } from 'ai';
import { median } from './harness.js';

// BENCH_NO_ALS=1: without the context manager, as a host that traces nothing runs (the otel rows
// then still make spans, but nothing nests).
if (process.env.BENCH_NO_ALS !== '1') {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}
const dropAll: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropAll)] });

const usage = {
  inputTokens: { total: 12, noCache: 12, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 3, text: 3, reasoning: 0 },
};
const answer = {
  content: [{ type: 'text' as const, text: 'forty-two' }],
  finishReason: { unified: 'stop' as const, raw: 'stop' },
  usage,
  warnings: [],
};
const streamParts = (deltas: number): StreamPart[] => [
  { type: 'stream-start', warnings: [] },
  { type: 'text-start', id: '1' },
  ...Array.from({ length: deltas }, (_, i): StreamPart => ({ type: 'text-delta', id: '1', delta: `w${i} ` })),
  { type: 'text-end', id: '1' },
  { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
];
let parts = streamParts(2);
const partsStream = () => {
  const list = parts;
  let i = 0;
  return new ReadableStream<StreamPart>({
    pull(c) {
      if (i < list.length) c.enqueue(list[i++]!);
      else c.close();
    },
  });
};
const model: Model = {
  specificationVersion: 'v3',
  provider: 'bench',
  modelId: 'bench-model',
  supportedUrls: {},
  doGenerate: async () => answer,
  doStream: async () => ({ stream: partsStream() }),
};

type Point =
  | 'BeforeAgentExecution'
  | 'AfterAgentExecution'
  | 'AgentError'
  | 'BeforeToolExecution'
  | 'AfterToolExecution'
  | 'ToolError';
function executorWith(points: readonly Point[]) {
  const registry = new HookRegistry();
  for (const point of points) registry.register(point, () => undefined, { name: `noop-${point}` });
  return new HookExecutor(registry);
}
const MODEL_POINTS = ['BeforeAgentExecution', 'AfterAgentExecution', 'AgentError'] as const;
const TOOL_POINTS = ['BeforeToolExecution', 'AfterToolExecution', 'ToolError'] as const;
// Separate executors: an executor has one recorder, and the ai-sdk rows must not pay for OTel.
const exec = { model: executorWith(MODEL_POINTS), tool: executorWith(TOOL_POINTS) };
const traced = { model: executorWith(MODEL_POINTS), tool: executorWith(TOOL_POINTS) };
const spanned = { model: executorWith(MODEL_POINTS), tool: executorWith(TOOL_POINTS) };
for (const executor of Object.values(traced)) instrumentHookspell({ executor, tracerProvider: provider });
// The full wiring: fires as spans, and a span per call (`callTracer`) with the fires inside.
const callTracer = {
  model: instrumentHookspell({ executor: spanned.model, tracerProvider: provider }).callTracer,
  tool: instrumentHookspell({ executor: spanned.tool, tracerProvider: provider }).callTracer,
};

const guardedModel = wrapLanguageModel({ model, middleware: hookspellMiddleware({ executor: exec.model }) });
const tracedModel = wrapLanguageModel({ model, middleware: hookspellMiddleware({ executor: traced.model }) });
const spannedModel = wrapLanguageModel({
  model,
  middleware: hookspellMiddleware({ executor: spanned.model, callTracer: callTracer.model }),
});
// The middleware over an executor with no hooks at all: what a streamed call costs besides the fires.
const bareModel = wrapLanguageModel({
  model,
  middleware: hookspellMiddleware({ executor: new HookExecutor(new HookRegistry()) }),
});
const params = {
  prompt: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'What is 6 × 7?' }] }],
};
const drain = async (stream: ReadableStream<StreamPart>) => {
  const reader = stream.getReader();
  while (!(await reader.read()).done) {}
};
/** The pass-through the middleware used before: one source read per pull, in lockstep. */
const lockstep = (source: ReadableStream<StreamPart>) => {
  const reader = source.getReader();
  return new ReadableStream<StreamPart>({
    async pull(c) {
      const next = await reader.read();
      if (next.done) c.close();
      else c.enqueue(next.value);
    },
  });
};
/** The bounded read-ahead it uses now (stream-observer.ts), without the answer building. */
const readAhead = (source: ReadableStream<StreamPart>) => {
  const reader = source.getReader();
  let room: (() => void) | undefined;
  return new ReadableStream<StreamPart>(
    {
      start(c) {
        void (async () => {
          for (;;) {
            if ((c.desiredSize ?? 0) <= 0) await new Promise<void>((r) => (room = r));
            const next = await reader.read();
            if (next.done) return c.close();
            c.enqueue(next.value);
          }
        })();
      },
      pull(c) {
        if (room !== undefined && (c.desiredSize ?? 0) >= 16) {
          const wake = room;
          room = undefined;
          wake();
        }
      },
    },
    { highWaterMark: 32 },
  );
};

const addTool = {
  add: tool({
    inputSchema: jsonSchema<{ a: number; b: number }>({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
    }),
    execute: async ({ a, b }) => a + b,
  }),
};
const guardedTools = guardTools(addTool, { executor: exec.tool });
const tracedTools = guardTools(addTool, { executor: traced.tool });
const spannedTools = guardTools(addTool, { executor: spanned.tool, callTracer: callTracer.tool });
const toolOptions = { toolCallId: 'bench', messages: [] };

const server = new McpServer({ name: 'bench', version: '1.0.0' });
server.registerTool('echo', { description: 'Echoes', inputSchema: {} }, async () => ({
  content: [{ type: 'text', text: 'ok' }],
}));
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'bench', version: '1.0.0' });
await client.connect(clientSide);
const guardedClient = guardMcpClient(client, { executor: exec.tool });
const tracedClient = guardMcpClient(client, { executor: traced.tool });
const spannedClient = guardMcpClient(client, { executor: spanned.tool, callTracer: callTracer.tool });
const echo = { name: 'echo', arguments: {} };

type Fn = () => PromiseLike<unknown>;
const rows: string[] = [];

/** Paired batches, rotating order; per case the median overhead over plain and the best-of. */
async function row(title: string, cases: [string, Fn][]): Promise<void> {
  const batch = async (fn: Fn, n: number) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return performance.now() - t;
  };
  const slowest = cases[cases.length - 1]![1];
  let n = 1;
  while ((await batch(slowest, n)) < 30) n *= 2;
  for (const [, fn] of cases) await batch(fn, n); // warm-up
  const per: number[][] = cases.map(() => []);
  for (let s = 0; s < 21; s++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + s) % cases.length;
      per[i]!.push(((await batch(cases[i]![1], n)) / n) * 1000);
    }
  }
  const plain = per[0]!;
  const cells = cases.slice(1).map((_, j) => {
    const times = per[j + 1]!;
    const diffs = times.map((t, s) => t - plain[s]!).sort((a, b) => a - b);
    const best = Math.min(...times) - Math.min(...plain);
    return `${median(diffs).toFixed(1)} µs (best ${best.toFixed(1)})`;
  });
  rows.push(`| ${title} | ${median(plain).toFixed(1)} µs | ${cells.join(' | ')} |`);
  console.log(rows.at(-1));
}

await row('model call: `doGenerate`', [
  ['plain', () => model.doGenerate(params)],
  ['ai-sdk', () => guardedModel.doGenerate(params)],
  ['ai-sdk + otel', () => tracedModel.doGenerate(params)],
  ['ai-sdk + otel + call spans', () => spannedModel.doGenerate(params)],
]);
for (const deltas of [2, 50]) {
  parts = streamParts(deltas);
  await row(`model call: \`doStream\`, ${parts.length} parts, read to the end`, [
    ['plain', async () => drain((await model.doStream(params)).stream)],
    ['ai-sdk', async () => drain((await guardedModel.doStream(params)).stream)],
    ['ai-sdk + otel', async () => drain((await tracedModel.doStream(params)).stream)],
    ['ai-sdk + otel + call spans', async () => drain((await spannedModel.doStream(params)).stream)],
    ['bare lockstep stage', async () => drain(lockstep((await model.doStream(params)).stream))],
    ['bare read-ahead stage', async () => drain(readAhead((await model.doStream(params)).stream))],
    ['ai-sdk, no hooks', async () => drain((await bareModel.doStream(params)).stream)],
  ]);
}
await row('tool call: AI SDK tool `execute`', [
  ['plain', async () => addTool.add.execute!({ a: 6, b: 7 }, toolOptions)],
  ['ai-sdk', async () => guardedTools.add.execute!({ a: 6, b: 7 }, toolOptions)],
  ['ai-sdk + otel', async () => tracedTools.add.execute!({ a: 6, b: 7 }, toolOptions)],
  ['ai-sdk + otel + call spans', async () => spannedTools.add.execute!({ a: 6, b: 7 }, toolOptions)],
]);
await row('tool call: MCP `callTool` (in-memory transport)', [
  ['plain', () => client.callTool(echo)],
  ['ai-sdk/mcp', () => guardedClient.callTool(echo)],
  ['ai-sdk/mcp + otel', () => tracedClient.callTool(echo)],
  ['ai-sdk/mcp + otel + call spans', () => spannedClient.callTool(echo)],
]);

console.log(
  [
    '',
    'Overhead per call over the plain call (median of 21 paired samples; best = fastest batch minus fastest plain batch):',
    '',
    '| call | plain | + @hookspell/ai-sdk | + ai-sdk + @hookspell/otel | + otel call spans | bare lockstep stage | bare read-ahead stage | ai-sdk, no hooks |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n'),
);
await client.close();
await server.close();
await provider.shutdown();
