import { loadConfigCached } from '../config/config-cache.js';
import { findConfig } from '../config/find.js';
import { CliError, CliErrorCode, ExitCode, errorLine, exitCodeOf } from '../errors.js';
import { untilSignal } from '../util/until-signal.js';
import { serveClaudeCodeHooks } from './hook-server.js';

export interface ServeOptions {
  configPath?: string;
  idleMs?: number;
  verbose?: boolean;
}

/**
 * `hookspell claude-code serve`: checks that the config loads (its errors are this command's, exit
 * 2), then serves until SIGINT/SIGTERM or idle. One line on stderr when it listens and when it stops.
 */
export async function runServe(options: ServeOptions): Promise<number> {
  const cwd = process.cwd();
  try {
    const configFile = findConfig(cwd, options.configPath);
    if (configFile === undefined)
      throw new CliError(
        CliErrorCode.CONFIG_NOT_FOUND,
        'no hookspell.config.* here: run it in the project, or give --config',
      );
    await loadConfigCached({ cwd, configPath: configFile, env: process.env });
    const server = await serveClaudeCodeHooks({
      configFile,
      ...(options.idleMs !== undefined && { idleMs: options.idleMs }),
      ...(options.verbose && { verbose: true }),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    // Until a signal or the server's own end (idle); a signal closes it.
    await Promise.race([untilSignal().then(() => server.close()), server.closed]);
    return ExitCode.OK;
  } catch (error) {
    process.stderr.write(`hookspell: ${errorLine(error)}\n`);
    return exitCodeOf(error);
  }
}
