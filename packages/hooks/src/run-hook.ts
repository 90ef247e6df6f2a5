import { nextFireSeq } from '@hookspell/core';
import { HookError, HookErrorCode } from './errors/hook-error.js';
import { invokeHook, isThenable, NOT_APPLICABLE } from './hook-call.js';
import { FireContext } from './hook-context.js';
import type { HookEntry } from './hook-entry.js';
import type { HookPoint } from './hook-points.js';
import { HookResult, resultProblem } from './hook-result.js';
import type { HookRegistry } from './registry.js';
import { recordableError } from './thrown-value.js';
import type { ComponentRef, ExecutionStatus, HookLanguage, Operation } from './types.js';

/** The context one hook is run on by {@link runHook}: what a recorded execution holds. */
export interface RunHookInput {
  readonly point: HookPoint;
  readonly component?: ComponentRef;
  /** Handed to the hook as is (the hook may write to it): pass a copy to keep the original. */
  readonly data?: Record<string, unknown>;
  readonly metadata?: Record<string, string>;
  readonly language?: HookLanguage;
  readonly operation?: Operation;
  readonly correlationId?: string;
  /** The context's `timestamp` (epoch ms); @default now */
  readonly timestamp?: number;
}

export interface RunHookOptions {
  /** @default the hook's own timeout, else `defaultTimeoutMs` */
  readonly timeoutMs?: number;
  /** Used when the hook has no timeout of its own. @default 5000 */
  readonly defaultTimeoutMs?: number;
}

/** What one run of one hook produced, recorded as a fire records it. */
export interface HookRun {
  /** The hook that ran: its registered name and version now. */
  readonly hook: { readonly name: string; readonly version: string };
  readonly status: ExecutionStatus;
  readonly result?: HookResult;
  /** What failed, as the executor records it (a value that cannot be kept becomes a HookError). */
  readonly error?: unknown;
  readonly durationMs: number;
}

const TIMEOUT = Symbol('timeout');

/**
 * Runs one registered hook once, outside any fire: no other hook, no circuit breaker, no metrics,
 * no recorder, no lifecycle events — what a replay needs to re-run a recorded execution. `ref` is
 * `name@point` (or the hook's id). The result is judged as a fire judges it: nothing is `continue`,
 * a value that is not a HookResult is an `error` worded as the executor words it, a timeout is a
 * `timeout` with the executor's message — so a re-run of the same behaviour compares identical.
 * Rejects with `HOOKSPELL_REPLAY_HOOK_MISSING` when no hook matches `ref`. Public as
 * `executor.runHook()`.
 * @internal
 */
export async function runHook(
  registry: HookRegistry<any>,
  ref: string,
  input: RunHookInput,
  options: RunHookOptions = {},
): Promise<HookRun> {
  const [entry] = (registry as HookRegistry)._resolve(ref);
  if (entry === undefined) {
    throw new HookError(
      HookErrorCode.REPLAY_HOOK_MISSING,
      `runHook(): no hook '${ref}' is registered now; register it (any version) first.`,
    );
  }
  return runEntry(entry, input, options.timeoutMs ?? entry.timeoutMs ?? options.defaultTimeoutMs ?? 5_000);
}

async function runEntry(entry: HookEntry, input: RunHookInput, timeoutMs: number): Promise<HookRun> {
  const point = input.point;
  const ctx = new FireContext(
    point,
    input.component,
    input.data ?? {},
    input.metadata === undefined ? {} : { ...input.metadata },
    input.language,
    input.timestamp ?? Date.now(),
    input.operation,
    undefined,
    input.correlationId,
    nextFireSeq(),
  );
  const hook = { name: entry.name, version: entry.version };
  const controller = new AbortController();
  const start = performance.now();
  const done = (status: ExecutionStatus, result?: HookResult, error?: unknown): HookRun => ({
    hook,
    status,
    ...(result === undefined ? {} : { result }),
    ...(error === undefined ? {} : { error }),
    durationMs: performance.now() - start,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    let value = invokeHook(entry, ctx, controller.signal);
    if (value === NOT_APPLICABLE)
      return done('skipped', HookResult.skipped('not applicable (shouldExecute returned false)'));
    if (isThenable(value)) {
      const timeout = new Promise<typeof TIMEOUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMEOUT), timeoutMs);
      });
      value = await Promise.race([value, timeout]);
      if (value === TIMEOUT) {
        // Worded as the executor words it: a re-run of a recorded timeout compares identical.
        const error = new DOMException(
          `hook '${entry.name}' at ${point} timed out after ${timeoutMs} ms`,
          'TimeoutError',
        );
        controller.abort(error);
        return done('timeout', undefined, error);
      }
    }
    if (value === undefined || value === null) return done('ok', HookResult.continue());
    const problem = resultProblem(value);
    if (problem !== undefined) {
      // The executor's own error for this (fire-run.ts), so a comparison sees the same one.
      const error = new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `hook '${entry.name}' at ${point} returned something that is not a HookResult: ${problem}. Return a HookResult.*() value or nothing.`,
      );
      return done('error', undefined, error);
    }
    return done('ok', value as HookResult);
  } catch (error) {
    // Recorded as the executor records it (a HookError for a value that cannot be kept).
    return done('error', undefined, recordableError(error, entry.name, point));
  } finally {
    clearTimeout(timer);
  }
}
