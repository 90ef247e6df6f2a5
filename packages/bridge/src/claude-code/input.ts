import { closeSync, mkdirSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HookContext } from '@hookspell/hooks';
import { CLAUDE_CODE_EVENT_INFO, type ClaudeCodeEvent } from './events.js';

/** Where a session's generated files live when the host gives none. */
function sessionDir(): string {
  const dir = join(tmpdir(), 'hookspell-claude-code');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 120);
}

/**
 * A transcript file for a session whose host gave none: an empty JSONL file (created once) that
 * scripts reading `transcript_path` can open — ralph-style loops and hookify read it. The CLI's
 * `claude-code hook` passes Claude Code's own path; `hookspell` writes one from its event log.
 */
export function generatedTranscript(sessionId: string): string {
  const file = join(sessionDir(), `${safeName(sessionId)}.jsonl`);
  closeSync(openSync(file, 'a'));
  return file;
}

/** The `CLAUDE_ENV_FILE` of a session (SessionStart, Setup, CwdChanged, FileChanged). */
export function sessionEnvFile(sessionId: string): string {
  const file = join(sessionDir(), `${safeName(sessionId)}.env`);
  closeSync(openSync(file, 'a'));
  return file;
}

/**
 * The stdin object Claude Code would send for this fire (reference §1.1–1.2): `ctx.data` itself —
 * hosts use Claude Code's field names — completed with the common fields it lacks. A tool point
 * falls back to the component's name and the operation's parameters, id and result.
 */
export function claudeCodeInput(
  event: ClaudeCodeEvent,
  ctx: HookContext,
  cwd: string,
): Record<string, unknown> {
  const data = ctx.data;
  const input: Record<string, unknown> = { ...data };
  const sessionId = sessionIdOf(ctx);
  input.session_id = sessionId;
  if (typeof input.transcript_path !== 'string') input.transcript_path = generatedTranscript(sessionId);
  if (typeof input.cwd !== 'string') input.cwd = cwd;
  input.hook_event_name = event;
  if (input.permission_mode === undefined && CLAUDE_CODE_EVENT_INFO[event].tool)
    input.permission_mode = 'default';
  if (CLAUDE_CODE_EVENT_INFO[event].tool) {
    if (input.tool_name === undefined && ctx.component.type === 'tool') input.tool_name = ctx.component.name;
    if (input.tool_input === undefined) input.tool_input = ctx.operation?.parameters ?? {};
    if (input.tool_use_id === undefined && ctx.operation?.id !== undefined)
      input.tool_use_id = ctx.operation.id;
    if (
      (event === 'PostToolUse' || event === 'PostToolBatch') &&
      input.tool_response === undefined &&
      ctx.operation?.result !== undefined
    )
      input.tool_response = ctx.operation.result;
    if (event === 'PostToolUseFailure' && input.error === undefined && ctx.operation?.error !== undefined)
      input.error = String(ctx.operation.error);
  }
  if ((event === 'Stop' || event === 'SubagentStop') && input.stop_hook_active === undefined)
    input.stop_hook_active = false;
  // Context appended by earlier hookspell hooks is ours, not Claude Code's input.
  delete input.additionalContext;
  return input;
}

/** The session a fire belongs to: data.session_id, else metadata.session_id, else the correlation id. */
export function sessionIdOf(ctx: HookContext): string {
  const fromData = ctx.data.session_id;
  if (typeof fromData === 'string' && fromData !== '') return fromData;
  const fromMeta = ctx.metadata.session_id;
  if (typeof fromMeta === 'string' && fromMeta !== '') return fromMeta;
  return ctx.correlationId;
}

/** `${VAR}` and `$VAR`-free substitution: only `${NAME}` placeholders, from `vars` then the environment. */
export function substitute(text: string, vars: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    const value = vars[name] ?? process.env[name];
    return value ?? whole;
  });
}
