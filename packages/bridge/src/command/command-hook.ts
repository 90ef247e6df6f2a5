import { type ChildProcess, spawn } from 'node:child_process';
import { type HookContext, type HookFunction, HookResult } from '@hookspell/hooks';
import { toHookResult } from '../results.js';
import { CommandError, CommandErrorCode } from './command-error.js';
import { killMarked, newRunMark, RUN_MARK_VAR } from './kill-tree.js';
import { parseCommand } from './parse-command.js';

export interface CommandHookOptions {
  /**
   * The program and its arguments: an array (used as is) or a command line split into words
   * without any expansion (see `parseCommand`). Context data is never interpolated into it.
   */
  command: string | readonly string[];
  /** Run `command` (a string) through `/bin/sh -c`. Off unless you ask. @default false */
  shell?: boolean;
  cwd?: string;
  /** Extra environment variables (the host's environment is inherited). */
  env?: Record<string, string>;
  /**
   * Kill the process tree after this long even when no executor timeout applies.
   * The executor's per-hook timeout aborts the hook's signal, which kills it too.
   */
  timeoutMs?: number;
  /** Largest stdout accepted; past it the program is killed and the hook fails. @default 1 MiB */
  maxOutputBytes?: number;
  /** How much of stderr is kept for reasons and errors (the tail). @default 64 KiB */
  maxStderrBytes?: number;
}

const DEFAULT_MAX_OUTPUT = 1024 * 1024;
const DEFAULT_MAX_STDERR = 64 * 1024;
/** After a kill, how long stdout/stderr may stay open (held by a survivor) before we close them. */
const KILL_DRAIN_MS = 200;

/**
 * An external program as a hook. It gets the hook context as JSON on stdin and in `HOOKSPELL_*`
 * environment variables, and answers with a result object on stdout (`{"type":"cancel",
 * "reason":"…"}`; snake_case or camelCase fields) or nothing (= continue). Exit code 2 means
 * cancel with stderr as the reason; any other non-zero exit is an error record carrying stderr.
 * A timeout or an abort kills the program's whole process tree, so no grandchild outlives it:
 * its process group, and (on Linux) every process started with this run's mark in its
 * environment (`HOOKSPELL_HOOK_RUN`), which finds the ones that left the group with `setsid`.
 *
 * @example
 * registry.register('BeforeToolExecution', commandHook({ command: './policies/deny-shell.sh' }), {
 *   name: 'deny-shell', language: 'command', timeoutMs: 2_000,
 * });
 */
export function commandHook(options: CommandHookOptions): HookFunction {
  const argv = resolveArgv(options);
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const maxStderr = options.maxStderrBytes ?? DEFAULT_MAX_STDERR;
  const run = (ctx: HookContext, signal: AbortSignal) =>
    runCommand(argv, options, ctx, signal, maxOutput, maxStderr);
  // Two parameters: the executor then gives this hook its own AbortSignal (per-hook timeouts).
  return (ctx, signal) => run(ctx, signal);
}

function resolveArgv(options: CommandHookOptions): string[] {
  const { command, shell } = options;
  if (shell) {
    if (typeof command !== 'string' || command.trim() === '') {
      throw new CommandError(
        CommandErrorCode.INVALID_COMMAND,
        '`shell: true` needs `command` as a non-empty string.',
      );
    }
    return ['/bin/sh', '-c', command];
  }
  if (typeof command === 'string') return parseCommand(command);
  if (!Array.isArray(command) || command.length === 0 || command.some((w) => typeof w !== 'string')) {
    throw new CommandError(
      CommandErrorCode.INVALID_COMMAND,
      '`command` must be a command line or a non-empty array of strings.',
    );
  }
  return [...command];
}

/** The context as the program reads it on stdin. */
function contextJson(ctx: HookContext): string {
  return JSON.stringify({
    point: ctx.point,
    correlationId: ctx.correlationId,
    component: ctx.component,
    data: ctx.data,
    metadata: ctx.metadata,
    operation: ctx.operation,
    timestamp: ctx.timestamp,
  });
}

function contextEnv(
  ctx: HookContext,
  extra: Record<string, string> | undefined,
  runMark: string,
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...extra,
    [RUN_MARK_VAR]: runMark,
    HOOKSPELL_POINT: ctx.point,
    HOOKSPELL_CORRELATION_ID: ctx.correlationId,
    HOOKSPELL_COMPONENT_TYPE: ctx.component?.type ?? '',
    HOOKSPELL_COMPONENT_NAME: ctx.component?.name ?? '',
    HOOKSPELL_COMPONENT_ID: ctx.component?.id ?? '',
    HOOKSPELL_TIMESTAMP: String(ctx.timestamp),
  };
}

function runCommand(
  argv: string[],
  options: CommandHookOptions,
  ctx: HookContext,
  signal: AbortSignal,
  maxOutput: number,
  maxStderr: number,
): Promise<HookResult> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(
        new CommandError(
          CommandErrorCode.COMMAND_TIMEOUT,
          `${argv[0]} was not started: the hook was already aborted.`,
        ),
      );
      return;
    }
    // Marks this run's processes and every descendant of them (see kill-tree.ts).
    const run = newRunMark(process.env[RUN_MARK_VAR]);
    let child: ChildProcess;
    try {
      // detached: the program leads its own process group, so a kill reaches its children too.
      child = spawn(argv[0]!, argv.slice(1), {
        cwd: options.cwd,
        env: contextEnv(ctx, options.env, run.value),
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (cause) {
      reject(
        new CommandError(
          CommandErrorCode.COMMAND_NOT_STARTED,
          `Cannot start ${argv[0]}: ${(cause as Error).message}.`,
          { cause },
        ),
      );
      return;
    }
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let failure: CommandError | undefined;
    let timer: NodeJS.Timeout | undefined;
    let drain: NodeJS.Timeout | undefined;

    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    // A kill (timeout, abort, too much output): the group at once, then every marked process
    // that left it. 'close' waits for stdout/stderr to close, which a survivor holding them
    // (or, without /proc, one that could not be found) would delay for as long as it lives: past
    // a short grace for the last stderr bytes, our ends of the pipes are closed.
    const killTree = () => {
      killGroup();
      if (child.pid === undefined) return;
      void killMarked(run.mark).catch(() => {});
      drain ??= setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, KILL_DRAIN_MS);
    };
    const onAbort = () => {
      failure ??= new CommandError(
        CommandErrorCode.COMMAND_TIMEOUT,
        `${argv[0]} was stopped: ${abortText(signal)}; its process tree was killed.`,
        {
          stderr,
        },
      );
      killTree();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        failure ??= new CommandError(
          CommandErrorCode.COMMAND_TIMEOUT,
          `${argv[0]} ran longer than ${options.timeoutMs} ms; its process tree was killed.`,
          { stderr },
        );
        killTree();
      }, options.timeoutMs);
    }

    child.stdout!.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxOutput) {
        failure ??= new CommandError(
          CommandErrorCode.COMMAND_OUTPUT_TOO_LARGE,
          `${argv[0]} printed more than ${maxOutput} bytes on stdout; it was killed. Print only the result object, or raise \`maxOutputBytes\`.`,
        );
        killTree();
        return;
      }
      stdout.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (stderr.length > maxStderr) stderr = stderr.slice(-maxStderr);
    });
    // A program that does not read its stdin closes the pipe early: that is fine.
    child.stdin!.on('error', () => {});
    child.stdin!.end(contextJson(ctx));

    child.on('error', (cause: NodeJS.ErrnoException) => {
      failure ??= new CommandError(
        CommandErrorCode.COMMAND_NOT_STARTED,
        `Cannot start ${argv[0]} (${cause.code ?? cause.message}). Check the path and that it is executable.`,
        { cause },
      );
    });
    child.on('exit', () => {
      // Background children of a finished command must not outlive it either.
      killGroup();
    });
    child.on('close', (code, killedBy) => {
      signal.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
      if (drain) clearTimeout(drain);
      const reason = stderr.trim();
      if (failure) return reject(failure);
      if (code === 2) return resolve(HookResult.cancel(reason || `${argv[0]} exited with code 2`));
      if (code !== 0) {
        return reject(
          new CommandError(
            CommandErrorCode.COMMAND_FAILED,
            `${argv[0]} ${killedBy ? `was killed by ${killedBy}` : `exited with code ${code}`}${reason ? `: ${reason.slice(-500)}` : ''}`,
            { exitCode: code, stderr },
          ),
        );
      }
      const text = Buffer.concat(stdout).toString('utf8').trim();
      if (text === '') return resolve(HookResult.continue());
      let parsed: unknown;
      try {
        parsed = text === 'continue' ? 'continue' : JSON.parse(text);
      } catch (cause) {
        return reject(
          new CommandError(
            CommandErrorCode.COMMAND_BAD_OUTPUT,
            `${argv[0]} printed something that is not a JSON result on stdout: ${JSON.stringify(text.slice(0, 200))}. Print a result object (e.g. {"type":"continue"}) or nothing.`,
            { cause, stderr },
          ),
        );
      }
      try {
        resolve(toHookResult(parsed, 'stdout'));
      } catch (cause) {
        reject(cause);
      }
    });
  });
}

function abortText(signal: AbortSignal): string {
  const reason = signal.reason as { message?: string } | undefined;
  return reason?.message ?? 'the hook was aborted';
}
