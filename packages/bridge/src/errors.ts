import { HookspellError, pickCodes } from '@hookspell/core';

/** Stable codes of the errors that cross the script boundary; safe to branch on. */
export const BridgeErrorCode = pickCodes({
  /** The script raised an error (or threw), or could not be compiled. */
  SCRIPT_ERROR: 'SCRIPT_ERROR',
  /** The script ran past its CPU deadline (`callbackMs` per callback, `scriptMs` for the top level). */
  SCRIPT_TIMEOUT: 'SCRIPT_TIMEOUT',
  /** The script went past its memory bound (`memoryBytes`) or its engine's stack limit. */
  SCRIPT_MEMORY: 'SCRIPT_MEMORY',
  /** A value could not cross the bridge (NaN, a function, a cycle, too deep…); the message names its path. */
  BRIDGE_VALUE: 'BRIDGE_VALUE',
  /** The script was used after `dispose()`. */
  SCRIPT_DISPOSED: 'SCRIPT_DISPOSED',
  /** A bad argument or option given to the runtime by the host (unknown language, bad limits…). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** A host function (`globals`) failed without a code of its own; the script sees this code. */
  HOST_ERROR: 'HOST_ERROR',
});
export type BridgeErrorCode = (typeof BridgeErrorCode)[keyof typeof BridgeErrorCode];

const MARKER = Symbol.for('hookspell.error.BridgeError');

/** Where in a script an error happened, when the engine could tell. */
export interface ScriptLocation {
  /** The script's name (its file name for `loadFile`). */
  readonly script: string;
  /** The script's own stack trace (Lua traceback or QuickJS stack), innermost first. */
  readonly scriptStack?: string | undefined;
  /** 1-based line of the innermost script frame, when known. */
  readonly line?: number | undefined;
  /**
   * `line` is the last line the engine recorded, which the script may have passed: QuickJS records
   * positions at calls, property reads and the like, not at every statement, so a loop of plain
   * arithmetic is interrupted "at or after" the last such line.
   */
  readonly lineAtOrAfter?: boolean | undefined;
}

/**
 * Base class of every error the bridge throws. The message starts with `[hookspell] [bridge]`;
 * errors raised inside a script carry the script's name, stack and line.
 *
 * @example
 * ```ts
 * const outcome = await executor.fire('BeforeToolExecution', input);
 * for (const r of outcome.records) {
 *   if (BridgeError.isInstance(r.error)) console.error(r.error.code, r.error.line, r.error.scriptStack);
 * }
 * ```
 */
export class BridgeError extends HookspellError {
  declare readonly code: BridgeErrorCode;
  readonly script: string | undefined;
  readonly scriptStack: string | undefined;
  readonly line: number | undefined;
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through the symbol by isInstance()
  private readonly [MARKER] = true;

  constructor(
    code: BridgeErrorCode,
    message: string,
    options: { cause?: unknown; location?: ScriptLocation | undefined } = {},
  ) {
    const where = options.location ? `[${options.location.script}] ` : '';
    super({ code, message: `[hookspell] [bridge] ${where}${message}`, cause: options.cause });
    this.name = 'BridgeError';
    this.script = options.location?.script;
    this.scriptStack = options.location?.scriptStack;
    this.line = options.location?.line;
    if (this.scriptStack)
      this.stack = `${this.name}: ${this.message}\n--- script stack ---\n${this.scriptStack}`;
  }

  /** True for a `BridgeError` (or subclass) from any copy of this package. */
  static override isInstance(error: unknown): error is BridgeError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

/**
 * A script raised an error, threw a value, or failed to compile: `HOOKSPELL_SCRIPT_ERROR`.
 * `thrown` is what the script threw, converted to a host value when possible.
 */
export class ScriptError extends BridgeError {
  readonly thrown: unknown;
  constructor(
    message: string,
    location: ScriptLocation,
    options: { thrown?: unknown; cause?: unknown } = {},
  ) {
    super(BridgeErrorCode.SCRIPT_ERROR, message, { location, cause: options.cause });
    this.name = 'ScriptError';
    this.thrown = options.thrown;
  }
}

/**
 * A script ran past its CPU deadline and was interrupted: `HOOKSPELL_SCRIPT_TIMEOUT`. The script
 * cannot catch this (not with `pcall`, not with `try`); the host and other scripts go on.
 */
export class ScriptTimeoutError extends BridgeError {
  /** The budget that was exceeded, in ms. */
  readonly limitMs: number;
  /** `cpu`: the script ran too long; `wait`: it waited on the host too long and was abandoned. */
  readonly kind: 'cpu' | 'wait';
  constructor(limitMs: number, what: string, location: ScriptLocation, kind: 'cpu' | 'wait' = 'cpu') {
    super(
      BridgeErrorCode.SCRIPT_TIMEOUT,
      kind === 'cpu'
        ? `${what} ran past its CPU deadline of ${limitMs} ms and was interrupted${location.line ? ` at ${location.lineAtOrAfter ? 'or after ' : ''}line ${location.line}` : ''}. Make the work smaller, or raise \`limits.${what === 'the top level' ? 'scriptMs' : 'callbackMs'}\`.`
        : `${what} waited on the host for more than ${limitMs} ms and was abandoned. Raise \`limits.waitMs\` (or the hook's \`timeout_ms\`).`,
      { location },
    );
    this.kind = kind;
    this.name = 'ScriptTimeoutError';
    this.limitMs = limitMs;
  }
}

/** A script went past its memory bound or its stack limit: `HOOKSPELL_SCRIPT_MEMORY`. */
export class ScriptMemoryError extends BridgeError {
  /** The bound that was exceeded, in bytes (0 for a stack overflow). */
  readonly limitBytes: number;
  constructor(limitBytes: number, detail: string, location: ScriptLocation, cause?: unknown) {
    super(
      BridgeErrorCode.SCRIPT_MEMORY,
      `${detail}${location.line ? ` (at line ${location.line})` : ''}. The script was stopped; raise \`limits.${limitBytes === 0 ? 'stackBytes' : 'memoryBytes'}\` if it really needs more.`,
      { location, cause },
    );
    this.name = 'ScriptMemoryError';
    this.limitBytes = limitBytes;
  }
}

/**
 * A value could not cross the bridge: `HOOKSPELL_BRIDGE_VALUE`. `path` names the bad part, e.g.
 * `result.data.items[3]`.
 */
export class BridgeValueError extends BridgeError {
  readonly path: string;
  /** What is wrong with the value at `path`. */
  readonly problem: string;
  constructor(path: string, problem: string, location?: ScriptLocation) {
    super(BridgeErrorCode.BRIDGE_VALUE, `${path} ${problem}`, { location });
    this.name = 'BridgeValueError';
    this.path = path;
    this.problem = problem;
  }

  /** The same error, now naming the script (and its stack) it came from. */
  withLocation(location: ScriptLocation): BridgeValueError {
    return this.script === undefined ? new BridgeValueError(this.path, this.problem, location) : this;
  }
}

/** The script was used after `dispose()`: `HOOKSPELL_SCRIPT_DISPOSED`. */
export class ScriptDisposedError extends BridgeError {
  constructor(script: string, what: string) {
    super(BridgeErrorCode.SCRIPT_DISPOSED, `${what}: the script was disposed.`, { location: { script } });
    this.name = 'ScriptDisposedError';
  }
}

/** A bad argument or option from the host: `HOOKSPELL_INVALID_ARGUMENT`. */
export function invalidArgument(message: string): BridgeError {
  return new BridgeError(BridgeErrorCode.INVALID_ARGUMENT, message);
}
