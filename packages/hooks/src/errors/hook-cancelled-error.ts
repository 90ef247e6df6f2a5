import { HookspellError } from '@hookspell/storage';
import type { HookOutcome } from '../types.js';

const MARKER = Symbol.for('hookspell.error.HookCancelledError');

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
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through the symbol by isInstance()
  private readonly [MARKER] = true;

  constructor(
    reason: string,
    point: string,
    options?: { hook?: string; outcome?: HookOutcome; cause?: unknown },
  ) {
    super({
      code: 'HOOKSPELL_HOOK_CANCELLED',
      message: `[hookspell] [hooks] cancelled at ${point}${options?.hook ? ` by hook '${options.hook}'` : ''}: ${reason}`,
      cause: options?.cause,
    });
    this.name = 'HookCancelledError';
    this.reason = reason;
    this.point = point;
    this.hook = options?.hook;
    this.outcome = options?.outcome;
  }

  /** True for a `HookCancelledError` from any copy of this package. */
  static override isInstance(error: unknown): error is HookCancelledError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}
