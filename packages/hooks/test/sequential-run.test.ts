import { describe, expect, it } from 'vitest';
import { type Hook, HookExecutor, HookRegistry, HookResult, type RegisterOptions } from '../src/index.js';
import { sleep } from './helpers.js';

const P = 'BeforeToolExecution';

function setup(hooks: [Hook, RegisterOptions?][]) {
  const registry = new HookRegistry();
  for (const [hook, opts] of hooks) registry.register(P, hook, opts);
  return new HookExecutor(registry, { defaultTimeoutMs: 1_000 });
}

describe('sequential chain: every result type', () => {
  it('continue (and returning nothing) keeps going, decision continue', async () => {
    const out = await setup([[() => HookResult.continue()], [() => undefined], [async () => {}]]).fire(P, {
      data: { a: 1 },
    });
    expect(out.decision).toEqual({ type: 'continue' });
    expect(out.records.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(out.data).toEqual({ a: 1 });
    expect(out.directives).toEqual([]);
  });

  it('modified merges into ctx.data for later hooks and the outcome, without touching the input', async () => {
    const seen: unknown[] = [];
    const input = { data: { a: 1, b: 1 } };
    const out = await setup([
      [() => HookResult.modified({ b: 2, c: 3 })],
      [
        async (ctx) => {
          seen.push({ ...ctx.data });
          return HookResult.modified({ c: 4 });
        },
      ],
    ]).fire(P, input);
    expect(seen).toEqual([{ a: 1, b: 2, c: 3 }]);
    expect(out.data).toEqual({ a: 1, b: 2, c: 4 });
    expect(out.decision).toEqual({ type: 'modified', data: { b: 2, c: 4 } });
    expect(input.data).toEqual({ a: 1, b: 1 });
    expect(out.conflicts).toEqual([]);
  });

  it('cancel stops the chain; the rest are skipped with a reason', async () => {
    let ran = false;
    const out = await setup([
      [() => HookResult.cancel('shell is not allowed'), { name: 'deny' }],
      [() => void (ran = true), { name: 'after' }],
    ]).fire(P);
    expect(out.decision).toEqual({ type: 'cancel', reason: 'shell is not allowed' });
    expect(ran).toBe(false);
    expect(out.records[1]).toMatchObject({ name: 'after', status: 'skipped' });
    expect(out.records[1]!.result).toEqual({ type: 'skipped', reason: "chain stopped by 'deny' (cancel)" });
  });

  it('replace stops the chain', async () => {
    const out = await setup([[async () => HookResult.replace(42)], [() => HookResult.cancel('late')]]).fire(
      P,
    );
    expect(out.decision).toEqual({ type: 'replace', value: 42 });
    expect(out.records.map((r) => r.status)).toEqual(['ok', 'skipped']);
  });

  it('redirect, retry, fork and cache are collected; the most restrictive is the decision', async () => {
    const fork = HookResult.fork([{ id: 'f', type: 'log' }]);
    const out = await setup([
      [() => HookResult.cache('k', 100)],
      [() => fork],
      [() => HookResult.retry(10, 2)],
      [() => HookResult.redirect('sandbox')],
      [() => HookResult.continue()],
    ]).fire(P);
    expect(out.records.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(out.decision).toEqual({ type: 'redirect', target: 'sandbox' });
    expect(out.directives.map((d) => d.type)).toEqual(['cache', 'fork', 'retry', 'redirect']);
  });

  it('each collected type alone is the decision', async () => {
    for (const r of [
      HookResult.retry(),
      HookResult.fork([]),
      HookResult.cache('k', 1),
      HookResult.redirect('x'),
    ]) {
      const out = await setup([[() => r]]).fire(P);
      expect(out.decision).toEqual(r);
    }
  });

  it('a hook returning skipped is reported, never acted on', async () => {
    const out = await setup([
      [() => HookResult.skipped('not mine')],
      [() => HookResult.modified({ x: 1 })],
    ]).fire(P);
    expect(out.records[0]).toMatchObject({ status: 'ok', result: { type: 'skipped', reason: 'not mine' } });
    expect(out.decision.type).toBe('modified');
  });

  it('an invalid return value is an error record, and the chain goes on', async () => {
    const out = await setup([[(() => 42) as never], [() => HookResult.cancel('x')]]).fire(P);
    expect(out.records[0]!.status).toBe('error');
    expect(String(out.records[0]!.error)).toMatch(/not a HookResult/);
    expect(out.decision.type).toBe('cancel');
  });

  it('object hooks: execute with this, shouldExecute false gives a skipped record', async () => {
    const hook = {
      name: 'obj',
      factor: 3,
      execute(this: { factor: number }) {
        return HookResult.modified({ f: this.factor });
      },
    };
    const out = await setup([
      [hook as never],
      [{ name: 'never', execute: () => HookResult.cancel('x'), shouldExecute: () => false }],
    ]).fire(P);
    expect(out.data).toEqual({ f: 3 });
    expect(out.records[1]).toMatchObject({
      status: 'skipped',
      result: { reason: expect.stringMatching(/shouldExecute/) },
    });
  });
});

describe('sequential chain: failure policy', () => {
  it('throw and reject are error records; the chain goes on (fail-open)', async () => {
    const out = await setup([
      [
        () => {
          throw new Error('boom');
        },
        { name: 'throws' },
      ],
      [async () => Promise.reject(new Error('nope')), { name: 'rejects' }],
      [() => HookResult.modified({ ok: true }), { name: 'fine' }],
    ]).fire(P);
    expect(out.records.map((r) => [r.name, r.status])).toEqual([
      ['throws', 'error'],
      ['rejects', 'error'],
      ['fine', 'ok'],
    ]);
    expect((out.records[0]!.error as Error).message).toBe('boom');
    expect(out.decision.type).toBe('modified');
  });

  it("onFailure 'cancel' turns a failure into a cancel and stops the chain", async () => {
    const out = await setup([
      [
        () => {
          throw new Error('policy store down');
        },
        { name: 'security', onFailure: 'cancel' },
      ],
      [() => {}, { name: 'next' }],
    ]).fire(P);
    expect(out.decision.type).toBe('cancel');
    expect((out.decision as { reason: string }).reason).toMatch(/security.*fail-closed.*policy store down/);
    expect(out.records.map((r) => r.status)).toEqual(['error', 'skipped']);
  });

  it("onFailure 'cancel' also cancels on timeout", async () => {
    const out = await setup([[() => new Promise(() => {}), { onFailure: 'cancel', timeoutMs: 20 }]]).fire(P);
    expect(out.records[0]!.status).toBe('timeout');
    expect(out.decision.type).toBe('cancel');
  });

  it('a critical failure skips the rest without deciding cancel', async () => {
    const out = await setup([
      [() => HookResult.modified({ a: 1 })],
      [
        async () => {
          throw new Error('x');
        },
        { name: 'crit', critical: true },
      ],
      [() => HookResult.cancel('never')],
    ]).fire(P);
    expect(out.records.map((r) => r.status)).toEqual(['ok', 'error', 'skipped']);
    expect(out.records[2]!.result).toEqual({ type: 'skipped', reason: "critical hook 'crit' failed" });
    expect(out.decision.type).toBe('modified');
  });

  it('aborting the fire skips what has not started and decides cancel', async () => {
    const controller = new AbortController();
    let signalSeen: AbortSignal | undefined;
    const p = setup([
      [
        async (_ctx, signal) => {
          signalSeen = signal;
          await sleep(30);
        },
        { name: 'slow' },
      ],
      [() => {}, { name: 'next' }],
    ]).fire(P, {}, { signal: controller.signal });
    await sleep(5);
    controller.abort(new Error('user left'));
    const out = await p;
    expect(signalSeen?.aborted).toBe(true);
    expect(out.decision).toEqual({ type: 'cancel', reason: 'fire aborted: user left' });
    expect(out.records.map((r) => r.status)).toEqual(['error', 'skipped']);
    expect(out.durationMs).toBeLessThan(30);
  });

  it('a signal aborted before the fire skips every hook', async () => {
    const out = await setup([[() => {}], [() => {}]]).fire(P, {}, { signal: AbortSignal.abort() });
    expect(out.records.map((r) => r.status)).toEqual(['skipped', 'skipped']);
    expect(out.decision.type).toBe('cancel');
  });
});
