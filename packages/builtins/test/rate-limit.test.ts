import { HookExecutor, HookRegistry, HookResult, PRIORITY } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { caching, rateLimit } from '../src/index.js';
import { FakeClock } from './helpers.js';

function setup(options: Parameters<typeof rateLimit>[0] = {}) {
  const clock = new FakeClock(1_700_000_000_000);
  const events: { type: string; data: Record<string, unknown> }[] = [];
  const registry = new HookRegistry();
  const hook = rateLimit({ clock, emit: (type, data) => events.push({ type, data }), ...options });
  hook.register(registry);
  return { clock, hook, registry, events, executor: new HookExecutor(registry) };
}

const fire = (executor: HookExecutor, metadata: Record<string, string> = {}, name = 'shell') =>
  executor.fire('BeforeToolExecution', { component: { type: 'tool', name }, metadata });

describe('rateLimit()', () => {
  it('defaults: priority highest, capacity 100 + burst 50, refill 10 per second, headers', async () => {
    const { hook, registry, executor } = setup();
    expect(registry.list()[0]!.priority).toBe(PRIORITY.highest);
    expect(hook.points).toEqual(['BeforeAgentExecution', 'BeforeToolExecution', 'BeforeWorkflowStart']);
    const meta: Record<string, string> = {};
    await fire(executor, meta);
    expect(meta).toEqual({
      'X-RateLimit-Limit': '100',
      'X-RateLimit-Burst': '50',
      'X-RateLimit-Remaining': '149',
      'X-RateLimit-Reset': '1',
    });
    for (let i = 0; i < 149; i++) expect((await fire(executor)).decision.type).toBe('continue');
    const limited: Record<string, string> = {};
    const out = await fire(executor, limited);
    expect(out.decision).toEqual(HookResult.cancel("rate limit exceeded for 'global'; Retry-After: 1 s"));
    expect(limited['X-RateLimit-Retry-After']).toBe('1');
    expect(limited['X-RateLimit-Remaining']).toBe('0');
    expect(limited['X-RateLimit-Reset']).toBe('15'); // 150 tokens at 10/s
  });

  it('headers describe the current call, also in a metadata object the host passes to every fire', async () => {
    const { executor, clock } = setup({ capacity: 2, burst: 0, refillTokens: 1, refillIntervalMs: 1000 });
    const session: Record<string, string> = { user_id: 'u' };
    await fire(executor, session);
    await fire(executor, session);
    expect((await fire(executor, session)).decision.type).toBe('cancel');
    expect(session).toMatchObject({
      'X-RateLimit-Retry-After': '1',
      'X-RateLimit-Warning': expect.any(String),
    });
    clock.advance(2000); // full again
    expect((await fire(executor, session)).decision.type).toBe('continue');
    expect(session['X-RateLimit-Retry-After']).toBeUndefined();
    expect(session['X-RateLimit-Warning']).toBeUndefined();
    expect(session['X-RateLimit-Remaining']).toBe('1');
  });

  it('refills on the fake clock (10 per second)', async () => {
    const { executor, clock } = setup({ capacity: 2, burst: 0 });
    await fire(executor);
    await fire(executor);
    expect((await fire(executor)).decision.type).toBe('cancel');
    clock.advance(100); // one token
    expect((await fire(executor)).decision.type).toBe('continue');
    expect((await fire(executor)).decision.type).toBe('cancel');
  });

  it('warns at 80 % used (metadata and event), and reports exceeded', async () => {
    const { executor, events } = setup({ capacity: 10, burst: 0 });
    for (let i = 0; i < 7; i++) await fire(executor);
    expect(events).toHaveLength(0);
    const meta: Record<string, string> = {};
    await fire(executor, meta);
    expect(meta['X-RateLimit-Warning']).toBe("80% of the rate limit for 'global' used");
    expect(events[0]).toMatchObject({ type: 'rate_limit.warning', data: { key: 'global', remaining: 2 } });
    await fire(executor);
    await fire(executor);
    await fire(executor);
    expect(events.at(-1)).toMatchObject({
      type: 'rate_limit.exceeded',
      data: { key: 'global', action: 'cancel' },
    });
  });

  it('warnAt moves the warning; maxKeys bounds the buckets kept (least recently used go)', async () => {
    const { executor, events } = setup({ capacity: 10, burst: 0, warnAt: 0.5 });
    for (let i = 0; i < 4; i++) await fire(executor);
    expect(events).toHaveLength(0);
    const meta: Record<string, string> = {};
    await fire(executor, meta);
    expect(meta['X-RateLimit-Warning']).toBe("50% of the rate limit for 'global' used");
    expect(events).toHaveLength(1);

    const bounded = setup({ capacity: 1, burst: 0, key: 'per-user', maxKeys: 2 });
    const as = (user: string) => fire(bounded.executor, { user_id: user });
    await as('a');
    await as('b');
    expect((await as('a')).decision.type).toBe('cancel'); // a's bucket is kept, and empty
    expect(bounded.hook.remaining('a')).toBe(0);
    await as('c'); // a third key: the least recently used bucket (b) goes
    expect(bounded.hook.remaining('b')).toBe(1);
    expect(bounded.hook.remaining('a')).toBe(0);
  });

  it('key strategies: global, per-component, per-user (user_id), template', async () => {
    const global = setup({ capacity: 1, burst: 0 });
    await fire(global.executor, {}, 'a');
    expect((await fire(global.executor, {}, 'b')).decision.type).toBe('cancel');

    const perComponent = setup({ capacity: 1, burst: 0, key: 'per-component' });
    await fire(perComponent.executor, {}, 'a');
    expect((await fire(perComponent.executor, {}, 'b')).decision.type).toBe('continue');
    expect((await fire(perComponent.executor, {}, 'a')).decision.type).toBe('cancel');
    expect(perComponent.hook.remaining('tool:a')).toBe(0);

    const perUser = setup({ capacity: 1, burst: 0, key: 'per-user' });
    await fire(perUser.executor, { user_id: 'alice' });
    expect((await fire(perUser.executor, { user_id: 'bob' })).decision.type).toBe('continue');
    expect((await fire(perUser.executor, { user_id: 'alice' })).decision.type).toBe('cancel');
    expect((await fire(perUser.executor)).decision.type).toBe('continue'); // 'anonymous'

    const templated = setup({
      capacity: 1,
      burst: 0,
      key: { template: '{user}@{component}/{hook_point}' },
      userKey: 'uid',
    });
    const ctx = {
      component: { type: 'tool', name: 'a' },
      point: 'BeforeToolExecution',
      metadata: { uid: 'u' },
    };
    expect(templated.hook.keyOf(ctx as never)).toBe('u@a/BeforeToolExecution');
    await fire(templated.executor, { uid: 'u' }, 'a');
    expect((await fire(templated.executor, { uid: 'u' }, 'b')).decision.type).toBe('continue');
    expect((await fire(templated.executor, { uid: 'u' }, 'a')).decision.type).toBe('cancel');
  });

  it('action redirect and return-cached (falls back to cancel when nothing is cached)', async () => {
    const redirect = setup({ capacity: 1, burst: 0, action: 'redirect', redirectTarget: 'slow-lane' });
    await fire(redirect.executor);
    expect((await fire(redirect.executor)).decision).toEqual(HookResult.redirect('slow-lane'));

    const clock = new FakeClock();
    const cache = caching({ clock, minExecutionMs: 0 });
    const cached = setup({ capacity: 1, burst: 0, action: 'return-cached', cached: cache });
    cache.register(cached.registry);
    const ex = cached.executor;
    await ex.fire('AfterToolExecution', {
      component: { type: 'tool', name: 'shell' },
      data: { q: 1, result: 'old answer' },
    });
    await ex.fire('BeforeToolExecution', { component: { type: 'tool', name: 'shell' }, data: { q: 2 } });
    expect(
      (await ex.fire('BeforeToolExecution', { component: { type: 'tool', name: 'shell' }, data: { q: 1 } }))
        .decision,
    ).toEqual(HookResult.replace('old answer'));
    expect(
      (await ex.fire('BeforeToolExecution', { component: { type: 'tool', name: 'shell' }, data: { q: 3 } }))
        .decision.type,
    ).toBe('cancel');
  });

  it('action delay waits on the injected sleep (fake time) and gives up past maxDelayMs', async () => {
    const clock = new FakeClock();
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      clock.advance(ms);
    };
    const { executor } = setup({
      clock,
      sleep,
      capacity: 1,
      burst: 0,
      refillTokens: 1,
      refillIntervalMs: 500,
      action: 'delay',
      maxDelayMs: 1000,
    });
    await fire(executor);
    const meta: Record<string, string> = {};
    expect((await fire(executor, meta)).decision.type).toBe('continue');
    expect(waits).toEqual([500]);
    expect(meta['X-RateLimit-Delayed-Ms']).toBe('500');
    const tight = setup({
      clock,
      sleep,
      capacity: 1,
      burst: 0,
      refillTokens: 1,
      refillIntervalMs: 5000,
      action: 'delay',
      maxDelayMs: 1000,
    });
    await fire(tight.executor);
    expect((await fire(tight.executor)).decision.type).toBe('cancel');
  });

  it('action delay really waits (real time)', async () => {
    const registry = new HookRegistry();
    rateLimit({ capacity: 1, burst: 0, refillTokens: 1, refillIntervalMs: 60, action: 'delay' }).register(
      registry,
    );
    const executor = new HookExecutor(registry);
    await fire(executor);
    const t0 = performance.now();
    const out = await fire(executor);
    expect(out.decision.type).toBe('continue');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(50);
    expect(registry.list()[0]!.timeoutMs).toBe(31_000); // outlasts maxDelayMs
  });

  it('a cost function; calls costing more than the bucket are limited', async () => {
    const { executor } = setup({ capacity: 5, burst: 0, cost: (ctx) => Number(ctx.metadata.cost ?? 1) });
    expect((await fire(executor, { cost: '4' })).decision.type).toBe('continue');
    expect((await fire(executor, { cost: '2' })).decision.type).toBe('cancel');
    expect((await fire(executor, { cost: '9' })).decision.type).toBe('cancel');
  });

  it('rejects bad options at creation', () => {
    expect(() => rateLimit({ action: 'redirect' })).toThrow(/redirectTarget/);
    expect(() => rateLimit({ action: 'return-cached' })).toThrow(/cached/);
    expect(() => rateLimit({ capacity: 0 })).toThrow(/capacity/);
    expect(() => rateLimit({ key: 'nope' as never })).toThrow(/key/);
  });
});
