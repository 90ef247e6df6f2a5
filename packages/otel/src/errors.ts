import { HookspellError, pickCodes } from '@hookspell/core';

/** Stable codes of {@link OtelError}; safe to branch on. */
export const OtelErrorCode = pickCodes({
  /** A bad argument or option (no executor, a bus without `subscribe`, a tracer without `startSpan`…). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
});
export type OtelErrorCode = (typeof OtelErrorCode)[keyof typeof OtelErrorCode];

/**
 * Every error `@hookspell/otel` throws: only when it is set up, never while it records. The message
 * starts with `[hookspell] [otel]` and says what was wrong, where, and what to do.
 */
export class OtelError extends HookspellError {
  declare readonly code: OtelErrorCode;
  static override readonly kind: string = 'OtelError';

  constructor(code: OtelErrorCode, message: string, options?: { cause?: unknown }) {
    super({ code, message: `[hookspell] [otel] ${message}`, cause: options?.cause });
    this.name = 'OtelError';
  }

  /** True for an `OtelError` from any copy of this package. */
  static override isInstance(error: unknown): error is OtelError {
    return HookspellError.isInstance.call(OtelError, error);
  }
}
