import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ScriptRuntime } from '@hookspell/bridge';
import { costTracking } from '@hookspell/builtins';
import { EventBus } from '@hookspell/events';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { MemoryStorage, ScopedState } from '@hookspell/storage';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../main.mjs', import.meta.url));
const script = fileURLToPath(new URL('../budget.lua', import.meta.url));

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('examples/cost-budget', () => {
  it('prices the calls, relays the alerts and stops the session at its budget', () => {
    const out = execFileSync(process.execPath, [main], { encoding: 'utf8' });
    expect(out).toMatch(
      /BeforeAgentExecution session-budget lua\n.*BeforeAgentExecution cost-tracking +native/,
    );
    expect(out).toMatch(
      /AfterAgentExecution +cost-tracking +native\n.*AfterAgentExecution +session-spend +lua/,
    );
    expect(out).toContain('1. gpt-4o   6000 in / 1500 out  $0.0300  session $0.0300');
    expect(out).toContain('2. gpt-4o  12000 in / 1500 out  $0.0450  session $0.0750');
    expect(out).toContain("[budget.lua] cost alert: user 'alice' passed $0.05 (now $0.0750)");
    expect(out).toContain('3. gpt-4o  18000 in / 1500 out  $0.0600  session $0.1350');
    expect(out).toContain('[budget.lua] session:s-1 has used 135% of its budget');
    expect(out).toContain('4. cancelled by session-budget: session s-1 spent $0.1350 of its $0.10 budget');
    expect(out).toContain('costTracking totals: {"user":{"alice":0.135},"model":{"gpt-4o":0.135}}');
  });

  it('keeps sessions apart', async () => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    const state = new ScopedState(MemoryStorage());
    costTracking({ blockAbove: false }).register(registry);
    const runtime = new ScriptRuntime({
      registry,
      executor,
      bus: new EventBus(),
      state,
      logger: quiet,
    });
    await (await runtime.loadFile(script)).run();
    try {
      const call = (session_id: string, input_tokens: number) =>
        executor.fire('AfterAgentExecution', {
          metadata: { session_id },
          data: { token_usage: { input_tokens, output_tokens: 0, provider: 'openai', model: 'gpt-4o' } },
        });
      await call('a', 50_000); // $0.125: over budget
      await call('b', 4_000); // $0.01
      const fireBefore = (session_id: string) =>
        executor.fire('BeforeAgentExecution', { metadata: { session_id } });
      expect((await fireBefore('a')).decision).toEqual({
        type: 'cancel',
        reason: 'session a spent $0.1250 of its $0.10 budget',
      });
      expect((await fireBefore('b')).decision.type).toBe('continue');
      expect(await state.load('session:b', 'calls')).toBe(1);
    } finally {
      await runtime.dispose();
    }
  });
});
