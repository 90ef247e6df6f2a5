import { describe, expect, it } from 'vitest';
import { type Hook, HookExecutor, HookRegistry, HookResult, type RegisterOptions } from '../src/index.js';
import { never, sleep } from './helpers.js';

const P = 'BeforeWorkflowStage';

function setup(hooks: [Hook, RegisterOptions?][], maxParallel = Number.POSITIVE_INFINITY) {
  const registry = new HookRegistry();
  registry.configurePoint(P, { mode: 'parallel', maxParallel });
  registry.registerMany(hooks.map(([hook, opts], i) => ({ point: P, hook, name: `h${i}`, ...opts })));
  return { registry, executor: new HookExecutor(registry, { defaultTimeoutMs: 2_000 }) };
}
const after =
  <T>(ms: number, value: T) =>
  async () => {
    await sleep(ms);
    return value;
  };

describe('parallel mode: every result type', () => {
  it('continue', async () => {
    const { executor } = setup([[after(5, undefined)], [() => HookResult.continue()]]);
    const out = await executor.fire(P);
    expect(out.decision).toEqual({ type: 'continue' });
    expect(out.records.map((r) => r.status)).toEqual(['ok', 'ok']);
  });

  it('modified merge in plan order; concurrent writes to one key are conflicts, ordered ones are not', async () => {
    const { executor } = setup([
      [after(10, HookResult.modified({ k: 'slow', a: 1 })), { name: 'slow' }],
      [after(1, HookResult.modified({ k: 'fast', b: 2 })), { name: 'fast' }],
      [
        (ctx) => HookResult.modified({ a: (ctx.data.a as number) + 10 }),
        { name: 'dep', dependsOn: ['slow'] },
      ],
    ]);
    const out = await executor.fire(P, { data: { base: true } });
    expect(out.data).toEqual({ base: true, k: 'fast', a: 11, b: 2 });
    expect(out.conflicts).toEqual([{ key: 'k', hooks: ['slow', 'fast'], winner: 'fast' }]);
    expect(out.decision).toEqual({ type: 'modified', data: { k: 'fast', a: 11, b: 2 } });
  });

  it('a dependent sees its prerequisites’ modifications, a sibling does not', async () => {
    const seen: Record<string, unknown> = {};
    const { executor } = setup([
      [after(5, HookResult.modified({ x: 1 })), { name: 'pre' }],
      [(ctx) => void (seen.dep = ctx.data.x), { name: 'dep', dependsOn: ['pre'] }],
      [(ctx) => void (seen.sib = ctx.data.x), { name: 'sib' }],
    ]);
    await executor.fire(P);
    expect(seen).toEqual({ dep: 1, sib: undefined });
  });

  it('cancel > replace > redirect > retry > cache > fork > modified, whatever finishes first', async () => {
    const all: [Hook, RegisterOptions?][] = [
      [after(1, HookResult.modified({ m: 1 }))],
      [after(2, HookResult.fork([{ id: 'f', type: 't' }]))],
      [after(3, HookResult.cache('k', 10))],
      [after(4, HookResult.retry(1, 2))],
      [after(5, HookResult.redirect('elsewhere'))],
      [after(6, HookResult.replace('v'))],
      [after(7, HookResult.cancel('stop'))],
    ];
    const expected = ['cancel', 'replace', 'redirect', 'retry', 'cache', 'fork', 'modified'];
    for (let k = 0; k < all.length; k++) {
      const { executor } = setup(all.slice(0, all.length - k).reverse());
      const out = await executor.fire(P);
      expect(out.decision.type).toBe(expected[k]);
      expect(out.records.every((r) => r.status === 'ok')).toBe(true);
    }
  });

  it('ties go to the earliest hook in plan order, not the first to finish', async () => {
    const { executor } = setup([
      [after(15, HookResult.cancel('first in plan'))],
      [after(1, HookResult.cancel('finished first'))],
    ]);
    expect((await executor.fire(P)).decision).toEqual({ type: 'cancel', reason: 'first in plan' });
  });

  it('skipped results are reported, never acted on; cancel does not stop siblings', async () => {
    const { executor } = setup([
      [() => HookResult.cancel('no')],
      [after(5, HookResult.skipped('n/a'))],
      [after(5, undefined)],
    ]);
    const out = await executor.fire(P);
    expect(out.decision.type).toBe('cancel');
    expect(out.records.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(out.directives.map((d) => d.type)).toEqual(['cancel']);
  });
});

describe('parallel mode: scheduling', () => {
  it('runs independent hooks concurrently, never more than maxParallel', async () => {
    let running = 0;
    let peak = 0;
    const hook = async () => {
      peak = Math.max(peak, ++running);
      await sleep(10);
      running--;
    };
    const { executor } = setup(
      Array.from({ length: 8 }, () => [hook] as [Hook]),
      3,
    );
    const progress: [number, number, number][] = [];
    const out = await executor.fire(P, {}, { onProgress: (s, c, t) => void progress.push([s, c, t]) });
    expect(peak).toBe(3);
    expect(out.records).toHaveLength(8);
    expect(progress.at(-1)).toEqual([8, 8, 8]);
    expect(progress.every(([s, c]) => c <= s)).toBe(true);
    const { executor: unbounded } = setup(Array.from({ length: 6 }, () => [hook] as [Hook]));
    peak = 0;
    await unbounded.fire(P);
    expect(peak).toBe(6);
  });

  it('no wave barrier: a dependent starts as soon as its own prerequisite finishes', async () => {
    const starts: Record<string, number> = {};
    const t0 = performance.now();
    const mark = (name: string, ms: number) => async () => {
      starts[name] = performance.now() - t0;
      await sleep(ms);
    };
    const { executor } = setup([
      [mark('short', 5), { name: 'short' }],
      [mark('long', 80), { name: 'long' }],
      [mark('afterShort', 5), { name: 'afterShort', dependsOn: ['short'] }],
    ]);
    await executor.fire(P);
    expect(starts.afterShort).toBeLessThan(60); // a wave scheduler would wait for `long` (80 ms)
  });

  it('mutating hooks never overlap each other, others run beside them', async () => {
    let mutating = 0;
    let overlap = false;
    let besides = 0;
    const mut = async () => {
      if (++mutating > 1) overlap = true;
      await sleep(8);
      mutating--;
    };
    const other = async () => {
      if (mutating > 0) besides++;
      await sleep(8);
    };
    const { executor } = setup([
      [mut, { mutates: true }],
      [mut, { mutates: true }],
      [other],
      [mut, { mutates: true }],
      [other],
    ]);
    const out = await executor.fire(P);
    expect(overlap).toBe(false);
    expect(besides).toBeGreaterThan(0);
    expect(out.records.every((r) => r.status === 'ok')).toBe(true);
  });

  it('timeouts start when the hook starts, not when the fire starts', async () => {
    const { executor } = setup(
      [
        [after(40, undefined), { name: 'first' }],
        [after(40, undefined), { name: 'queued', timeoutMs: 60 }],
      ],
      1,
    );
    const out = await executor.fire(P);
    expect(out.records.map((r) => r.status)).toEqual(['ok', 'ok']);
  });

  it('a critical failure skips every hook not yet started, each with a record', async () => {
    const { executor } = setup(
      [
        [after(5, undefined), { name: 'a' }],
        [
          async () => {
            await sleep(2);
            throw new Error('lint crashed');
          },
          { name: 'crit', critical: true },
        ],
        [after(30, undefined), { name: 'running' }],
        [after(1, undefined), { name: 'later1' }],
        [after(1, undefined), { name: 'dep', dependsOn: ['a'] }],
      ],
      3,
    );
    const out = await executor.fire(P);
    const status = Object.fromEntries(out.records.map((r) => [r.name, r.status]));
    expect(status).toEqual({ a: 'ok', crit: 'error', running: 'ok', later1: 'skipped', dep: 'skipped' });
    expect(out.records.find((r) => r.name === 'later1')!.result).toEqual({
      type: 'skipped',
      reason: "critical hook 'crit' failed; hooks not yet started are skipped",
    });
  });

  it('abortOnCritical aborts running siblings and does not wait for them', async () => {
    let aborted = false;
    const { executor } = setup([
      [
        async () => {
          await sleep(2);
          throw new Error('x');
        },
        { name: 'crit', critical: true },
      ],
      [
        (_ctx, signal) => {
          signal.addEventListener('abort', () => void (aborted = true));
          return never();
        },
        { name: 'sibling' },
      ],
    ]);
    const out = await executor.fire(P, {}, { abortOnCritical: true });
    expect(aborted).toBe(true);
    expect(out.records.map((r) => r.status)).toEqual(['error', 'error']);
    expect(out.durationMs).toBeLessThan(1_000);
  });

  it('fail-closed failure decides cancel; siblings still run', async () => {
    const { executor } = setup([
      [
        () => {
          throw new Error('x');
        },
        { name: 'sec', onFailure: 'cancel' },
      ],
      [after(5, HookResult.modified({ a: 1 })), { name: 'other' }],
    ]);
    const out = await executor.fire(P);
    expect(out.decision.type).toBe('cancel');
    expect(out.records.map((r) => r.status)).toEqual(['error', 'ok']);
  });

  it('per-fire mode overrides the point, and a sequential point can fire in parallel', async () => {
    const registry = new HookRegistry();
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 3; i++) {
      registry.register('SessionStart', async () => {
        peak = Math.max(peak, ++running);
        await sleep(5);
        running--;
      });
    }
    const executor = new HookExecutor(registry);
    await executor.fire('SessionStart');
    expect(peak).toBe(1);
    await executor.fire('SessionStart', {}, { mode: 'parallel', maxParallel: 2 });
    expect(peak).toBe(2);
  });

  it('aborting a parallel fire skips the rest and records running hooks', async () => {
    const controller = new AbortController();
    const { executor } = setup([[after(50, undefined)], [after(50, undefined)], [after(1, undefined)]], 2);
    const p = executor.fire(P, {}, { signal: controller.signal });
    await sleep(5);
    controller.abort();
    const out = await p;
    expect(out.records.map((r) => r.status)).toEqual(['error', 'error', 'skipped']);
    expect(out.decision.type).toBe('cancel');
  });
});
