import { describe, expect, it } from 'vitest';
import { BREAKER_PRESETS, CircuitBreaker, HookExecutor, HookRegistry } from '../src/index.js';
import { FakeClock } from './helpers.js';

describe('CircuitBreaker state machine (fake clock)', () => {
  it('has the parity presets', () => {
    expect(BREAKER_PRESETS.default).toEqual({
      failureThreshold: 3,
      successThreshold: 2,
      windowMs: 30_000,
      openMs: 15_000,
      slowCallThreshold: 2,
      slowCallRatio: 0.8,
    });
    expect(BREAKER_PRESETS.production).toEqual({
      failureThreshold: 2,
      successThreshold: 1,
      windowMs: 20_000,
      openMs: 10_000,
      slowCallThreshold: 1,
      slowCallMs: 25,
    });
    expect(BREAKER_PRESETS.conservative).toEqual({
      failureThreshold: 5,
      successThreshold: 3,
      windowMs: 60_000,
      openMs: 30_000,
      slowCallThreshold: 3,
      slowCallMs: 100,
    });
  });

  for (const preset of ['default', 'production', 'conservative'] as const) {
    it(`${preset}: opens after failureThreshold failures in the window, probes once after openMs, closes after successThreshold`, () => {
      const c = BREAKER_PRESETS[preset];
      const b = new CircuitBreaker(preset);
      let t = 0;
      for (let i = 0; i < c.failureThreshold - 1; i++) {
        expect(b.acquire(t)).toBeUndefined();
        b.failure(t++);
      }
      expect(b.stateAt(t)).toBe('closed');
      expect(b.acquire(t)).toBeUndefined();
      b.failure(t);
      expect(b.stateAt(t)).toBe('open');
      expect(b.acquire(t + c.openMs - 1)).toMatch(/circuit breaker open/);
      t += c.openMs;
      for (let i = 0; i < c.successThreshold; i++) {
        expect(b.acquire(t)).toBeUndefined();
        expect(b.acquire(t)).toMatch(/probe call is already in flight/);
        b.success(t, 1);
      }
      expect(b.stateAt(t)).toBe('closed');
    });

    it(`${preset}: slowCallThreshold slow calls open it (default: ≥ 80 % of the call's timeout)`, () => {
      const c = BREAKER_PRESETS[preset];
      const timeout = 1_000;
      const slow = c.slowCallMs ?? (c.slowCallRatio ?? 0) * timeout;
      expect(slow).toBe(preset === 'default' ? 800 : c.slowCallMs);
      const b = new CircuitBreaker(preset);
      for (let i = 0; i < c.slowCallThreshold - 1; i++) b.success(i, slow, timeout);
      expect(b.stateAt(10)).toBe('closed');
      b.success(10, slow - 1, timeout);
      expect(b.stateAt(10)).toBe('closed');
      b.success(11, slow, timeout);
      expect(b.stateAt(11)).toBe('open');
    });
  }

  it('uses a sliding window: failures older than windowMs do not count', () => {
    const b = new CircuitBreaker('default');
    b.failure(0);
    b.failure(10_000);
    b.failure(30_001); // the first has left the 30 s window
    expect(b.stateAt(30_001)).toBe('closed');
    b.failure(30_002); // 10 000, 30 001, 30 002 are within 30 s
    expect(b.stateAt(30_002)).toBe('open');
  });

  it('successes do not erase failures inside the window (not cumulative either)', () => {
    const b = new CircuitBreaker('production');
    b.failure(0);
    b.success(1, 1);
    b.failure(2);
    expect(b.stateAt(2)).toBe('open');
  });

  it('a failed or slow probe opens it again for another openMs', () => {
    const b = new CircuitBreaker('default');
    for (let i = 0; i < 3; i++) b.failure(i);
    expect(b.acquire(15_002)).toBeUndefined();
    b.failure(15_002);
    expect(b.stateAt(15_003)).toBe('open');
    expect(b.acquire(30_002)).toBeUndefined();
    b.success(30_002, 80, 100); // slow probe: 80 ms of a 100 ms timeout
    expect(b.stateAt(30_003)).toBe('open');
    expect(b.snapshot().opened).toBe(3);
  });

  it('release frees the probe without a verdict', () => {
    const b = new CircuitBreaker({ failureThreshold: 1, openMs: 10 });
    b.failure(0);
    expect(b.acquire(10)).toBeUndefined();
    b.release();
    expect(b.acquire(10)).toBeUndefined();
  });

  it('validates custom configs', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(/failureThreshold/);
    expect(() => new CircuitBreaker({ windowMs: -1 })).toThrow(/windowMs/);
    expect(new CircuitBreaker({ failureThreshold: 7 }).config).toMatchObject({
      failureThreshold: 7,
      successThreshold: 2,
    });
  });
});

describe('breakers in the executor', () => {
  it('one breaker per hook; an open breaker gives a skipped record with the reason; half-open lets one probe through', async () => {
    const clock = new FakeClock();
    const registry = new HookRegistry();
    let fail = true;
    let calls = 0;
    registry.register(
      'SessionStart',
      () => {
        calls++;
        if (fail) throw new Error('down');
      },
      { name: 'flaky', breaker: 'production' },
    );
    registry.register('SessionStart', () => {}, { name: 'healthy' });
    const executor = new HookExecutor(registry, { clock });
    await executor.fire('SessionStart');
    await executor.fire('SessionStart');
    const skipped = await executor.fire('SessionStart');
    expect(calls).toBe(2);
    expect(skipped.records[0]).toMatchObject({ name: 'flaky', status: 'skipped' });
    expect((skipped.records[0]!.result as { reason: string }).reason).toMatch(
      /circuit breaker open \(2 failures within 20000 ms\); next probe in 10000 ms/,
    );
    expect(skipped.records[1]!.status).toBe('ok');
    expect(registry.get('flaky@SessionStart')?.breaker?.state).toBe('open');
    clock.advance(10_000);
    fail = false;
    const probe = await executor.fire('SessionStart');
    expect(probe.records[0]!.status).toBe('ok');
    expect(registry.get('flaky@SessionStart')?.breaker?.state).toBe('closed');
  });

  it('a custom config is made once per hook, so it really trips', async () => {
    const registry = new HookRegistry();
    registry.register(
      'SessionStart',
      () => {
        throw new Error('x');
      },
      { breaker: { failureThreshold: 1, openMs: 60_000 } },
    );
    const executor = new HookExecutor(registry);
    await executor.fire('SessionStart');
    expect((await executor.fire('SessionStart')).records[0]!.status).toBe('skipped');
  });

  it('default preset: calls far below their timeout are never slow, however often', async () => {
    const clock = new FakeClock();
    const registry = new HookRegistry();
    registry.register('SessionStart', () => clock.advance(60), { name: 'slow' });
    const executor = new HookExecutor(registry, { clock }); // 5 000 ms default timeout
    for (let i = 0; i < 20; i++) expect((await executor.fire('SessionStart')).records[0]!.status).toBe('ok');
  });

  it('default preset: calls taking ≥ 80 % of their timeout (executor clock) open the breaker', async () => {
    const clock = new FakeClock();
    const registry = new HookRegistry();
    registry.register('SessionStart', () => clock.advance(60), { name: 'slow', timeoutMs: 75 });
    const executor = new HookExecutor(registry, { clock });
    await executor.fire('SessionStart');
    await executor.fire('SessionStart');
    expect((await executor.fire('SessionStart')).records[0]!.status).toBe('skipped');
  });

  it('the fire timeout counts for hooks without their own', async () => {
    const clock = new FakeClock();
    const registry = new HookRegistry();
    registry.register('SessionStart', () => clock.advance(60), { name: 'slow' });
    const executor = new HookExecutor(registry, { clock });
    await executor.fire('SessionStart', {}, { timeoutMs: 70 });
    await executor.fire('SessionStart', {}, { timeoutMs: 70 });
    expect((await executor.fire('SessionStart')).records[0]!.status).toBe('skipped');
  });

  it('a named preset keeps its absolute figure: production opens on one call ≥ 25 ms', async () => {
    const clock = new FakeClock();
    const registry = new HookRegistry();
    registry.register('SessionStart', () => clock.advance(30), { name: 'slow', breaker: 'production' });
    const executor = new HookExecutor(registry, { clock });
    await executor.fire('SessionStart');
    expect((await executor.fire('SessionStart')).records[0]!.status).toBe('skipped');
  });

  it('an explicit slowCallMs wins over the default ratio; slowCallRatio can be tuned', () => {
    expect(new CircuitBreaker({ slowCallMs: 40 }).config).not.toHaveProperty('slowCallRatio');
    const absolute = new CircuitBreaker({ slowCallMs: 40, slowCallThreshold: 1 });
    absolute.success(0, 40, 10_000);
    expect(absolute.stateAt(0)).toBe('open');
    const ratio = new CircuitBreaker({ slowCallRatio: 0.5, slowCallThreshold: 1 });
    ratio.success(0, 49, 100);
    expect(ratio.stateAt(0)).toBe('closed');
    ratio.success(1, 50, 100);
    expect(ratio.stateAt(1)).toBe('open');
    expect(() => new CircuitBreaker({ slowCallRatio: 1.5 })).toThrow(/slowCallRatio/);
  });

  it('timeouts count as failures', async () => {
    const registry = new HookRegistry();
    registry.register('SessionStart', () => new Promise(() => {}), {
      timeoutMs: 5,
      breaker: { failureThreshold: 2 },
    });
    const executor = new HookExecutor(registry);
    await executor.fire('SessionStart');
    await executor.fire('SessionStart');
    expect((await executor.fire('SessionStart')).records[0]!.status).toBe('skipped');
  });

  it('a fail-closed hook whose breaker is open cancels: a security hook that cannot run must not let the action through', async () => {
    const registry = new HookRegistry();
    registry.register(
      'BeforeToolExecution',
      () => {
        throw new Error('x');
      },
      { name: 'security', onFailure: 'cancel', breaker: { failureThreshold: 1 } },
    );
    const executor = new HookExecutor(registry);
    await executor.fire('BeforeToolExecution');
    const out = await executor.fire('BeforeToolExecution');
    expect(out.records[0]!.status).toBe('skipped');
    expect(out.decision.type).toBe('cancel');
    expect((out.decision as { reason: string }).reason).toMatch(/could not start \(circuit breaker open/);
  });

  it('breaker: false disables it', async () => {
    const registry = new HookRegistry();
    let calls = 0;
    registry.register(
      'SessionStart',
      () => {
        calls++;
        throw new Error('x');
      },
      { breaker: false },
    );
    const executor = new HookExecutor(registry);
    for (let i = 0; i < 5; i++) await executor.fire('SessionStart');
    expect(calls).toBe(5);
    expect(registry.list()[0]!.breaker).toBeUndefined();
  });
});
