import type { ScriptLogEntry } from '@hookspell/bridge';
import { CliError, type CliErrorCode } from './errors.js';

/** The `print()` lines (JS: `print`, `console.log`) of a script, oldest first. */
export function printedLines(script: { readonly logs: readonly ScriptLogEntry[] }): string[] {
  return script.logs.filter((l) => l.level === 'print').map((l) => l.message);
}

/**
 * A script's top level failed (it raised an error, or ran past its CPU or memory limit). It
 * carries what the script printed before failing: `print()` lines are kept by the bridge, not
 * written as they come, so without this they would be lost with the script — and they are what
 * one debugs a failing script with. The command decides where they go (`run` prints them where
 * its success path does).
 */
export class ScriptFailedError extends CliError {
  readonly printed: readonly string[];

  constructor(code: CliErrorCode, message: string, options: { cause: unknown; printed: readonly string[] }) {
    super(code, message, { cause: options.cause });
    this.name = 'ScriptFailedError';
    this.printed = options.printed;
  }

  /** The bridge's code (`HOOKSPELL_SCRIPT_ERROR`, `…_TIMEOUT`, `…_MEMORY`) and line, for `--json`. */
  details(): { code: string; line?: number } {
    const cause = this.cause as { code?: unknown; line?: unknown } | undefined;
    return {
      code: typeof cause?.code === 'string' ? cause.code : this.code,
      ...(typeof cause?.line === 'number' && { line: cause.line }),
    };
  }
}
