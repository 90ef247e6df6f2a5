import { CommanderError } from 'commander';
import { ExitCode, errorDetail, errorLine, exitCodeOf } from './errors.js';
import { buildProgram } from './program.js';

/**
 * Runs the CLI on `argv` (as `process.argv`) and resolves with the exit code. Errors become one
 * line on stderr (`hookspell: …`); `--debug` adds the stack and causes.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = await buildProgram(argv);
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander printed its message already (help and --version exit 0).
      return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    const debug = argv.includes('--debug');
    process.stderr.write(`hookspell: ${debug ? errorDetail(error) : errorLine(error)}\n`);
    return exitCodeOf(error);
  }
}
