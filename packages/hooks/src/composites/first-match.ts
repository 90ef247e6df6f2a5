import { HookResult } from '../hook-result.js';
import type { Hook, HookObject } from '../types.js';
import { ChildFailures, type CompositeOptions, compositeName, runChild } from './run-child.js';

/**
 * A hook that tries `hooks` in order and returns the first result that is not `continue` or
 * `skipped` (a `modified` counts as a match); the rest are not run. `continue` if none matched.
 *
 * @example
 * ```ts
 * const route = firstMatch([cachedAnswer, smallModelIfShort, largeModel]);
 * registry.register('BeforeAgentExecution', route);
 * ```
 */
export function firstMatch(hooks: readonly Hook[], options: CompositeOptions = {}): HookObject {
  const list = [...hooks];
  const name = compositeName('firstMatch', list, options);
  return {
    name,
    async execute(ctx, signal) {
      const failures = new ChildFailures(name, options);
      for (let i = 0; i < list.length; i++) {
        const out = await runChild(list[i]!, ctx, signal);
        if (!out.ok) {
          failures.add(out.error, i);
          continue;
        }
        if (out.result.type !== 'continue' && out.result.type !== 'skipped') return out.result;
      }
      failures.check(list.length);
      return HookResult.continue();
    },
  };
}
