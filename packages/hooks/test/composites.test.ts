import { describe, expect, it } from 'vitest';
import {
  firstMatch,
  type Hook,
  type HookContext,
  HookError,
  HookExecutor,
  HookRegistry,
  HookResult,
  parallel,
  sequential,
  voting,
} from '../src/index.js';
import { sleep } from './helpers.js';

async function fireWith(hook: Hook, data: Record<string, unknown> = {}) {
  const registry = new HookRegistry();
  registry.register('BeforeAgentExecution', hook, { name: 'composite' });
  return new HookExecutor(registry).fire('BeforeAgentExecution', { data });
}
const r =
  (result: HookResult | undefined, ms = 0) =>
  async () => {
    if (ms) await sleep(ms);
    return result;
  };

describe('sequential()', () => {
  it('children see earlier modifications; first directive wins and stops', async () => {
    const seen: unknown[] = [];
    let ranLast = false;
    const out = await fireWith(
      sequential([
        () => HookResult.modified({ a: 1 }),
        (ctx: HookContext) => {
          seen.push(ctx.data.a);
          return HookResult.redirect('x');
        },
        () => void (ranLast = true),
      ]),
    );
    expect(seen).toEqual([1]);
    expect(ranLast).toBe(false);
    expect(out.decision).toEqual({ type: 'redirect', target: 'x' });
    expect(out.data).toEqual({});
  });

  it('only modifications → modified(merged); nothing → continue; a failing child abstains', async () => {
    const errors: unknown[] = [];
    const out = await fireWith(
      sequential(
        [
          () => HookResult.modified({ a: 1 }),
          () => {
            throw new Error('x');
          },
          () => HookResult.modified({ b: 2 }),
        ],
        { onChildError: (e) => void errors.push(e) },
      ),
    );
    expect(out.decision).toEqual({ type: 'modified', data: { a: 1, b: 2 } });
    expect(errors).toHaveLength(1);
    expect((await fireWith(sequential([() => {}, () => HookResult.continue()]))).decision.type).toBe(
      'continue',
    );
  });

  it('every child failing makes the composite fail', async () => {
    const out = await fireWith(sequential([() => Promise.reject(new Error('a'))]));
    expect(out.records[0]!.status).toBe('error');
    const error = out.records[0]!.error as HookError;
    expect(HookError.isInstance(error)).toBe(true);
    expect(error.code).toBe('HOOKSPELL_COMPOSITE_FAILED');
    expect(error.message).toMatch(/every child hook failed \(1\); the first: a/);
    expect(error.cause).toBeInstanceOf(AggregateError);
    expect((error.cause as AggregateError).errors.map((e: Error) => e.message)).toEqual(['a']);
  });

  it('is named after its children', () => {
    function a() {}
    function b() {}
    expect(sequential([a, b]).name).toBe('sequential(a,b)');
    expect(sequential([a], { name: 'mine' }).name).toBe('mine');
  });
});

describe('firstMatch()', () => {
  it('returns the first non-continue result (modified counts) and runs no further', async () => {
    let third = false;
    const out = await fireWith(
      firstMatch([() => {}, () => HookResult.modified({ z: 1 }), () => void (third = true)]),
    );
    expect(out.decision).toEqual({ type: 'modified', data: { z: 1 } });
    expect(third).toBe(false);
    expect((await fireWith(firstMatch([() => HookResult.skipped('n/a'), () => {}]))).decision.type).toBe(
      'continue',
    );
  });
});

describe('parallel()', () => {
  it('runs children concurrently within maxParallel and aggregates deterministically', async () => {
    let running = 0;
    let peak = 0;
    const track = (result: HookResult | undefined, ms: number) => async () => {
      peak = Math.max(peak, ++running);
      await sleep(ms);
      running--;
      return result;
    };
    const out = await fireWith(
      parallel(
        [
          track(HookResult.modified({ a: 1 }), 10),
          track(HookResult.redirect('r'), 1),
          track(HookResult.replace('v'), 5),
          track(HookResult.modified({ a: 2, b: 1 }), 2),
        ],
        { maxParallel: 2 },
      ),
    );
    expect(peak).toBe(2);
    expect(out.decision).toEqual({ type: 'replace', value: 'v' });
    const mods = await fireWith(
      parallel([r(HookResult.modified({ a: 1 }), 10), r(HookResult.modified({ a: 2, b: 1 }), 1)]),
    );
    expect(mods.decision).toEqual({ type: 'modified', data: { a: 2, b: 1 } });
    const cancel = await fireWith(parallel([r(HookResult.replace(1)), r(HookResult.cancel('c'), 3)]));
    expect(cancel.decision).toEqual({ type: 'cancel', reason: 'c' });
  });
});

describe('voting()', () => {
  it('counts votes by result type, not payload', async () => {
    const out = await fireWith(
      voting([
        r(HookResult.cancel('reason one')),
        r(HookResult.cancel('reason two')),
        r(HookResult.continue()),
      ]),
    );
    expect(out.decision).toEqual({ type: 'cancel', reason: 'reason one' });
  });

  it('below the threshold the answer is continue', async () => {
    const votes = [r(HookResult.cancel('a')), r(HookResult.continue()), r(HookResult.redirect('x'))];
    expect((await fireWith(voting(votes, { threshold: 0.5 }))).decision.type).toBe('continue');
    expect((await fireWith(voting(votes, { threshold: 0.3 }))).decision.type).toBe('cancel');
  });

  it('skipped and failed children abstain', async () => {
    const out = await fireWith(
      voting([r(HookResult.skipped('n/a')), () => Promise.reject(new Error('x')), r(HookResult.replace(7))]),
    );
    expect(out.decision).toEqual({ type: 'replace', value: 7 });
  });

  it('modified votes merge the modifications in child order', async () => {
    const out = await fireWith(
      voting([r(HookResult.modified({ a: 1 }), 5), r(HookResult.modified({ a: 2, b: 2 })), r(undefined)]),
    );
    expect(out.decision).toEqual({ type: 'modified', data: { a: 2, b: 2 } });
  });

  describe('tie-breakers (one vote each for continue and cancel, and for redirect and cancel)', () => {
    const contFirst = [r(HookResult.continue(), 5), r(HookResult.cancel('c'))];
    const cancelFirst = [r(HookResult.cancel('c'), 5), r(HookResult.continue())];
    const actions = [r(HookResult.redirect('x'), 5), r(HookResult.cancel('c'))];

    it('first-result: the type voted by the earliest child in list order (not completion order)', async () => {
      expect((await fireWith(voting(contFirst, { tieBreaker: 'first-result' }))).decision.type).toBe(
        'continue',
      );
      expect((await fireWith(voting(cancelFirst, { tieBreaker: 'first-result' }))).decision.type).toBe(
        'cancel',
      );
      expect((await fireWith(voting(actions))).decision.type).toBe('redirect'); // the default
    });

    it('prefer-continue: continue when tied, else first-result', async () => {
      expect((await fireWith(voting(cancelFirst, { tieBreaker: 'prefer-continue' }))).decision.type).toBe(
        'continue',
      );
      expect((await fireWith(voting(actions, { tieBreaker: 'prefer-continue' }))).decision.type).toBe(
        'redirect',
      );
    });

    it('prefer-action: a non-continue type when tied (earliest), else continue', async () => {
      expect((await fireWith(voting(contFirst, { tieBreaker: 'prefer-action' }))).decision.type).toBe(
        'cancel',
      );
      expect((await fireWith(voting(actions, { tieBreaker: 'prefer-action' }))).decision.type).toBe(
        'redirect',
      );
    });

    it('by-priority: the type voted by the highest-priority child', async () => {
      const prioritised = [
        { name: 'low', priority: 'low' as const, execute: r(HookResult.redirect('x')) },
        { name: 'high', priority: 'high' as const, execute: r(HookResult.cancel('c')) },
      ];
      expect((await fireWith(voting(prioritised, { tieBreaker: 'by-priority' }))).decision.type).toBe(
        'cancel',
      );
      // equal priorities: list order
      expect((await fireWith(voting(actions, { tieBreaker: 'by-priority' }))).decision.type).toBe('redirect');
    });
  });

  it('rejects bad options', () => {
    const invalid = (message: RegExp) =>
      expect.objectContaining({
        code: 'HOOKSPELL_INVALID_ARGUMENT',
        message: expect.stringMatching(message),
      });
    expect(() => voting([], { threshold: 2 })).toThrow(invalid(/threshold/));
    expect(() => voting([], { tieBreaker: 'coin' as never })).toThrow(invalid(/tieBreaker/));
    expect(() => parallel([], { maxParallel: 0 })).toThrow(invalid(/maxParallel/));
  });
});

describe('a child that returns something that is not a HookResult', () => {
  it('fails the composite with a coded error saying what to return', async () => {
    for (const make of [sequential, parallel, voting, firstMatch]) {
      const out = await fireWith(make([(() => 42) as unknown as Hook]));
      const error = out.records[0]!.error as { code?: string; message?: string; cause?: { errors: any[] } };
      expect(out.records[0]!.status, make.name).toBe('error');
      expect(error.code, make.name).toBe('HOOKSPELL_COMPOSITE_FAILED');
      expect(error.message, make.name).toMatch(
        /every child hook failed \(1\); the first: .*not a HookResult/,
      );
      const [child] = error.cause!.errors;
      expect(child.code, make.name).toBe('HOOKSPELL_INVALID_ARGUMENT');
      expect(child.message, make.name).toMatch(/not a HookResult.*Return a HookResult/);
    }
  });
});
