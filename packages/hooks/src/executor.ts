import { systemClock } from './clock.js';
import { correlationStorageCreated, currentCorrelation } from './correlation.js';
import { type DeadlineList, deadlineList } from './deadline-queue.js';
import { HookError, HookErrorCode } from './errors/hook-error.js';
import type { FireRecorder } from './fire-recorder.js';
import type { RunEnv } from './fire-run.js';
import { FireContext } from './hook-context.js';
import { assertHookPoint, type HookPoint, isHookPoint } from './hook-points.js';
import { HookResult } from './hook-result.js';
import { nextFireSeq } from './ids.js';
import { type HookMetrics, LatencyMetrics } from './metrics.js';
import { FireOutcome, NONE } from './outcome.js';
import { ParallelRun } from './parallel-run.js';
import type { DataOf, DefaultPoints, PointMap, PointOf } from './point-data.js';
import { assertMaxParallel, type HookRegistry } from './registry.js';
import { type HookRun, type RunHookInput, runHook } from './run-hook.js';
import { SequentialRun } from './sequential-run.js';
import type { ExecutorOptions, FireOptions, HookInput, HookOutcome, LifecycleSink } from './types.js';
import { type WrapOptions, wrapFunction } from './wrap.js';

let slots = 0;

/**
 * An executor of any point map: the type for code that accepts every executor (one typed with a
 * host's point map is not assignable to the default `HookExecutor`).
 */
export type AnyHookExecutor = HookExecutor<any>;
const CONTINUE = HookResult.continue();
const NO_INPUT: HookInput = Object.freeze({});

/**
 * Fires hook points: builds the context, runs the point's compiled plan (sequential chain or
 * DAG-parallel), enforces per-hook timeouts and circuit breakers, and resolves to an outcome
 * with one record per planned hook. A fire never rejects because a hook failed.
 *
 * Correlation propagation (an AsyncLocalStorage scope around each hook) is on when a sink is
 * given or with `{ correlation: true }`, off for a bare executor: on Node 20 an active
 * AsyncLocalStorage slows every promise in the process (DESIGN.md).
 *
 * @example
 * ```ts
 * const executor = new HookExecutor(registry, { defaultTimeoutMs: 5_000 });
 * const outcome = await executor.fire('BeforeToolExecution', {
 *   component: { type: 'tool', name: 'shell' },
 *   data: { cmd: 'ls' },
 * });
 * if (outcome.decision.type === 'cancel') throw new Error(outcome.decision.reason);
 * ```
 */
export class HookExecutor<P extends PointMap = DefaultPoints> {
  readonly registry: HookRegistry<P>;
  readonly defaultTimeoutMs: number;
  readonly correlation: boolean;
  readonly #env: RunEnv;
  readonly #recorders: FireRecorder[] = [];

  constructor(registry: HookRegistry<P>, options: ExecutorOptions = {}) {
    const { defaultTimeoutMs = 5_000, sink, clock = systemClock, metrics = true } = options;
    if (!(defaultTimeoutMs > 0)) {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `\`defaultTimeoutMs\` must be a number > 0; got ${defaultTimeoutMs}.`,
      );
    }
    if (sink !== undefined && typeof sink.emit !== 'function') {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        '`sink` must have an `emit(type, data, meta)` method.',
      );
    }
    this.registry = registry;
    this.defaultTimeoutMs = defaultTimeoutMs;
    this.correlation = options.correlation ?? sink !== undefined;
    this.#env = {
      clock,
      realClock: clock === systemClock,
      sink: sink as LifecycleSink | undefined,
      correlation: this.correlation,
      slot: metrics ? slots++ : -1,
      // Runs see hooks untyped: the point map types the host's side only.
      registry: registry as unknown as HookRegistry,
      defaultDeadlines: deadlineList(defaultTimeoutMs) as DeadlineList,
      recorder: undefined,
    };
  }

  /**
   * Sends every finished fire (one that planned hooks) to `recorder`, synchronously, after its
   * outcome is built; returns the detach. Several recorders may be attached (a hook journal and an
   * OpenTelemetry instrumentation, say): each gets every fire, in the order they were attached, and
   * attaching the same one twice changes nothing. A recorder that throws never breaks a fire, nor
   * another recorder.
   *
   * @example
   * ```ts
   * const detach = executor.attachRecorder({ record: (fire) => audit.push(fire.records.length) });
   * detach();
   * ```
   */
  attachRecorder(recorder: FireRecorder): () => void {
    if (recorder === null || typeof recorder !== 'object' || typeof recorder.record !== 'function') {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        'attachRecorder(): needs an object with a `record(fire)` method.',
      );
    }
    const list = this.#recorders;
    if (!list.includes(recorder)) list.push(recorder);
    this.#env.recorder = recorderOf(list);
    return () => {
      const i = list.indexOf(recorder);
      if (i === -1) return;
      list.splice(i, 1);
      this.#env.recorder = recorderOf(list);
    };
  }

  /**
   * Runs one registered hook once, outside any fire — no other hook, no circuit breaker, no
   * metrics, no recorder, no lifecycle events — on the context given: what a replay needs to re-run
   * a recorded execution. `ref` is `name@point` or the hook's id. The result is judged as a fire
   * judges it (nothing is `continue`; a non-HookResult is an `error`; a timeout — the hook's own
   * timeout, else this executor's default — is a `timeout`), worded as a fire records it, so a
   * re-run of the same behaviour compares identical. Rejects with `HOOKSPELL_REPLAY_HOOK_MISSING`
   * when no hook matches `ref`.
   *
   * @example
   * ```ts
   * const run = await executor.runHook('deny-rm@BeforeToolExecution', {
   *   point: 'BeforeToolExecution',
   *   data: { cmd: 'rm -rf /' },
   * });
   * console.log(run.status, run.result?.type);
   * ```
   */
  runHook(ref: string, input: RunHookInput, options: { timeoutMs?: number } = {}): Promise<HookRun> {
    return runHook(this.registry, ref, input, { ...options, defaultTimeoutMs: this.defaultTimeoutMs });
  }

  /**
   * Fires `point`. Resolves to the outcome; rejects only for a point name that is neither
   * built-in nor `custom:<name>` (`HOOKSPELL_UNKNOWN_HOOK_POINT`) or invalid options.
   *
   * @example
   * ```ts
   * const { decision, data, records } = await executor.fire('BeforeAgentExecution', { data: { prompt } }, {
   *   mode: 'parallel',
   *   maxParallel: 4,
   *   timeoutMs: 1_000,
   * });
   * ```
   */
  fire<K extends PointOf<P>>(
    point: K,
    input: HookInput<DataOf<P, K>> = NO_INPUT as HookInput<DataOf<P, K>>,
    options?: FireOptions,
  ): Promise<HookOutcome<DataOf<P, K>>> {
    return this.#fire(point, input as HookInput, options) as Promise<HookOutcome<DataOf<P, K>>>;
  }

  #fire(point: HookPoint, input: HookInput, options: FireOptions | undefined): Promise<HookOutcome> {
    const plan = this.registry._plan(point);
    // Fast path: nothing registered here, so no context, run, clock reading or event is made.
    if (plan === undefined || plan.size === 0) {
      if (plan === undefined && !isHookPoint(point)) return this.#rejectPoint(point);
      let corr = options?.correlationId ?? input.correlationId;
      if (corr === undefined && correlationStorageCreated()) corr = currentCorrelation()?.correlationId;
      return Promise.resolve(
        new FireOutcome(
          point,
          CONTINUE,
          input.data ?? {},
          input.metadata ?? {},
          NONE,
          NONE,
          0,
          NONE,
          corr,
          nextFireSeq(),
        ),
      );
    }
    const env = this.#env;
    let corr: string | undefined;
    let cause: string | undefined;
    if (options !== undefined) {
      if (options.maxParallel !== undefined) assertMaxParallel(options.maxParallel);
      corr = options.correlationId;
    }
    if (corr === undefined) corr = input.correlationId;
    if (correlationStorageCreated()) {
      const current = currentCorrelation();
      if (current !== undefined) {
        if (corr === undefined) corr = current.correlationId;
        cause = current.causationId;
      }
    }
    const t0 = env.clock.now();
    const ctx = new FireContext(
      point,
      input.component,
      input.data ?? {},
      input.metadata,
      input.language,
      t0,
      input.operation,
      input.parent,
      corr,
      nextFireSeq(),
    );
    const mode = options?.mode ?? plan.mode;
    const run =
      mode === 'parallel'
        ? new ParallelRun(env, plan, ctx, t0, options, cause)
        : new SequentialRun(env, plan, ctx, t0, options, cause);
    run.run();
    return run.outcome !== undefined ? Promise.resolve(run.outcome) : run.promise();
  }

  /**
   * Wraps `fn` so that each call fires `before`, runs `fn`, fires `after` with the result, and
   * fires `error` if it throws — honouring every result type (see {@link WrapOptions}).
   *
   * @example
   * ```ts
   * const runTool = executor.wrap(async (cmd: string) => exec(cmd), {
   *   before: 'BeforeToolExecution',
   *   after: 'AfterToolExecution',
   *   error: 'ToolError',
   *   input: { component: { type: 'tool', name: 'shell' } },
   * });
   * await runTool('ls'); // throws HookCancelledError if a hook cancels
   * ```
   */
  wrap<A extends unknown[], R>(
    fn: (...args: A) => R | Promise<R>,
    options: WrapOptions<A, R>,
  ): (...args: A) => Promise<R> {
    if (typeof fn !== 'function') {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `wrap(): the first argument must be the function to wrap; got ${fn === null ? 'null' : typeof fn}.`,
      );
    }
    if (options === null || typeof options !== 'object') {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        "wrap(): options are required — name the points to fire, e.g. `executor.wrap(fn, { before: 'BeforeToolExecution', after: 'AfterToolExecution' })`.",
      );
    }
    for (const key of ['before', 'after', 'error'] as const) {
      const point = options[key];
      if (point !== undefined) assertHookPoint(point, `wrap() option \`${key}\``);
    }
    return wrapFunction(this as unknown as HookExecutor, fn, options, this.#env.clock);
  }

  /**
   * Per-hook metrics seen by this executor: count, errors, timeouts, skipped, p50/p95/p99 (ms).
   * With a reference (id, `name@point`, or a bare name: merged over its points) returns that
   * hook's figures; without, a map from hook id to figures. Memory per hook is fixed.
   *
   * @example
   * ```ts
   * executor.metrics('deny-shell@BeforeToolExecution'); // { count, errors, timeouts, p50, p95, p99, … }
   * ```
   */
  metrics(): Record<string, HookMetrics>;
  metrics(ref: string): HookMetrics | undefined;
  metrics(ref?: string): Record<string, HookMetrics> | HookMetrics | undefined {
    const slot = this.#env.slot;
    if (ref !== undefined) {
      const found = this.registry._resolve(ref).map((e) => (slot >= 0 ? e.metrics[slot] : undefined));
      const present = found.filter((m): m is LatencyMetrics => m !== undefined);
      if (present.length === 0) return found.length ? new LatencyMetrics().snapshot() : undefined;
      return present.length === 1
        ? present[0]!.snapshot()
        : present.reduce((a, m) => a.merge(m), new LatencyMetrics()).snapshot();
    }
    const out: Record<string, HookMetrics> = {};
    if (slot < 0) return out;
    for (const info of this.registry.list()) {
      const m = this.registry._resolve(info.id)[0]?.metrics[slot];
      if (m !== undefined) out[info.id] = m.snapshot();
    }
    return out;
  }

  #rejectPoint(point: unknown): Promise<never> {
    try {
      assertHookPoint(point, 'fire()');
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.reject(
      new HookError(HookErrorCode.UNKNOWN_HOOK_POINT, `fire(): ${String(point)} is not a hook point.`),
    );
  }
}

/**
 * What a fire hands its finished record to: nothing (no capture at all), the one recorder itself (no
 * indirection on the common path), or a fan-out that isolates each recorder's failures.
 */
function recorderOf(list: readonly FireRecorder[]): FireRecorder | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  const all = [...list];
  return {
    record(fire) {
      for (const r of all) {
        try {
          r.record(fire);
        } catch {
          // A recorder reports its own failures; it must not cost the next one its record.
        }
      }
    },
  };
}
