// An AI SDK agent under hookspell: a multi-step `generateText` loop (a scripted mock model, so it
// runs offline) with three tools — `search` and `send_email` as AI SDK tools, `read_file` from an
// in-process MCP server — guarded by a Lua policy, a JavaScript redaction hook and a command hook;
// every event stored in SQLite (.hookspell/hookspell.db under the working directory), every model
// call, tool call and hook traced to OpenTelemetry (console exporter), and the run drawn as a
// timeline by the `hookspell` CLI.
//
//   node examples/ai-sdk-agent/main.mjs          # once the packages and apps/cli are built
//   node examples/ai-sdk-agent/main.mjs --spans  # also print every span as the console exporter writes it
import { execFileSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { guardTools, hookspellMiddleware } from '@hookspell/ai-sdk';
import { guardMcpClient } from '@hookspell/ai-sdk/mcp';
import { ScriptRuntime } from '@hookspell/bridge';
import { commandHook } from '@hookspell/bridge/command';
import { EventBus, EventLog, withCorrelation } from '@hookspell/events';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { instrumentHookspell } from '@hookspell/otel';
import { ScopedState, SqliteStorage } from '@hookspell/storage';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { dynamicTool, generateText, jsonSchema, stepCountIs, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';

const here = dirname(fileURLToPath(import.meta.url));
const dbPath = join(process.cwd(), '.hookspell', 'hookspell.db');

// 1. OpenTelemetry, as the host app already has it: a provider with the console exporter (and an
//    in-memory one, to print a summary at the end), and the context manager spans nest through.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const spans = new InMemorySpanExporter();
const processors = [new SimpleSpanProcessor(spans)];
if (process.argv.includes('--spans')) processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
const provider = new BasicTracerProvider({ spanProcessors: processors });
const tracer = provider.getTracer('ai-sdk-agent');

// 2. hookspell: SQLite storage, the event log, a bus persisting every event, the executor (the bus
//    is its lifecycle sink, so hook runs are stored as hook.* events of the run).
const storage = SqliteStorage({ path: dbPath });
const log = new EventLog(storage);
const bus = new EventBus({ log, persist: ['**'], source: 'ai-sdk-agent' });
const registry = new HookRegistry();
// Generous timeouts: the command hook starts a Node process per call, slow on a loaded machine.
const executor = new HookExecutor(registry, { sink: bus.hookSink(), defaultTimeoutMs: 15_000 });
const state = new ScopedState(storage);

// 3. The guards at BeforeToolExecution: a Lua policy, a JavaScript hook (both sandboxed) and an
//    external command.
const scripts = new ScriptRuntime({ registry, executor, bus, state });
for (const file of ['policy.lua', 'redact.js']) await (await scripts.loadFile(join(here, file))).run();
registry.register(
  'BeforeToolExecution',
  commandHook({ command: [process.execPath, join(here, 'hooks', 'recipients.mjs')] }),
  { name: 'recipients', language: 'command', timeoutMs: 15_000 },
);

// 4. The agent's tools: an MCP server in this process (files), two AI SDK tools.
const files = { 'reports/q3.txt': 'Q3 revenue grew 12%. Questions to dana@corp.example.org.' };
const server = new McpServer({ name: 'files', version: '1.0.0' });
server.registerTool(
  'read_file',
  { description: 'Reads a file', inputSchema: { path: z.string() } },
  async ({ path }) => ({
    content: [{ type: 'text', text: files[path] ?? `no such file: ${path}` }],
  }),
);
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'ai-sdk-agent', version: '1.0.0' });
await client.connect(clientSide);
const outbox = [];
const localTools = {
  search: tool({
    description: 'Searches the company wiki',
    inputSchema: z.object({ query: z.string() }),
    execute: async ({ query }) => `1 result for "${query}": reports/q3.txt`,
  }),
  send_email: tool({
    description: 'Sends an e-mail',
    inputSchema: z.object({ to: z.string(), body: z.string() }),
    execute: async ({ to, body }) => {
      outbox.push({ to, body });
      return `sent to ${to}`;
    },
  }),
};

// ---- What a user adds to an existing agent: these lines. ----
const otel = instrumentHookspell({ executor, bus, tracer });
const { callTracer } = otel; // a span per model call and tool call, its hooks inside
const mcp = guardMcpClient(client, { executor, bus, callTracer, onCancel: 'result' });
const tools = guardTools(localTools, { executor, bus, callTracer });
for (const t of (await mcp.listTools()).tools) {
  tools[t.name] = dynamicTool({
    description: t.description,
    inputSchema: jsonSchema(t.inputSchema),
    execute: async (input) => mcp.callTool({ name: t.name, arguments: input }),
  });
}
const model = (base) =>
  wrapLanguageModel({ model: base, middleware: hookspellMiddleware({ executor, bus, callTracer }) });
// ---- end ----

// 5. The model: scripted, so the run is the same every time and needs no network.
const plan = [
  ['search', { query: 'Q3 report' }],
  ['read_file', { path: 'reports/q3.txt' }],
  ['read_file', { path: '/etc/passwd' }],
  ['send_email', { to: 'ceo@example.com', body: 'Q3 grew 12%. Questions to dana@corp.example.org.' }],
  ['send_email', { to: 'leak@rival.test', body: 'Q3 grew 12%.' }],
];
let step = 0;
const usage = (input) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 12, text: 12, reasoning: 0 },
});
const scripted = new MockLanguageModelV3({
  provider: 'mock.chat',
  modelId: 'scripted-agent',
  doGenerate: async ({ prompt }) => {
    if (step === 0) console.log(`the model was asked: ${prompt.at(-1).content[0].text}`);
    const next = plan[step];
    step++;
    if (next === undefined) {
      return {
        content: [
          { type: 'text', text: 'Sent the Q3 summary to the CEO; the other two requests were refused.' },
        ],
        finishReason: { unified: 'stop', raw: undefined },
        usage: usage(400 + 50 * step),
        warnings: [],
      };
    }
    const [toolName, input] = next;
    return {
      content: [{ type: 'tool-call', toolCallId: `call-${step}`, toolName, input: JSON.stringify(input) }],
      finishReason: { unified: 'tool-calls', raw: undefined },
      usage: usage(400 + 50 * step),
      warnings: [],
    };
  },
});

const runs = ((await state.load('global', 'runs')) ?? 0) + 1;
await state.save('global', 'runs', runs);
const runId = `ai-sdk-agent-run-${runs}`;
console.log(`hookspell ai-sdk-agent · run ${runs} · SQLite ${relative(process.cwd(), dbPath)}`);
const result = await withCorrelation(runId, () =>
  generateText({
    model: model(scripted),
    tools,
    stopWhen: stepCountIs(10),
    prompt: 'Find the Q3 report, read it, and mail a summary to the CEO (ceo@example.com).',
    // The AI SDK's own spans; without the prompt and answer, which hookspell's redaction cannot reach there.
    experimental_telemetry: {
      isEnabled: true,
      tracer,
      functionId: 'ai-sdk-agent',
      recordInputs: false,
      recordOutputs: false,
    },
  }),
);

console.log(`\nagent run (correlation ${runId}):`);
for (const [i, s] of result.steps.entries()) {
  for (const part of s.content) {
    if (part.type === 'tool-result') {
      const out = part.output?.content?.[0]?.text ?? part.output;
      const denied = part.output?.isError === true;
      console.log(
        `  ${i + 1}. ${part.toolName.padEnd(10)} ${denied ? 'denied' : 'ok'}: ${typeof out === 'string' ? out : JSON.stringify(out)}`,
      );
    } else if (part.type === 'tool-error') {
      console.log(
        `  ${i + 1}. ${part.toolName.padEnd(10)} denied: ${part.error?.reason ?? part.error?.message}`,
      );
    } else if (part.type === 'text') console.log(`  ${i + 1}. answer     ${part.text}`);
  }
}
console.log(`outbox: ${JSON.stringify(outbox)}`);
console.log(
  `emails redacted so far (State, kept across runs): ${await state.load('global', 'emails_redacted')}`,
);

// 6. Close in order: scripts, the bus and the log (stored), the traces (exported).
await bus.idle();
await scripts.dispose();
await client.close();
otel.dispose();
await provider.forceFlush();
const finished = spans.getFinishedSpans();
const count = (prefix) => finished.filter((s) => s.name.startsWith(prefix)).length;
const traces = new Set(finished.map((s) => s.spanContext().traceId));
console.log(
  `\nOpenTelemetry: ${finished.length} spans in ${traces.size} traces — ${count('ai.')} from the AI SDK, ${count('chat ')} model calls, ${count('execute_tool ')} tool calls, ${count('hookspell.fire')} fires, ${count('hookspell.hook')} hook executions`,
);
const denied = finished.filter((s) => s.attributes['hookspell.hook.result_type'] === 'cancel');
for (const s of denied) {
  const fire = finished.find((f) => f.spanContext().spanId === s.parentSpanContext?.spanId);
  const parent = finished.find((p) => p.spanContext().spanId === fire?.parentSpanContext?.spanId);
  console.log(
    `  ${s.name} → cancel (${fire?.attributes['gen_ai.tool.name']}), in ${fire?.name} ← ${parent?.name}`,
  );
}
await provider.shutdown();
await bus.flush();
await bus.close();
await log.close();
await storage.close();

// 7. The stored run, drawn by the CLI from the same database file.
const cli = fileURLToPath(new URL('./dist/cli.js', import.meta.resolve('hookspell/package.json')));
console.log(`\n$ hookspell events timeline ${runId}`);
process.stdout.write(
  execFileSync(process.execPath, [cli, 'events', 'timeline', runId], { encoding: 'utf8' }),
);
