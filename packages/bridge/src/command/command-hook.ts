import { type HookContext, type HookFunction, HookResult } from '@hookspell/hooks';
import { toHookResult } from '../results.js';
import { CommandError, CommandErrorCode } from './command-error.js';
import { parseCommand } from './parse-command.js';
import { runProcess } from './run-process.js';

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

function contextEnv(ctx: HookContext, extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...extra,
    HOOKSPELL_POINT: ctx.point,
    HOOKSPELL_CORRELATION_ID: ctx.correlationId,
    HOOKSPELL_COMPONENT_TYPE: ctx.component?.type ?? '',
    HOOKSPELL_COMPONENT_NAME: ctx.component?.name ?? '',
    HOOKSPELL_COMPONENT_ID: ctx.component?.id ?? '',
    HOOKSPELL_TIMESTAMP: String(ctx.timestamp),
  };
}

async function runCommand(
  argv: string[],
  options: CommandHookOptions,
  ctx: HookContext,
  signal: AbortSignal,
  maxOutput: number,
  maxStderr: number,
): Promise<HookResult> {
  if (signal.aborted) {
    throw new CommandError(
      CommandErrorCode.COMMAND_TIMEOUT,
      `${argv[0]} was not started: the hook was already aborted.`,
    );
  }
  // The run mark (kill-tree.ts) is added by runProcess; an outer run's mark is kept in front.
  const run = await runProcess({
    argv,
    cwd: options.cwd,
    env: contextEnv(ctx, options.env),
    stdin: contextJson(ctx),
    timeoutMs: options.timeoutMs,
    signal,
    maxBytes: maxOutput,
    maxStderrBytes: maxStderr,
    overflow: 'kill',
  });
  const { stderr } = run;
  if (run.launchError !== undefined) {
    throw new CommandError(
      CommandErrorCode.COMMAND_NOT_STARTED,
      `Cannot start ${argv[0]} (${run.launchError.code ?? run.launchError.message}). Check the path and that it is executable.`,
      { cause: run.launchError },
    );
  }
  if (run.overflowed) {
    throw new CommandError(
      CommandErrorCode.COMMAND_OUTPUT_TOO_LARGE,
      `${argv[0]} printed more than ${maxOutput} bytes on stdout; it was killed. Print only the result object, or raise \`maxOutputBytes\`.`,
    );
  }
  if (run.aborted) {
    throw new CommandError(
      CommandErrorCode.COMMAND_TIMEOUT,
      `${argv[0]} was stopped: ${abortText(signal)}; its process tree was killed.`,
      { stderr },
    );
  }
  if (run.timedOut) {
    throw new CommandError(
      CommandErrorCode.COMMAND_TIMEOUT,
      `${argv[0]} ran longer than ${options.timeoutMs} ms; its process tree was killed.`,
      { stderr },
    );
  }
  const code = run.exitCode;
  const reason = stderr.trim();
  if (code === 2) return HookResult.cancel(reason || `${argv[0]} exited with code 2`);
  if (code !== 0) {
    throw new CommandError(
      CommandErrorCode.COMMAND_FAILED,
      `${argv[0]} ${code === null ? 'was killed' : `exited with code ${code}`}${reason ? `: ${reason.slice(-500)}` : ''}`,
      { exitCode: code, stderr },
    );
  }
  const text = run.stdout.trim();
  if (text === '') return HookResult.continue();
  let parsed: unknown;
  try {
    parsed = text === 'continue' ? 'continue' : JSON.parse(text);
  } catch (cause) {
    throw new CommandError(
      CommandErrorCode.COMMAND_BAD_OUTPUT,
      `${argv[0]} printed something that is not a JSON result on stdout: ${JSON.stringify(text.slice(0, 200))}. Print a result object (e.g. {"type":"continue"}) or nothing.`,
      { cause, stderr },
    );
  }
  return toHookResult(parsed, 'stdout');
}

function abortText(signal: AbortSignal): string {
  const reason = signal.reason as { message?: string } | undefined;
  return reason?.message ?? 'the hook was aborted';
}
