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

/**
 * True for anything with a callable `then` (promises from any realm), and for an object whose
 * `then` cannot even be read (a throwing getter, a revoked Proxy): {@link listen} turns that
 * into a rejection, so the hook gets an `error` record instead of the throw reaching the host.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || typeof value !== 'object') return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return true;
  }
}

const NATIVE_THEN = Promise.prototype.then;

/**
 * Subscribes `onValue`/`onError` to a hook's thenable. A native promise is subscribed directly
 * (the hot path). Anything else — a foreign thenable, a Promise subclass, a Proxy — goes through
 * a native promise first: its one-shot resolving functions make a thenable that calls back twice
 * (or both callbacks) settle once, and a `then` that throws becomes a rejection.
 */
export function listen(
  value: PromiseLike<unknown>,
  onValue: (value: unknown) => void,
  onError: (error: unknown) => void,
): void {
  try {
    if (value instanceof Promise && value.then === NATIVE_THEN) {
      NATIVE_THEN.call(value, onValue, onError);
      return;
    }
  } catch {
    // A Proxy or another impostor: assimilated below, where its throws become a rejection.
  }
  new Promise<unknown>((resolve) => resolve(value)).then(onValue, onError);
}
