import { renameSync, writeFileSync } from 'node:fs';

/**
 * What a transcript is built from: a store of recorded hook executions by correlation — the hook
 * journal (`HookJournal` of `@hookspell/journal` has this method). Typed by shape so the bridge does
 * not depend on the journal package.
 */
export interface TranscriptSource {
  byCorrelation(correlationId: string): Promise<readonly TranscriptEntry[]>;
}

/** The parts of a journal entry a transcript reads. */
export interface TranscriptEntry {
  readonly fireId: string;
  readonly index: number;
  readonly point: string;
  readonly startedAt: number;
  readonly context: { readonly data: Readonly<Record<string, unknown>> };
}

/** One line of a Claude Code transcript (JSONL), the fields hook scripts read. */
export interface TranscriptLine {
  type: 'user' | 'assistant';
  uuid: string;
  parentUuid: string | null;
  sessionId: string;
  timestamp: string;
  cwd: string;
  message: { role: 'user' | 'assistant'; content: string | Record<string, unknown>[] };
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * The message a recorded fire stands for in Claude Code's transcript, from the data its first hook
 * saw (hosts use Claude Code's field names): a prompt (`BeforeAgentExecution` with `prompt`) is a
 * user message; a tool call (`BeforeToolExecution`) an assistant `tool_use`; its result
 * (`AfterToolExecution`, `ToolError`) a user `tool_result`; the end of a turn
 * (`AfterAgentExecution` with `last_assistant_message`, `response` or `text`) an assistant text.
 * Other fires are not conversation and are left out.
 */
function messageOf(entry: TranscriptEntry): TranscriptLine['message'] | undefined {
  const d = entry.context.data;
  const toolUseId = text(d.tool_use_id) ?? entry.fireId;
  switch (entry.point) {
    case 'BeforeAgentExecution': {
      const prompt = text(d.prompt);
      return prompt === undefined ? undefined : { role: 'user', content: prompt };
    }
    case 'BeforeToolExecution': {
      const name = text(d.tool_name);
      if (name === undefined) return undefined;
      return {
        role: 'assistant',
        content: [{ type: 'tool_use', id: toolUseId, name, input: d.tool_input ?? {} }],
      };
    }
    case 'AfterToolExecution':
    case 'ToolError': {
      if (text(d.tool_name) === undefined) return undefined;
      const failed = entry.point === 'ToolError';
      const result = failed ? (d.error ?? 'the tool failed') : d.tool_response;
      return {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: toolUseId,
            content: typeof result === 'string' ? result : JSON.stringify(result ?? null),
            ...(failed ? { is_error: true } : {}),
          },
        ],
      };
    }
    case 'AfterAgentExecution': {
      const said = text(d.last_assistant_message) ?? text(d.response) ?? text(d.text);
      return said === undefined ? undefined : { role: 'assistant', content: [{ type: 'text', text: said }] };
    }
    default:
      return undefined;
  }
}

/**
 * The transcript lines of a correlation, one per conversational fire in the order they started,
 * each pointing at the one before (`parentUuid`), as Claude Code writes them.
 */
export function transcriptLines(
  entries: readonly TranscriptEntry[],
  sessionId: string,
  cwd: string,
): TranscriptLine[] {
  const firsts = new Map<string, TranscriptEntry>();
  for (const e of entries) {
    const seen = firsts.get(e.fireId);
    if (seen === undefined || e.index < seen.index) firsts.set(e.fireId, e);
  }
  const lines: TranscriptLine[] = [];
  let parent: string | null = null;
  for (const e of [...firsts.values()].sort((a, b) => a.startedAt - b.startedAt)) {
    const message = messageOf(e);
    if (message === undefined) continue;
    lines.push({
      type: message.role,
      uuid: e.fireId,
      parentUuid: parent,
      sessionId,
      timestamp: new Date(e.startedAt).toISOString(),
      cwd,
      message,
    });
    parent = e.fireId;
  }
  return lines;
}

/**
 * Writes `file` as the JSONL transcript of `correlationId` from `source`, replacing what was there
 * (written aside, then renamed, so a script never reads half a file). Like Claude Code's own, it may
 * lag the current turn: the journal writes in the background.
 */
export async function writeTranscript(
  source: TranscriptSource,
  correlationId: string,
  sessionId: string,
  cwd: string,
  file: string,
): Promise<void> {
  const lines = transcriptLines(await source.byCorrelation(correlationId), sessionId, cwd);
  const body = lines.map((l) => JSON.stringify(l)).join('\n');
  // The temporary name is this process's own: another process may refresh the same session.
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, body === '' ? '' : `${body}\n`);
  renameSync(aside, file);
}
