import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError, CommandErrorCode } from '../command/command-error.js';
import type { ProcessRun } from '../command/run-process.js';
import { CLAUDE_CODE_EVENT_INFO, type ClaudeCodeEvent } from './events.js';

/** What one Claude Code hook answered, read exactly as Claude Code reads it. */
export interface HookAnswer {
  /** `block` (exit 2, deny, `decision: "block"`), a PreToolUse permission, or no opinion. */
  decision: 'block' | 'allow' | 'ask' | 'defer' | 'none';
  /** The block message or permission reason: the JSON's reason, else stderr. */
  reason?: string;
  additionalContext?: string;
  systemMessage?: string;
  /** PreToolUse / PermissionRequest: the whole new tool input. */
  updatedInput?: Record<string, unknown>;
  /** A value that replaces the event's output (updatedToolOutput, displayContent, a worktree path, an elicitation answer). */
  replacement?: { value: unknown };
  /** Keys the host may honour: sessionTitle, watchPaths, reloadSkills, initialUserMessage, suppressOriginalPrompt. */
  extras?: Record<string, unknown>;
  /** PermissionDenied: the model may retry. */
  retry?: boolean;
  /** `continue: false`: stop the whole session. */
  halt?: { stopReason?: string };
  exitCode: number;
}

/** Claude Code's cap on strings it passes on (additionalContext, systemMessage, plain stdout). */
export const TEXT_CAP = 10_000;
/** How much of an over-long text stays in place, before the path of the file holding all of it. */
const PREVIEW = 2_000;

const PERMISSIONS = new Set(['allow', 'deny', 'ask', 'defer']);
const EXTRA_KEYS = [
  'sessionTitle',
  'watchPaths',
  'reloadSkills',
  'initialUserMessage',
  'suppressOriginalPrompt',
];

/**
 * Reads one finished run the way Claude Code reads it (reference §2.1–2.4):
 * - exit 2 blocks wherever the event can block, whatever stdout says; the message is the JSON
 *   reason if there is one, else stderr;
 * - stdout is JSON only when its first non-whitespace character is `{` and it parses;
 * - another non-zero exit is a (non-blocking) failure unless stdout is valid JSON, which then
 *   decides alone; WorktreeCreate fails on any non-zero exit;
 * - a program that could not be started, or CPython's "can't open file" exit 2, is a launch
 *   failure — never a deliberate block (Claude Code issue #80697);
 * - `{}` and unknown keys are no opinion; strings are capped at 10 000 characters.
 * Failures throw a `CommandError` (the hook then gets an `error` or `timeout` record).
 */
export function readAnswer(event: ClaudeCodeEvent, run: ProcessRun, program: string): HookAnswer {
  if (run.launchError !== undefined) {
    throw new CommandError(
      CommandErrorCode.COMMAND_NOT_STARTED,
      `Cannot start ${program} (${run.launchError.code ?? run.launchError.message}). Check the path and that it is executable.`,
      { cause: run.launchError },
    );
  }
  if (run.timedOut || run.aborted) {
    throw new CommandError(
      CommandErrorCode.COMMAND_TIMEOUT,
      `${program} ${run.timedOut ? 'outlived its timeout' : 'was stopped (the hook was aborted)'}; its process tree was killed.`,
      { stderr: run.stderr },
    );
  }
  const code = run.exitCode ?? -1;
  const stderr = run.stderr.trim();
  if (code === 127 || code === 126 || (code === 2 && isInterpreterLaunchFailure(stderr))) {
    throw new CommandError(
      CommandErrorCode.COMMAND_NOT_STARTED,
      `${program} could not be started (exit ${code}${stderr ? `: ${stderr.slice(-300)}` : ''}). A missing or non-executable script is a launch failure, not a block. Check the path.`,
      { exitCode: code, stderr: run.stderr },
    );
  }
  const json = parseJsonObject(run.stdout);
  const info = CLAUDE_CODE_EVENT_INFO[event];
  const answer: HookAnswer = { decision: 'none', exitCode: code };
  if (code === 2) {
    // Exit 2 blocks and nothing in stdout overrides it: invalid JSON does not either (a guard
    // must not be switched off by a bad field), and only a blocking decision's reason replaces
    // stderr as the message.
    if (json !== undefined) {
      try {
        readJson(event, json, answer, program);
      } catch {
        // The JSON's fields are ignored; the exit code decides.
      }
    }
    if (info.block !== 'none') {
      const jsonReason = answer.decision === 'block' ? answer.reason : undefined;
      answer.decision = 'block';
      answer.reason = jsonReason ?? (stderr || `${program} exited with code 2`);
    }
    return answer;
  }
  if (code !== 0 && json === undefined) {
    if (event === 'WorktreeCreate') {
      return { decision: 'block', reason: stderr || `${program} exited with code ${code}`, exitCode: code };
    }
    throw new CommandError(
      CommandErrorCode.COMMAND_FAILED,
      `${program} ${run.exitCode === null ? 'was killed' : `exited with code ${code}`}${stderr ? `: ${stderr.slice(-500)}` : ''}`,
      { exitCode: run.exitCode, stderr: run.stderr },
    );
  }
  if (json !== undefined) {
    readJson(event, json, answer, program);
    return answer;
  }
  const text = run.stdout.trim();
  if (text === '') return answer;
  if (event === 'WorktreeCreate') {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    answer.replacement = { value: lines[lines.length - 1]!.trim() };
  } else if (info.plainStdoutIsContext) answer.additionalContext = capText(text, 'context');
  return answer;
}

function readJson(
  event: ClaudeCodeEvent,
  json: Record<string, unknown>,
  answer: HookAnswer,
  program: string,
): void {
  const invalid = (what: string): never => {
    throw new CommandError(
      CommandErrorCode.COMMAND_BAD_OUTPUT,
      `${program} answered with JSON that Claude Code would reject: ${what}. See docs/claude-code.md, "Output".`,
    );
  };
  if (json.continue === false) {
    answer.halt = typeof json.stopReason === 'string' ? { stopReason: json.stopReason } : {};
  }
  if (typeof json.systemMessage === 'string') answer.systemMessage = capText(json.systemMessage, 'message');
  const reason = typeof json.reason === 'string' ? json.reason : undefined;
  if (json.decision !== undefined) {
    if (json.decision === 'block') {
      if (CLAUDE_CODE_EVENT_INFO[event].block !== 'none') answer.decision = 'block';
      if (reason !== undefined) answer.reason = reason;
    } else if (json.decision === 'approve') {
      if (event === 'PreToolUse') answer.decision = 'allow';
      if (reason !== undefined) answer.reason = reason;
    } else if (json.decision !== null && json.decision !== undefined) {
      invalid(
        `\`decision\` must be "block" (or the deprecated "approve"); got ${JSON.stringify(json.decision)}`,
      );
    }
  }
  const specific = json.hookSpecificOutput;
  if (specific === undefined || specific === null) return;
  if (typeof specific !== 'object' || Array.isArray(specific))
    invalid('`hookSpecificOutput` must be an object');
  const out = specific as Record<string, unknown>;
  // It belongs to the event it names: one written for another event is ignored, as Claude Code
  // ignores it (a missing name is accepted — many 2025 scripts leave it out).
  if (typeof out.hookEventName === 'string' && out.hookEventName !== event) return;
  if (typeof out.additionalContext === 'string')
    answer.additionalContext = capText(out.additionalContext, 'context');
  switch (event) {
    case 'PreToolUse': {
      const p = out.permissionDecision;
      if (p !== undefined) {
        if (typeof p !== 'string' || !PERMISSIONS.has(p))
          invalid(
            `\`permissionDecision\` must be "allow", "deny", "ask" or "defer"; got ${JSON.stringify(p)}`,
          );
        answer.decision = p === 'deny' ? 'block' : (p as HookAnswer['decision']);
        if (typeof out.permissionDecisionReason === 'string') answer.reason = out.permissionDecisionReason;
      }
      if (out.updatedInput !== undefined)
        answer.updatedInput = objectOrInvalid(out.updatedInput, 'updatedInput', invalid);
      break;
    }
    case 'PermissionRequest': {
      const d = out.decision;
      if (d !== undefined) {
        const decision = objectOrInvalid(d, 'decision', invalid);
        if (decision.behavior === 'allow') answer.decision = 'allow';
        else if (decision.behavior === 'deny') answer.decision = 'block';
        else
          invalid(
            `\`decision.behavior\` must be "allow" or "deny"; got ${JSON.stringify(decision.behavior)}`,
          );
        if (typeof decision.message === 'string') answer.reason = decision.message;
        if (decision.updatedInput !== undefined)
          answer.updatedInput = objectOrInvalid(decision.updatedInput, 'decision.updatedInput', invalid);
        if (decision.interrupt === true)
          answer.halt = { stopReason: answer.reason ?? 'interrupted by a permission hook' };
      }
      break;
    }
    case 'PermissionDenied':
      if (out.retry === true) answer.retry = true;
      break;
    case 'PostToolUse':
      if (out.updatedToolOutput !== undefined) answer.replacement = { value: out.updatedToolOutput };
      else if (out.updatedMCPToolOutput !== undefined)
        answer.replacement = { value: out.updatedMCPToolOutput };
      break;
    case 'MessageDisplay':
      if (typeof out.displayContent === 'string') answer.replacement = { value: out.displayContent };
      break;
    case 'WorktreeCreate':
      if (typeof out.worktreePath === 'string') answer.replacement = { value: out.worktreePath };
      break;
    case 'Elicitation':
    case 'ElicitationResult':
      if (typeof out.action === 'string')
        answer.replacement = { value: { action: out.action, content: out.content } };
      break;
  }
  for (const key of EXTRA_KEYS) {
    if (out[key] !== undefined) (answer.extras ??= {})[key] = out[key];
  }
}

function objectOrInvalid(
  value: unknown,
  what: string,
  invalid: (what: string) => never,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return invalid(`\`${what}\` must be an object (it replaces the whole tool input)`);
  return value as Record<string, unknown>;
}

/** stdout as a JSON object, or undefined: only when it starts with `{` (after whitespace) and parses. */
export function parseJsonObject(stdout: string): Record<string, unknown> | undefined {
  const text = stdout.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** CPython exits 2 when the script file is missing — the collision of Claude Code issue #80697. */
function isInterpreterLaunchFailure(stderr: string): boolean {
  return /can't open file .*\[Errno \d+\]/.test(stderr);
}

let spillDir: string | undefined;
let spills = 0;

/**
 * Claude Code's 10 000-character cap: a longer text is written to a file and replaced by its
 * first 2 000 characters and the file's path, so nothing is lost and the model's context stays small.
 */
export function capText(text: string, kind: string): string {
  if (text.length <= TEXT_CAP) return text;
  try {
    spillDir ??= join(tmpdir(), `hookspell-claude-code-${process.pid}`);
    mkdirSync(spillDir, { recursive: true });
    const file = join(spillDir, `${kind}-${++spills}.txt`);
    writeFileSync(file, text);
    return `${text.slice(0, PREVIEW)}\n… [${text.length} characters in all; the full text is in ${file}]`;
  } catch {
    return `${text.slice(0, TEXT_CAP)}\n… [${text.length - TEXT_CAP} characters dropped]`;
  }
}
