import type { HookContext, HookObject, HookResult } from '@hookspell/hooks';
import { CommandError, CommandErrorCode } from '../command/command-error.js';
import { runProcess } from '../command/run-process.js';
import {
  CLAUDE_CODE_EVENT_INFO,
  type ClaudeCodeEvent,
  eventForContext,
  isClaudeCodeEvent,
} from './events.js';
import { claudeCodeInput, sessionEnvFile, sessionIdOf, substitute } from './input.js';
import { compileIf, compileMatcher, type InputMatcher } from './matcher.js';
import { readAnswer } from './output.js';
import { sideChannelKey, writeSideChannel } from './side-channel.js';
import { toHookResult } from './to-result.js';
import { type TranscriptSource, writeTranscript } from './transcript.js';

export interface ClaudeCodeHookOptions {
  /**
   * Shell form (Claude Code's `command`): run through `sh -c` (`bash -c` with `shell: 'bash'`).
   * With `args`: the program to run directly (exec form, no shell).
   */
  command: string;
  /** Exec form: the program's arguments; no shell is involved. */
  args?: readonly string[];
  /** @default 'sh' */
  shell?: 'sh' | 'bash';
  /** Seconds, as in Claude Code. @default the event's (600; UserPromptSubmit 30; SessionEnd 1.5) */
  timeout?: number;
  /** The Claude Code event the script was written for. @default derived from the point fired */
  event?: ClaudeCodeEvent;
  /** Claude Code matcher: `''`/`'*'`/none = all, `Edit|Write` = exact names, else an unanchored regex. */
  matcher?: string;
  /** A permission rule such as `Bash(rm *)` (tool events only), best effort; unparsable rules run the hook. */
  if?: string;
  /** Working directory. @default `data.cwd`, else `process.cwd()` */
  cwd?: string;
  /** Added to the inherited environment. */
  env?: Record<string, string>;
  /** `CLAUDE_PROJECT_DIR`. @default the working directory */
  projectDir?: string;
  /** `CLAUDE_PLUGIN_ROOT` (also substituted as `${CLAUDE_PLUGIN_ROOT}` in command and args). */
  pluginRoot?: string;
  /** `CLAUDE_PLUGIN_DATA`. */
  pluginData?: string;
  /** The hook's name: also the key of its answer in `outcome.metadata` (`claude-code:<name>`). @default the command */
  name?: string;
  /** Bytes of stdout/stderr kept (the rest is read and dropped). @default 1 MiB */
  maxOutputBytes?: number;
  /**
   * Where a transcript for scripts that read `transcript_path` comes from when the host's data has
   * none: the hook journal (`HookJournal`), read by the fire's correlation id. Before each run the
   * session's generated transcript file is rewritten from it in Claude Code's JSONL shape (prompts,
   * tool uses and results, the turn's last message). Without it, that file stays empty.
   */
  transcript?: TranscriptSource;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;

/**
 * A Claude Code hook script as a hookspell hook, run unchanged: it gets exactly the stdin object
 * and environment Claude Code gives it, and its exit code and output are read exactly as Claude
 * Code reads them, then turned into a hookspell result (docs/claude-code.md has the tables).
 * Its full answer — including what a result cannot say, like allow versus no opinion — is kept in
 * `ctx.metadata['claude-code:<name>']`, which `claudeCodeAnswer(outcome, event)` merges.
 *
 * Register it with the timeout Claude Code would give it (`claudeCodeTimeoutMs`), or through
 * `registerClaudeSettings`, which does that for a whole settings file.
 *
 * @example
 * ```ts
 * const hook = claudeCodeHook({ command: '.claude/hooks/guard.sh', matcher: 'Bash', event: 'PreToolUse' });
 * registry.register('BeforeToolExecution', hook, { language: 'command', timeoutMs: claudeCodeTimeoutMs(hook) });
 * ```
 */
export function claudeCodeHook(options: ClaudeCodeHookOptions): HookObject & ClaudeCodeHookInfo {
  if (
    options === null ||
    typeof options !== 'object' ||
    typeof options.command !== 'string' ||
    options.command.trim() === ''
  ) {
    throw new CommandError(
      CommandErrorCode.INVALID_COMMAND,
      'claudeCodeHook() needs `command`: a shell command line (or, with `args`, the program to run).',
    );
  }
  if (options.event !== undefined && !isClaudeCodeEvent(options.event)) {
    throw new CommandError(
      CommandErrorCode.INVALID_COMMAND,
      `claudeCodeHook(): ${JSON.stringify(options.event)} is not a Claude Code hook event (PreToolUse, PostToolUse, UserPromptSubmit, Stop, SessionStart, …).`,
    );
  }
  if (options.timeout !== undefined && !(typeof options.timeout === 'number' && options.timeout > 0)) {
    throw new CommandError(
      CommandErrorCode.INVALID_COMMAND,
      `claudeCodeHook(): \`timeout\` is in seconds and must be > 0; got ${JSON.stringify(options.timeout)}.`,
    );
  }
  const name =
    options.name ?? (options.args ? [options.command, ...options.args].join(' ') : options.command);
  // Matchers compile once per event; the first fire of a point without `event` fixes its event.
  const matchers = new Map<ClaudeCodeEvent, { matcher?: InputMatcher; rule?: InputMatcher }>();
  const compiled = (event: ClaudeCodeEvent) => {
    let m = matchers.get(event);
    if (m === undefined) {
      m = {};
      const matcher = compileMatcher(event, options.matcher);
      const rule = compileIf(event, options.if);
      if (matcher) m.matcher = matcher;
      if (rule) m.rule = rule;
      matchers.set(event, m);
    }
    return m;
  };
  if (options.event !== undefined) compiled(options.event); // a bad matcher fails at creation
  const eventOf = (ctx: HookContext): ClaudeCodeEvent => {
    const event = options.event ?? eventForContext(ctx);
    if (event === undefined) {
      throw new CommandError(
        CommandErrorCode.INVALID_COMMAND,
        `hook '${name}' was fired at ${ctx.point}, which no Claude Code event maps to; give it \`event\`.`,
      );
    }
    return event;
  };
  const hook: HookObject & ClaudeCodeHookInfo = {
    name,
    event: options.event,
    timeoutSeconds: options.timeout,
    shouldExecute(ctx: HookContext): boolean {
      const fired = eventForContext(ctx);
      // Points shared by several events (BeforeAgentExecution: UserPromptSubmit and
      // SubagentStart; AfterAgentExecution: Stop and SubagentStop) run only their own event's hooks.
      if (options.event !== undefined && fired !== undefined && fired !== options.event) return false;
      const event = options.event ?? fired;
      if (event === undefined) return true; // execute() reports it
      const { matcher, rule } = compiled(event);
      if (matcher === undefined && rule === undefined) return true;
      const input = claudeCodeInput(event, ctx, cwdOf(options, ctx));
      return (matcher === undefined || matcher(input)) && (rule === undefined || rule(input));
    },
    async execute(ctx: HookContext, signal: AbortSignal): Promise<HookResult> {
      const event = eventOf(ctx);
      const cwd = cwdOf(options, ctx);
      const input = claudeCodeInput(event, ctx, cwd);
      if (options.transcript !== undefined && typeof ctx.data.transcript_path !== 'string')
        await refreshTranscript(options.transcript, ctx, cwd, input.transcript_path as string);
      const vars = claudeCodeEnv(event, options, cwd, sessionIdOf(ctx));
      const argv = argvOf(options, vars);
      const timeoutSec = options.timeout ?? CLAUDE_CODE_EVENT_INFO[event].timeoutSec;
      const run = await runProcess({
        argv,
        cwd,
        env: { ...process.env, ...options.env, ...vars },
        stdin: JSON.stringify(input),
        timeoutMs: timeoutSec * 1000,
        signal,
        maxBytes: options.maxOutputBytes ?? DEFAULT_MAX_BYTES,
      });
      const answer = readAnswer(event, run, options.args ? options.command : name);
      writeSideChannel(ctx, sideChannelKey(name), answer);
      return toHookResult(event, answer, ctx);
    },
  };
  return hook;
}

/**
 * A Claude Code `async: true` handler: started and not awaited, so the fire goes on at once; its
 * answer is ignored (Claude Code delivers an async hook's context on the next turn, which a single
 * fire does not have).
 */
export function asObserver(hook: HookObject): HookObject {
  return {
    ...hook,
    execute(ctx: HookContext, signal: AbortSignal) {
      void Promise.resolve(hook.execute(ctx, signal)).catch(() => {});
      return undefined;
    },
  };
}

/** What `claudeCodeHook` tells about itself, read by registration helpers. */
export interface ClaudeCodeHookInfo {
  readonly name: string;
  readonly event: ClaudeCodeEvent | undefined;
  readonly timeoutSeconds: number | undefined;
}

/** The timeout to register a Claude Code hook with, ms: its own, else its event's default (600 s). */
export function claudeCodeTimeoutMs(hook: ClaudeCodeHookInfo, event?: ClaudeCodeEvent): number {
  const e = hook.event ?? event;
  return (hook.timeoutSeconds ?? (e === undefined ? 600 : CLAUDE_CODE_EVENT_INFO[e].timeoutSec)) * 1000;
}

/**
 * Rewrites the generated transcript from the journal. A journal that cannot be read leaves the file
 * as it was and says so (a process warning): the hook still runs, as Claude Code's would with a
 * transcript that lags.
 */
async function refreshTranscript(
  source: TranscriptSource,
  ctx: HookContext,
  cwd: string,
  file: string,
): Promise<void> {
  try {
    await writeTranscript(source, ctx.correlationId, sessionIdOf(ctx), cwd, file);
  } catch (error) {
    process.emitWarning(
      `[hookspell] [bridge] the transcript for session '${sessionIdOf(ctx)}' could not be built from the journal (${error instanceof Error ? error.message : String(error)}); ${file} is left as it was.`,
      { code: 'HOOKSPELL_TRANSCRIPT_UNAVAILABLE' },
    );
  }
}

function cwdOf(options: ClaudeCodeHookOptions, ctx: HookContext): string {
  if (options.cwd !== undefined) return options.cwd;
  const cwd = ctx.data.cwd;
  return typeof cwd === 'string' && cwd !== '' ? cwd : process.cwd();
}

/** The variables Claude Code sets for a hook process (and substitutes as `${NAME}`). */
function claudeCodeEnv(
  event: ClaudeCodeEvent,
  options: ClaudeCodeHookOptions,
  cwd: string,
  sessionId: string,
): Record<string, string> {
  const vars: Record<string, string> = {
    CLAUDE_PROJECT_DIR: options.projectDir ?? process.env.CLAUDE_PROJECT_DIR ?? cwd,
  };
  const pluginRoot = options.pluginRoot ?? process.env.CLAUDE_PLUGIN_ROOT;
  if (pluginRoot !== undefined) vars.CLAUDE_PLUGIN_ROOT = pluginRoot;
  const pluginData = options.pluginData ?? process.env.CLAUDE_PLUGIN_DATA;
  if (pluginData !== undefined) vars.CLAUDE_PLUGIN_DATA = pluginData;
  if (CLAUDE_CODE_EVENT_INFO[event].envFile)
    vars.CLAUDE_ENV_FILE = process.env.CLAUDE_ENV_FILE ?? sessionEnvFile(sessionId);
  return vars;
}

function argvOf(options: ClaudeCodeHookOptions, vars: Record<string, string>): string[] {
  const all = { ...options.env, ...vars };
  if (options.args !== undefined) {
    const program = substitute(options.command, all);
    return [program, ...options.args.map((a) => substitute(a, all))];
  }
  // Shell form: the shell expands `$VAR` itself; `${NAME}` of Claude Code's variables is
  // substituted first so that an unset variable in the shell's environment cannot leave it empty.
  const shell = options.shell === 'bash' ? 'bash' : '/bin/sh';
  return [shell, '-c', substitute(options.command, all)];
}
