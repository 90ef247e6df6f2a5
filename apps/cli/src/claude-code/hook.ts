import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { ClaudeCodeEvent } from '@hookspell/bridge/claude-code';
import type { ComponentRef, HookInput, HookPoint, Operation } from '@hookspell/hooks';
import { loadConfigCached } from '../config/config-cache.js';
import { CONFIG_NAMES } from '../config/config-names.js';
import type { ResolvedConfig } from '../config/types.js';
import { errorDetail, errorLine } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { dirOf, findProjectConfig } from './project-config.js';
import { readStdin } from './stdin.js';
import { applyStopCap } from './stop-cap.js';

/** What `hookspell claude-code hook` writes and exits with: exactly what Claude Code reads. */
export interface HookReply {
  exitCode: 0 | 2;
  stdout: string;
  stderr: string;
}

export interface HookCommandOptions {
  /** `--config`: the config file (or its directory); else found from the input's `cwd` / `CLAUDE_PROJECT_DIR`. */
  configPath?: string;
  verbose?: boolean;
  debug?: boolean;
  /** Claude Code's stdin, read already (tests, the hook server); else process.stdin is read to its end. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Runtimes kept open between calls (the hook server): used instead of opening and closing one. */
  warm?: WarmRuntimes;
  /** When the call began (`performance.now()`), if before this one: the answer deadline counts from it. */
  startedAt?: number;
}

/** Open runtimes a long-lived process keeps, one per config (`hookspell claude-code serve`). */
export interface WarmRuntimes {
  /** The runtime for `config` (opened, or reopened when the config changed), held until `release`. */
  acquire(config: ResolvedConfig, warnings: string[]): Promise<{ runtime: Runtime; release(): void }>;
}

export { MAX_INPUT_BYTES } from './stdin.js';

/**
 * `hookspell claude-code hook`: one Claude Code hook call. Reads Claude Code's stdin, fires the
 * point its event maps to (CLAUDE_CODE_EVENT_INFO) through the project's hookspell config, with
 * `data` = the stdin object and the session id as correlation id, and answers with
 * `claudeCodeAnswer`'s exit code, stdout and stderr. Never throws: a failure of hookspell itself
 * is answered by {@link failureReply} (docs/claude-code.md, "Claude Code runs hookspell").
 */
export async function claudeCodeHookCommand(options: HookCommandOptions = {}): Promise<HookReply> {
  const env = options.env ?? process.env;
  let stage: Stage = { event: undefined, point: undefined, failClosed: 'unknown', stopHookActive: false };
  current = () => stage;
  const warnings: string[] = [];
  try {
    // Started now, awaited when needed: module loading overlaps with reading stdin.
    void preload();
    const text = options.input ?? (await readStdin());
    const input = parseInput(text);
    const cc = await import('@hookspell/bridge/claude-code');
    const name = input.hook_event_name;
    if (!cc.isClaudeCodeEvent(name)) {
      // A newer Claude Code event has no hookspell point yet: nothing can be configured for it.
      return {
        exitCode: 0,
        stdout: '',
        stderr: `hookspell: no hookspell point for the Claude Code event ${JSON.stringify(name)}; no opinion.\n`,
      };
    }
    const event: ClaudeCodeEvent = name;
    const info = cc.CLAUDE_CODE_EVENT_INFO[event];
    stage = { ...stage, event, point: info.point, stopHookActive: input.stop_hook_active === true };
    // Claude Code kills a hook at its timeout and then lets the action go ahead, whatever the
    // point says: hookspell answers before that, as a failure of its own (see failureReply).
    const deadlineMs = answerDeadlineMs(info.timeoutSec);
    // A call a hook server could not finish is run here in the time it has left.
    const leftMs =
      options.startedAt === undefined ? deadlineMs : deadlineMs - (performance.now() - options.startedAt);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<HookReply>((resolve) => {
      timer = setTimeout(
        () =>
          resolve(
            failureReply(
              stage,
              `the hooks did not finish within ${deadlineMs / 1000} s (Claude Code's ${info.timeoutSec} s timeout for ${event}, less a margin to answer)`,
            ),
          ),
        Math.max(0, leftMs),
      );
    });
    try {
      return await Promise.race([late, fireAndAnswer(event, input, options, env, stage, warnings)]);
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    const detail = options.debug ? errorDetail(error) : errorLine(error);
    return failureReply(stage, detail);
  }
}

/** When hookspell answers at the latest: Claude Code's timeout for the event, less 10 % (at most 5 s). */
export function answerDeadlineMs(timeoutSec: number): number {
  return Math.round(timeoutSec * 1000 - Math.min(5000, timeoutSec * 100));
}

async function fireAndAnswer(
  event: ClaudeCodeEvent,
  input: Record<string, unknown>,
  options: HookCommandOptions,
  env: NodeJS.ProcessEnv,
  stage: Stage,
  warnings: string[],
): Promise<HookReply> {
  const cc = await import('@hookspell/bridge/claude-code');
  const info = cc.CLAUDE_CODE_EVENT_INFO[event];
  const given = options.configPath ?? findProjectConfig(input, env);
  const configPath = given === undefined ? undefined : resolve(given);
  if (configPath === undefined) {
    return {
      exitCode: 0,
      stdout: '',
      stderr: `hookspell: no ${CONFIG_NAMES[1]} (or .json/.yml) in ${String(input.cwd ?? process.cwd())} or the project directory; no opinion.\n`,
    };
  }
  let config: ResolvedConfig;
  try {
    config = await loadConfigCached({ cwd: dirOf(configPath), configPath, env });
  } catch (error) {
    stage.failClosed = await rawFailClosed(configPath, info.point);
    throw error;
  }
  stage.failClosed = config.points[info.point]?.failClosed === true;
  if (options.warm !== undefined) {
    const held = await options.warm.acquire(config, warnings);
    try {
      return withWarnings(await answerOn(held.runtime, config, event, input), warnings);
    } finally {
      held.release();
    }
  }
  const runtime = await openHookRuntime(config, options, (line) => warnings.push(line));
  let reply: HookReply;
  try {
    reply = await answerOn(runtime, config, event, input);
  } catch (error) {
    await runtime.close().catch(() => {});
    throw error;
  }
  try {
    await runtime.close();
  } catch (error) {
    // The hooks ran and decided; what could not be stored is said, the decision stands.
    warnings.push(`the journal or event log could not be written: ${errorLine(error)}`);
  }
  return withWarnings(reply, warnings);
}

/** The runtime hook calls fire on, for `config`; its warnings and script log lines go to `warn`. */
export async function openHookRuntime(
  config: ResolvedConfig,
  options: Pick<HookCommandOptions, 'verbose'> & { longRun?: boolean },
  warn: (line: string) => void,
): Promise<Runtime> {
  const { Runtime } = await import('../runtime.js');
  // Engines compile WebAssembly (QuickJS): in a process this short, V8's background tier-up of
  // the module outlives the work and delays exit by 100–250 ms; baseline code is enough here.
  // A hook server lives long: it keeps V8's optimised code.
  if (options.longRun !== true) tuneWasmForShortRun();
  return Runtime.open(config, { verbose: options.verbose === true, warningLine: warn, logLine: warn });
}

/**
 * One call on an open runtime: fires the event's point with Claude Code's input (the session id
 * as correlation id) and answers as Claude Code reads it; Stop/SubagentStop blocks are capped.
 */
export async function answerOn(
  runtime: Runtime,
  config: ResolvedConfig,
  event: ClaudeCodeEvent,
  input: Record<string, unknown>,
): Promise<HookReply> {
  const cc = await import('@hookspell/bridge/claude-code');
  const info = cc.CLAUDE_CODE_EVENT_INFO[event];
  const sessionId =
    typeof input.session_id === 'string' && input.session_id !== '' ? input.session_id : undefined;
  const outcome = await runtime.executor.fire(info.point as HookPoint, fireInput(event, input, info.tool), {
    ...(sessionId !== undefined && { correlationId: sessionId }),
  });
  const answer = cc.claudeCodeAnswer(outcome, event);
  let reply: HookReply = { exitCode: answer.exitCode, stdout: answer.stdout, stderr: answer.stderr };
  if (event === 'Stop' || event === 'SubagentStop') {
    reply = await applyStopCap(runtime.storage, {
      reply,
      input,
      cap: config.points[info.point]?.stopBlockCap,
      sessionId: sessionId ?? outcome.correlationId,
    });
  }
  return reply;
}

let current: () => Stage = () => ({
  event: undefined,
  point: undefined,
  failClosed: 'unknown',
  stopHookActive: false,
});

/** What is known of the call in progress, for an error thrown outside it (see run-hook.ts). */
export function currentStage(): Stage {
  return current();
}

/** What is known of the call when something fails: the event, its point, and whether it fails closed. */
export interface Stage {
  event: ClaudeCodeEvent | undefined;
  point: string | undefined;
  /** `unknown`: the config could not be read, so its `failClosed` could not be either. */
  failClosed: boolean | 'unknown';
  stopHookActive: boolean;
}

/**
 * The answer when hookspell itself fails (its config cannot be read or is invalid, a hook file
 * does not load, storage cannot be opened, an internal error, Claude Code's input is not JSON):
 *
 * - the point is `failClosed` — or the config could not be read at all, so hookspell cannot tell
 *   whether it is (a typo must not switch a guard off) — : exit 2 with the reason on stderr, which
 *   blocks wherever the event can block (and is shown to the user where it cannot);
 * - else: exit 0 (no opinion, the action goes ahead) with the reason on stderr (Claude Code shows it
 *   in verbose mode);
 * - Stop/SubagentStop with `stop_hook_active`: exit 0 whatever the point says — hookspell's own
 *   failure keeps Claude going at most once in a row, never into a loop.
 */
export function failureReply(stage: Stage, reason: string): HookReply {
  const where = stage.point === undefined ? '' : ` at ${stage.point}`;
  const closed = stage.failClosed !== false;
  if (closed && !(stage.stopHookActive && (stage.event === 'Stop' || stage.event === 'SubagentStop'))) {
    const why =
      stage.failClosed === 'unknown'
        ? 'the config could not be read, so hookspell fails closed'
        : `${stage.point} is failClosed`;
    return {
      exitCode: 2,
      stdout: '',
      stderr: `hookspell failed${where} (${why}): ${reason}\n`,
    };
  }
  return {
    exitCode: 0,
    stdout: '',
    stderr: `hookspell: warning: hookspell failed${where}; no opinion (the point is not failClosed): ${reason}\n`,
  };
}

/**
 * Warnings (a breaker that opened, a settings file's skipped handler, a script's log line) go to
 * stderr after the answer — but only when exiting 0: on exit 2 Claude Code gives stderr to Claude
 * as the reason of the block, which must be the reason alone.
 */
function withWarnings(reply: HookReply, warnings: readonly string[]): HookReply {
  if (reply.exitCode === 2 || warnings.length === 0) return reply;
  return {
    ...reply,
    stderr: `${reply.stderr}${warnings.map((w) => (w.startsWith('[') ? `${w}\n` : `hookspell: warning: ${w}\n`)).join('')}`,
  };
}

function parseInput(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Claude Code's input (stdin) is not JSON (${(error as Error).message}); \`hookspell claude-code hook\` is run by Claude Code, which writes one JSON object`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error("Claude Code's input (stdin) must be a JSON object with hook_event_name");
  return value as Record<string, unknown>;
}

/**
 * `points.<point>.failClosed` of a config that failed to load, read as leniently as possible:
 * a config that parses but is invalid still says which points are guards. `unknown` when the
 * file cannot even be parsed.
 */
async function rawFailClosed(configPath: string, point: string): Promise<boolean | 'unknown'> {
  try {
    const { readFileSync, statSync } = await import('node:fs');
    let file = resolve(configPath);
    if (statSync(file).isDirectory()) {
      const name = CONFIG_NAMES.find((n) => existsSync(join(file, n)));
      if (name === undefined) return 'unknown';
      file = join(file, name);
    }
    const { parse } = await import('yaml');
    const value = parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as {
      points?: Record<string, { failClosed?: unknown }>;
    };
    if (value === null || typeof value !== 'object') return 'unknown';
    return value.points?.[point]?.failClosed === true;
  } catch {
    return 'unknown';
  }
}

/**
 * The fire's input: `data` is Claude Code's stdin object as it is (hooks read `tool_name`,
 * `tool_input`, `prompt`, `stop_hook_active`… by Claude Code's names), the component is the tool
 * (tool events), the subagent (`agent_type`) or Claude Code itself, and a tool call is also the
 * fire's operation (id `tool_use_id`, parameters `tool_input`, result `tool_response`).
 */
export function fireInput(event: ClaudeCodeEvent, input: Record<string, unknown>, tool: boolean): HookInput {
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  let component: ComponentRef = { type: 'system', name: 'claude-code' };
  let operation: Operation | undefined;
  if (tool && text(input.tool_name)) {
    component = { type: 'tool', name: text(input.tool_name)! };
    const params = input.tool_input;
    operation = {
      type: 'tool',
      id: text(input.tool_use_id) ?? 'tool-call',
      ...(params !== null && typeof params === 'object' && !Array.isArray(params)
        ? { parameters: params as Record<string, unknown> }
        : {}),
      ...(input.tool_response !== undefined && { result: input.tool_response }),
      ...(input.error !== undefined && { error: input.error }),
    };
  } else if (text(input.agent_type)) {
    component = { type: 'agent', name: text(input.agent_type)! };
  } else if (event === 'UserPromptSubmit' || event === 'Stop') {
    component = { type: 'agent', name: 'claude-code' };
  }
  const metadata: Record<string, string> = { hook_event_name: event };
  for (const key of ['session_id', 'transcript_path', 'cwd', 'permission_mode', 'prompt_id', 'agent_id'])
    if (text(input[key])) metadata[key] = input[key] as string;
  return { component, data: input, metadata, ...(operation && { operation }) };
}

let preloading: Promise<unknown> | undefined;
/** The modules every call that has a config needs; a failure here is met again where they are imported. */
function preload(): Promise<unknown> {
  preloading ??= Promise.all([import('@hookspell/bridge/claude-code'), import('../runtime.js')]).catch(
    () => {},
  );
  return preloading;
}

let tuned = false;
/** Baseline WebAssembly code only, no background recompilation (see the call site). */
function tuneWasmForShortRun(): void {
  if (tuned) return;
  tuned = true;
  // Read when a module is compiled; the engines compile theirs on first use, after this.
  setFlagsFromString('--no-wasm-tier-up');
  setFlagsFromString('--no-wasm-dynamic-tiering');
}
