// cost-budget: the costTracking built-in prices each model call and raises alerts; a Lua script
// keeps a budget per session in State and stops the session once it is spent.
//
//   pnpm --filter @hookspell/example-cost-budget start
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScriptRuntime } from '@hookspell/bridge';
import { costTracking } from '@hookspell/builtins';
import { EventBus } from '@hookspell/events';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { MemoryStorage, ScopedState } from '@hookspell/storage';

const here = dirname(fileURLToPath(import.meta.url));
const registry = new HookRegistry();
const executor = new HookExecutor(registry);
const bus = new EventBus();
const state = new ScopedState(MemoryStorage()); // SqliteStorage({ path }) keeps budgets across restarts

// The built-in: prices from its default table (USD per 1K tokens; pass `prices` for your own),
// `cost.alert` events on the bus at $0.05 and $0.10 per user and per model in a 1 h window, and a
// hard cap (cancel) per user and hour far above the session budget.
const costs = costTracking({ scopes: ['user', 'model'], alertThresholds: [0.05, 0.1], blockAbove: 1, bus });
costs.register(registry); // BeforeAgentExecution + AfterAgentExecution, priority low

const notes = [];
const logger = {
  debug() {},
  info() {},
  warn: (m, meta) => notes.push(`[${meta.script}] ${m}`),
  error: console.error,
};
const scripts = new ScriptRuntime({ registry, executor, bus, state, logger });
await (await scripts.loadFile(join(here, 'budget.lua'))).run();

console.log(
  'cost-budget: costTracking prices calls and alerts at $0.05 and $0.10; budget.lua stops a session at $0.10',
);
for (const h of registry.list()) console.log(`  ${h.point.padEnd(20)} ${h.name.padEnd(14)} ${h.language}`);

/** A model call guarded by both points. The "model" answers with a made-up token count. */
async function callModel(metadata, model, inputTokens) {
  const component = { type: 'agent', name: 'assistant' };
  const before = await executor.fire('BeforeAgentExecution', { component, metadata, data: { model } });
  if (before.decision.type === 'cancel') {
    const by = before.records.find((r) => r.result?.type === 'cancel')?.name;
    return `cancelled by ${by}: ${before.decision.reason}`;
  }
  const token_usage = { input_tokens: inputTokens, output_tokens: 1_500, provider: 'openai', model };
  const scope = `session:${metadata.session_id}`;
  const spentBefore = (await state.load(scope, 'spent')) ?? 0;
  await executor.fire('AfterAgentExecution', { component, metadata, data: { model, token_usage } });
  const spent = await state.load(scope, 'spent'); // written by budget.lua
  const price = `$${(spent - spentBefore).toFixed(4)}`;
  return `${model}  ${String(inputTokens).padStart(5)} in / 1500 out  ${price}  session $${spent.toFixed(4)}`;
}

const metadata = { user_id: 'alice', session_id: 's-1' };
console.log(`\nsession ${metadata.session_id} (user ${metadata.user_id}), the context grows with each call:`);
for (let call = 1; call <= 4; call++) {
  const line = await callModel(metadata, 'gpt-4o', 6_000 * call);
  await bus.idle(); // let the Lua subscriber handle the alerts of this call
  console.log(`  ${call}. ${line}`);
  for (const note of notes.splice(0)) console.log(`       ${note}`);
}
console.log(`\ncostTracking totals: ${JSON.stringify(costs.totals())}`);
await scripts.dispose();
