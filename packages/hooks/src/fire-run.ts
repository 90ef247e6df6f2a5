import { type BreakerChange, breakerChangeName, type CircuitBreaker } from './circuit-breaker.js';
import type { Clock } from './clock.js';
import { correlationStorage } from './correlation.js';
import { type DeadlineList, deadlineList } from './deadline-queue.js';
import { HookError, HookErrorCode } from './errors/hook-error.js';
import { ExecutionRecord } from './execution-record.js';
import { FireCapture, type FireRecorder, NO_VIEWS, type RecordedFire } from './fire-recorder.js';
import { invokeHook } from './hook-call.js';
import type { FireContext } from './hook-context.js';
import type { HookEntry } from './hook-entry.js';
import { HookResult, resultProblem } from './hook-result.js';
import { formatExecutionId } from './ids.js';
import { LatencyMetrics } from './metrics.js';
import { FireOutcome } from './outcome.js';
import { ownCopy } from './own-copy.js';
import type { Plan } from './plan.js';
import type { HookRegistry } from './registry.js';
import { recordableError, thrownText } from './thrown-value.js';
import type { DataConflict, ExecutionStatus, FireOptions, LifecycleSink, ProgressCallback } from './types.js';

/** What a run needs from its executor. @internal */
export interface RunEnv {
  readonly clock: Clock;
  /** True when `clock` is the system clock, so its readings can date deadlines too. */
  readonly realClock: boolean;
  readonly sink: LifecycleSink | undefined;
  readonly correlation: boolean;
  /** Metrics slot of the executor in `HookEntry.metrics`, -1 when metrics are off. */
  readonly slot: number;
  readonly registry: HookRegistry;
  readonly defaultDeadlines: DeadlineList;
  /** The attached journal, if any; fires started after a detach no longer see it. */
  recorder: FireRecorder | undefined;
}

const CONTINUE = HookResult.continue();

/**
 * State shared by the sequential and parallel strategies for one fire: the records, breakers,
 * metrics, lifecycle events and progress. Strategies decide only what runs when.
 * @internal
 */
export abstract class FireRun implements RecordedFire {
  // The fields are `declare`d and set in init(), not in a constructor: a base class without a
  // constructor or field initialisers lets V8 skip the super() call, which otherwise goes through
  // the generic construct stub on every fire (~10 ns, measured on Node 20). Not `readonly` for
  // the same reason (init() is a method); nothing assigns them after init().
  declare env: RunEnv;
  declare plan: Plan;
  declare ctx: FireContext;
  declare fireSeq: number;
  declare t0: number;
  declare n: number;
  declare records: ExecutionRecord[];
  /**
   * Per hook, the result that counts for the aggregate (fail-closed failures count as cancel);
   * made on the first result worth keeping, so a chain of `continue`s allocates none.
   */
  declare results: (HookResult | undefined)[] | undefined;
  declare fireDeadlines: DeadlineList;
  declare fireSignal: AbortSignal | undefined;
  declare onProgress: ProgressCallback | undefined;
  declare started: number;
  declare completed: number;
  /** Set when the fire's signal aborted; hooks not started are skipped. */
  declare abortReason: string | undefined;
  /** Settles the fire's promise once something went async. */
  declare resolve: ((outcome: FireOutcome) => void) | undefined;
  declare outcome: FireOutcome | undefined;
  /** Execution id of the hook that fired this point, when fired from inside a hook. */
  declare cause: string | undefined;
  /** Set when a journal was attached at the start of the fire. */
  declare capture: FireCapture | undefined;
  declare private abortListener: (() => void) | undefined;

  /** Sets up the fire; the first thing a strategy's constructor calls after `super()`. */
  protected init(
    env: RunEnv,
    plan: Plan,
    ctx: FireContext,
    t0: number,
    options: FireOptions | undefined,
    cause: string | undefined,
  ): void {
    this.env = env;
    this.cause = cause;
    this.plan = plan;
    this.ctx = ctx;
    this.fireSeq = ctx.fireSeq;
    this.t0 = t0;
    this.n = plan.size;
    this.records = new Array(plan.size);
    this.results = undefined;
    this.capture = env.recorder === undefined ? undefined : new FireCapture(env.recorder, plan.size);
    const timeoutMs = options?.timeoutMs;
    this.fireDeadlines = timeoutMs === undefined ? env.defaultDeadlines : deadlineList(timeoutMs);
    this.fireSignal = options?.signal;
    this.onProgress = options?.onProgress;
    this.started = 0;
    this.completed = 0;
    this.abortReason = undefined;
    this.resolve = undefined;
    this.outcome = undefined;
    this.abortListener = undefined;
    if (this.fireSignal !== undefined) {
      if (this.fireSignal.aborted) this.abortReason = abortText(this.fireSignal);
      else {
        this.abortListener = () => this.onFireAbort(abortText(this.fireSignal!));
        this.fireSignal.addEventListener('abort', this.abortListener, { once: true });
      }
    }
    if (env.sink !== undefined) {
      this.emit('hook.fire.started', { point: plan.point, mode: this.mode, hooks: plan.size }, undefined);
    }
  }

  /** The fire's signal aborted: strategies abandon running hooks and skip the rest. */
  protected abstract onFireAbort(reason: string): void;

  // RecordedFire, read by the recorder during complete()
  get point(): RecordedFire['point'] {
    return this.plan.point;
  }
  abstract get mode(): RecordedFire['mode'];
  get component(): RecordedFire['component'] {
    return this.ctx.component;
  }
  get language(): RecordedFire['language'] {
    return this.ctx.language;
  }
  get correlationId(): string {
    return this.ctx.correlationId;
  }
  get operation(): RecordedFire['operation'] {
    return this.ctx.operation;
  }
  get timestamp(): number {
    return this.t0;
  }
  get entries(): RecordedFire['entries'] {
    return this.plan.entries;
  }
  get views(): RecordedFire['views'] {
    return this.capture?.views ?? NO_VIEWS;
  }
  get metas(): RecordedFire['metas'] {
    return this.capture?.metas ?? NO_VIEWS;
  }

  /** Deadline list for a hook: its own timeout, else the fire's, else the executor's. */
  deadlinesOf(entry: HookEntry): DeadlineList {
    if (entry.timeoutMs === undefined) return this.fireDeadlines;
    if (entry.deadlines === undefined) entry.deadlines = deadlineList(entry.timeoutMs);
    return entry.deadlines;
  }

  /** Keeps hook i's result for the aggregate. */
  keep(i: number, result: HookResult): void {
    if (this.results === undefined) this.results = new Array(this.n);
    this.results[i] = result;
  }

  /** Execution id, made eagerly only when correlation or a sink will use it during the fire. */
  execIdFor(index: number): string | undefined {
    return this.env.correlation || this.env.sink !== undefined
      ? formatExecutionId(this.fireSeq, index)
      : undefined;
  }

  /** Runs the hook inside a correlation scope when propagation is on. */
  call(entry: HookEntry, ctx: FireContext, signal: AbortSignal, execId: string | undefined): unknown {
    if (!this.env.correlation) return invokeHook(entry, ctx, signal);
    return correlationStorage().run(
      { correlationId: ctx.correlationId, causationId: execId },
      invokeHook,
      entry,
      ctx,
      signal,
    );
  }

  /**
   * Checks whether a hook may start: a spent `once` hook or an open breaker gives a skip reason.
   * In half-open the caller that gets undefined holds the breaker's single probe.
   */
  admit(index: number, entry: HookEntry, now: number): string | undefined {
    if (entry.once && entry.spent) return 'once: already ran';
    const breaker = entry.breaker;
    let refused: string | undefined;
    if (breaker !== null) {
      refused = breaker.acquire(now);
      if (breaker.change !== 0) this.breakerChanged(index, entry, breaker);
    }
    if (entry.once && refused === undefined) this.env.registry._spend(entry);
    return refused;
  }

  /** True when hook i's failure (or open breaker) cancels the fire. */
  failsClosed(index: number): boolean {
    return this.plan.failClosed[index] === 1;
  }

  /**
   * Validates a settled value; returns the result, or a HookError to record as `error`.
   */
  resultOf(entry: HookEntry, value: unknown): HookResult | HookError {
    if (value === undefined || value === null || value === CONTINUE) return CONTINUE;
    let problem: string | undefined;
    try {
      problem = resultProblem(value);
      // `modified` data is merged into later hooks' data and the outcome: take a copy of its own
      // keys now, so no getter, proxy trap or `__proto__` key of the hook's object reaches a merge.
      if (problem === undefined && (value as HookResult).type === 'modified') {
        return HookResult.modified(ownCopy((value as { data: Record<string, unknown> }).data));
      }
    } catch (error) {
      problem = `reading it threw (${thrownText(error)})`;
    }
    if (problem === undefined) return value as HookResult;
    return new HookError(
      HookErrorCode.INVALID_ARGUMENT,
      `hook '${entry.name}' at ${this.plan.point} returned something that is not a HookResult: ${problem}. Return a HookResult.*() value or nothing.`,
    );
  }

  /** Records a hook that ran (ok, error or timeout) and feeds its breaker and metrics. */
  finish(
    index: number,
    entry: HookEntry,
    status: ExecutionStatus,
    result: HookResult | undefined,
    error: unknown,
    start: number,
    end: number,
    execId: string | undefined,
  ): void {
    const duration = end - start;
    const breaker = entry.breaker;
    if (breaker !== null) {
      if (status === 'ok') breaker.success(end, duration, this.deadlinesOf(entry).timeoutMs);
      else if (this.abortReason !== undefined && status === 'error') breaker.release();
      else breaker.failure(end);
      if (breaker.change !== 0) this.breakerChanged(index, entry, breaker);
    }
    if (status !== 'ok') error = recordableError(error, entry.name, this.plan.point);
    if (this.env.slot >= 0) {
      let m = entry.metrics[this.env.slot];
      if (m === undefined) m = entry.metrics[this.env.slot] = new LatencyMetrics();
      m.observe(duration);
      if (status === 'error') m.errors++;
      else if (status === 'timeout') m.timeouts++;
    }
    const record = new ExecutionRecord(
      entry.id,
      entry.name,
      status,
      result,
      error,
      start,
      duration,
      this.fireSeq,
      index,
      execId,
    );
    this.records[index] = record;
    if (this.env.sink !== undefined) this.emitRecord(record, entry);
    this.completed++;
    if (this.onProgress !== undefined) this.progress();
  }

  /** Records a hook that did not run. */
  skip(index: number, entry: HookEntry, reason: string): void {
    const result = HookResult.skipped(reason);
    if (this.capture !== undefined && this.capture.views[index] === undefined)
      this.capture.take(index, this.ctx);
    if (this.env.slot >= 0) {
      let m = entry.metrics[this.env.slot];
      if (m === undefined) m = entry.metrics[this.env.slot] = new LatencyMetrics();
      m.skipped++;
    }
    const record = new ExecutionRecord(
      entry.id,
      entry.name,
      'skipped',
      result,
      undefined,
      0,
      0,
      this.fireSeq,
      index,
      undefined,
    );
    this.records[index] = record;
    if (this.env.sink !== undefined) this.emitRecord(record, entry);
    this.completed++;
    if (this.onProgress !== undefined) this.progress();
  }

  /** A hook started (for progress). */
  begin(): void {
    this.started++;
    if (this.onProgress !== undefined) this.progress();
  }

  /** Builds the outcome, says so to the sink, and settles the fire's promise if it went async. */
  complete(
    decision: HookResult,
    data: Record<string, unknown>,
    directives: readonly HookResult[],
    conflicts: readonly DataConflict[],
    end: number,
  ): void {
    if (this.abortListener !== undefined) this.fireSignal!.removeEventListener('abort', this.abortListener);
    const outcome = new FireOutcome(
      this.plan.point,
      decision,
      data,
      this.ctx.metadata,
      this.records,
      directives,
      end - this.t0,
      conflicts,
      this.ctx.corr,
      this.fireSeq,
    );
    this.outcome = outcome;
    if (this.capture !== undefined) {
      try {
        this.capture.recorder.record(this);
      } catch {
        // A recorder reports its own failures; it must never break the fire.
      }
    }
    if (this.env.sink !== undefined) {
      const counts = { ok: 0, error: 0, timeout: 0, skipped: 0 };
      for (const r of this.records) counts[r.status]++;
      this.emit(
        'hook.fire.completed',
        { point: this.plan.point, decision: decision.type, durationMs: outcome.durationMs, ...counts },
        undefined,
      );
    }
    if (this.resolve !== undefined) this.resolve(outcome);
  }

  /** A promise of the outcome, for a fire that went async. */
  promise(): Promise<FireOutcome> {
    const promise = new Promise<FireOutcome>(captureResolve);
    this.resolve = captured;
    captured = undefined;
    return promise;
  }

  /** Synthesised decision of a fail-closed hook that failed or could not start. */
  failClosed(entry: HookEntry, why: string): HookResult {
    return HookResult.cancel(`hook '${entry.name}' is fail-closed and ${why}`);
  }

  /** Reports a breaker's state change as a `hook.breaker.*` lifecycle event (when a sink listens). */
  private breakerChanged(index: number, entry: HookEntry, breaker: CircuitBreaker): void {
    const change: BreakerChange = breaker.takeChange();
    if (this.env.sink === undefined) return;
    const name = breakerChangeName(change);
    if (name === undefined) return;
    const failClosed = this.failsClosed(index);
    const data: Record<string, unknown> = {
      point: this.plan.point,
      hook: entry.name,
      hookId: entry.id,
      state: name === 'opened' ? 'open' : name === 'half_open' ? 'half-open' : 'closed',
      reason:
        name === 'opened'
          ? `${breaker.reason}; ${failClosed ? 'calls cancel (fail-closed)' : 'calls are skipped'} for ${breaker.config.openMs} ms`
          : name === 'half_open'
            ? 'open time is up: one probe call goes through'
            : `${breaker.config.successThreshold} probe call(s) succeeded`,
      failClosed,
    };
    this.emit(`hook.breaker.${name}`, data, undefined);
  }

  private progress(): void {
    try {
      this.onProgress!(this.started, this.completed, this.n);
    } catch {
      // A progress callback must not break the fire.
    }
  }

  private emitRecord(record: ExecutionRecord, entry: HookEntry): void {
    const type =
      record.status === 'ok'
        ? 'hook.execution.completed'
        : record.status === 'error'
          ? 'hook.execution.failed'
          : record.status === 'timeout'
            ? 'hook.execution.timeout'
            : 'hook.execution.skipped';
    const data: Record<string, unknown> = {
      point: this.plan.point,
      hook: entry.name,
      hookId: entry.id,
      executionId: record.executionId,
      language: entry.language,
      durationMs: record.durationMs,
    };
    if (record.result !== undefined) data.result = record.result;
    if (record.error !== undefined) data.error = thrownText(record.error);
    // What it waited for, so a timeline drawn from the log alone can show DAG edges.
    if (entry.dependsOn.length > 0) data.dependsOn = entry.dependsOn;
    this.emit(type, data, record.executionId);
  }

  emit(
    type: Parameters<LifecycleSink['emit']>[0],
    data: Record<string, unknown>,
    causationId: string | undefined,
  ): void {
    // Every lifecycle event names its fire, so a timeline can group executions under it.
    data.fireSeq = this.fireSeq;
    const meta: { correlationId: string; causationId?: string } = { correlationId: this.ctx.correlationId };
    const cause = causationId ?? this.cause;
    if (cause !== undefined) meta.causationId = cause;
    try {
      this.env.sink!.emit(type, data, meta);
    } catch {
      // A sink that throws must not break the fire (DESIGN: observers never crash the host).
    }
  }
}

// The executor of every fire's promise: one shared function instead of a closure per fire (a new
// closure is also compiled lazily on its first call, which showed in profiles of the fire path).
let captured: ((outcome: FireOutcome) => void) | undefined;
function captureResolve(resolve: (outcome: FireOutcome) => void): void {
  captured = resolve;
}

/** Message of a thrown value, for events and reasons; never throws. */
export const errorText = thrownText;

function abortText(signal: AbortSignal): string {
  const reason = signal.reason;
  return `fire aborted${reason === undefined ? '' : `: ${errorText(reason)}`}`;
}
