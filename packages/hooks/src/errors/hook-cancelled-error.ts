import { ErrorCode, HookspellError } from '@hookspell/core';
import type { HookOutcome } from '../types.js';

/**
 * Thrown by a function made with `executor.wrap()` when a hook at one of its points answered
 * `cancel`. `reason` is the hook's reason; `outcome` is the whole outcome of that fire.
 *
 * @example
 * ```ts
 * try {
 *   await guardedRun(args);
 * } catch (e) {
 *   if (HookCancelledError.isInstance(e)) console.warn(`blocked at ${e.point}: ${e.reason}`);
 * }
 * ```
 */
export class HookCancelledError extends HookspellError {
  readonly reason: string;
  readonly point: string;
  /** Name of the hook that cancelled, when one hook's result decided it. */
  readonly hook: string | undefined;
  readonly outcome: HookOutcome | undefined;
  static override readonly kind = 'HookCancelledError';

  constructor(
    reason: string,
    point: string,
    options?: { hook?: string; outcome?: HookOutcome; cause?: unknown },
  ) {
    super({
      code: ErrorCode.HOOK_CANCELLED,
      message: `[hookspell] [hooks] cancelled at ${point}${options?.hook ? ` by hook '${options.hook}'` : ''}: ${reason}`,
      cause: options?.cause,
    });
    this.name = 'HookCancelledError';
    this.reason = reason;
    this.point = point;
    this.hook = options?.hook;
    this.outcome = options?.outcome;
  }

  /** True for a `HookCancelledError` from any copy of this package (where `instanceof` may fail). */
  static override isInstance(error: unknown): error is HookCancelledError {
    // `this`, not the class: a subclass (ExecutionPrunedError) answers for its own instances.
    // biome-ignore lint/complexity/noThisInStatic: polymorphic on purpose (see above)
    return HookspellError.isInstance.call(this, error);
  }
}
