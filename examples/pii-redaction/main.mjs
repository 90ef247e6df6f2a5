// pii-redaction: a JavaScript hook (QuickJS sandbox) masks personal data in prompts and tool
// output before an agent's model sees them.
//
//   pnpm --filter @hookspell/example-pii-redaction start
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScriptRuntime } from '@hookspell/bridge';
import { EventBus } from '@hookspell/events';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { MemoryStorage, ScopedState } from '@hookspell/storage';

const here = dirname(fileURLToPath(import.meta.url));
const registry = new HookRegistry();
const executor = new HookExecutor(registry);
const bus = new EventBus();
const state = new ScopedState(MemoryStorage());
const scripts = new ScriptRuntime({ registry, executor, bus, state, limits: { callbackMs: 50 } });

const script = await scripts.loadFile(join(here, 'redact-pii.js'));
await script.run();
console.log(`pii-redaction: ${script.logs.map((l) => l.message).join('; ')} (QuickJS sandbox)`);
const events = [];
bus.subscribe('pii.*', (e) => events.push(e));

/** Fires `point`, then prints the decision, the field as the next step would see it, and the events. */
async function step(title, point, input, field) {
  console.log(`\n${title}\n  in:  ${JSON.stringify(input.data[field])}`);
  const outcome = await executor.fire(point, input);
  await bus.idle();
  console.log(`  out: ${JSON.stringify(outcome.data[field])}  (${outcome.decision.type})`);
  for (const e of events.splice(0)) console.log(`  event ${e.type} ${JSON.stringify(e.data.counts)}`);
}

// 1. A prompt, before the model sees it. The order number fails the Luhn check: it stays.
await step(
  '1. prompt → BeforeAgentExecution',
  'BeforeAgentExecution',
  {
    component: { type: 'agent', name: 'assistant' },
    data: {
      prompt:
        "I'm Jane (jane.doe@example.com, +33 6 12 34 56 78). Refund card 4111 1111 1111 1111 for order 1234 5678 9012 3456.",
    },
  },
  'prompt',
);

// 2. A tool's output, before it goes back to the model: nested data, every string is checked.
await step(
  '2. crm_lookup output → AfterToolExecution',
  'AfterToolExecution',
  {
    component: { type: 'tool', name: 'crm_lookup' },
    data: {
      result: {
        customer: 'Jane Doe',
        contact: { email: 'jane.doe@example.com', phone: '+1 (415) 555-0100' },
        iban: 'FR76 3000 6000 0112 3456 7890 189',
        notes: ['prefers e-mail', 'second card 5555 5555 5555 4444'],
      },
    },
  },
  'result',
);

// 3. Nothing to mask: the hook answers continue and the data is untouched.
await step(
  '3. prompt → BeforeAgentExecution',
  'BeforeAgentExecution',
  {
    component: { type: 'agent', name: 'assistant' },
    data: { prompt: 'What is 6 × 7?' },
  },
  'prompt',
);

console.log(`\ntotals in State: ${JSON.stringify(await state.load('global', 'pii_totals'))}`);
await scripts.dispose();
