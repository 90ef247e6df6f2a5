import { HookspellError } from '@hookspell/storage';

/** Stable codes of {@link HookError}; safe to branch on. */
export const HookErrorCode = {
  /** A point name that is neither built-in nor `custom:<name>`. The message suggests the nearest. */
  UNKNOWN_HOOK_POINT: 'HOOKSPELL_UNKNOWN_HOOK_POINT',
  /** A second hook with the same name at one point. */
  DUPLICATE_HOOK: 'HOOKSPELL_DUPLICATE_HOOK',
  /** `dependsOn` names a hook that is not registered at that point. */
  UNKNOWN_DEPENDENCY: 'HOOKSPELL_UNKNOWN_DEPENDENCY',
  /** `dependsOn` would make a cycle. */
  HOOK_CYCLE: 'HOOKSPELL_HOOK_CYCLE',
  /** A bad argument or option (non-function hook, bad priority, bad breaker config…). */
  INVALID_ARGUMENT: 'HOOKSPELL_INVALID_ARGUMENT',
  /**
   * A hook threw (or rejected with) a value that cannot be kept as an error — a symbol, a BigInt,
   * a revoked Proxy, an Error whose fields throw when read. Recorded in its place, with a description.
   */
  HOOK_THREW: 'HOOKSPELL_HOOK_THREW',
  /** `wrap()` got a `redirect` result but no `redirect` resolver in its options. */
  REDIRECT_UNHANDLED: 'HOOKSPELL_REDIRECT_UNHANDLED',
  /** `wrap()` got a `fork` result but no `fork` handler in its options. */
  FORK_UNHANDLED: 'HOOKSPELL_FORK_UNHANDLED',
  /** `wrap()`: the `before` point kept answering `retry` until the attempts ran out. */
  RETRY_EXHAUSTED: 'HOOKSPELL_RETRY_EXHAUSTED',
  /** `agentLifecycle`: a transition the state machine does not allow (e.g. Terminated → Running). */
  ILLEGAL_TRANSITION: 'HOOKSPELL_ILLEGAL_TRANSITION',
  /** `instrumentTool`: the tool's own `validate` rejected the parameters. */
  TOOL_VALIDATION_FAILED: 'HOOKSPELL_TOOL_VALIDATION_FAILED',
  /** `instrumentTool`: the tool outlived its `timeoutMs` (its signal was aborted). */
  TOOL_TIMEOUT: 'HOOKSPELL_TOOL_TIMEOUT',
  /** `instrumentWorkflow`: a loop ran `maxIterations` times and still wanted more. */
  WORKFLOW_LOOP_LIMIT: 'HOOKSPELL_WORKFLOW_LOOP_LIMIT',
  /** `journal.attach()`: the executor already records into a journal. */
  JOURNAL_ATTACHED: 'HOOKSPELL_JOURNAL_ATTACHED',
  /** The journal is more entries behind than `maxPending`; new entries are dropped and reported. */
  JOURNAL_BACKPRESSURE: 'HOOKSPELL_JOURNAL_BACKPRESSURE',
  /** A journal batch could not be written; reported to `onError`, never thrown into a fire. */
  JOURNAL_WRITE_FAILED: 'HOOKSPELL_JOURNAL_WRITE_FAILED',
  /** The storage holds a journal in a layout version this package does not read (never converted). */
  JOURNAL_LAYOUT: 'HOOKSPELL_JOURNAL_LAYOUT',
  /** `replay()`: no execution with that id is in the journal (never recorded, or pruned). */
  EXECUTION_NOT_FOUND: 'HOOKSPELL_EXECUTION_NOT_FOUND',
  /** `replay()`: the journal's retention removed that execution (`ExecutionPrunedError`: the id and the policy). */
  EXECUTION_PRUNED: 'HOOKSPELL_EXECUTION_PRUNED',
  /** `replay()` in `exact`/`modified` mode: no hook of the recorded name is registered at the point. */
  REPLAY_HOOK_MISSING: 'HOOKSPELL_REPLAY_HOOK_MISSING',
} as const;
export type HookErrorCode = (typeof HookErrorCode)[keyof typeof HookErrorCode];

const MARKER = Symbol.for('hookspell.error.HookError');

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
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through the symbol by isInstance()
  private readonly [MARKER] = true;

  constructor(code: HookErrorCode, message: string, options?: { cause?: unknown }) {
    super({ code, message: `[hookspell] [hooks] ${message}`, cause: options?.cause });
    this.name = 'HookError';
  }

  /** True for a `HookError` from any copy of this package (where `instanceof` may fail). */
  static override isInstance(error: unknown): error is HookError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}
