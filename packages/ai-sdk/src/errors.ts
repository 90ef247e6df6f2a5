import { HookspellError, pickCodes } from '@hookspell/core';
import type { HookOutcome } from '@hookspell/hooks';

/** Stable codes of {@link AiSdkError}; safe to branch on. */
export const AiSdkErrorCode = pickCodes({
  /** A hook answered `cancel` around a model call (`BeforeAgentExecution`, `AfterAgentExecution`, `AgentError`). */
  MODEL_CALL_CANCELLED: 'MODEL_CALL_CANCELLED',
  /** A hook answered `cancel` around a tool call (`BeforeToolExecution`, `AfterToolExecution`, `ToolError`). */
  TOOL_CALL_CANCELLED: 'TOOL_CALL_CANCELLED',
  /** A hook answered `cancel` around an MCP tool listing (`BeforeToolDiscovery`, `AfterToolDiscovery`). */
  TOOL_DISCOVERY_CANCELLED: 'TOOL_DISCOVERY_CANCELLED',
  /**
   * A hook's `replace` value, a cached value, a redirect's answer or a `modified` field does not have
   * the shape the call needs (e.g. a model answer that is neither a string nor `{ text }` / `{ content }`).
   */
  INVALID_HOOK_VALUE: 'INVALID_HOOK_VALUE',
  /** The `before` point kept answering `retry` until its `maxAttempts` ran out. */
  RETRY_EXHAUSTED: 'RETRY_EXHAUSTED',
  /** A hook answered `redirect(target)` and nothing resolves that target. */
  REDIRECT_UNHANDLED: 'REDIRECT_UNHANDLED',
  /** A hook answered `fork(...)` and the integration was given no `fork` handler. */
  FORK_UNHANDLED: 'FORK_UNHANDLED',
  /** A bad argument or option (no executor, a tool set that is not an object…). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** Warning (`onWarning`): the `bus` threw or rejected a lifecycle event; the call went on. */
  EVENT_PUBLISH_FAILED: 'EVENT_PUBLISH_FAILED',
  /**
   * Warning (`onWarning`): an after-hook of a streamed model call answered `modified`, `replace`,
   * `retry` or `redirect` in `'observe'` mode, where the answer was already sent. Use `stream: 'buffer'`.
   */
  STREAM_RESULT_IGNORED: 'STREAM_RESULT_IGNORED',
});
export type AiSdkErrorCode = (typeof AiSdkErrorCode)[keyof typeof AiSdkErrorCode];

/**
 * Every error `@hookspell/ai-sdk` throws. The message starts with `[hookspell] [ai-sdk]` and says
 * what was wrong, where, and what to do.
 */
export class AiSdkError extends HookspellError {
  declare readonly code: AiSdkErrorCode;
  static override readonly kind: string = 'AiSdkError';

  constructor(code: AiSdkErrorCode, message: string, options?: { cause?: unknown }) {
    super({ code, message: `[hookspell] [ai-sdk] ${message}`, cause: options?.cause });
    this.name = 'AiSdkError';
  }

  /** True for an `AiSdkError` (a `CallCancelledError` too) from any copy of this package. */
  static override isInstance(error: unknown): error is AiSdkError {
    return HookspellError.isInstance.call(AiSdkError, error);
  }
}

/** What a cancelled call was. */
export type CallKind = 'model' | 'tool' | 'tool-discovery';

/** Where in a call the cancelling hook ran. */
export type CallPhase = 'before' | 'after' | 'error';

const CANCEL_CODES: Record<CallKind, AiSdkErrorCode> = {
  model: AiSdkErrorCode.MODEL_CALL_CANCELLED,
  tool: AiSdkErrorCode.TOOL_CALL_CANCELLED,
  'tool-discovery': AiSdkErrorCode.TOOL_DISCOVERY_CANCELLED,
};

/**
 * A hook answered `cancel` around a model call, a tool call or a tool listing. Thrown by the
 * wrapped model (`generateText` rejects with it; `streamText` reports it to `onError`), by a
 * guarded tool's `execute` (the AI SDK turns it into a `tool-error` the model reads, see
 * `guardTools`), and by a guarded MCP client.
 *
 * The message is written to be read by a model as well as by a person: what was not done, which
 * hook stopped it, and its reason.
 */
export class CallCancelledError extends AiSdkError {
  static override readonly kind: string = 'CallCancelledError';
  readonly kind: CallKind;
  /** The model id, the tool name, or the MCP server name (for a tool listing). */
  readonly target: string;
  readonly phase: CallPhase;
  /** The hook point whose fire decided `cancel`. */
  readonly point: string;
  /** The hook's reason. */
  readonly reason: string;
  /** Name of the hook that answered `cancel`, when one did (a fail-closed failure has none). */
  readonly hook: string | undefined;
  /** The whole outcome of the fire that cancelled. */
  readonly outcome: HookOutcome;

  constructor(
    kind: CallKind,
    target: string,
    phase: CallPhase,
    outcome: HookOutcome,
    reason: string,
    options?: { cause?: unknown },
  ) {
    const hook = outcome.records.find((r) => r.result?.type === 'cancel' && r.result.reason === reason)?.name;
    super(CANCEL_CODES[kind], `${what(kind, target, phase)}: ${by(hook, outcome.point)}: ${reason}`, options);
    this.name = 'CallCancelledError';
    this.kind = kind;
    this.target = target;
    this.phase = phase;
    this.point = outcome.point;
    this.reason = reason;
    this.hook = hook;
    this.outcome = outcome;
  }

  /** True for a `CallCancelledError` from any copy of this package. */
  static override isInstance(error: unknown): error is CallCancelledError {
    return HookspellError.isInstance.call(CallCancelledError, error);
  }
}

function what(kind: CallKind, target: string, phase: CallPhase): string {
  if (kind === 'model') {
    return phase === 'before'
      ? `the call to model '${target}' was not made`
      : `the answer of model '${target}' was withheld`;
  }
  if (kind === 'tool') {
    return phase === 'before'
      ? `tool '${target}' was not run`
      : `the result of tool '${target}' was withheld`;
  }
  return `the tools of MCP server '${target}' were not listed`;
}

function by(hook: string | undefined, point: string): string {
  return hook === undefined ? `cancelled at ${point}` : `hook '${hook}' cancelled it at ${point}`;
}
