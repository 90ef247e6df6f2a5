/**
 * A Claude Code script run by a hookspell host reads `transcript_path`: with `transcript` (the
 * hook journal) that file is the conversation so far in Claude Code's JSONL shape, built from what
 * the journal recorded for the fire's correlation.
 */
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { HookJournal } from '@hookspell/journal';
import { MemoryStorage } from '@hookspell/storage';
import { describe, expect, it } from 'vitest';
import { claudeCodeHook, type TranscriptSource, transcriptLines } from '../../src/claude-code/index.js';

// Prints, as the deny reason, the transcript's lines as `type:first content kind`.
const READER = `let s='';process.stdin.on('data',(c)=>s+=c).on('end',()=>{const i=JSON.parse(s);
const lines=require('fs').readFileSync(i.transcript_path,'utf8').split('\\n').filter(Boolean).map((l)=>JSON.parse(l));
process.stderr.write(lines.map((l)=>l.type+':'+(typeof l.message.content==='string'?'text':l.message.content[0].type)).join(' ')+' | '+JSON.stringify(lines.at(-1)));process.exit(2);});`;

describe('a transcript built from the journal', () => {
  it('gives the script the conversation so far: prompt, tool use, tool result, in order', async () => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    const journal = new HookJournal(MemoryStorage());
    journal.attach(executor);
    // Something must run at each point for the journal to record the fire.
    for (const point of ['BeforeAgentExecution', 'BeforeToolExecution', 'AfterToolExecution'] as const)
      registry.register(point, () => HookResult.continue(), { name: `observe-${point}` });
    const correlationId = 'session-42';
    await executor.fire('BeforeAgentExecution', { data: { prompt: 'list the files' }, correlationId });
    const call = { tool_name: 'Bash', tool_input: { command: 'ls' }, tool_use_id: 'toolu_1' };
    await executor.fire('BeforeToolExecution', { data: call, correlationId });
    await executor.fire('AfterToolExecution', { data: { ...call, tool_response: 'a.txt' }, correlationId });
    await journal.flush();

    registry.register(
      'BeforeToolExecution',
      claudeCodeHook({
        command: process.execPath,
        args: ['-e', READER],
        event: 'PreToolUse',
        transcript: journal,
        name: 'reads-transcript',
      }),
    );
    const out = await executor.fire('BeforeToolExecution', {
      data: { tool_name: 'Bash', tool_input: { command: 'rm -rf /' }, tool_use_id: 'toolu_2' },
      correlationId,
    });
    expect(out.decision.type).toBe('cancel');
    const reason = (out.decision as { reason: string }).reason;
    // The journal lags the fire in progress (as Claude Code's transcript may): the three earlier
    // fires are there, each pointing at the one before.
    expect(reason).toMatch(/^user:text assistant:tool_use user:tool_result \| /);
    const last = JSON.parse(reason.slice(reason.indexOf('| ') + 2));
    expect(last).toMatchObject({
      type: 'user',
      sessionId: correlationId,
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.txt' }] },
    });
    expect(typeof last.parentUuid).toBe('string');
    await journal.close();
  });

  it('lines: only conversational fires, the first hook of each, in start order', () => {
    const e = (
      fireId: string,
      index: number,
      point: string,
      startedAt: number,
      data: Record<string, unknown>,
    ) => ({
      fireId,
      index,
      point,
      startedAt,
      context: { data },
    });
    const lines = transcriptLines(
      [
        e('f2', 1, 'BeforeToolExecution', 20, { tool_name: 'Read', tool_input: { later: true } }),
        e('f2', 0, 'BeforeToolExecution', 20, { tool_name: 'Read', tool_input: { path: 'x' } }),
        e('f1', 0, 'BeforeAgentExecution', 10, { prompt: 'hi' }),
        e('f3', 0, 'custom:other', 30, { anything: 1 }),
        e('f4', 0, 'ToolError', 40, { tool_name: 'Read', error: 'ENOENT' }),
        e('f5', 0, 'AfterAgentExecution', 50, { last_assistant_message: 'done' }),
      ],
      's',
      '/w',
    );
    expect(lines.map((l) => [l.uuid, l.parentUuid, l.type])).toEqual([
      ['f1', null, 'user'],
      ['f2', 'f1', 'assistant'],
      ['f4', 'f2', 'user'],
      ['f5', 'f4', 'assistant'],
    ]);
    expect(lines[1]!.message.content).toEqual([
      { type: 'tool_use', id: 'f2', name: 'Read', input: { path: 'x' } },
    ]);
    expect(lines[2]!.message.content).toEqual([
      { type: 'tool_result', tool_use_id: 'f4', content: 'ENOENT', is_error: true },
    ]);
  });

  it('a journal that cannot be read leaves the file as it was, warns, and the hook still runs', async () => {
    const broken: TranscriptSource = { byCorrelation: () => Promise.reject(new Error('storage is down')) };
    const registry = new HookRegistry();
    registry.register(
      'BeforeToolExecution',
      claudeCodeHook({ command: 'cat >/dev/null; exit 0', event: 'PreToolUse', transcript: broken }),
    );
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${(w as { code?: string }).code}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const out = await new HookExecutor(registry).fire('BeforeToolExecution', {
        data: { tool_name: 'Bash', tool_input: { command: 'ls' } },
        correlationId: 'session-broken',
      });
      expect(out.records[0]!.status).toBe('ok');
      await new Promise((r) => setImmediate(r));
      expect(warnings.join('\n')).toMatch(/HOOKSPELL_TRANSCRIPT_UNAVAILABLE: .*storage is down/);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

// The journal is a TranscriptSource as it is (checked by the compiler).
const _typed: TranscriptSource = null as unknown as HookJournal;
void _typed;
