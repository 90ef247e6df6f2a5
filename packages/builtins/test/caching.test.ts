import { HookExecutor, HookRegistry, HookResult, PRIORITY } from '@hookspell/hooks';
import { describe, expect, it, vi } from 'vitest';
import { caching, NEVER_CACHE } from '../src/index.js';
import { FakeClock } from './helpers.js';

function setup(options: Parameters<typeof caching>[0] = {}) {
  const clock = new FakeClock(1_700_000_000_000);
  const registry = new HookRegistry();
  const hook = caching({ clock, ...options });
  hook.register(registry);
  const executor = new HookExecutor(registry, { clock });
  return { clock, hook, registry, executor };
}

const shell = { type: 'tool' as const, name: 'shell' };

describe('caching()', () => {
  it('defaults: priority high, tool and agent before/after points, 1000 entries, 5 min TTL, never-cache list', () => {
    const { hook, registry } = setup();
    expect(hook.priority).toBe('high');
    expect(hook.points).toEqual([
      'BeforeToolExecution',
      'AfterToolExecution',
      'BeforeAgentExecution',
      'AfterAgentExecution',
    ]);
    expect(registry.list()[0]!.priority).toBe(PRIORITY.high);
    expect(NEVER_CACHE).toEqual(['SecurityViolation', 'BeforeStateWrite', 'AfterStateWrite']);
  });

  it('end to end through wrap(): the second call is served from the cache (replace), fn not called', async () => {
    const { hook, executor, clock } = setup();
    const fn = vi.fn(async (cmd: string, opts: { cwd: string; env: string }) => {
      clock.advance(25); // slow enough to be worth caching (min 10 ms)
      return `ran ${cmd} in ${opts.cwd}`;
    });
    const run = executor.wrap(fn, {
      before: 'BeforeToolExecution',
      after: 'AfterToolExecution',
      input: { component: shell },
    });
    expect(await run('ls', { cwd: '/', env: 'x' })).toBe('ran ls in /');
    // same data, keys written in another order: same key
    expect(await run('ls', { env: 'x', cwd: '/' })).toBe('ran ls in /');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(hook.stats()).toMatchObject({ hits: 1, misses: 1, stores: 1, size: 1 });
    // different data: a miss
    expect(await run('ls', { cwd: '/tmp', env: 'x' })).toBe('ran ls in /tmp');
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('writes cache_hit and cached_at metadata', async () => {
    const { executor, clock } = setup();
    const before = await executor.fire('BeforeToolExecution', { component: shell, data: { args: [1] } });
    expect(before.decision.type).toBe('continue');
    clock.advance(20);
    const meta: Record<string, string> = {};
    await executor.fire('AfterToolExecution', {
      component: shell,
      data: { args: [1], result: 'r' },
      metadata: meta,
    });
    expect(meta.cached_at).toBe(new Date(clock.t).toISOString());
    const hitMeta: Record<string, string> = {};
    const hit = await executor.fire('BeforeToolExecution', {
      component: shell,
      data: { args: [1] },
      metadata: hitMeta,
    });
    expect(hit.decision).toEqual(HookResult.replace('r'));
    expect(hitMeta).toMatchObject({ cache_hit: 'true', cached_at: new Date(clock.t).toISOString() });
    // the same metadata object on a miss: no stale stamp of the earlier hit
    await executor.fire('BeforeToolExecution', { component: shell, data: { args: [2] }, metadata: hitMeta });
    expect(hitMeta.cache_hit).toBe('false');
    expect(hitMeta.cached_at).toBeUndefined();
  });

  it('TTL holds on the injected clock', async () => {
    const { hook, executor, clock } = setup({ ttlMs: 1000, minExecutionMs: 0 });
    await executor.fire('AfterToolExecution', { component: shell, data: { q: 1, result: 'v' } });
    clock.advance(999);
    expect(
      (await executor.fire('BeforeToolExecution', { component: shell, data: { q: 1 } })).decision.type,
    ).toBe('replace');
    clock.advance(2);
    expect(
      (await executor.fire('BeforeToolExecution', { component: shell, data: { q: 1 } })).decision.type,
    ).toBe('continue');
    expect(hook.stats().hits).toBe(1);
  });

  it('size bound evicts the least recently used', async () => {
    const { hook, executor } = setup({ maxEntries: 2, minExecutionMs: 0 });
    for (const q of [1, 2, 3])
      await executor.fire('AfterToolExecution', { component: shell, data: { q, result: q } });
    expect(hook.stats()).toMatchObject({ size: 2, evictions: 1 });
    expect(
      (await executor.fire('BeforeToolExecution', { component: shell, data: { q: 1 } })).decision.type,
    ).toBe('continue');
    expect(
      (await executor.fire('BeforeToolExecution', { component: shell, data: { q: 3 } })).decision.type,
    ).toBe('replace');
  });

  it('caches successes only (unless told), and only operations that took minExecutionMs', async () => {
    const { hook, executor, clock } = setup();
    await executor.fire('BeforeToolExecution', { component: shell, data: { q: 'fast' } });
    clock.advance(3);
    await executor.fire('AfterToolExecution', { component: shell, data: { q: 'fast', result: 1 } });
    await executor.fire('AfterToolExecution', {
      component: shell,
      data: { q: 'bad', result: 1, error: 'x' },
    });
    expect(hook.stats().stores).toBe(0);
    const lax = setup({ successOnly: false, minExecutionMs: 0 });
    await lax.executor.fire('AfterToolExecution', {
      component: shell,
      data: { q: 'bad', result: 1, error: 'x' },
    });
    expect(lax.hook.stats().stores).toBe(1);
  });

  it('respects never-cache points', async () => {
    const registry = new HookRegistry();
    const hook = caching({ minExecutionMs: 0 });
    hook.register(registry, ['BeforeStateWrite', 'AfterStateWrite']);
    const executor = new HookExecutor(registry);
    const out = await executor.fire('AfterStateWrite', { data: { key: 'k', result: 1 } });
    expect(out.records[0]!.result).toEqual(HookResult.skipped('caching: AfterStateWrite is never cached'));
    expect(hook.stats().stores).toBe(0);
  });

  it('neverCache replaces the never-cache list', async () => {
    const registry = new HookRegistry();
    const hook = caching({ minExecutionMs: 0, neverCache: ['AfterToolExecution'] });
    hook.register(registry, ['AfterToolExecution', 'AfterStateWrite']);
    const executor = new HookExecutor(registry);
    const tool = await executor.fire('AfterToolExecution', { component: shell, data: { q: 1, result: 1 } });
    expect(tool.records[0]!.result).toEqual(
      HookResult.skipped('caching: AfterToolExecution is never cached'),
    );
    // no longer on the list: stored
    await executor.fire('AfterStateWrite', { data: { key: 'k', result: 1 } });
    expect(hook.stats().stores).toBe(1);
  });

  it("hit: 'cache' answers the cache directive, served by wrap() from hook.store", async () => {
    const { hook, executor, clock } = setup({ hit: 'cache' });
    const fn = vi.fn(async (x: number) => {
      clock.advance(50);
      return x * 2;
    });
    const run = executor.wrap(fn, {
      before: 'BeforeToolExecution',
      after: 'AfterToolExecution',
      input: { component: shell },
      cacheStore: hook.store,
    });
    expect(await run(21)).toBe(42);
    expect(await run(21)).toBe(42);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(hook.stats().hits).toBe(1);
  });

  it('a custom key, resultKey and ignoreKeys; peek and clear', async () => {
    const { hook, executor } = setup({
      key: (ctx) => ctx.data.prompt,
      resultKey: 'response',
      minExecutionMs: 0,
    });
    await executor.fire('AfterAgentExecution', { data: { prompt: 'hi', response: 'hello', tokens: 3 } });
    const ctx = {
      point: 'BeforeAgentExecution',
      component: { type: 'system', name: 'host' },
      data: { prompt: 'hi', other: 1 },
    };
    expect(hook.peek(ctx as never)).toEqual({ value: 'hello' });
    hook.clear();
    expect(hook.peek(ctx as never)).toBeUndefined();
    const other = setup({ ignoreKeys: ['attempt', 'nonce'], minExecutionMs: 0 });
    await other.executor.fire('AfterToolExecution', {
      component: shell,
      data: { q: 1, nonce: 'a', result: 'x' },
    });
    expect(
      (await other.executor.fire('BeforeToolExecution', { component: shell, data: { q: 1, nonce: 'b' } }))
        .decision,
    ).toEqual(HookResult.replace('x'));
  });

  it('the component is part of the key', async () => {
    const { executor } = setup({ minExecutionMs: 0 });
    await executor.fire('AfterToolExecution', { component: shell, data: { q: 1, result: 'x' } });
    const other = await executor.fire('BeforeToolExecution', {
      component: { type: 'tool', name: 'py' },
      data: { q: 1 },
    });
    expect(other.decision.type).toBe('continue');
  });

  it('rejects bad options', () => {
    expect(() => caching({ ttlMs: 0 })).toThrow(/ttlMs/);
    expect(() => caching({ hit: 'x' as never })).toThrow(/hit/);
  });
});
