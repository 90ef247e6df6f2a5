/**
 * What `@hookspell/ai-sdk` adds to one model call and one tool call: the same call with and without
 * the integration, in one process, cases interleaved (harness.ts). The model is an in-memory
 * LanguageModelV3 that answers at once (no network, no MockLanguageModelV3 call log growing), the
 * tools are in-memory functions, the MCP server is the SDK's McpServer over its in-memory
 * transport. Guarded cases have 1 hook (sync, answering `continue`) on each point the call fires:
 * BeforeAgentExecution + AfterAgentExecution + AgentError, or BeforeToolExecution +
 * AfterToolExecution + ToolError (the error points do not fire on success).
 *
 * The overhead per call is 1/rate(guarded) − 1/rate(plain); the target (issue 18) is ≤ 20 µs.
 *
 *   pnpm build && pnpm --filter @hookspell/benchmarks bench ai-sdk
 */
import { guardTools, hookspellMiddleware, type Model, type StreamPart } from '@hookspell/ai-sdk';
import { guardMcpClient } from '@hookspell/ai-sdk/mcp';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { generateText, jsonSchema, tool, wrapLanguageModel } from 'ai';
import { type CaseResult, compare, median } from './harness.js';

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
/** A streamed answer of `deltas` text deltas (plus start, end, stream-start and finish parts). */
const streamParts = (deltas: number): StreamPart[] => [
  { type: 'stream-start', warnings: [] },
  { type: 'text-start', id: '1' },
  ...Array.from({ length: deltas }, (_, i): StreamPart => ({ type: 'text-delta', id: '1', delta: `w${i} ` })),
  { type: 'text-end', id: '1' },
  { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
];
let parts = streamParts(2);
const model: Model = {
  specificationVersion: 'v3',
  provider: 'bench',
  modelId: 'bench-model',
  supportedUrls: {},
  doGenerate: async () => answer,
  doStream: async () => {
    const parts_ = parts;
    let i = 0;
    return {
      stream: new ReadableStream<StreamPart>({
        pull(c) {
          if (i < parts_.length) c.enqueue(parts_[i++]!);
          else c.close();
        },
      }),
    };
  },
};

function executorWith(
  points: readonly (
    | 'BeforeAgentExecution'
    | 'AfterAgentExecution'
    | 'AgentError'
    | 'BeforeToolExecution'
    | 'AfterToolExecution'
    | 'ToolError'
  )[],
) {
  const registry = new HookRegistry();
  for (const point of points) registry.register(point, () => undefined, { name: `noop-${point}` });
  return new HookExecutor(registry);
}
const modelExecutor = executorWith(['BeforeAgentExecution', 'AfterAgentExecution', 'AgentError']);
const toolExecutor = executorWith(['BeforeToolExecution', 'AfterToolExecution', 'ToolError']);

const guardedModel = wrapLanguageModel({
  model,
  middleware: hookspellMiddleware({ executor: modelExecutor }),
});
const params = {
  prompt: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'What is 6 × 7?' }] }],
};
const drain = async (stream: ReadableStream<StreamPart>) => {
  const reader = stream.getReader();
  while (!(await reader.read()).done) {}
};

const tools = {
  add: tool({
    inputSchema: jsonSchema<{ a: number; b: number }>({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
    }),
    execute: async ({ a, b }) => a + b,
  }),
};
const guardedTools = guardTools(tools, { executor: toolExecutor });
const toolOptions = { toolCallId: 'bench', messages: [] };

const server = new McpServer({ name: 'bench', version: '1.0.0' });
server.registerTool('echo', { description: 'Echoes', inputSchema: {} }, async () => ({
  content: [{ type: 'text', text: 'ok' }],
}));
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'bench', version: '1.0.0' });
await client.connect(clientSide);
const guardedClient = guardMcpClient(client, { executor: toolExecutor });
const echo = { name: 'echo', arguments: {} };

const summary: string[] = [];
async function pair(
  title: string,
  plain: () => PromiseLike<unknown>,
  guarded: () => PromiseLike<unknown>,
  samples = 7,
): Promise<void> {
  const results = await compare(
    title,
    [
      { name: 'plain', fn: async () => plain() },
      { name: 'with @hookspell/ai-sdk', fn: async () => guarded() },
    ],
    { anchor: 'plain', samples },
  );
  const [p, g] = results as [CaseResult, CaseResult];
  const paired = await pairedOverhead(plain, guarded);
  summary.push(
    `| ${title} | ${(1e6 / p.opsPerSec).toFixed(1)} µs | ${(1e6 / g.opsPerSec).toFixed(1)} µs | ${paired.median.toFixed(1)} µs | ${paired.low.toFixed(1)} – ${paired.high.toFixed(1)} µs | ${paired.best.toFixed(1)} µs |`,
  );
}

/**
 * The overhead measured in pairs: each sample times a batch of plain calls and a batch of guarded
 * calls back to back (alternating which goes first), so both see the same load; the median of the
 * per-call differences over 21 samples, and its interquartile range. On a shared machine this is
 * steadier than the difference of two medians.
 */
async function pairedOverhead(
  plain: () => PromiseLike<unknown>,
  guarded: () => PromiseLike<unknown>,
): Promise<{ median: number; low: number; high: number; best: number }> {
  const batch = async (fn: () => PromiseLike<unknown>, n: number) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return performance.now() - t;
  };
  let n = 1;
  while ((await batch(guarded, n)) < 40) n *= 2;
  const diffs: number[] = [];
  let bestPlain = Number.POSITIVE_INFINITY;
  let bestGuarded = Number.POSITIVE_INFINITY;
  for (let s = 0; s < 21; s++) {
    const [a, b] = s % 2 === 0 ? [plain, guarded] : [guarded, plain];
    const ta = await batch(a, n);
    const tb = await batch(b, n);
    const [tp, tg] = s % 2 === 0 ? [ta, tb] : [tb, ta];
    diffs.push(((tg - tp) / n) * 1000);
    bestPlain = Math.min(bestPlain, (tp / n) * 1000);
    bestGuarded = Math.min(bestGuarded, (tg / n) * 1000);
  }
  diffs.sort((x, y) => x - y);
  // best: the least-disturbed batch of each, what the call costs when nothing else runs.
  return { median: median(diffs), low: diffs[5]!, high: diffs[15]!, best: bestGuarded - bestPlain };
}

await pair(
  'model call: doGenerate (middleware only)',
  () => model.doGenerate(params),
  () => guardedModel.doGenerate(params),
);
// A streamed call costs one more web-stream stage per part (Node 20's web streams cost a few µs a
// part): two sizes show the fixed part and the per-part part.
for (const deltas of [2, 50]) {
  parts = streamParts(deltas);
  await pair(
    `model call: doStream, ${parts.length} parts, read to the end`,
    async () => drain((await model.doStream(params)).stream),
    async () => drain((await guardedModel.doStream(params)).stream),
  );
}
await pair(
  'model call: generateText',
  () => generateText({ model, prompt: 'What is 6 × 7?' }),
  () => generateText({ model: guardedModel, prompt: 'What is 6 × 7?' }),
  15,
);
await pair(
  'tool call: AI SDK tool execute',
  async () => tools.add.execute!({ a: 6, b: 7 }, toolOptions),
  async () => guardedTools.add.execute!({ a: 6, b: 7 }, toolOptions),
);
await pair(
  'tool call: MCP callTool (in-memory transport)',
  () => client.callTool(echo),
  () => guardedClient.callTool(echo),
);

console.log(
  [
    'Overhead per call (1 hook on each point; target ≤ 20 µs). plain and guarded: medians of the',
    'tables above; overhead: median of 21 paired samples, its interquartile range, and best-of-21',
    '(the fastest guarded batch minus the fastest plain batch):',
    '',
    '| call | plain | with @hookspell/ai-sdk | overhead | IQR | best of 21 |',
    '|---|---:|---:|---:|---:|---:|',
    ...summary,
    '',
  ].join('\n'),
);
await client.close();
await server.close();
