import { decide } from '../aggregate.js';
import { HookError, HookErrorCode } from '../errors/hook-error.js';
import type { HookResult } from '../hook-result.js';
import type { Hook, HookObject } from '../types.js';
import {
  ChildFailures,
  type ChildOutcome,
  type CompositeOptions,
  compositeName,
  runChild,
  viewWithData,
} from './run-child.js';

export interface ParallelCompositeOptions extends CompositeOptions {
  /** Children running at once. @default Infinity */
  maxParallel?: number;
}

/**
 * A hook that runs `hooks` concurrently (at most `maxParallel` at once) and aggregates their
 * results as a parallel point does: the most restrictive wins (cancel > replace > redirect >
 * retry > cache > fork > modified), ties to the earliest child, modifications merged in child
 * order — the same answer whichever child finishes first.
 *
 * @example
 * ```ts
 * registry.register('BeforeToolExecution', parallel([scanSecrets, checkPolicy, lookupReputation], { maxParallel: 2 }));
 * ```
 */
export function parallel(hooks: readonly Hook[], options: ParallelCompositeOptions = {}): HookObject {
  const list = [...hooks];
  const name = compositeName('parallel', list, options);
  const limit = options.maxParallel ?? Number.POSITIVE_INFINITY;
  if (!(limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit >= 1))) {
    throw new HookError(
      HookErrorCode.INVALID_ARGUMENT,
      `parallel(): \`maxParallel\` must be an integer ≥ 1 or Infinity; got ${limit}. Pass e.g. { maxParallel: 4 }, or leave it out for no limit.`,
    );
  }
  return {
    name,
    async execute(ctx, signal) {
      const outs = await runAll(list, limit, (hook) =>
        runChild(hook, viewWithData(ctx, { ...ctx.data }), signal),
      );
      const failures = new ChildFailures(name, options);
      const results: (HookResult | undefined)[] = [];
      let changes: Record<string, unknown> | undefined;
      outs.forEach((out, i) => {
        if (!out.ok) {
          failures.add(out.error, i);
          return;
        }
        results.push(out.result);
        if (out.result.type === 'modified') changes = { ...changes, ...out.result.data };
      });
      failures.check(list.length);
      return decide(results, changes);
    },
  };
}

/** Runs every item with at most `limit` in flight; results in input order. */
export async function runAll<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<ChildOutcome>,
): Promise<ChildOutcome[]> {
  const out = new Array<ChildOutcome>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
