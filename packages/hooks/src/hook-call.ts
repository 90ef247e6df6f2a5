import type { HookEntry } from './hook-entry.js';
import type { HookContext } from './types.js';

// How one hook is called, shared by the sequential and parallel runs and by replays.

/** Returned by `invokeHook` when `shouldExecute` said no. */
export const NOT_APPLICABLE: unique symbol = Symbol('not applicable');

let never: AbortSignal | undefined;
/** A signal that never aborts, for hooks that take none and fires that have none. */
export function neverAborted(): AbortSignal {
  never ??= new AbortController().signal;
  return never;
}

/** Calls one hook with its `this`; free function so `AsyncLocalStorage.run` can call it without a closure. */
export function invokeHook(entry: HookEntry, ctx: HookContext, signal: AbortSignal): unknown {
  if (entry.shouldExecute !== undefined && !entry.shouldExecute(ctx)) return NOT_APPLICABLE;
  return entry.fn.call(entry.self, ctx, signal);
}

/** True for anything with a callable `then` (promises from any realm). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function'
  );
}
