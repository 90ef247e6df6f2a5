const MARKER = Symbol.for('hookspell.error');

export interface HookspellErrorOptions {
  code: string;
  message: string;
  cause?: unknown;
}

/**
 * Base class of every error hookspell throws. `code` is stable and safe to branch on.
 * `HookspellError.isInstance(e)` keeps working when two copies of a package are installed,
 * where `instanceof` would not.
 */
export class HookspellError extends Error {
  readonly code: string;

  constructor({ code, message, cause }: HookspellErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'HookspellError';
    this.code = code;
    // A registry symbol, not a class field: any copy of the package recognises it.
    Object.defineProperty(this, MARKER, { value: true });
  }

  /** True for any hookspell error, from any copy of the package. */
  static isInstance(error: unknown): error is HookspellError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }

  /** True for a hookspell error with this `code`. */
  static hasCode(error: unknown, code: string): error is HookspellError {
    return HookspellError.isInstance(error) && error.code === code;
  }
}
