import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CacheResult,
  ForkOperation,
  ForkOutcome,
  HookOutcome,
  HookPoint,
  HookResult,
  WrapCacheStore,
} from '@hookspell/hooks';
import { defaultCacheStore } from './cache-store.js';
import { type Adapter, type BeforeStep, type CallSpec, type CallState, RETRY } from './call-spec.js';
import { AiSdkError, AiSdkErrorCode, CallCancelledError, type CallPhase } from './errors.js';
import type { CallScope, GuardOptions } from './options.js';
import { messageOf, Reporter } from './reporter.js';

/**
 * The engine of every integration: before → call → after (or error), honouring each hook result
 * the way `executor.wrap()` does (its table in the hooks README), with data shaped for the call
 * (a prompt, a tool input) instead of an argument list, results validated, typed errors, and
 * lifecycle events. A `retry` from any phase starts a new attempt, `maxAttempts` attempts in all.
 */
export class CallGuard<R> {
  readonly reporter: Reporter;
  private readonly store: WrapCacheStore;

  constructor(
    readonly adapter: Adapter<R>,
    readonly options: GuardOptions,
  ) {
    this.reporter = new Reporter(options);
    this.store = options.cacheStore ?? defaultCacheStore();
  }

  /** Runs a call to its end: what a non-streamed call (and a buffered stream) needs. */
  run(call: CallSpec<R>): Promise<R> {
    return this.within(call, (scope) => this.runTo(call, scope));
  }

  /**
   * Runs `fn` inside the call's trace scope when a `callTracer` was given (one check otherwise).
   * The scope ends in `finished`/`failed`; a tracer that throws leaves the call untraced.
   */
  within<T>(call: CallSpec<R>, fn: (scope: CallScope | undefined) => T): T {
    const tracer = this.options.callTracer;
    if (tracer === undefined) return fn(undefined);
    let scope: CallScope | undefined;
    try {
      scope = tracer.start({
        kind: this.adapter.kind,
        target: call.target,
        component: call.component,
        data: call.data,
      });
    } catch (error) {
      this.reporter.warning(error instanceof Error ? error : new Error(messageOf(error)));
    }
    if (scope === undefined) return fn(undefined);
    const traced = scope;
    let ran = false;
    try {
      return traced.run(() => {
        ran = true;
        return fn(traced);
      });
    } catch (error) {
      // The tracer's run() threw before calling fn: run the call untraced.
      if (ran) throw error;
      this.reporter.warning(error instanceof Error ? error : new Error(messageOf(error)));
      return fn(undefined);
    }
  }

  private async runTo(call: CallSpec<R>, scope: CallScope | undefined): Promise<R> {
    const state = this.start(call, scope);
    try {
      for (let n = 1; ; n++) {
        state.attempts = n;
        const value = await this.attempt(state, n);
        if (value !== RETRY) {
          this.finished(state, value);
          return value;
        }
      }
    } catch (error) {
      this.failed(state, error);
      throw error;
    }
  }

  start(call: CallSpec<R>, scope?: CallScope): CallState<R> {
    const state: CallState<R> = {
      scope,
      call,
      metadata: { ...this.options.metadata },
      fireOptions:
        call.signal === undefined
          ? this.options.fireOptions
          : { ...this.options.fireOptions, signal: call.signal },
      startedAt: performance.now(),
      attempts: 0,
      source: 'call',
      done: false,
    };
    if (this.reporter.enabled)
      this.reporter.publish(`${this.adapter.eventPrefix}.started`, { ...call.summary });
    return state;
  }

  private async attempt(state: CallState<R>, n: number): Promise<R | typeof RETRY> {
    const step = await this.before(state, n);
    if (step === RETRY) return RETRY;
    if (step.done) {
      state.source = step.source;
      return step.value;
    }
    let result: R;
    try {
      if (step.redirect === undefined) result = await state.call.run(step.data, step.outcome);
      else {
        state.source = 'redirect';
        result = await this.redirected(state, step.redirect, step.data, 'before', step.outcome);
      }
    } catch (thrown) {
      if (step.forked !== undefined) this.options.onFork?.(await step.forked, 'before');
      return this.error(state, n, step.data, thrown);
    }
    return this.after(state, n, step, result);
  }

  /** The before fire and what it decided. */
  async before(state: CallState<R>, n: number): Promise<BeforeStep<R> | typeof RETRY> {
    const { call } = state;
    const { before } = this.adapter.points;
    const o = await this.fire(state, 'before', before, { ...call.data, attempt: n });
    const d = o.decision;
    switch (d.type) {
      case 'cancel':
        throw new CallCancelledError(this.adapter.kind, call.target, 'before', o, d.reason);
      case 'replace':
        return { done: true, value: this.replaced(d.value, 'before', o, 'replace', call), source: 'replace' };
      case 'retry':
        if (n < d.maxAttempts) return this.retryAfter(d.delayMs, state);
        throw new AiSdkError(
          AiSdkErrorCode.RETRY_EXHAUSTED,
          `${before} still answered retry after ${n} attempt(s) of ${this.adapter.kind} '${call.target}' (maxAttempts ${d.maxAttempts}); the call was not made.`,
        );
    }
    const data = o.data;
    const cache = cacheOf(o);
    if (cache !== undefined) {
      const hit = this.store.get(cache.key);
      if (hit !== undefined) {
        const value = this.replaced(hit.value, 'before', o, 'cache', call);
        return { done: true, value, source: 'cache' };
      }
    }
    const forked = this.forks(o, data, 'before');
    return {
      done: false,
      data,
      redirect: d.type === 'redirect' ? d.target : undefined,
      cache,
      forked,
      outcome: o,
    };
  }

  /** The error fire: a recovery value, a new attempt, or the error (or a cancel) thrown. */
  async error(
    state: CallState<R>,
    n: number,
    data: Record<string, unknown>,
    thrown: unknown,
  ): Promise<R | typeof RETRY> {
    const point = this.adapter.points.error;
    if (point === undefined) throw thrown;
    const o = await this.fire(state, 'error', point, { ...data, error: thrown, attempt: n });
    const d = o.decision;
    switch (d.type) {
      case 'cancel':
        throw new CallCancelledError(this.adapter.kind, state.call.target, 'error', o, d.reason, {
          cause: thrown,
        });
      case 'replace':
        state.source = 'recovered';
        return this.replaced(d.value, 'error', o, 'replace', state.call);
      case 'redirect':
        state.source = 'redirect';
        return this.redirected(state, d.target, data, 'error', o);
      case 'retry':
        if (n < d.maxAttempts) return this.retryAfter(d.delayMs, state);
        throw thrown;
      default:
        throw thrown;
    }
  }

  /** The after fire: the (possibly changed) result, or a new attempt. */
  async after(
    state: CallState<R>,
    n: number,
    step: Extract<BeforeStep<R>, { done: false }>,
    result: R,
  ): Promise<R | typeof RETRY> {
    const { call } = state;
    const forks = step.forked === undefined ? undefined : await step.forked;
    if (forks !== undefined) this.options.onFork?.(forks, 'before');
    const given = this.adapter.afterData(step.data, result, call);
    given.attempt = n;
    if (forks !== undefined) given.forks = forks;
    const o = await this.fire(state, 'after', this.adapter.points.after, given);
    result = this.adapter.resultOf(given, o, result, call);
    const d = o.decision;
    switch (d.type) {
      case 'cancel':
        throw new CallCancelledError(this.adapter.kind, call.target, 'after', o, d.reason);
      case 'retry':
        if (n < d.maxAttempts) return this.retryAfter(d.delayMs, state);
        break;
      case 'replace':
        state.source = 'replace';
        result = this.replaced(d.value, 'after', o, 'replace', call);
        break;
      case 'redirect':
        state.source = 'redirect';
        result = await this.redirected(state, d.target, step.data, 'after', o);
        break;
    }
    const afterForks = this.forks(o, step.data, 'after');
    if (afterForks !== undefined) this.options.onFork?.(await afterForks, 'after');
    const afterCache = cacheOf(o);
    this.remember(afterCache, result);
    this.remember(step.cache, result);
    return result;
  }

  /** Stores `result` under a `cache` result's key (for a streamed answer: once it is complete). */
  remember(cache: CacheResult | undefined, result: R): void {
    if (cache === undefined) return;
    const value = this.adapter.cacheValue === undefined ? result : this.adapter.cacheValue(result);
    this.store.set(cache.key, { value }, cache.ttlMs);
  }

  async fire(
    state: CallState<R>,
    phase: CallPhase,
    point: HookPoint,
    data: Record<string, unknown>,
  ): Promise<HookOutcome> {
    const o = await this.options.executor.fire(
      point,
      { component: state.call.component, metadata: state.metadata, data },
      state.fireOptions,
    );
    this.options.onOutcome?.(phase, o);
    return o;
  }

  finished(state: CallState<R>, value: R): void {
    state.done = true;
    // The event first, so it is recorded inside the call's scope; then the scope ends.
    if (this.reporter.enabled) {
      this.reporter.publish(`${this.adapter.eventPrefix}.finished`, {
        ...state.call.summary,
        ...this.adapter.resultSummary?.(value, state),
        source: state.source,
        attempts: state.attempts,
        durationMs: performance.now() - state.startedAt,
      });
    }
    if (state.scope !== undefined)
      this.endScope(state, { summary: this.adapter.resultSummary?.(value, state) });
  }

  failed(state: CallState<R>, error: unknown): void {
    state.done = true;
    if (this.reporter.enabled) this.reportFailure(state, error);
    if (state.scope !== undefined) this.endScope(state, { error });
  }

  private reportFailure(state: CallState<R>, error: unknown): void {
    const base = {
      ...state.call.summary,
      attempts: state.attempts,
      durationMs: performance.now() - state.startedAt,
    };
    if (CallCancelledError.isInstance(error)) {
      this.reporter.publish(`${this.adapter.eventPrefix}.cancelled`, {
        ...base,
        phase: error.phase,
        point: error.point,
        hook: error.hook,
        reason: error.reason,
      });
    } else {
      const code = (error as { code?: unknown } | null)?.code;
      this.reporter.publish(`${this.adapter.eventPrefix}.failed`, {
        ...base,
        error: messageOf(error),
        ...(typeof code === 'string' ? { code } : {}),
      });
    }
  }

  /** Ends the call's trace scope once; a scope that throws never fails the call. */
  endScope(
    state: CallState<R>,
    how: { error?: unknown; summary?: Record<string, unknown> | undefined },
  ): void {
    const scope = state.scope;
    if (scope === undefined) return;
    state.scope = undefined;
    try {
      scope.end({
        ...how,
        summary: { ...how.summary, source: state.source, attempts: state.attempts },
      });
    } catch (error) {
      this.reporter.warning(error instanceof Error ? error : new Error(messageOf(error)));
    }
  }

  /** A `replace` or cached value as a result, validated by the adapter. */
  replaced(value: unknown, phase: CallPhase, o: HookOutcome, via: 'replace' | 'cache', call: CallSpec<R>): R {
    const hook = via === 'replace' ? o.records.find((r) => r.result?.type === 'replace')?.name : undefined;
    return this.adapter.toResult(value, { phase, point: o.point, hook, via }, call);
  }

  async redirected(
    state: CallState<R>,
    target: string,
    data: Record<string, unknown>,
    phase: CallPhase,
    o: HookOutcome,
  ): Promise<R> {
    const value = await state.call.redirect(target, data, phase);
    const hook = o.records.find((r) => r.result?.type === 'redirect')?.name;
    return this.adapter.toResult(value, { phase, point: o.point, hook, via: 'redirect' }, state.call);
  }

  forks(o: HookOutcome, data: Record<string, unknown>, phase: CallPhase): Promise<ForkOutcome[]> | undefined {
    let ops: ForkOperation[] | undefined;
    for (const d of o.directives) if (d.type === 'fork') (ops ??= []).push(...d.operations);
    if (ops === undefined) return undefined;
    const handler = this.options.fork;
    if (handler === undefined) {
      throw new AiSdkError(
        AiSdkErrorCode.FORK_UNHANDLED,
        `a hook at ${o.point} answered fork() but no \`fork\` handler was given; pass \`fork: (operation) => …\` in the options.`,
      );
    }
    return Promise.all(
      ops.map(async (op): Promise<ForkOutcome> => {
        try {
          return { id: op.id, type: op.type, status: 'fulfilled', value: await handler(op, { phase, data }) };
        } catch (error) {
          return { id: op.id, type: op.type, status: 'rejected', error };
        }
      }),
    );
  }

  private async retryAfter(delayMs: number, state: CallState<R>): Promise<typeof RETRY> {
    if (delayMs > 0)
      await sleep(delayMs, undefined, state.call.signal ? { signal: state.call.signal } : undefined);
    return RETRY;
  }
}

export function cacheOf(o: HookOutcome): CacheResult | undefined {
  if (o.directives.length === 0) return undefined;
  return o.directives.find((d: HookResult): d is CacheResult => d.type === 'cache');
}
