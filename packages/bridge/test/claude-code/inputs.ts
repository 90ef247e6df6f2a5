/**
 * Claude Code stdin objects (reference §1.1–1.2): the common fields plus each event's own, exactly as
 * Claude Code sends them. The same object is given to the driver and, as `data`, to hookspell.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A project directory with a transcript file, shared by every case of a test file. */
export interface Workspace {
  /** The project (cwd, CLAUDE_PROJECT_DIR). */
  dir: string;
  /** Where plugin-style fixtures are reached from (CLAUDE_PLUGIN_ROOT). */
  pluginRoot: string;
  /** Writes a transcript JSONL and returns its path. */
  transcript(name: string, lastAssistantText: string): string;
  /** The default transcript (no TODO in the last answer). */
  transcriptPath: string;
}

/** Claude Code's placeholder, substituted by the runner (not by JavaScript). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Claude Code's own ${VAR} syntax
export const PLUGIN_ROOT = '${CLAUDE_PLUGIN_ROOT}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: Claude Code's own ${VAR} syntax
export const PROJECT_DIR = '${CLAUDE_PROJECT_DIR}';

export const FIXTURES = new URL('./fixtures/', import.meta.url).pathname.replace(/\/$/, '');
export const fixture = (name: string) => `${FIXTURES}/${name}`;

export function workspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'cc-compat-'));
  mkdirSync(join(dir, '.claude'), { recursive: true });
  writeFileSync(join(dir, '.claude', 'team-notes.txt'), 'release freeze on Friday');
  const transcript = (name: string, lastAssistantText: string) => {
    const file = join(dir, `${name}.jsonl`);
    const lines = [
      { type: 'user', sessionId: 'sess-1', message: { role: 'user', content: 'add a login form' } },
      {
        type: 'assistant',
        sessionId: 'sess-1',
        message: { role: 'assistant', content: [{ type: 'text', text: 'Working on it.' }] },
      },
      {
        type: 'assistant',
        sessionId: 'sess-1',
        message: { role: 'assistant', content: [{ type: 'text', text: lastAssistantText }] },
      },
    ];
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    return file;
  };
  return { dir, pluginRoot: FIXTURES, transcript, transcriptPath: transcript('transcript', 'All done.') };
}

type Fields = Record<string, unknown>;

function common(ws: Workspace, event: string, extra: Fields): Fields {
  return {
    session_id: 'sess-1',
    transcript_path: ws.transcriptPath,
    cwd: ws.dir,
    hook_event_name: event,
    permission_mode: 'default',
    ...extra,
  };
}

export function preToolUse(ws: Workspace, toolName: string, toolInput: Fields, extra: Fields = {}): Fields {
  return common(ws, 'PreToolUse', {
    prompt_id: '550e8400-e29b-41d4-a716-446655440000',
    effort: { level: 'high' },
    tool_name: toolName,
    tool_input: toolInput,
    tool_use_id: 'toolu_01ABC123',
    ...extra,
  });
}

export function bash(ws: Workspace, command: string, extra: Fields = {}): Fields {
  return preToolUse(
    ws,
    'Bash',
    { command, description: 'Run a command', timeout: 120000, run_in_background: false },
    extra,
  );
}

export function postToolUse(
  ws: Workspace,
  toolName: string,
  toolInput: Fields,
  toolResponse: unknown,
): Fields {
  return common(ws, 'PostToolUse', {
    tool_name: toolName,
    tool_input: toolInput,
    tool_response: toolResponse,
    tool_use_id: 'toolu_01DEF456',
    duration_ms: 812,
  });
}

export function userPromptSubmit(ws: Workspace, prompt: string): Fields {
  return common(ws, 'UserPromptSubmit', { prompt });
}

export function stop(ws: Workspace, stopHookActive: boolean, transcriptPath = ws.transcriptPath): Fields {
  return common(ws, 'Stop', {
    transcript_path: transcriptPath,
    stop_hook_active: stopHookActive,
    last_assistant_message: 'I made the change.',
    effort: { level: 'high' },
  });
}

export function sessionStart(ws: Workspace, source = 'startup'): Fields {
  const { permission_mode: _omitted, ...rest } = common(ws, 'SessionStart', {
    source,
    model: 'claude-sonnet-4-5',
  });
  return rest;
}
