/**
 * A test double of Claude Code's hook runner, written from the protocol reference
 * (/work/shared/reference/claude-code-hooks.md §1–2, cited as §x.y below) and NOT from hookspell's
 * implementation, so the two can be compared. It spawns each matching handler the way Claude Code
 * does, reads exit code / stdout / stderr with Claude Code's rules and merges several hooks' answers
 * into the same shape as `ClaudeCodeAnswer` (decision, reason, additionalContext, systemMessage,
 * updatedInput, halt).
 *
 * Where Claude Code itself is unspecified or racy the driver documents its pick:
 * - several `updatedInput`s: the hook that FINISHED LAST wins (Claude Code's observed race, #83353);
 * - several reasons / contexts / system messages: joined with "\n" in handler order;
 * - dedup: keyed on the UNEXPANDED command string plus args, as Claude Code does (#16954);
 * - `continue: false` is reported as `halt` beside the decision fields, which it does not change.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One command handler of a settings file (§2.8), plus a name for reports. */
export interface DriverHook {
  name: string;
  /** Shell form (run via `sh -c`, or `bash -c` with shell: 'bash'), or the program with `args`. */
  command: string;
  /** Exec form: no shell (v2.1.139). */
  args?: readonly string[];
  shell?: 'sh' | 'bash';
  /** Seconds (§2.6). Default 600, UserPromptSubmit 30, SessionEnd 1.5. */
  timeout?: number;
  matcher?: string;
  /** CLAUDE_PLUGIN_ROOT of the plugin this handler comes from (overrides the driver option). */
  pluginRoot?: string;
}

export interface DriverOptions {
  /** Working directory of the hook processes. Default: input.cwd. */
  cwd?: string;
  projectDir?: string;
  pluginRoot?: string;
  pluginData?: string;
  /** CLAUDE_ENV_FILE for SessionStart/Setup/CwdChanged/FileChanged. Default: a fresh temp file. */
  envFile?: string;
  env?: Record<string, string>;
  /** Apply Claude Code's dedup on the unexpanded command string (§2.5). Default true. */
  dedup?: boolean;
}

/** What one process did. */
export interface HookRun {
  name: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** spawn() failed (exec form: missing program, not executable). */
  launchError?: string;
  /** Order in which the processes finished, from 0. */
  finishOrder: number;
  /** Whether writing stdin failed with EPIPE (tolerated). */
  epipe: boolean;
}

export type DriverDecision = 'block' | 'allow' | 'ask' | 'defer' | 'none';

/** How Claude Code reads one hook's run (§2.1–2.4). */
export interface HookVerdict {
  name: string;
  /** no-opinion: exit 0 without a decision; error: non-blocking error; timeout: killed, discarded. */
  status: 'ok' | 'error' | 'timeout';
  decision: DriverDecision;
  reason?: string;
  additionalContext?: string;
  systemMessage?: string;
  updatedInput?: Record<string, unknown>;
  halt?: { stopReason?: string };
  finishOrder: number;
}

/** The merged answer, the same shape as hookspell's ClaudeCodeAnswer (minus its transport fields). */
export interface DriverAnswer {
  decision: DriverDecision;
  reason?: string;
  additionalContext?: string;
  systemMessage?: string;
  updatedInput?: Record<string, unknown>;
  halt?: { stopReason?: string };
}

export interface DriverResult {
  answer: DriverAnswer;
  runs: HookRun[];
  verdicts: HookVerdict[];
}

/** §2.2: strings are capped at 10 000 characters. */
export const OUTPUT_CAP = 10_000;

/** Events where exit 2 blocks (§1.2, REF "Exit code 2 behavior per event"). */
const EXIT2_BLOCKS = new Set([
  'PreToolUse',
  'UserPromptSubmit',
  'UserPromptExpansion',
  'Stop',
  'SubagentStop',
  'TeammateIdle',
  'TaskCreated',
  'TaskCompleted',
  'ConfigChange',
  'PostToolBatch',
  'PreCompact',
  'PreModelSwitch',
]);
/** Events where exit 2 shows stderr to Claude as feedback (the tool already ran). */
const EXIT2_FEEDBACK = new Set(['PostToolUse', 'PostToolUseFailure']);
/** Events that honour a top-level `decision: "block"` (§2.4). */
const TOP_LEVEL_BLOCK = new Set([
  'UserPromptSubmit',
  'UserPromptExpansion',
  'PostToolUse',
  'PostToolUseFailure',
  'PostToolBatch',
  'Stop',
  'SubagentStop',
  'ConfigChange',
  'PreCompact',
  'TaskCreated',
]);
/** Events whose plain stdout (exit 0) becomes context (§2.1). */
const PLAIN_STDOUT_CONTEXT = new Set([
  'UserPromptSubmit',
  'UserPromptExpansion',
  'SessionStart',
  'PostModelSwitch',
]);
/** Events that take `hookSpecificOutput.additionalContext` (§2.4). */
const TAKES_CONTEXT = new Set([
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
  'PostToolBatch',
  'UserPromptSubmit',
  'UserPromptExpansion',
  'Stop',
  'SubagentStop',
  'SessionStart',
  'Setup',
  'SubagentStart',
]);
/** Events that get CLAUDE_ENV_FILE (§1.1). */
const ENV_FILE_EVENTS = new Set(['SessionStart', 'Setup', 'CwdChanged', 'FileChanged']);
/** Which input field a matcher is tested against (§1.2). */
const MATCHER_FIELD: Record<string, string> = {
  PreToolUse: 'tool_name',
  PermissionRequest: 'tool_name',
  PermissionDenied: 'tool_name',
  PostToolUse: 'tool_name',
  PostToolUseFailure: 'tool_name',
  SessionStart: 'source',
  SessionEnd: 'reason',
  PreCompact: 'trigger',
  PostCompact: 'trigger',
  Setup: 'trigger',
  SubagentStart: 'agent_type',
  SubagentStop: 'agent_type',
  Notification: 'notification_type',
  ConfigChange: 'source',
};

const PERMISSION_DECISIONS = new Set(['allow', 'deny', 'ask', 'defer']);
const RANK: Record<DriverDecision, number> = { none: 0, allow: 1, ask: 2, defer: 3, block: 4 };

/** §2.6: default timeout in seconds. */
export function defaultTimeoutSeconds(event: string): number {
  if (event === 'SessionEnd') return 1.5;
  if (event === 'UserPromptSubmit' || event === 'PreModelSwitch' || event === 'PostModelSwitch') return 30;
  if (event === 'MessageDisplay') return 10;
  return 600;
}

/** §2.7: '', '*' or absent = all; only [A-Za-z0-9_ ,|-] = exact names; else an unanchored JS regex. */
export function matches(matcher: string | undefined, value: unknown): boolean {
  if (matcher === undefined || matcher === '' || matcher === '*') return true;
  const name = typeof value === 'string' ? value : '';
  if (/^[A-Za-z0-9_ ,|-]+$/.test(matcher)) {
    return matcher
      .split(/[|,]/)
      .map((s) => s.trim())
      .includes(name);
  }
  try {
    return new RegExp(matcher).test(name);
  } catch {
    return false;
  }
}

/** Claude Code substitutes its own ${VAR}s in command and args; the rest is left to the shell. */
function substitute(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(/\$\{(CLAUDE_PROJECT_DIR|CLAUDE_PLUGIN_ROOT|CLAUDE_PLUGIN_DATA)\}/g, (whole, name) => {
    const value = vars[name];
    return value === undefined ? whole : value;
  });
}

/** Runs the handlers for one event like Claude Code: dedup, matcher, all in parallel, then merge. */
export async function runClaudeCode(
  event: string,
  input: Record<string, unknown>,
  hooks: readonly DriverHook[],
  options: DriverOptions = {},
): Promise<DriverResult> {
  const field = MATCHER_FIELD[event];
  const seen = new Set<string>();
  const selected: DriverHook[] = [];
  for (const hook of hooks) {
    if (field !== undefined && !matches(hook.matcher, input[field])) continue;
    const key = JSON.stringify([hook.command, hook.args ?? null]);
    if (options.dedup !== false && seen.has(key)) continue;
    seen.add(key);
    selected.push(hook);
  }
  const stdin = JSON.stringify(input);
  let finished = 0;
  const runs = await Promise.all(
    selected.map((hook) =>
      runOne(event, hook, stdin, input, options).then((r) => ({ ...r, finishOrder: finished++ })),
    ),
  );
  const verdicts = runs.map((run) => interpret(event, run));
  return { answer: merge(verdicts), runs, verdicts };
}

function runOne(
  event: string,
  hook: DriverHook,
  stdin: string,
  input: Record<string, unknown>,
  options: DriverOptions,
): Promise<Omit<HookRun, 'finishOrder'>> {
  const cwd = options.cwd ?? (typeof input.cwd === 'string' ? input.cwd : process.cwd());
  const pluginRoot = hook.pluginRoot ?? options.pluginRoot;
  const vars: Record<string, string | undefined> = {
    CLAUDE_PROJECT_DIR: options.projectDir ?? cwd,
    CLAUDE_PLUGIN_ROOT: pluginRoot,
    CLAUDE_PLUGIN_DATA: options.pluginData,
  };
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('OTEL_')) env[k] = v;
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
  if (ENV_FILE_EVENTS.has(event)) {
    env.CLAUDE_ENV_FILE =
      options.envFile ?? join(mkdtempSync(join(tmpdir(), 'cc-driver-env-')), 'claude-env.sh');
  }
  Object.assign(env, options.env);

  const command = substitute(hook.command, vars);
  const child =
    hook.args !== undefined
      ? spawn(
          command,
          hook.args.map((a) => substitute(a, vars)),
          { cwd, env, detached: true, stdio: 'pipe' },
        )
      : spawn(hook.shell === 'bash' ? 'bash' : 'sh', ['-c', command], {
          cwd,
          env,
          detached: true,
          stdio: 'pipe',
        });

  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let epipe = false;
    let launchError: string | undefined;
    let settled = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (stdout += c));
    child.stderr.on('data', (c: string) => (stderr += c));
    // Each child gets the full input then EOF; a child that does not read it is not an error (#42702, EPIPE).
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') epipe = true;
    });
    child.stdin.end(stdin);
    const seconds = hook.timeout ?? defaultTimeoutSeconds(event);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, seconds * 1000);
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        name: hook.name,
        exitCode,
        signal,
        stdout,
        stderr,
        timedOut,
        epipe,
        ...(launchError !== undefined && { launchError }),
      });
    };
    child.on('error', (error) => {
      launchError = error.message;
      finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** §2.2: a string over the cap is saved to a file and replaced by a preview and the path. */
export function capString(text: string): string {
  if (text.length <= OUTPUT_CAP) return text;
  const file = join(mkdtempSync(join(tmpdir(), 'cc-driver-output-')), 'hook-output.txt');
  writeFileSync(file, text);
  return `${text.slice(0, 2_000)}\n... [${text.length} characters; full output saved to ${file}]`;
}

type Parsed = { kind: 'json'; value: Record<string, unknown> } | { kind: 'text'; text: string };

/** §2.2: first non-whitespace `{` → JSON; invalid JSON (or not an object) → plain text. */
export function parseStdout(stdout: string): Parsed {
  const trimmed = stdout.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        return { kind: 'json', value: value as Record<string, unknown> };
      }
    } catch {
      // plain text
    }
  }
  return { kind: 'text', text: stdout };
}

const isString = (v: unknown) => v === undefined || typeof v === 'string';
const isBool = (v: unknown) => v === undefined || typeof v === 'boolean';
const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** §2.2–2.4: the known fields must have the right types; unknown keys are ignored, not invalid. */
export function schemaValid(event: string, json: Record<string, unknown>): boolean {
  if (!isBool(json.continue) || !isString(json.stopReason) || !isBool(json.suppressOutput)) return false;
  if (!isString(json.systemMessage) || !isString(json.reason)) return false;
  if (json.decision !== undefined && json.decision !== 'approve' && json.decision !== 'block') return false;
  const specific = json.hookSpecificOutput;
  if (specific === undefined) return true;
  if (!isObject(specific) || specific.hookEventName !== event) return false;
  if (
    specific.permissionDecision !== undefined &&
    !PERMISSION_DECISIONS.has(specific.permissionDecision as string)
  )
    return false;
  if (!isString(specific.permissionDecisionReason) || !isString(specific.additionalContext)) return false;
  if (specific.updatedInput !== undefined && !isObject(specific.updatedInput)) return false;
  return true;
}

/** How Claude Code reads one run (§2.1–2.4). */
export function interpret(event: string, run: HookRun): HookVerdict {
  const base = { name: run.name, finishOrder: run.finishOrder };
  // §2.6: a timed-out hook is cancelled, its output discarded, no decision.
  if (run.timedOut) return { ...base, status: 'timeout', decision: 'none' };
  // §2.1: a hook that cannot start is a non-blocking error (exec form: spawn fails; shell form: 127/126).
  if (run.launchError !== undefined || run.exitCode === null)
    return { ...base, status: 'error', decision: 'none' };

  const parsed = parseStdout(run.stdout);
  const json = parsed.kind === 'json' && schemaValid(event, parsed.value) ? parsed.value : undefined;
  const exit2 = run.exitCode === 2;

  if (exit2 && (EXIT2_BLOCKS.has(event) || EXIT2_FEEDBACK.has(event))) {
    // §2.1 (2026): exit 2 blocks whatever the JSON says; the message is the JSON's blocking reason, else stderr.
    const fromJson = json === undefined ? undefined : blockingReason(event, json);
    const verdict: HookVerdict = {
      ...base,
      status: 'ok',
      decision: 'block',
      reason: fromJson ?? run.stderr.trim(),
    };
    if (json !== undefined) addFields(event, json, verdict, false);
    return verdict;
  }
  if (run.exitCode !== 0 && !exit2) {
    // Other codes: schema-valid JSON alone decides; anything else is a non-blocking error.
    if (json === undefined) return { ...base, status: 'error', decision: 'none' };
  }
  if (exit2) {
    // Exit 2 on an event that cannot block: stderr to the user only; JSON still read.
    const verdict: HookVerdict = { ...base, status: 'ok', decision: 'none' };
    if (json !== undefined) readJson(event, json, verdict);
    return verdict;
  }
  if (parsed.kind === 'json' && json === undefined) {
    // Parsed but fails the schema: non-blocking error.
    return { ...base, status: 'error', decision: 'none' };
  }
  const verdict: HookVerdict = { ...base, status: 'ok', decision: 'none' };
  if (json !== undefined) {
    readJson(event, json, verdict);
  } else if (parsed.kind === 'text' && PLAIN_STDOUT_CONTEXT.has(event)) {
    const text = run.stdout.trim();
    if (text !== '') verdict.additionalContext = capString(text);
  }
  return verdict;
}

/** The reason of a blocking decision in the JSON, if it makes one. */
function blockingReason(event: string, json: Record<string, unknown>): string | undefined {
  const specific = isObject(json.hookSpecificOutput) ? json.hookSpecificOutput : undefined;
  if (event === 'PreToolUse') {
    if (specific?.permissionDecision === 'deny')
      return str(specific.permissionDecisionReason) ?? str(json.reason);
    if (specific?.permissionDecision === undefined && json.decision === 'block') return str(json.reason);
    return undefined;
  }
  if (json.decision === 'block') return str(json.reason);
  return undefined;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

function readJson(event: string, json: Record<string, unknown>, verdict: HookVerdict): void {
  const specific = isObject(json.hookSpecificOutput) ? json.hookSpecificOutput : undefined;
  if (event === 'PreToolUse') {
    // 2026 field first; the deprecated top-level approve/block maps to allow/deny (§2.4).
    const pd = specific?.permissionDecision as string | undefined;
    if (pd !== undefined) {
      verdict.decision = pd === 'deny' ? 'block' : (pd as DriverDecision);
      const reason = str(specific?.permissionDecisionReason) ?? str(json.reason);
      if (reason !== undefined && pd !== 'defer') verdict.reason = reason;
    } else if (json.decision === 'approve' || json.decision === 'block') {
      verdict.decision = json.decision === 'approve' ? 'allow' : 'block';
      const reason = str(json.reason);
      if (reason !== undefined) verdict.reason = reason;
    }
  } else if (TOP_LEVEL_BLOCK.has(event) && json.decision === 'block') {
    verdict.decision = 'block';
    const reason = str(json.reason);
    if (reason !== undefined) verdict.reason = reason;
  }
  addFields(event, json, verdict, true);
}

function addFields(
  event: string,
  json: Record<string, unknown>,
  verdict: HookVerdict,
  withInput: boolean,
): void {
  const specific = isObject(json.hookSpecificOutput) ? json.hookSpecificOutput : undefined;
  const pd = specific?.permissionDecision;
  if (TAKES_CONTEXT.has(event) && typeof specific?.additionalContext === 'string' && pd !== 'defer') {
    verdict.additionalContext = capString(specific.additionalContext);
  }
  if (typeof json.systemMessage === 'string') verdict.systemMessage = capString(json.systemMessage);
  // updatedInput replaces the whole input; ignored with defer (and moot with deny).
  if (
    withInput &&
    event === 'PreToolUse' &&
    isObject(specific?.updatedInput) &&
    verdict.decision !== 'defer' &&
    verdict.decision !== 'block'
  ) {
    verdict.updatedInput = specific.updatedInput;
  }
  if (json.continue === false) {
    verdict.halt = typeof json.stopReason === 'string' ? { stopReason: json.stopReason } : {};
  }
}

/** §2.5: deny > defer > ask > allow; contexts all delivered; last-finished updatedInput; continue:false beats all. */
export function merge(verdicts: readonly HookVerdict[]): DriverAnswer {
  let decision: DriverDecision = 'none';
  for (const v of verdicts) if (RANK[v.decision] > RANK[decision]) decision = v.decision;
  const answer: DriverAnswer = { decision };
  const reasons = verdicts
    .filter((v) => v.decision === decision && v.reason !== undefined)
    .map((v) => v.reason!);
  if (decision !== 'none' && reasons.length > 0) answer.reason = reasons.join('\n');
  const contexts = verdicts.flatMap((v) => (v.additionalContext === undefined ? [] : [v.additionalContext]));
  if (contexts.length > 0) answer.additionalContext = contexts.join('\n');
  const messages = verdicts.flatMap((v) => (v.systemMessage === undefined ? [] : [v.systemMessage]));
  if (messages.length > 0) answer.systemMessage = messages.join('\n');
  if (decision !== 'block' && decision !== 'defer') {
    const rewrites = verdicts.filter((v) => v.updatedInput !== undefined);
    if (rewrites.length > 0) {
      const last = rewrites.reduce((a, b) => (b.finishOrder > a.finishOrder ? b : a));
      answer.updatedInput = last.updatedInput!;
    }
  }
  // continue:false stops Claude whatever the event decision says; the decision fields are kept as
  // they are (the contract's ClaudeCodeAnswer carries the halt beside the decision).
  const halted = verdicts.find((v) => v.halt !== undefined);
  if (halted !== undefined) answer.halt = halted.halt!;
  return answer;
}
