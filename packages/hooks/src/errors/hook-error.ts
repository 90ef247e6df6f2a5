import { HookspellError, pickCodes } from '@hookspell/core';

/** Stable codes of {@link HookError}; safe to branch on. */
export const HookErrorCode = pickCodes({
  /** A point name that is neither built-in nor `custom:<name>`. The message suggests the nearest. */
  UNKNOWN_HOOK_POINT: 'UNKNOWN_HOOK_POINT',
  /** A second hook with the same name at one point. */
  DUPLICATE_HOOK: 'DUPLICATE_HOOK',
  /** `dependsOn` names a hook that is not registered at that point. */
  UNKNOWN_DEPENDENCY: 'UNKNOWN_DEPENDENCY',
  /** `dependsOn` would make a cycle. */
  HOOK_CYCLE: 'HOOK_CYCLE',
  /** A bad argument or option (non-function hook, bad priority, bad breaker config…). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /**
   * A hook threw (or rejected with) a value that cannot be kept as an error — a symbol, a BigInt,
   * a revoked Proxy, an Error whose fields throw when read. Recorded in its place, with a description.
   */
  HOOK_THREW: 'HOOK_THREW',
  /** Every child of a composite (sequential, parallel, voting, firstMatch) failed; `cause.errors` holds each one. */
  COMPOSITE_FAILED: 'COMPOSITE_FAILED',
  /** `wrap()` got a `redirect` result but no `redirect` resolver in its options. */
  REDIRECT_UNHANDLED: 'REDIRECT_UNHANDLED',
  /** `wrap()` got a `fork` result but no `fork` handler in its options. */
  FORK_UNHANDLED: 'FORK_UNHANDLED',
  /** `wrap()`: the `before` point kept answering `retry` until the attempts ran out. */
  RETRY_EXHAUSTED: 'RETRY_EXHAUSTED',
  /** `agentLifecycle`: a transition the state machine does not allow (e.g. Terminated → Running). */
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
  /** `instrumentTool`: the tool's own `validate` rejected the parameters. */
  TOOL_VALIDATION_FAILED: 'TOOL_VALIDATION_FAILED',
  /** `instrumentTool`: the tool outlived its `timeoutMs` (its signal was aborted). */
  TOOL_TIMEOUT: 'TOOL_TIMEOUT',
  /** `instrumentWorkflow`: a loop ran `maxIterations` times and still wanted more. */
  WORKFLOW_LOOP_LIMIT: 'WORKFLOW_LOOP_LIMIT',
  /** `journal.attach()`: the executor already records into a journal. */
  JOURNAL_ATTACHED: 'JOURNAL_ATTACHED',
  /** The journal is more entries behind than `maxPending`; new entries are dropped and reported. */
  JOURNAL_BACKPRESSURE: 'JOURNAL_BACKPRESSURE',
  /** A journal batch could not be written; reported to `onError`, never thrown into a fire. */
  JOURNAL_WRITE_FAILED: 'JOURNAL_WRITE_FAILED',
  /** The storage holds a journal in a layout version this package does not read (never converted). */
  JOURNAL_LAYOUT: 'JOURNAL_LAYOUT',
  /** `replay()`: no execution with that id is in the journal (never recorded, or pruned). */
  EXECUTION_NOT_FOUND: 'EXECUTION_NOT_FOUND',
  /** `replay()`: the journal's retention removed that execution (`ExecutionPrunedError`: the id and the policy). */
  EXECUTION_PRUNED: 'EXECUTION_PRUNED',
  /** `replay()` in `exact`/`modified` mode: no hook of the recorded name is registered at the point. */
  REPLAY_HOOK_MISSING: 'REPLAY_HOOK_MISSING',
});
export type HookErrorCode = (typeof HookErrorCode)[keyof typeof HookErrorCode];

/**
 * Every error the hook registry and executor throw. The message starts with
 * `[hookspell] [hooks]` and says what was wrong, where, and what to do.
 *
 * @example
 * ```ts
 * try {
 *   registry.register('BeforeToolExecutoin', hook);
 * } catch (e) {
 *   if (HookError.isInstance(e) && e.code === 'HOOKSPELL_UNKNOWN_HOOK_POINT') console.error(e.message);
 * }
 * ```
 */
export class HookError extends HookspellError {
  declare readonly code: HookErrorCode;
  static override readonly kind: string = 'HookError';

  constructor(code: HookErrorCode, message: string, options?: { cause?: unknown }) {
    super({ code, message: `[hookspell] [hooks] ${message}`, cause: options?.cause });
    this.name = 'HookError';
  }

  /** True for a `HookError` from any copy of this package (where `instanceof` may fail). */
  static override isInstance(error: unknown): error is HookError {
    // `this`, not the class: a subclass (ExecutionPrunedError) answers for its own instances.
    // biome-ignore lint/complexity/noThisInStatic: polymorphic on purpose (see above)
    return HookspellError.isInstance.call(this, error);
  }
}
