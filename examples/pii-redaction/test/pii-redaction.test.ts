import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ScriptRuntime } from '@hookspell/bridge';
import { EventBus, type HookspellEvent } from '@hookspell/events';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { MemoryStorage, ScopedState } from '@hookspell/storage';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../main.mjs', import.meta.url));
const script = fileURLToPath(new URL('../redact-pii.js', import.meta.url));

describe('examples/pii-redaction', () => {
  it('prints the masked prompt and tool output', () => {
    const out = execFileSync(process.execPath, [main], { encoding: 'utf8' });
    expect(out).toContain('redact-pii.js: 2 hooks registered');
    expect(out).toContain(
      `out: "I'm Jane (<email>, <phone>). Refund card <card> for order 1234 5678 9012 3456."  (modified)`,
    );
    expect(out).toContain(
      'out: {"customer":"Jane Doe","contact":{"email":"<email>","phone":"<phone>"},"iban":"<iban>","notes":["prefers e-mail","second card <card>"]}  (modified)',
    );
    expect(out).toContain('out: "What is 6 × 7?"  (continue)');
    expect(out).toContain('totals in State: {"card":2,"email":2,"phone":2,"iban":1}');
  });

  it('publishes counts, never the values, and leaves non-strings alone', async () => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    const bus = new EventBus();
    const events: HookspellEvent[] = [];
    bus.subscribe('pii.redacted', (e) => events.push(e));
    const runtime = new ScriptRuntime({ registry, executor, bus, state: new ScopedState(MemoryStorage()) });
    await (await runtime.loadFile(script)).run();
    try {
      const outcome = await executor.fire('AfterToolExecution', {
        component: { type: 'tool', name: 'mail' },
        data: { to: ['a@b.io', 'not an address'], count: 4111111111111111, ok: true, call: '0612345678' },
      });
      expect(outcome.decision.type).toBe('modified');
      // A national number without a country code is not recognised (see the README).
      expect(outcome.data).toEqual({
        to: ['<email>', 'not an address'],
        count: 4111111111111111,
        ok: true,
        call: '0612345678',
      });
      await bus.idle();
      expect(events.map((e) => e.data)).toEqual([
        { point: 'AfterToolExecution', component: 'mail', counts: { email: 1 } },
      ]);
      expect(JSON.stringify(events)).not.toContain('a@b.io');
    } finally {
      await runtime.dispose();
    }
  });
});
