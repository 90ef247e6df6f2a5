// Loads one Lua policy and one JavaScript hook through ScriptRuntime and fires a point from
// TypeScript's executor, the way a host application would.
//
//   pnpm --filter @hookspell/bridge build && node examples/scripts/run.mjs
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScriptRuntime } from '@hookspell/bridge';
import { EventBus } from '@hookspell/events';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { MemoryStorage, ScopedState } from '@hookspell/storage';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..');
const registry = new HookRegistry();
const executor = new HookExecutor(registry);
const bus = new EventBus();
const state = new ScopedState(MemoryStorage());
const runtime = new ScriptRuntime({
  registry,
  executor,
  bus,
  state,
  limits: { callbackMs: 50, scriptMs: 1_000, memoryBytes: 32 * 1024 * 1024 },
  logger: console,
});

bus.subscribe('policy.*', (e) => console.log(`event ${e.type} from ${e.language}:`, e.data));

for (const file of ['lua-policy/deny-shell.lua', 'js-hooks/redact-email.js']) {
  const script = await runtime.loadFile(join(examples, file));
  await script.run();
  console.log(`${script.name}: ${script.logs.map((l) => l.message).join(' | ')}`);
}
console.log(
  'registered:',
  registry.list().map((h) => `${h.name} (${h.language}, priority ${h.priority})`),
);

const shell = await executor.fire('BeforeToolExecution', {
  component: { type: 'tool', name: 'shell' },
  data: { command: 'rm -rf /' },
});
console.log('shell ->', shell.decision);

const mail = await executor.fire('BeforeToolExecution', {
  component: { type: 'tool', name: 'mailer' },
  data: { input: 'send the report to alice@example.com' },
});
console.log('mailer ->', mail.decision.type, mail.data);
console.log('redactions so far:', await state.load('global', 'redactions'));

await runtime.dispose();
