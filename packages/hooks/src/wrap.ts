import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from './clock.js';
import { HookCancelledError } from './errors/hook-cancelled-error.js';
import { HookError, HookErrorCode } from './errors/hook-error.js';
import type { HookPoint } from './hook-points.js';
import type { ForkOperation, HookResult } from './hook-result.js';
import type { FireOptions, HookInput, HookOutcome } from './types.js';
import { WrapCache } from './wrap-cache.js';

/** Where `wrap()` keeps results of `cache` directives. */
export interface WrapCacheStore {
  get(key: string): { value: unknown } | undefined;
  set(key: string, entry: { value: unknown }, ttlMs: number): void;
}

/** Settled result of one forked operation. */
export interface ForkOutcome {
  readonly id: string;
  readonly type: string;
  readonly status: 'fulfilled' | 'rejected';
  readonly value?: unknown;
  readonly error?: unknown;
}

export type WrapPhase = 'before' | 'after' | 'error';

/** Options of `executor.wrap()`. */
export interface WrapOptions<A extends unknown[], R> {
  /** Fired with `data: { args, attempt }` before each call. */
  before?: HookPoint;
  /** Fired with `data: { args, result, attempt, forks? }` after a call that returned. */
  after?: HookPoint;
  /** Fired with `data: { args, error, attempt }` when the call threw. */
  error?: HookPoint;
  /** Component, metadata, operation… of every fire. */
  input?: Omit<HookInput, 'data'>;
  /** Options of every fire (mode, timeoutMs, signal…). */
  fireOptions?: FireOptions;
  /** Resolves a `redirect` result: its value is used instead of calling `fn` (or as the new result). */
  redirect?: (target: string, args: A, phase: WrapPhase) => R | Promise<R>;
  /** Runs one operation of a `fork` result; the operations of one result run concurrently. */
  fork?: (operation: ForkOperation, context: { phase: WrapPhase; args: A }) => unknown;
  /** Receives the settled fork results (they are also in the `after` fire's `data.forks`). */
  onFork?: (results: readonly ForkOutcome[], phase: WrapPhase) => void;
  /** Sees every outcome (e.g. to report `skipped` records, which are never acted on). */
  onOutcome?: (phase: WrapPhase, outcome: HookOutcome) => void;
  /** Where `cache` results are kept. @default an LRU of 1000 entries on the executor's clock */
  cacheStore?: WrapCacheStore;
}

interface Firer {
  fire(point: HookPoint, input: HookInput, options?: FireOptions): Promise<HookOutcome>;
}

/** Restarts the attempt loop after a `retry` directive. */
const RETRY = Symbol('retry');

/**
 * The engine of `executor.wrap()`. An attempt is before → fn → after (or error); a `retry`
 * from any phase waits `delayMs` and starts a new attempt, `maxAttempts` attempts in all.
 * @internal
 */
export function wrapFunction<A extends unknown[], R>(
  executor: Firer,
  fn: (...args: A) => R | Promise<R>,
  options: WrapOptions<A, R>,
  clock: Clock,
): (...args: A) => Promise<R> {
  const { before, after, error: errorPoint, input = {}, fireOptions } = options;
  const store: WrapCacheStore = options.cacheStore ?? new WrapCache(1000, clock);

  // Each call gets its own copy of `input.metadata`, shared by that call's fires: what a before
  // hook writes (rate-limit headers, cache stamps) is seen at after/error, and never leaks into
  // other calls or into the options object.
  const fire = async (
    phase: WrapPhase,
    point: HookPoint,
    data: Record<string, unknown>,
    metadata: Record<string, string>,
  ): Promise<HookOutcome> => {
    const outcome = await executor.fire(point, { ...input, metadata, data }, fireOptions);
    options.onOutcome?.(phase, outcome);
    return outcome;
  };
  const cancelled = (outcome: HookOutcome, reason: string, cause?: unknown): HookCancelledError => {
    const by = outcome.records.find((r) => r.result?.type === 'cancel' && r.result.reason === reason);
    return new HookCancelledError(reason, outcome.point, { hook: by?.name, outcome, cause });
  };
  const redirect = async (target: string, args: A, phase: WrapPhase): Promise<R> => {
    if (options.redirect === undefined) {
      throw new HookError(
        HookErrorCode.REDIRECT_UNHANDLED,
        `a hook at ${phase} answered redirect('${target}') but wrap() was given no \`redirect\` resolver.`,
      );
    }
    return options.redirect(target, args, phase);
  };
  const forks = (outcome: HookOutcome, args: A, phase: WrapPhase): Promise<ForkOutcome[]> | undefined => {
    const ops = outcome.directives
      .filter((d): d is Extract<HookResult, { type: 'fork' }> => d.type === 'fork')
      .flatMap((d) => d.operations);
    if (ops.length === 0) return undefined;
    const handler = options.fork;
    if (handler === undefined) {
      throw new HookError(
        HookErrorCode.FORK_UNHANDLED,
        `a hook at ${outcome.point} answered fork() but wrap() was given no \`fork\` handler.`,
      );
    }
    return Promise.all(
      ops.map(async (op): Promise<ForkOutcome> => {
        try {
          return { id: op.id, type: op.type, status: 'fulfilled', value: await handler(op, { phase, args }) };
        } catch (error) {
          return { id: op.id, type: op.type, status: 'rejected', error };
        }
      }),
    );
  };
  const cacheOf = (outcome: HookOutcome): { key: string; ttlMs: number } | undefined =>
    outcome.directives.find((d): d is Extract<HookResult, { type: 'cache' }> => d.type === 'cache');

  const attempt = async (
    original: A,
    n: number,
    metadata: Record<string, string>,
  ): Promise<R | typeof RETRY> => {
    let args = original;
    let cache: { key: string; ttlMs: number } | undefined;
    let forked: Promise<ForkOutcome[]> | undefined;
    let result: R = undefined as R;
    let produced = false;
    if (before !== undefined) {
      const o = await fire('before', before, { args, attempt: n }, metadata);
      if (Array.isArray(o.data.args)) args = o.data.args as A;
      const d = o.decision;
      if (d.type === 'cancel') throw cancelled(o, d.reason);
      if (d.type === 'replace') return d.value as R;
      if (d.type === 'retry') {
        if (n < d.maxAttempts) return retryAfter(d.delayMs);
        throw new HookError(
          HookErrorCode.RETRY_EXHAUSTED,
          `${before} still answered retry after ${n} attempt(s).`,
        );
      }
      cache = cacheOf(o);
      if (cache !== undefined) {
        const hit = store.get(cache.key);
        if (hit !== undefined) return hit.value as R;
      }
      forked = forks(o, args, 'before');
      if (d.type === 'redirect') {
        result = await redirect(d.target, args, 'before');
        produced = true;
      }
    }
    try {
      if (!produced) result = await fn(...args);
    } catch (thrown) {
      if (forked !== undefined) options.onFork?.(await forked, 'before');
      if (errorPoint === undefined) throw thrown;
      const o = await fire('error', errorPoint, { args, error: thrown, attempt: n }, metadata);
      const d = o.decision;
      if (d.type === 'cancel') throw cancelled(o, d.reason, thrown);
      if (d.type === 'replace') return d.value as R;
      if (d.type === 'redirect') return redirect(d.target, args, 'error');
      if (d.type === 'retry' && n < d.maxAttempts) return retryAfter(d.delayMs);
      throw thrown;
    }
    const forkResults = forked === undefined ? undefined : await forked;
    if (forkResults !== undefined) options.onFork?.(forkResults, 'before');
    if (after !== undefined) {
      const data: Record<string, unknown> = { args, result: result, attempt: n };
      if (forkResults !== undefined) data.forks = forkResults;
      const o = await fire('after', after, data, metadata);
      if ('result' in o.data) result = o.data.result as R;
      const d = o.decision;
      if (d.type === 'cancel') throw cancelled(o, d.reason);
      if (d.type === 'retry' && n < d.maxAttempts) return retryAfter(d.delayMs);
      if (d.type === 'replace') result = d.value as R;
      else if (d.type === 'redirect') result = await redirect(d.target, args, 'after');
      const afterForks = forks(o, args, 'after');
      if (afterForks !== undefined) options.onFork?.(await afterForks, 'after');
      const afterCache = cacheOf(o);
      if (afterCache !== undefined) store.set(afterCache.key, { value: result }, afterCache.ttlMs);
    }
    if (cache !== undefined) store.set(cache.key, { value: result }, cache.ttlMs);
    return result;
  };

  return async (...args: A): Promise<R> => {
    const metadata = { ...input.metadata };
    for (let n = 1; ; n++) {
      const r = await attempt(args, n, metadata);
      if (r !== RETRY) return r;
    }
  };
}

async function retryAfter(delayMs: number): Promise<typeof RETRY> {
  if (delayMs > 0) await sleep(delayMs);
  return RETRY;
}
