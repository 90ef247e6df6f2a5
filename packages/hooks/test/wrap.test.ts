import { describe, expect, it } from 'vitest';
import {
  type ForkOutcome,
  HookCancelledError,
  HookError,
  HookExecutor,
  type HookOutcome,
  HookRegistry,
  HookResult,
} from '../src/index.js';
import { FakeClock, sleep } from './helpers.js';

const B = 'BeforeToolExecution';
const A = 'AfterToolExecution';
const E = 'ToolError';

function setup(clock?: FakeClock) {
  const registry = new HookRegistry();
  const executor = new HookExecutor(registry, clock ? { clock } : {});
  return { registry, executor };
}

describe('executor.wrap()', () => {
  it('continue: before → fn → after, result passed through', async () => {
    const { registry, executor } = setup();
    const seen: unknown[] = [];
    registry.register(B, (ctx) => void seen.push(['before', ctx.data]));
    registry.register(A, (ctx) => void seen.push(['after', ctx.data]));
    const add = executor.wrap(async (a: number, b: number) => a + b, {
      before: B,
      after: A,
      input: { component: { type: 'tool', name: 'add' } },
    });
    expect(await add(1, 2)).toBe(3);
    expect(seen).toEqual([
      ['before', { args: [1, 2], attempt: 1 }],
      ['after', { args: [1, 2], result: 3, attempt: 1 }],
    ]);
  });

  it('rejects a missing function or missing options, saying what to pass', () => {
    const { executor } = setup();
    const wrapAny = executor.wrap.bind(executor) as (...args: unknown[]) => unknown;
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return [(e as HookError).code, (e as Error).message];
      }
      return undefined;
    };
    expect(codeOf(() => wrapAny(async () => 1))).toEqual([
      'HOOKSPELL_INVALID_ARGUMENT',
      expect.stringContaining('options are required'),
    ]);
    expect(codeOf(() => wrapAny('nope', { before: B }))).toEqual([
      'HOOKSPELL_INVALID_ARGUMENT',
      expect.stringContaining('must be the function to wrap'),
    ]);
  });

  it('each call has its own metadata, shared by its before/after fires and never by other calls', async () => {
    const { registry, executor } = setup();
    let calls = 0;
    registry.register(B, async (ctx) => {
      ctx.metadata.call = String(++calls);
      await sleep(5);
    });
    const seen: string[] = [];
    registry.register(A, (ctx) => void seen.push(`${ctx.metadata.call}:${(ctx.data.args as number[])[0]}`));
    const base = { user_id: 'u1' };
    const metas: Record<string, string>[] = [];
    const double = executor.wrap(async (x: number) => x * 2, {
      before: B,
      after: A,
      input: { metadata: base },
      onOutcome: (_phase, outcome) => void metas.push(outcome.metadata),
    });
    expect(await Promise.all([double(1), double(2)])).toEqual([2, 4]);
    expect(seen.sort()).toEqual(['1:1', '2:2']);
    expect(base).toEqual({ user_id: 'u1' });
    expect(metas.every((m) => m.user_id === 'u1' && m !== base)).toBe(true);
  });

  it('cancel throws HookCancelledError (before, after, error)', async () => {
    for (const point of [B, A] as const) {
      const { registry, executor } = setup();
      registry.register(point, () => HookResult.cancel('not allowed'), { name: 'deny' });
      let ran = false;
      const f = executor.wrap(() => void (ran = true), { before: B, after: A });
      const error = await f().catch((e: unknown) => e);
      expect(HookCancelledError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({
        reason: 'not allowed',
        point,
        hook: 'deny',
        code: 'HOOKSPELL_HOOK_CANCELLED',
      });
      expect(ran).toBe(point === A);
    }
    const { registry, executor } = setup();
    registry.register(E, () => HookResult.cancel('stop'));
    const boom = new Error('boom');
    const f = executor.wrap(
      () => {
        throw boom;
      },
      { error: E },
    );
    const error = await f().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookCancelledError);
    expect((error as Error).cause).toBe(boom);
  });

  it('modified changes the input (before) and the result (after)', async () => {
    const { registry, executor } = setup();
    registry.register(B, (ctx) => HookResult.modified({ args: [(ctx.data.args as number[])[0]! * 10] }));
    registry.register(A, (ctx) => HookResult.modified({ result: `${ctx.data.result}!` }));
    const f = executor.wrap(async (x: number) => `got ${x}`, { before: B, after: A });
    expect(await f(4)).toBe('got 40!');
  });

  it('replace returns the value without calling fn (before), or replaces the result (after)', async () => {
    const { registry, executor } = setup();
    registry.register(B, (ctx) =>
      (ctx.data.args as number[])[0] === 0 ? HookResult.replace('cached-zero') : undefined,
    );
    registry.register(A, (ctx) =>
      (ctx.data.args as number[])[0] === 2 ? HookResult.replace('two!') : undefined,
    );
    let calls = 0;
    const f = executor.wrap(
      async (x: number) => {
        calls++;
        return `v${x}`;
      },
      { before: B, after: A },
    );
    expect(await f(0)).toBe('cached-zero');
    expect(calls).toBe(0);
    expect(await f(1)).toBe('v1');
    expect(await f(2)).toBe('two!');
    expect(calls).toBe(2);
  });

  it('redirect calls the resolver (before: instead of fn; after: new result; error: recovery)', async () => {
    const { registry, executor } = setup();
    registry.register(B, (ctx) =>
      (ctx.data.args as string[])[0] === 'rm' ? HookResult.redirect('sandbox') : undefined,
    );
    registry.register(A, (ctx) =>
      (ctx.data.args as string[])[0] === 'ls' ? HookResult.redirect('mirror') : undefined,
    );
    registry.register(E, () => HookResult.redirect('fallback'));
    const resolved: unknown[] = [];
    const f = executor.wrap(
      async (cmd: string) => {
        if (cmd === 'bad') throw new Error('bad');
        return `host:${cmd}`;
      },
      {
        before: B,
        after: A,
        error: E,
        redirect: (target, args, phase) => {
          resolved.push([target, args, phase]);
          return `${target}:${args[0]}`;
        },
      },
    );
    expect(await f('rm')).toBe('sandbox:rm');
    expect(await f('ls')).toBe('mirror:ls');
    expect(await f('bad')).toBe('fallback:bad');
    expect(await f('pwd')).toBe('host:pwd');
    expect(resolved.map((r) => (r as unknown[])[2])).toEqual(['before', 'after', 'error']);
    const { registry: r2, executor: e2 } = setup();
    r2.register(B, () => HookResult.redirect('x'));
    await expect(e2.wrap(() => 1, { before: B })()).rejects.toSatisfy(
      (e: unknown) => HookError.isInstance(e) && e.code === 'HOOKSPELL_REDIRECT_UNHANDLED',
    );
  });

  it('retry re-runs fn after delayMs, maxAttempts attempts in all', async () => {
    const { registry, executor } = setup();
    registry.register(E, () => HookResult.retry(5, 3));
    let calls = 0;
    const times: number[] = [];
    const flaky = executor.wrap(
      async () => {
        times.push(performance.now());
        if (++calls < 3) throw new Error('transient');
        return 'ok';
      },
      { error: E },
    );
    expect(await flaky()).toBe('ok');
    expect(calls).toBe(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(4);
    calls = -100;
    const err = await flaky().catch((e: unknown) => e);
    expect((err as Error).message).toBe('transient');
    expect(calls).toBe(-97);
  });

  it('retry from after discards the result and tries again; exhausted keeps the last result', async () => {
    const { registry, executor } = setup();
    registry.register(A, (ctx) => (ctx.data.result === 'empty' ? HookResult.retry(0, 2) : undefined));
    let calls = 0;
    const f = executor.wrap(async () => (++calls === 1 ? 'empty' : 'full'), { after: A });
    expect(await f()).toBe('full');
    calls = 10;
    const g = executor.wrap(async () => 'empty', { after: A });
    expect(await g()).toBe('empty');
  });

  it('retry from before delays the attempt; exhausted throws HOOKSPELL_RETRY_EXHAUSTED', async () => {
    const { registry, executor } = setup();
    let gate = 0;
    registry.register(B, () => (++gate < 2 ? HookResult.retry(1, 3) : undefined));
    const f = executor.wrap(async () => 'ran', { before: B });
    expect(await f()).toBe('ran');
    registry.register(B, () => HookResult.retry(0, 2), { name: 'always' });
    await expect(f()).rejects.toSatisfy(
      (e: unknown) => HookError.isInstance(e) && e.code === 'HOOKSPELL_RETRY_EXHAUSTED',
    );
  });

  it('cache stores the result under key for ttlMs and serves later calls with the same key', async () => {
    const clock = new FakeClock(5_000);
    const { registry, executor } = setup(clock);
    registry.register(B, (ctx) => HookResult.cache(`sq:${(ctx.data.args as number[])[0]}`, 1_000));
    let calls = 0;
    const square = executor.wrap(
      async (x: number) => {
        calls++;
        return x * x;
      },
      { before: B },
    );
    expect(await square(3)).toBe(9);
    expect(await square(3)).toBe(9);
    expect(await square(4)).toBe(16);
    expect(calls).toBe(2);
    clock.advance(1_001);
    expect(await square(3)).toBe(9);
    expect(calls).toBe(3);
  });

  it('cache from after stores into a custom store', async () => {
    const { registry, executor } = setup();
    const store = new Map<string, { value: unknown }>();
    registry.register(A, () => HookResult.cache('k', 50));
    const f = executor.wrap(async () => 'v', {
      after: A,
      cacheStore: { get: (k) => store.get(k), set: (k, v) => void store.set(k, v) },
    });
    await f();
    expect(store.get('k')).toEqual({ value: 'v' });
  });

  it('fork runs the operations through the fork handler concurrently and attaches their results', async () => {
    const { registry, executor } = setup();
    registry.register(B, () =>
      HookResult.fork([
        { id: 'a', type: 'audit', parameters: { ms: 20 } },
        { id: 'b', type: 'audit', parameters: { ms: 20 } },
        { id: 'c', type: 'fail' },
      ]),
    );
    let afterForks: unknown;
    registry.register(A, (ctx) => void (afterForks = ctx.data.forks));
    let running = 0;
    let peak = 0;
    const reported: ForkOutcome[][] = [];
    const f = executor.wrap(async () => 'main', {
      before: B,
      after: A,
      fork: async (op) => {
        peak = Math.max(peak, ++running);
        await sleep((op.parameters?.ms as number) ?? 1);
        running--;
        if (op.type === 'fail') throw new Error('fork failed');
        return `${op.id} done`;
      },
      onFork: (results) => void reported.push([...results]),
    });
    expect(await f()).toBe('main');
    expect(peak).toBe(3);
    expect(reported[0]!.map((r) => [r.id, r.status, r.value])).toEqual([
      ['a', 'fulfilled', 'a done'],
      ['b', 'fulfilled', 'b done'],
      ['c', 'rejected', undefined],
    ]);
    expect(afterForks).toEqual(reported[0]);
    const { registry: r2, executor: e2 } = setup();
    r2.register(B, () => HookResult.fork([{ id: 'x', type: 't' }]));
    await expect(e2.wrap(() => 1, { before: B })()).rejects.toSatisfy(
      (e: unknown) => HookError.isInstance(e) && e.code === 'HOOKSPELL_FORK_UNHANDLED',
    );
  });

  it('skipped is reported, never acted on', async () => {
    const { registry, executor } = setup();
    registry.register(B, () => HookResult.skipped('not for me'));
    const outcomes: HookOutcome[] = [];
    const f = executor.wrap(async () => 'ran', {
      before: B,
      onOutcome: (_phase, o) => void outcomes.push(o),
    });
    expect(await f()).toBe('ran');
    expect(outcomes[0]!.records[0]!.result).toEqual({ type: 'skipped', reason: 'not for me' });
  });

  it('an error with no error point, or continue at the error point, rethrows the original', async () => {
    const { registry, executor } = setup();
    registry.register(E, () => {});
    const boom = new Error('boom');
    await expect(executor.wrap(() => Promise.reject(boom), {})()).rejects.toBe(boom);
    await expect(executor.wrap(() => Promise.reject(boom), { error: E })()).rejects.toBe(boom);
    registry.register(E, () => HookResult.replace('recovered'), { name: 'recover' });
    expect(await executor.wrap(() => Promise.reject(boom), { error: E })()).toBe('recovered');
  });

  it('validates point names at wrap time', () => {
    const { executor } = setup();
    expect(() => executor.wrap(() => 1, { before: 'BeforeToolExecutoin' as never })).toThrow(
      /Did you mean 'BeforeToolExecution'/,
    );
  });
});
