import { HookspellError, pickCodes } from '@hookspell/core';

/** Stable codes of {@link CommandError}. */
export const CommandErrorCode = pickCodes({
  /** The command line is empty or malformed. */
  INVALID_COMMAND: 'INVALID_COMMAND',
  /** The program could not be started (not found, not executable). */
  COMMAND_NOT_STARTED: 'COMMAND_NOT_STARTED',
  /** The program exited non-zero (other than 2, which means cancel) or was killed. */
  COMMAND_FAILED: 'COMMAND_FAILED',
  /** The program printed more than `maxOutputBytes` on stdout. */
  COMMAND_OUTPUT_TOO_LARGE: 'COMMAND_OUTPUT_TOO_LARGE',
  /** stdout was neither empty nor a JSON result. */
  COMMAND_BAD_OUTPUT: 'COMMAND_BAD_OUTPUT',
  /** The program outlived its timeout; its process tree was killed (group and marked descendants). */
  COMMAND_TIMEOUT: 'COMMAND_TIMEOUT',
});
export type CommandErrorCode = (typeof CommandErrorCode)[keyof typeof CommandErrorCode];

/** A command hook failed; `stderr` holds the (bounded) tail of what the program wrote there. */
export class CommandError extends HookspellError {
  static override readonly kind: string = 'CommandError';
  declare readonly code: CommandErrorCode;
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(
    code: CommandErrorCode,
    message: string,
    options: { exitCode?: number | null; stderr?: string; cause?: unknown } = {},
  ) {
    super({ code, message: `[hookspell] [command] ${message}`, cause: options.cause });
    this.name = 'CommandError';
    this.exitCode = options.exitCode ?? null;
    this.stderr = options.stderr ?? '';
  }
}
