// hookspell quickstart: a small simulated agent whose tool calls are guarded by a Lua policy, a
// JavaScript redaction hook, a command hook and two built-ins, with every event stored in SQLite
// (.hookspell/hookspell.db under the working directory) and the run drawn as a timeline by the
// `hookspell` CLI.
//
//   pnpm quickstart                      # from the repository root: builds, then runs this file
//   node examples/quickstart/main.mjs    # once the packages and apps/cli are built
import { execFileSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScriptRuntime } from '@hookspell/bridge';
import { commandHook } from '@hookspell/bridge/command';
import { rateLimit, security } from '@hookspell/builtins';
import { EventBus, EventLog, withCorrelation } from '@hookspell/events';
import { HookExecutor, HookRegistry, PRIORITY } from '@hookspell/hooks';
import { HookJournal } from '@hookspell/journal';
import { ScopedState, SqliteStorage } from '@hookspell/storage';

const here = dirname(fileURLToPath(import.meta.url));
const dbPath = join(process.cwd(), '.hookspell', 'hookspell.db');

// 1. Storage, event log, bus, executor. The bus persists every event it carries and is the
//    executor's lifecycle sink, so each hook run is stored as hook.* events with its correlation.
const storage = SqliteStorage({ path: dbPath });
const log = new EventLog(storage);
const bus = new EventBus({ log, persist: ['**'], source: 'quickstart' });
const registry = new HookRegistry();
const executor = new HookExecutor(registry, { sink: bus.hookSink(), defaultTimeoutMs: 5_000 });
const journal = new HookJournal(storage); // every hook execution (context, result, timing)
journal.attach(executor);
const state = new ScopedState(storage);

// 2. The guards at BeforeToolExecution, in the order they run (lower priority first).
//    Built-ins: a token bucket per tool (1 call per minute, to show a limited call) and an audit
//    that masks secrets (api_key, token, password, …) in what it records.
rateLimit({
  key: 'per-component',
  capacity: 1,
  burst: 0,
  refillTokens: 1,
  refillIntervalMs: 60_000,
}).register(registry, ['BeforeToolExecution']);
const audit = security({ mask: 'audit' });
audit.register(registry, ['BeforeToolExecution']);
//    Scripts: a Lua policy (priority high) and a JavaScript hook (normal), each in its own sandbox.
const scripts = new ScriptRuntime({ registry, executor, bus, state });
for (const file of ['policy.lua', 'redact.js']) await (await scripts.loadFile(join(here, file))).run();
//    An external command (normal, registered last): gets the context on stdin and in HOOKSPELL_*.
registry.register(
  'BeforeToolExecution',
  commandHook({ command: ['sh', join(here, 'hooks', 'allowlist.sh')] }),
  {
    name: 'allowlist',
    language: 'command',
    timeoutMs: 2_000,
  },
);

const runs = ((await state.load('global', 'runs')) ?? 0) + 1;
await state.save('global', 'runs', runs);
const runId = `quickstart-run-${runs}`;
console.log(`hookspell quickstart · run ${runs} · SQLite ${relative(process.cwd(), dbPath)}`);
const levels = new Map(Object.entries(PRIORITY).map(([name, value]) => [value, name]));
console.log('hooks at BeforeToolExecution, in the order they run:');
for (const h of registry.list({ point: 'BeforeToolExecution' })) {
  console.log(`  ${h.name.padEnd(13)} ${h.language.padEnd(11)} ${levels.get(h.priority) ?? h.priority}`);
}

// 3. The agent: a scripted plan standing in for an LLM, and four tools.
const tools = {
  search: (p) => `3 results for "${p.query}"`,
  send_email: (p) => `sent to ${p.to}: "${p.body}"`,
  shell: (p) => `ran ${p.command}`,
  deploy: (p) => `deployed to ${p.env}`,
};
const plan = [
  ['search', { query: 'weather in Paris', api_key: 'sk-live-0000' }],
  ['send_email', { to: 'alice@example.com', body: 'Sunny in Paris. Ask bob@example.org for more.' }],
  ['shell', { command: 'rm -rf ~/.cache' }],
  ['deploy', { env: 'production' }],
  ['search', { query: 'weather in Lyon' }],
];

console.log(`\nagent run (correlation ${runId}):`);
await withCorrelation(runId, async () => {
  for (const [i, [tool, params]] of plan.entries()) {
    const step = await bus.publish('agent.step', { step: i + 1, tool }); // no params: they may hold secrets
    // Fired under the step's event, so the timeline hangs the hooks below it.
    const outcome = await withCorrelation({ correlationId: runId, causationId: step.id }, () =>
      executor.fire('BeforeToolExecution', { component: { type: 'tool', name: tool }, data: params }),
    );
    const label = `  ${i + 1}. ${tool.padEnd(10)}`;
    if (outcome.decision.type === 'cancel') {
      const by = outcome.records.find((r) => r.result?.type === 'cancel')?.name;
      console.log(`${label} denied by ${by}: ${outcome.decision.reason}`);
      await bus.publish(
        'tool.denied',
        { tool, by, reason: outcome.decision.reason },
        { causationId: step.id },
      );
      continue;
    }
    const result = tools[tool](outcome.data); // the tool sees the data after every `modified`
    console.log(`${label} ok: ${result}`);
    await bus.publish('tool.result', { tool, result }, { causationId: step.id });
  }
});

// 4. What the hooks kept: State written by the JS hook, the security audit (masked), metrics.
const masked = audit.audit({ limit: 100 }).find((a) => a.masked > 0);
console.log(
  `\nemails redacted so far (State, kept across runs): ${await state.load('global', 'emails_redacted')}`,
);
console.log(
  `security audit: ${audit.audit().length} calls, secrets masked e.g. ${JSON.stringify(masked?.data)}`,
);

// 5. Store everything, close, and draw the stored timeline with the CLI (same database file).
await bus.idle();
await scripts.dispose();
await bus.flush();
await journal.close();
await bus.close();
await log.close();
await storage.close();

const cli = fileURLToPath(new URL('./dist/cli.js', import.meta.resolve('hookspell/package.json')));
console.log(`\n$ hookspell events timeline ${runId}`);
process.stdout.write(
  execFileSync(process.execPath, [cli, 'events', 'timeline', runId], { encoding: 'utf8' }),
);
const shown = relative(process.cwd(), cli);
const hookspell = `node ${shown.startsWith('..') ? cli : shown}`;
console.log(`\nmore: ${hookspell} events query --correlation ${runId}`);
console.log(`      ${hookspell} events timeline ${runId} --html timeline.html`);
