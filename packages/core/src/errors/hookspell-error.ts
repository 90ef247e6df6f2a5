import type { ErrorCode } from './error-codes.js';

/** What every hookspell error is made from. */
export interface HookspellErrorOptions {
  code: ErrorCode | string;
  message: string;
  cause?: unknown;
}

const BASE_MARKER = Symbol.for('hookspell.error');

/** The registry symbol that marks instances of one error class, from any copy of any package. */
function markerOf(kind: string): symbol {
  return Symbol.for(`hookspell.error.${kind}`);
}

/**
 * Base class of every error hookspell throws. `code` is stable and safe to branch on.
 *
 * Each class says who it is with a static `kind` (`'HookError'`, `'EventError'` …). An instance
 * carries one registry-symbol marker per class in its chain, so `EventError.isInstance(e)` is true
 * exactly for event errors — from any copy of the package, where `instanceof` would fail — and
 * never for a `HookError` (a single shared marker made every subclass's check true for all).
 *
 * @example
 * ```ts
 * class PaymentError extends HookspellError {
 *   static override readonly kind = 'PaymentError';
 * }
 * PaymentError.isInstance(new PaymentError({ code: 'X', message: 'm' })); // true
 * HookspellError.isInstance(new PaymentError({ code: 'X', message: 'm' })); // true
 * ```
 */
export class HookspellError extends Error {
  /** The class's identity for `isInstance`; every subclass sets its own. */
  static readonly kind: string = 'HookspellError';
  readonly code: string;

  constructor({ code, message, cause }: HookspellErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'HookspellError';
    this.code = code;
    // Registry symbols, not class fields: any copy of the package recognises them. Not
    // enumerable, so they never show in JSON or console output.
    Object.defineProperty(this, BASE_MARKER, { value: true });
    for (
      let cls: unknown = new.target;
      typeof cls === 'function' && cls !== Error;
      cls = Object.getPrototypeOf(cls)
    ) {
      if (Object.hasOwn(cls, 'kind')) {
        const kind = (cls as unknown as { kind: unknown }).kind;
        if (typeof kind === 'string') Object.defineProperty(this, markerOf(kind), { value: true });
      }
    }
  }

  /**
   * True for an instance of the class it is called on (`HookError.isInstance(e)`), from any copy
   * of the package. Never throws, whatever `error` is (a revoked Proxy, a throwing getter).
   */
  static isInstance(error: unknown): error is HookspellError {
    if (typeof error !== 'object' || error === null) return false;
    try {
      // A subclass that did not set its own `kind` would share its parent's marker: fall back to
      // `instanceof` for it rather than answer for the whole family.
      // `this` is the class isInstance is called on (HookError.isInstance): polymorphic on purpose.
      // biome-ignore lint/complexity/noThisInStatic: see above
      if (this !== HookspellError && !Object.hasOwn(this, 'kind')) return error instanceof this;
      // biome-ignore lint/complexity/noThisInStatic: see above
      const marker = this === HookspellError ? BASE_MARKER : markerOf(this.kind);
      return (error as Record<symbol, unknown>)[marker] === true;
    } catch {
      return false;
    }
  }

  /** True for a hookspell error with this `code`. */
  static hasCode(error: unknown, code: string): error is HookspellError {
    if (!HookspellError.isInstance(error)) return false;
    try {
      return error.code === code;
    } catch {
      return false;
    }
  }
}
