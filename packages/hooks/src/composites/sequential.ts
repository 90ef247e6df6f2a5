import { HookResult } from '../hook-result.js';
import type { Hook, HookObject } from '../types.js';
import { ChildFailures, type CompositeOptions, compositeName, runChild, viewWithData } from './run-child.js';

/**
 * A hook that runs `hooks` one after another, like a sequential chain inside one hook: each
 * child sees the earlier children's `modified` data; the first result that is neither
 * `continue`, `modified` nor `skipped` is returned at once; otherwise the merged modifications
 * (as `modified`) or `continue`.
 *
 * @example
 * ```ts
 * registry.register('BeforeToolExecution', sequential([normalizeArgs, checkQuota, denyDangerous]), {
 *   name: 'tool-policy',
 * });
 * ```
 */
export function sequential(hooks: readonly Hook[], options: CompositeOptions = {}): HookObject {
  const list = [...hooks];
  const name = compositeName('sequential', list, options);
  return {
    name,
    async execute(ctx, signal) {
      const failures = new ChildFailures(name, options);
      let data = ctx.data;
      let changes: Record<string, unknown> | undefined;
      for (let i = 0; i < list.length; i++) {
        const out = await runChild(list[i]!, viewWithData(ctx, data), signal);
        if (!out.ok) {
          failures.add(out.error, i);
          continue;
        }
        const r = out.result;
        if (r.type === 'continue' || r.type === 'skipped') continue;
        if (r.type === 'modified') {
          data = { ...data, ...r.data };
          changes = { ...changes, ...r.data };
          continue;
        }
        return r;
      }
      failures.check(list.length);
      return changes === undefined ? HookResult.continue() : HookResult.modified(changes);
    },
  };
}
