import { describe, expect, it } from 'vitest';
import { HookExecutor, HookRegistry } from '../src/index.js';
import { LatencyMetrics } from '../src/metrics.js';
import { FakeClock } from './helpers.js';

describe('metrics', () => {
  it('percentiles are within the histogram resolution', () => {
    const m = new LatencyMetrics();
    for (let i = 1; i <= 1000; i++) m.observe(i / 10); // 0.1 … 100 ms
    const s = m.snapshot();
    expect(s.count).toBe(1000);
    expect(s.p50).toBeGreaterThan(50 * 0.88);
    expect(s.p50).toBeLessThan(50 * 1.12);
    expect(s.p95).toBeGreaterThan(95 * 0.88);
    expect(s.p99).toBeLessThanOrEqual(100);
    expect(s.minMs).toBe(0.1);
    expect(s.maxMs).toBe(100);
  });

  it('memory is bounded: a fixed number of counters whatever the call count', () => {
    const m = new LatencyMetrics();
    const before = JSON.stringify(Object.keys(m));
    for (let i = 0; i < 200_000; i++) m.observe((i % 5000) / 3);
    expect(JSON.stringify(Object.keys(m))).toBe(before);
    expect(LatencyMetrics.size).toBe(128);
    expect(m.snapshot().count).toBe(200_000);
  });

  it('the executor keeps count, errors, timeouts, skipped and latency per hook', async () => {
    const clock = new FakeClock();
    const registry = new HookRegistry();
    let n = 0;
    registry.register(
      'SessionStart',
      () => {
        clock.advance(++n);
        if (n % 4 === 0) throw new Error('x');
      },
      { name: 'work', breaker: false },
    );
    registry.register('SessionEnd', () => new Promise(() => {}), {
      name: 'work',
      timeoutMs: 5,
      breaker: false,
    });
    const executor = new HookExecutor(registry, { clock });
    for (let i = 0; i < 8; i++) await executor.fire('SessionStart');
    await executor.fire('SessionEnd');
    const start = executor.metrics('work@SessionStart')!;
    expect(start).toMatchObject({ count: 8, errors: 2, timeouts: 0, minMs: 1, maxMs: 8 });
    expect(start.p50).toBeGreaterThan(3.5);
    expect(start.p50).toBeLessThan(5);
    expect(executor.metrics('work@SessionEnd')).toMatchObject({ count: 1, timeouts: 1 });
    expect(executor.metrics('work')).toMatchObject({ count: 9, errors: 2, timeouts: 1 });
    expect(Object.keys(executor.metrics())).toHaveLength(2);
    expect(executor.metrics('nope')).toBeUndefined();
    expect(new HookExecutor(registry).metrics('work@SessionStart')).toMatchObject({ count: 0 });
    expect(new HookExecutor(registry, { metrics: false }).metrics()).toEqual({});
  });
});
