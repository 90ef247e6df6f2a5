import { HookError, HookErrorCode } from './errors/hook-error.js';
import type { HookEntry } from './hook-entry.js';
import type { HookPoint } from './hook-points.js';
import type { ExecutionMode } from './types.js';

/**
 * Everything a fire needs about one point, computed once per set of hooks (tapable's
 * compile-once, without generated code). Registration marks the point's plan stale; the next
 * fire compiles it; a fire in flight keeps the plan it started with.
 * @internal
 */
export interface Plan {
  readonly point: HookPoint;
  /** Enabled hooks in canonical order: dependencies first, then priority, then registration. */
  readonly entries: readonly HookEntry[];
  readonly size: number;
  readonly mode: ExecutionMode;
  readonly maxParallel: number;
  readonly abortOnCritical: boolean;
  /** Per hook, 1 when its failure cancels (its own `onFailure`, else the point's `failClosed`). */
  readonly failClosed: Uint8Array;
  /** Per hook, indices of its direct prerequisites. */
  readonly prereqs: readonly (readonly number[])[];
  /** Per hook, indices of the hooks that directly depend on it. */
  readonly dependents: readonly (readonly number[])[];
  /** Per hook, indices of all its ancestors, ascending (their modifications it sees). */
  readonly ancestors: readonly (readonly number[])[];
  /** `reach[a * size + b]` is 1 when a is an ancestor of b. */
  readonly reach: Uint8Array;
  /** Start preference in parallel mode: lower first (priority, then longest chain below, then order). */
  readonly startRank: Int32Array;
}

/** A plan with no hooks; firing it returns at once. */
export function emptyPlan(
  point: HookPoint,
  mode: ExecutionMode,
  maxParallel: number,
  abortOnCritical: boolean,
): Plan {
  return {
    point,
    entries: [],
    size: 0,
    mode,
    maxParallel,
    abortOnCritical,
    failClosed: new Uint8Array(0),
    prereqs: [],
    dependents: [],
    ancestors: [],
    reach: new Uint8Array(0),
    startRank: new Int32Array(0),
  };
}

/**
 * Compiles a plan from a point's hooks, which arrive sorted by (priority, registration).
 * Disabled hooks are left out; a `dependsOn` name that is not among the enabled hooks no longer
 * constrains (it was disabled or unregistered after its dependents were registered).
 */
export function compilePlan(
  point: HookPoint,
  sorted: readonly HookEntry[],
  mode: ExecutionMode,
  maxParallel: number,
  abortOnCritical: boolean,
  pointFailClosed = false,
): Plan {
  const enabled = sorted.filter((e) => e.enabled);
  const n = enabled.length;
  if (n === 0) return emptyPlan(point, mode, maxParallel, abortOnCritical);
  const byName = new Map(enabled.map((e, i) => [e.name, i]));
  // Kahn's algorithm, always taking the earliest hook in (priority, registration) order whose
  // prerequisites are done: without dependsOn the canonical order is simply that order.
  const indegree = enabled.map((e) => e.dependsOn.filter((d) => byName.has(d)).length);
  const order: number[] = [];
  const taken = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    let pick = -1;
    for (let i = 0; i < n; i++) {
      if (!taken[i] && indegree[i] === 0) {
        pick = i;
        break;
      }
    }
    if (pick < 0) throw cycleError(point, enabled);
    taken[pick] = 1;
    order.push(pick);
    for (let i = 0; i < n; i++)
      if (!taken[i] && enabled[i]!.dependsOn.includes(enabled[pick]!.name)) indegree[i]!--;
  }
  const entries = order.map((i) => enabled[i]!);
  const index = new Map(entries.map((e, i) => [e.name, i]));
  const prereqs = entries.map((e) =>
    e.dependsOn
      .map((d) => index.get(d))
      .filter((i): i is number => i !== undefined)
      .sort((a, b) => a - b),
  );
  const dependents: number[][] = entries.map(() => []);
  prereqs.forEach((ps, i) => {
    for (const p of ps) dependents[p]!.push(i);
  });
  // Canonical order is topological, so every ancestor has a lower index: one forward pass.
  const reach = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    for (const p of prereqs[i]!) {
      reach[p * n + i] = 1;
      for (let a = 0; a < p; a++) if (reach[a * n + p]) reach[a * n + i] = 1;
    }
  }
  const ancestors = entries.map((_, i) => {
    const list: number[] = [];
    for (let a = 0; a < i; a++) if (reach[a * n + i]) list.push(a);
    return list;
  });
  // Longest chain of dependents below each hook: hooks heading long chains start first when slots
  // are scarce, which keeps the critical path moving (list scheduling, highest level first).
  const height = new Array<number>(n).fill(1);
  for (let i = n - 1; i >= 0; i--)
    for (const d of dependents[i]!) height[i] = Math.max(height[i]!, height[d]! + 1);
  const byStart = entries
    .map((_, i) => i)
    .sort((a, b) => entries[a]!.priority - entries[b]!.priority || height[b]! - height[a]! || a - b);
  const startRank = new Int32Array(n);
  byStart.forEach((i, rank) => {
    startRank[i] = rank;
  });
  const failClosed = Uint8Array.from(entries, (e) => (e.failsClosed(pointFailClosed) ? 1 : 0));
  return {
    point,
    entries,
    size: n,
    mode,
    maxParallel,
    abortOnCritical,
    failClosed,
    prereqs,
    dependents,
    ancestors,
    reach,
    startRank,
  };
}

/**
 * Throws `HOOKSPELL_UNKNOWN_DEPENDENCY` or `HOOKSPELL_HOOK_CYCLE` if the hooks of one point (all of
 * them, enabled or not) name unknown prerequisites or form a cycle. Run at registration.
 */
export function checkDependencies(point: HookPoint, entries: readonly HookEntry[]): void {
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const e of entries) {
    for (const d of e.dependsOn) {
      if (!byName.has(d)) {
        const known = [...byName.keys()].filter((k) => k !== e.name);
        throw new HookError(
          HookErrorCode.UNKNOWN_DEPENDENCY,
          `hook '${e.name}' at ${point} depends on '${d}', which is not registered at ${point}. ` +
            (known.length ? `Registered there: ${known.map((k) => `'${k}'`).join(', ')}. ` : '') +
            'Register the prerequisite first, or both in one registerMany() batch.',
        );
      }
    }
  }
  const cycle = findCycle(entries, byName);
  if (cycle) {
    throw new HookError(
      HookErrorCode.HOOK_CYCLE,
      `dependsOn at ${point} forms a cycle: ${cycle.join(' → ')}. Remove one of these dependencies.`,
    );
  }
}

function findCycle(entries: readonly HookEntry[], byName: Map<string, HookEntry>): string[] | undefined {
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const s = state.get(name);
    if (s === 2) return undefined;
    if (s === 1) return [...path.slice(path.indexOf(name)), name];
    state.set(name, 1);
    path.push(name);
    for (const d of byName.get(name)?.dependsOn ?? []) {
      const found = visit(d);
      if (found) return found;
    }
    path.pop();
    state.set(name, 2);
    return undefined;
  };
  for (const e of entries) {
    const found = visit(e.name);
    if (found) return found;
  }
  return undefined;
}

function cycleError(point: HookPoint, entries: readonly HookEntry[]): HookError {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const cycle = findCycle(entries, byName) ?? ['?'];
  return new HookError(
    HookErrorCode.HOOK_CYCLE,
    `dependsOn at ${point} forms a cycle: ${cycle.join(' → ')}.`,
  );
}
