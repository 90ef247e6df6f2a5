import { ErrorCode, HookspellError, pickCodes } from '@hookspell/core';

/** What `hookspell` exits with. Documented in the README; tests assert each one. */
export const ExitCode = {
  /** The command did what it was asked. */
  OK: 0,
  /** A runtime failure: storage unreachable, a script that failed while running, an internal error. */
  RUNTIME: 1,
  /** Bad usage or configuration: unknown option or point, missing file, invalid JSON/YAML/config. */
  USAGE: 2,
  /** `fire`: the decision was `cancel` (a hook cancelled). */
  CANCELLED: 3,
  /** `fire`: not cancelled, but at least one hook failed (`error` or `timeout`; fail-open). */
  HOOK_FAILED: 4,
  /** `hooks audit`: at least one hook can fail open at a guard point (a CI gate). */
  AUDIT_FINDINGS: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Stable codes of the errors the CLI raises itself. */
export const CliErrorCode = pickCodes({
  USAGE: 'CLI_USAGE',
  CONFIG_NOT_FOUND: 'CONFIG_NOT_FOUND',
  CONFIG_SYNTAX: 'CONFIG_SYNTAX',
  CONFIG_INVALID: 'CONFIG_INVALID',
  FILE_NOT_FOUND: 'FILE_NOT_FOUND',
  BAD_INPUT: 'CLI_BAD_INPUT',
  NOT_FOUND: 'CLI_NOT_FOUND',
  RUNTIME: 'CLI_RUNTIME',
});
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

const USAGE_CODES = new Set<string>([
  CliErrorCode.USAGE,
  CliErrorCode.CONFIG_NOT_FOUND,
  CliErrorCode.CONFIG_SYNTAX,
  CliErrorCode.CONFIG_INVALID,
  CliErrorCode.FILE_NOT_FOUND,
  CliErrorCode.BAD_INPUT,
  CliErrorCode.NOT_FOUND,
]);

/**
 * An error the CLI reports as one line on stderr. `exitCode` follows from the code: usage and
 * configuration problems exit 2, everything else 1.
 */
export class CliError extends HookspellError {
  readonly exitCode: ExitCode;

  constructor(code: CliErrorCode, message: string, options: { cause?: unknown; exitCode?: ExitCode } = {}) {
    super({ code, message, cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? (USAGE_CODES.has(code) ? ExitCode.USAGE : ExitCode.RUNTIME);
  }
}

/** Codes of library errors that mean "your input is wrong" rather than "something failed". */
const LIBRARY_USAGE_CODES: ReadonlySet<string> = new Set([
  ErrorCode.UNKNOWN_HOOK_POINT,
  ErrorCode.DUPLICATE_HOOK,
  ErrorCode.UNKNOWN_DEPENDENCY,
  ErrorCode.HOOK_CYCLE,
  ErrorCode.INVALID_ARGUMENT,
  ErrorCode.INVALID_PATTERN,
  ErrorCode.INVALID_EVENT_TYPE,
  ErrorCode.INVALID_COMMAND,
  ErrorCode.EXECUTION_NOT_FOUND,
  ErrorCode.EXECUTION_PRUNED,
  ErrorCode.REPLAY_HOOK_MISSING,
]);

/** The exit code for any thrown value. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (HookspellError.isInstance(error) && LIBRARY_USAGE_CODES.has(error.code)) return ExitCode.USAGE;
  return ExitCode.RUNTIME;
}

/**
 * The one line printed for an error: its message without the library prefix `[hookspell] `,
 * whitespace folded (no code frames, no stack).
 */
export function errorLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .replace(/^\[hookspell\]\s*/, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** Everything about an error, for `--debug`: stack and the chain of causes. */
export function errorDetail(error: unknown): string {
  const parts: string[] = [];
  let at: unknown = error;
  for (let depth = 0; at !== undefined && depth < 8; depth++) {
    if (at instanceof Error) {
      const code = (at as { code?: unknown }).code;
      parts.push(
        `${depth === 0 ? '' : 'caused by: '}${at.stack ?? at.message}${code ? ` [${String(code)}]` : ''}`,
      );
      at = at.cause;
    } else {
      parts.push(`${depth === 0 ? '' : 'caused by: '}${String(at)}`);
      break;
    }
  }
  return parts.join('\n');
}
