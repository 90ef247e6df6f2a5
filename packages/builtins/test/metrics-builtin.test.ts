import { HookExecutor, HookRegistry, PRIORITY } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS_MS, metrics } from '../src/index.js';
import { FakeClock } from './helpers.js';

function setup(options: Parameters<typeof metrics>[0] = {}) {
  const clock = new FakeClock(1_700_000_000_000);
  const registry = new HookRegistry();
  const hook = metrics({ clock, ...options });
  hook.register(registry);
  return { clock, hook, executor: new HookExecutor(registry), registry };
}

const tool = { type: 'tool' as const, name: 'calc' };

describe('metrics()', () => {
  it('defaults: priority low, the original buckets, metrics_recorded_at', async () => {
    const { hook, executor, registry } = setup();
    expect(registry.list({ point: 'SystemStartup' })[0]!.priority).toBe(PRIORITY.low);
    expect(DEFAULT_BUCKETS_MS).toEqual([1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]);
    const out = await executor.fire('SystemStartup', { data: {} });
    expect(out.records[0]!.status).toBe('ok');
    expect(hook.point('SystemStartup')).toMatchObject({ count: 1, errors: 0, successRate: 1, timed: 0 });
    expect(Object.keys(hook.point('SystemStartup')!.buckets)).toEqual([
      ...DEFAULT_BUCKETS_MS.map(String),
      '+Inf',
    ]);
  });

  it('counts per point, errors (error points and data.error), success rate', async () => {
    const { hook, executor } = setup();
    await executor.fire('AfterToolExecution', { component: tool, data: { result: 1 } });
    await executor.fire('AfterToolExecution', { component: tool, data: { error: 'x' } });
    await executor.fire('ToolError', { component: tool, data: { error: 'x' } });
    expect(hook.point('AfterToolExecution')).toMatchObject({ count: 2, errors: 1, successRate: 0.5 });
    expect(hook.point('ToolError')).toMatchObject({ count: 1, errors: 1, successRate: 0 });
    const snap = hook.snapshot();
    expect(snap.total).toBe(3);
    expect(snap.errors).toBe(2);
    expect(Object.keys(snap.points).sort()).toEqual(['AfterToolExecution', 'ToolError']);
  });

  it('times operations before → after on the fake clock, with percentiles from the histogram', async () => {
    const { hook, executor, clock } = setup();
    for (const ms of [2, 3, 4, 7, 8, 20, 30, 40, 200, 3000]) {
      await executor.fire('BeforeToolExecution', { component: tool });
      clock.advance(ms);
      await executor.fire('AfterToolExecution', { component: tool });
    }
    const m = hook.point('AfterToolExecution')!;
    expect(m.timed).toBe(10);
    expect(m.buckets).toMatchObject({ '1': 0, '5': 3, '10': 2, '25': 1, '50': 2, '250': 1, '5000': 1 });
    expect(m.p50).toBe(10); // the 5th value ends the 5–10 ms bucket
    expect(m.p95).toBeGreaterThan(2500);
    expect(m.p95).toBeLessThanOrEqual(5000);
    expect(m.p99).toBeLessThanOrEqual(5000);
  });

  it('uses data.durationMs when given, custom buckets, and pairs by correlation id', async () => {
    const { hook, executor, clock } = setup({ bucketsMs: [10, 100] });
    await executor.fire('AfterAgentExecution', { data: { durationMs: 50 } });
    expect(hook.point('AfterAgentExecution')!.buckets).toEqual({ '10': 0, '100': 1, '+Inf': 0 });
    await executor.fire('BeforeAgentExecution', { component: tool }, { correlationId: 'a' });
    clock.advance(5);
    await executor.fire('BeforeAgentExecution', { component: tool }, { correlationId: 'b' });
    clock.advance(500);
    await executor.fire('AfterAgentExecution', { component: tool }, { correlationId: 'a' });
    expect(hook.point('AfterAgentExecution')!.buckets).toEqual({ '10': 0, '100': 1, '+Inf': 1 });
  });

  it('keeps memory bounded: maxPoints and maxInFlight', async () => {
    const { hook, executor } = setup({ maxPoints: 3 });
    for (let i = 0; i < 10; i++) await executor.fire(`custom:p${i}`, {});
    expect(Object.keys(hook.snapshot().points)).toHaveLength(0); // custom points are not registered by default
    const registry = new HookRegistry();
    const m = metrics({ maxPoints: 3 });
    for (let i = 0; i < 10; i++) registry.register(`custom:p${i}`, m);
    const ex = new HookExecutor(registry);
    for (let i = 0; i < 10; i++) await ex.fire(`custom:p${i}`, {});
    expect(Object.keys(m.snapshot().points)).toEqual(['custom:p9', 'custom:p8', 'custom:p7']);
    m.reset();
    expect(m.snapshot().total).toBe(0);
  });

  it('rejects buckets out of order', () => {
    expect(() => metrics({ bucketsMs: [5, 1] })).toThrow(/ascending/);
  });
});
