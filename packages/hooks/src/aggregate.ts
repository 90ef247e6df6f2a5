import { HookResult, RESULT_RANK } from './hook-result.js';
import { NONE } from './outcome.js';
import { assignOwn } from './own-copy.js';
import type { Plan } from './plan.js';
import type { DataConflict } from './types.js';

/**
 * The deterministic aggregate of a set of results given in plan order: the most restrictive wins
 * (cancel > replace > redirect > retry > cache > fork > modified > continue), ties go to the
 * earliest hook in plan order, so completion order never matters. Without any directive the
 * decision is `modified(changes)` when something was modified, else `continue`.
 */
export function decide(
  results: ReadonlyArray<HookResult | undefined>,
  changes: Record<string, unknown> | undefined,
): HookResult {
  let best: HookResult | undefined;
  let bestRank = RESULT_RANK.modified;
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (r === undefined) continue;
    const rank = RESULT_RANK[r.type];
    if (rank > bestRank) {
      best = r;
      bestRank = rank;
    }
  }
  if (best !== undefined) return best;
  return changes === undefined ? HookResult.continue() : HookResult.modified(changes);
}

/** Results worth acting on (not continue, modified or skipped), in plan order. */
export function directivesOf(results: ReadonlyArray<HookResult | undefined>): readonly HookResult[] {
  let out: HookResult[] | undefined;
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (r === undefined || r.type === 'continue' || r.type === 'modified' || r.type === 'skipped') continue;
    (out ??= []).push(r);
  }
  return out ?? NONE;
}

/**
 * Merges the `modified` data of a parallel fire in plan order (dependencies before dependents)
 * and reports keys written by hooks with no `dependsOn` path between them.
 */
export function mergeModifications(
  plan: Plan,
  base: Record<string, unknown>,
  mods: ReadonlyArray<Record<string, unknown> | undefined>,
): {
  data: Record<string, unknown>;
  changes: Record<string, unknown> | undefined;
  conflicts: readonly DataConflict[];
} {
  let changes: Record<string, unknown> | undefined;
  let writers: Map<string, number[]> | undefined;
  for (let i = 0; i < mods.length; i++) {
    const m = mods[i];
    if (m === undefined) continue;
    changes = changes === undefined ? { ...m } : assignOwn(changes, m);
    writers ??= new Map();
    for (const key of Object.keys(m)) {
      const list = writers.get(key);
      if (list === undefined) writers.set(key, [i]);
      else list.push(i);
    }
  }
  if (changes === undefined) return { data: base, changes: undefined, conflicts: NONE };
  const n = plan.size;
  const conflicts: DataConflict[] = [];
  for (const [key, list] of writers!) {
    if (list.length < 2) continue;
    let unordered = false;
    for (let a = 0; a < list.length && !unordered; a++) {
      for (let b = a + 1; b < list.length; b++) {
        // canonical order is topological, so only "a is an ancestor of b" can hold
        if (!plan.reach[list[a]! * n + list[b]!]) {
          unordered = true;
          break;
        }
      }
    }
    if (!unordered) continue;
    const hooks = list.map((i) => plan.entries[i]!.name);
    conflicts.push({ key, hooks, winner: hooks[hooks.length - 1]! });
  }
  return { data: { ...base, ...changes }, changes, conflicts: conflicts.length ? conflicts : NONE };
}
