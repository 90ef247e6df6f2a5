import { HookError, HookErrorCode } from '../errors/hook-error.js';
import { HookResult, type HookResultType } from '../hook-result.js';
import { assignOwn } from '../own-copy.js';
import { PRIORITY, priorityValue } from '../priority.js';
import type { Hook, HookObject } from '../types.js';
import { runAll } from './parallel.js';
import { ChildFailures, type CompositeOptions, compositeName, runChild, viewWithData } from './run-child.js';

/**
 * How a tie between result types with the same number of votes is broken:
 * - `first-result`: the type voted by the earliest child in list order;
 * - `prefer-continue`: `continue` if it is tied, else as `first-result`;
 * - `prefer-action`: the tied type that is not `continue` voted by the earliest child, else `continue`;
 * - `by-priority`: the type voted by the child with the highest priority (lowest number, from a
 *   hook object's `priority`; `normal` when absent), ties between children by list order.
 */
export type TieBreaker = 'first-result' | 'prefer-continue' | 'prefer-action' | 'by-priority';

export interface VotingOptions extends CompositeOptions {
  /** Share of the votes cast the winning type needs; below it the answer is `continue`. @default 0.5 */
  threshold?: number;
  /** @default 'first-result' */
  tieBreaker?: TieBreaker;
}

const TIE_BREAKERS: ReadonlySet<string> = new Set([
  'first-result',
  'prefer-continue',
  'prefer-action',
  'by-priority',
]);

/**
 * A hook whose children vote: every child runs (concurrently), each result is one vote for its
 * **type** (payloads are not compared; `skipped` and failed children abstain). The type with
 * most votes wins if its share of the votes cast is ≥ `threshold`; ties go to `tieBreaker`.
 * The answer is the first result of the winning type in child order (for `modified`, all
 * modifications merged in child order).
 *
 * @example
 * ```ts
 * const jury = voting([looksLikeInjection, mentionsSecrets, llmJudge], { threshold: 0.6, tieBreaker: 'prefer-action' });
 * registry.register('BeforeAgentExecution', jury, { name: 'jury' });
 * ```
 */
export function voting(hooks: readonly Hook[], options: VotingOptions = {}): HookObject {
  const list = [...hooks];
  const name = compositeName('voting', list, options);
  const threshold = options.threshold ?? 0.5;
  const tieBreaker = options.tieBreaker ?? 'first-result';
  if (!(threshold >= 0 && threshold <= 1))
    throw new HookError(
      HookErrorCode.INVALID_ARGUMENT,
      `voting(): \`threshold\` must be within 0…1 (the share of votes that decides); got ${threshold}.`,
    );
  if (!TIE_BREAKERS.has(tieBreaker)) {
    throw new HookError(
      HookErrorCode.INVALID_ARGUMENT,
      `voting(): \`tieBreaker\` must be one of ${[...TIE_BREAKERS].join(', ')}; got ${tieBreaker}`,
    );
  }
  const priorities = list.map((h) =>
    typeof h === 'function' ? PRIORITY.normal : priorityValue(h.priority, 'hook.priority'),
  );
  return {
    name,
    async execute(ctx, signal) {
      const outs = await runAll(list, Number.POSITIVE_INFINITY, (hook) =>
        runChild(hook, viewWithData(ctx, { ...ctx.data }), signal),
      );
      const failures = new ChildFailures(name, options);
      const votes = new Map<HookResultType, number[]>(); // type → voting child indices, in order
      let cast = 0;
      outs.forEach((out, i) => {
        if (!out.ok) {
          failures.add(out.error, i);
          return;
        }
        if (out.result.type === 'skipped') return;
        cast++;
        const voters = votes.get(out.result.type);
        if (voters === undefined) votes.set(out.result.type, [i]);
        else voters.push(i);
      });
      failures.check(list.length);
      if (cast === 0) return HookResult.continue();
      const top = Math.max(...[...votes.values()].map((v) => v.length));
      const tied = [...votes.entries()].filter(([, v]) => v.length === top);
      const winner = tied.length === 1 ? tied[0]![0] : breakTie(tied, tieBreaker, priorities);
      if (top / cast < threshold) return HookResult.continue();
      const voters = votes.get(winner)!;
      if (winner === 'modified') {
        // assignOwn, not Object.assign: an own `__proto__` key stays a key (own-copy.ts).
        const data: Record<string, unknown> = {};
        for (const i of voters)
          assignOwn(data, (outs[i] as { result: { data: Record<string, unknown> } }).result.data);
        return HookResult.modified(data);
      }
      return (outs[voters[0]!] as { ok: true; result: HookResult }).result;
    },
  };
}

/** Picks one of several types with equal votes; `tied` holds each type's voters in child order. */
export function breakTie(
  tied: ReadonlyArray<readonly [HookResultType, readonly number[]]>,
  tieBreaker: TieBreaker,
  priorities: readonly number[],
): HookResultType {
  const earliest = (candidates: typeof tied): HookResultType =>
    [...candidates].sort((a, b) => a[1][0]! - b[1][0]!)[0]![0];
  switch (tieBreaker) {
    case 'prefer-continue':
      return tied.some(([t]) => t === 'continue') ? 'continue' : earliest(tied);
    case 'prefer-action': {
      const actions = tied.filter(([t]) => t !== 'continue');
      return actions.length ? earliest(actions) : 'continue';
    }
    case 'by-priority': {
      let best: HookResultType = tied[0]![0];
      let bestKey: [number, number] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
      for (const [type, voters] of tied) {
        for (const i of voters) {
          const key: [number, number] = [priorities[i]!, i];
          if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
            best = type;
            bestKey = key;
          }
        }
      }
      return best;
    }
    default:
      return earliest(tied);
  }
}
