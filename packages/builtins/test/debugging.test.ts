import { HOOK_POINTS, HookExecutor, HookRegistry, PRIORITY } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { debugging } from '../src/index.js';
import { FakeClock } from './helpers.js';

function setup(options: Parameters<typeof debugging>[0] = {}) {
  const clock = new FakeClock(1_700_000_000_000);
  const registry = new HookRegistry();
  const hook = debugging({ clock, ...options });
  hook.register(registry);
  return { clock, hook, registry, executor: new HookExecutor(registry) };
}

describe('debugging()', () => {
  it('defaults: priority lowest, every point; traces point, component, language, correlation, data, metadata', async () => {
    const { hook, registry, executor } = setup();
    expect(hook.points).toEqual(HOOK_POINTS);
    expect(registry.list()[0]!.priority).toBe(PRIORITY.lowest);
    const data = { cmd: 'ls' };
    const meta: Record<string, string> = { user_id: 'u' };
    await executor.fire(
      'BeforeToolExecution',
      { component: { type: 'tool', name: 'shell' }, data, metadata: meta, language: 'lua' },
      { correlationId: 'c1' },
    );
    data.cmd = 'changed later';
    expect(meta).toMatchObject({
      debug_traced_at: new Date(1_700_000_000_000).toISOString(),
      debug_correlation_id: 'c1',
    });
    expect(hook.traces()).toEqual([
      {
        at: 1_700_000_000_000,
        point: 'BeforeToolExecution',
        component: { type: 'tool', name: 'shell' },
        language: 'lua',
        correlationId: 'c1',
        data: { cmd: 'ls' },
        metadata: { user_id: 'u', debug_traced_at: expect.any(String), debug_correlation_id: 'c1' },
      },
    ]);
  });

  it('measures after-points against their before-point, on the fake clock', async () => {
    const { hook, executor, clock } = setup();
    const tool = { type: 'tool' as const, name: 'shell' };
    await executor.fire('BeforeToolExecution', { component: tool }, { correlationId: 'x' });
    clock.advance(42);
    await executor.fire('AfterToolExecution', { component: tool }, { correlationId: 'x' });
    expect(hook.traces({ point: 'AfterToolExecution' })[0]!.durationMs).toBe(42);
  });

  it('keeps the last maxTraces, bounds data, and queries by point, component, correlation and time', async () => {
    const { hook, executor, clock } = setup({ maxTraces: 3, maxDataBytes: 16 });
    for (let i = 0; i < 5; i++) {
      clock.advance(10);
      await executor.fire(
        i % 2 ? 'AfterAgentExecution' : 'BeforeAgentExecution',
        {
          component: { type: 'agent', name: `a${i % 2}` },
          data: { i, pad: i === 4 ? 'x'.repeat(50) : '' },
        },
        { correlationId: `c${i}` },
      );
    }
    const all = hook.traces();
    expect(all).toHaveLength(3);
    expect(all[0]!.data).toMatch(/^\{"i":4,"pad":"xx… \[truncated 50 of 66 bytes\]$/);
    expect(hook.traces({ component: 'a1' }).map((t) => t.correlationId)).toEqual(['c3']);
    expect(hook.traces({ component: 'agent:a0' })).toHaveLength(2);
    expect(hook.traces({ correlationId: 'c2' })).toHaveLength(1);
    expect(hook.traces({ from: clock.t - 10, to: clock.t })).toHaveLength(2);
    expect(hook.traces({ limit: 1 })).toHaveLength(1);
    // `query` is the same reader under the name ("snapshot / query")
    expect(hook.query({ component: 'agent:a0' })).toEqual(hook.traces({ component: 'agent:a0' }));
    hook.clear();
    expect(hook.traces()).toEqual([]);
  });
});
