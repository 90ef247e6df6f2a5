import { HookError, HookErrorCode } from './errors/hook-error.js';
import { assertHook, HookEntry } from './hook-entry.js';
import { assertHookPoint, type HookPoint } from './hook-points.js';
import { checkDependencies, compilePlan, type Plan } from './plan.js';
import type { DataOf, DefaultPoints, PointMap, PointOf } from './point-data.js';
import { priorityValue } from './priority.js';
import type {
  Hook,
  HookBatch,
  HookFilter,
  HookHandle,
  HookInfo,
  HookRegistration,
  PointConfig,
  RegisterOptions,
} from './types.js';

/** Hooks of one point, kept sorted at registration so firing never sorts. @internal */
class PointState {
  readonly entries: HookEntry[] = [];
  mode: 'sequential' | 'parallel' = 'sequential';
  maxParallel = Number.POSITIVE_INFINITY;
  abortOnCritical = false;
  failClosed = false;
  /** Null when stale; rebuilt once by the next fire. */
  plan: Plan | null = null;

  constructor(readonly point: HookPoint) {}

  /** tapable's `_insert`: after every hook of lower or equal priority, O(1) for the common append. */
  insert(entry: HookEntry): void {
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.priority > entry.priority) i--;
    this.entries.splice(i, 0, entry);
    this.plan = null;
  }

  remove(entry: HookEntry): void {
    const i = this.entries.indexOf(entry);
    if (i >= 0) this.entries.splice(i, 1);
    this.plan = null;
  }

  compile(): Plan {
    this.plan = compilePlan(
      this.point,
      this.entries,
      this.mode,
      this.maxParallel,
      this.abortOnCritical,
      this.failClosed,
    );
    return this.plan;
  }
}

/**
 * Where hooks are registered. Bad registrations fail here, with a coded `HookError`, never later
 * on a hot path. Each point keeps its hooks in priority order and a compiled plan that the next
 * fire rebuilds after any change; fires already in flight keep the plan they started with.
 *
 * @example
 * ```ts
 * const registry = new HookRegistry();
 * const handle = registry.register('BeforeToolExecution', (ctx) => HookResult.cancel('no shell'), {
 *   name: 'deny-shell',
 *   priority: 'high',
 * });
 * handle.unregister();
 * ```
 */
export class HookRegistry<P extends PointMap = DefaultPoints> {
  readonly #points = new Map<string, PointState>();
  readonly #byId = new Map<string, HookEntry>();
  #seq = 0;

  /**
   * Registers `hook` at `point` and returns its handle. Throws `HookError` with
   * `HOOKSPELL_UNKNOWN_HOOK_POINT` (the message suggests the nearest built-in name),
   * `HOOKSPELL_DUPLICATE_HOOK`, `HOOKSPELL_UNKNOWN_DEPENDENCY`, `HOOKSPELL_HOOK_CYCLE` or
   * `HOOKSPELL_INVALID_ARGUMENT`.
   *
   * @example
   * ```ts
   * registry.register('AfterToolExecution', async (ctx, signal) => {
   *   await audit(ctx.data, { signal });
   * }, { name: 'audit', priority: 'low', timeoutMs: 2_000, tags: ['audit'] });
   * ```
   */
  register<K extends PointOf<P>>(point: K, hook: Hook<DataOf<P, K>>, opts: RegisterOptions = {}): HookHandle {
    return this.#add([{ ...opts, point, hook: hook as Hook }], false)[0]!;
  }

  /**
   * Registers a hook that runs at most once, then unregisters itself (built on `register`).
   *
   * @example
   * ```ts
   * registry.once('SystemStartup', () => console.log('first start'));
   * ```
   */
  once<K extends PointOf<P>>(point: K, hook: Hook<DataOf<P, K>>, opts: RegisterOptions = {}): HookHandle {
    return this.#add([{ ...opts, point, hook: hook as Hook }], true)[0]!;
  }

  /**
   * Registers a batch, all or nothing: hooks in the batch may depend on each other in any order.
   * Returns the handles and one `unregister()` for the whole batch.
   *
   * @example
   * ```ts
   * const batch = registry.registerMany([
   *   { point: 'BeforeToolExecution', hook: lint, name: 'lint', dependsOn: ['format'] },
   *   { point: 'BeforeToolExecution', hook: format, name: 'format', mutates: true },
   * ]);
   * batch.unregister();
   * ```
   */
  registerMany(registrations: readonly HookRegistration[]): HookBatch {
    const handles = this.#add(registrations, false);
    return Object.freeze({
      handles: Object.freeze(handles),
      unregister: () => handles.reduce((n, h) => n + (h.unregister() ? 1 : 0), 0),
    });
  }

  /** Removes a hook by handle, id or `name@point`; true if it was registered. */
  unregister(ref: HookHandle | string): boolean {
    const entry = this.#find(typeof ref === 'string' ? ref : ref.id);
    if (entry === undefined) return false;
    this.#remove(entry);
    return true;
  }

  /**
   * What is registered, in plan order per point (points in first-registration order).
   *
   * @example
   * ```ts
   * registry.list({ point: 'BeforeToolExecution', tag: 'security' });
   * ```
   */
  list(filter: HookFilter = {}): HookInfo[] {
    const priority =
      filter.priority === undefined ? undefined : priorityValue(filter.priority, 'filter.priority');
    const out: HookInfo[] = [];
    for (const state of this.#points.values()) {
      if (filter.point !== undefined && state.point !== filter.point) continue;
      for (const e of state.entries) {
        if (filter.language !== undefined && e.language !== filter.language) continue;
        if (priority !== undefined && e.priority !== priority) continue;
        if (filter.tag !== undefined && !e.tags.includes(filter.tag)) continue;
        out.push(e.info(state.failClosed));
      }
    }
    return out;
  }

  /** One hook by id or `name@point`. */
  get(ref: string): HookInfo | undefined {
    const entry = this.#find(ref);
    return entry?.info(this.#points.get(entry.point)?.failClosed);
  }

  /** Enables a hook by id or `name@point`; false if there is no such hook. */
  enable(ref: string): boolean {
    return this.#setEnabled(ref, true);
  }

  /** Disables a hook by id or `name@point` (it stays registered, leaves the plan); false if unknown. */
  disable(ref: string): boolean {
    return this.#setEnabled(ref, false);
  }

  /** Enables every hook (of one point, if given); returns how many changed. */
  enableAll(point?: HookPoint): number {
    return this.#setAll(point, true);
  }

  /** Disables every hook (of one point, if given); returns how many changed. */
  disableAll(point?: HookPoint): number {
    return this.#setAll(point, false);
  }

  /**
   * Sets how a point runs its hooks; fires may still override per call.
   *
   * @example
   * ```ts
   * registry.configurePoint('BeforeWorkflowStage', { mode: 'parallel', maxParallel: 4 });
   * registry.configurePoint('BeforeToolExecution', { failClosed: true }); // a guard never fails open
   * ```
   */
  configurePoint(point: HookPoint, config: PointConfig): void {
    assertHookPoint(point, 'configurePoint()');
    if (config.mode !== undefined && config.mode !== 'sequential' && config.mode !== 'parallel') {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `\`mode\` must be 'sequential' or 'parallel'; got ${JSON.stringify(config.mode)}.`,
      );
    }
    if (config.maxParallel !== undefined) assertMaxParallel(config.maxParallel);
    for (const key of ['abortOnCritical', 'failClosed'] as const) {
      if (config[key] !== undefined && typeof config[key] !== 'boolean') {
        throw new HookError(
          HookErrorCode.INVALID_ARGUMENT,
          `configurePoint(): \`${key}\` must be true or false; got ${JSON.stringify(config[key])}.`,
        );
      }
    }
    const state = this.#state(point);
    if (config.mode !== undefined) state.mode = config.mode;
    if (config.maxParallel !== undefined) state.maxParallel = config.maxParallel;
    if (config.abortOnCritical !== undefined) state.abortOnCritical = config.abortOnCritical;
    if (config.failClosed !== undefined) state.failClosed = config.failClosed;
    state.plan = null;
  }

  /** A point's settings. */
  pointConfig(point: HookPoint): Required<PointConfig> {
    const s = this.#points.get(point);
    return {
      mode: s?.mode ?? 'sequential',
      maxParallel: s?.maxParallel ?? Number.POSITIVE_INFINITY,
      abortOnCritical: s?.abortOnCritical ?? false,
      failClosed: s?.failClosed ?? false,
    };
  }

  /** The compiled plan of a point (compiling it if stale), or undefined if it has no state. @internal */
  _plan(point: string): Plan | undefined {
    const state = this.#points.get(point);
    return state === undefined ? undefined : (state.plan ?? state.compile());
  }

  /** Called by the executor when a `once` hook starts. @internal */
  _spend(entry: HookEntry): void {
    entry.spent = true;
    if (entry.registered) this.#remove(entry);
  }

  /** Hook entries matching an id, `name@point` or bare name (every point). @internal */
  _resolve(ref: string): HookEntry[] {
    const one = this.#find(ref);
    if (one) return [one];
    return [...this.#byId.values()].filter((e) => e.name === ref);
  }

  #add(registrations: readonly HookRegistration[], once: boolean): HookHandle[] {
    const added: HookEntry[] = [];
    const touched = new Set<PointState>();
    try {
      for (const reg of registrations) {
        const { point, hook } = reg;
        assertHookPoint(point, 'register()');
        assertHook(hook);
        const state = this.#state(point);
        const seq = ++this.#seq;
        const name =
          reg.name ?? (typeof hook === 'function' ? undefined : hook.name) ?? defaultName(hook, seq);
        if (typeof name !== 'string' || name.length === 0) {
          throw new HookError(HookErrorCode.INVALID_ARGUMENT, '`name` must be a non-empty string.');
        }
        if (state.entries.some((e) => e.name === name)) {
          throw new HookError(
            HookErrorCode.DUPLICATE_HOOK,
            `a hook named '${name}' is already registered at ${point}. Names are unique per point: pick another name or unregister the first.`,
          );
        }
        const entry = new HookEntry(`${name}@${point}#${seq}`, name, point, seq, hook, reg, once);
        state.insert(entry);
        this.#byId.set(entry.id, entry);
        added.push(entry);
        touched.add(state);
      }
      for (const state of touched) checkDependencies(state.point, state.entries);
    } catch (error) {
      for (const entry of added) this.#remove(entry);
      throw error;
    }
    return added.map((entry) =>
      Object.freeze({
        id: entry.id,
        name: entry.name,
        point: entry.point,
        unregister: () => {
          if (!entry.registered) return false;
          this.#remove(entry);
          return true;
        },
      }),
    );
  }

  #remove(entry: HookEntry): void {
    if (!entry.registered) return;
    entry.registered = false;
    this.#byId.delete(entry.id);
    this.#points.get(entry.point)?.remove(entry);
  }

  #state(point: HookPoint): PointState {
    let state = this.#points.get(point);
    if (state === undefined) {
      state = new PointState(point);
      this.#points.set(point, state);
    }
    return state;
  }

  #find(ref: string): HookEntry | undefined {
    const byId = this.#byId.get(ref);
    if (byId) return byId;
    const at = ref.lastIndexOf('@');
    if (at <= 0) return undefined;
    const name = ref.slice(0, at);
    return this.#points.get(ref.slice(at + 1))?.entries.find((e) => e.name === name);
  }

  #setEnabled(ref: string, enabled: boolean): boolean {
    const entry = this.#find(ref);
    if (entry === undefined) return false;
    if (entry.enabled !== enabled) {
      entry.enabled = enabled;
      const state = this.#points.get(entry.point);
      if (state) state.plan = null;
    }
    return true;
  }

  #setAll(point: HookPoint | undefined, enabled: boolean): number {
    let changed = 0;
    for (const state of this.#points.values()) {
      if (point !== undefined && state.point !== point) continue;
      for (const e of state.entries) {
        if (e.enabled === enabled) continue;
        e.enabled = enabled;
        changed++;
        state.plan = null;
      }
    }
    return changed;
  }
}

function defaultName(hook: Hook, seq: number): string {
  const fn = typeof hook === 'function' ? hook : hook.execute;
  const base = fn.name && fn.name !== 'execute' ? fn.name.replace(/^bound /, '') : 'hook';
  return `${base}#${seq}`;
}

/**
 * A registry of any point map: the type for code that accepts every registry (a registry typed
 * with a host's point map is not assignable to the default `HookRegistry`).
 */
export type AnyHookRegistry = HookRegistry<any>;

/** `maxParallel` must be an integer ≥ 1 or Infinity. */
export function assertMaxParallel(value: number): void {
  if (value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1)) return;
  throw new HookError(
    HookErrorCode.INVALID_ARGUMENT,
    `\`maxParallel\` must be an integer ≥ 1 or Infinity; got ${value}.`,
  );
}
