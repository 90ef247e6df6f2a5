import { loadConfigCached } from '../config/config-cache.js';
import { findConfig } from '../config/find.js';
import { CliError, CliErrorCode, ExitCode, errorLine, exitCodeOf } from '../errors.js';
import { untilSignal } from '../util/until-signal.js';
import { serveClaudeCodeHooks } from './hook-server.js';

export interface ServeOptions {
  configPath?: string;
  idleMs?: number;
  verbose?: boolean;
  /** Start the server as a detached process and return once it listens (or says why it cannot). */
  detach?: boolean;
}

/**
 * `hookspell claude-code serve`: checks that the config loads (its errors are this command's, exit
 * 2), then serves until SIGINT/SIGTERM or idle. One line on stderr when it listens and when it stops.
 */
export async function runServe(options: ServeOptions): Promise<number> {
  if (options.detach) return detach(options);
  // Started by --detach: the starter reads stderr until "listening", then closes it.
  const detached = process.env.HOOKSPELL_SERVE_DETACHED === '1';
  if (detached) process.stderr.on('error', () => {});
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
      log: (line) => {
        if (detached && line.includes('stopped')) return; // nobody reads our stderr any more
        process.stderr.write(`${line}\n`);
      },
    });
    // Until a signal or the server's own end (idle); a signal closes it.
    await Promise.race([untilSignal().then(() => server.close()), server.closed]);
    return ExitCode.OK;
  } catch (error) {
    process.stderr.write(`hookspell: ${errorLine(error)}\n`);
    return exitCodeOf(error);
  }
}

/**
 * `--detach`: the same command without it, as a process of its own (its own session, no stdio
 * kept: a SessionStart hook must not hold Claude Code's pipes), waited for until it listens; its
 * refusal (a config error, a server already up) is this command's. Prints the server's pid.
 */
async function detach(options: ServeOptions): Promise<number> {
  const { spawn } = await import('node:child_process');
  const args = [process.argv[1]!, 'claude-code', 'serve'];
  if (options.configPath !== undefined) args.push('--config', options.configPath);
  if (options.idleMs !== undefined) args.push('--idle', String(options.idleMs));
  if (options.verbose) args.push('--verbose');
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, HOOKSPELL_SERVE_DETACHED: '1' },
  });
  return new Promise<number>((resolve) => {
    let err = '';
    const done = (code: number, line: string) => {
      child.stderr!.removeAllListeners();
      child.stderr!.destroy();
      child.removeAllListeners('exit');
      child.unref();
      process.stderr.write(line);
      resolve(code);
    };
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk;
      if (err.includes('listening on')) done(ExitCode.OK, `${err.trim()} (pid ${child.pid})\n`);
    });
    child.on('exit', (code) => done(code === 0 || code === null ? ExitCode.USAGE : code, err));
  });
}
