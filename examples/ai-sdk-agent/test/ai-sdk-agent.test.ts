import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../main.mjs', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'hookspell-ai-sdk-agent-'));
const run = (...args: string[]) => execFileSync(process.execPath, [main, ...args], { cwd, encoding: 'utf8' });

afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('examples/ai-sdk-agent', () => {
  it('runs the agent offline under the Lua, JS and command hooks, traces it and draws the stored timeline', () => {
    const out = run();
    expect(out).toContain('hookspell ai-sdk-agent · run 1 · SQLite .hookspell/hookspell.db');
    expect(out).toContain(
      'the model was asked: Find the Q3 report, read it, and mail a summary to the CEO (<email>).',
    );
    expect(out).toContain('1. search     ok: 1 result for "Q3 report": reports/q3.txt');
    expect(out).toContain('2. read_file  ok: Q3 revenue grew 12%.');
    expect(out).toMatch(
      /3\. read_file +denied: .*hook 'reports-only' cancelled it at BeforeToolExecution: only files under reports\/ may be read/,
    );
    expect(out).toContain('4. send_email ok: sent to ceo@example.com');
    expect(out).toContain('5. send_email denied: mail may only go to @example.com, not to leak@rival.test');
    expect(out).toContain('6. answer     Sent the Q3 summary to the CEO');
    // The JavaScript hook masked the address in the body before the tool saw it.
    expect(out).toContain('outbox: [{"to":"ceo@example.com","body":"Q3 grew 12%. Questions to <email>."}]');
    expect(out).toContain('emails redacted so far (State, kept across runs): 1');
    // OpenTelemetry: the AI SDK's spans, a span per model and tool call, the denials' fires inside the tool-call spans.
    expect(out).toMatch(
      /OpenTelemetry: \d+ spans in 3 traces — 12 from the AI SDK, 6 model calls, 5 tool calls, 11 fires, 21 hook executions/,
    );
    expect(out).toContain(
      'hookspell.hook reports-only → cancel (read_file), in hookspell.fire BeforeToolExecution ← execute_tool read_file',
    );
    expect(out).toContain(
      'hookspell.hook recipients → cancel (send_email), in hookspell.fire BeforeToolExecution ← execute_tool send_email',
    );
    // The CLI's timeline of what was stored under the run's correlation id.
    expect(out).toMatch(/correlation ai-sdk-agent-run-1 · \d+ events/);
    expect(out).toMatch(
      /reports-only ok .* · cancel: only files under reports\/ may be read\n.*policy\.denied/,
    );
    expect(out).toMatch(/redact-email ok .* · modified/);
    expect(out).toMatch(/recipients ok .* · cancel: mail may only go to @example\.com/);
    expect(out).toMatch(/tool\.call\.cancelled +\{"server":"files","tool":"read_file"/);
  });

  it('keeps state in SQLite across runs; --spans prints the spans with the console exporter', () => {
    const out = run('--spans');
    expect(out).toContain('run 2');
    expect(out).toContain('emails redacted so far (State, kept across runs): 2');
    expect(out).toMatch(/name: 'hookspell\.fire BeforeToolExecution'/);
    expect(out).toMatch(/'gen_ai\.tool\.name': 'send_email'/);
    expect(out).toMatch(/name: 'hookspell\.fire BeforeAgentExecution'/);
    expect(out).toMatch(/name: 'chat scripted-agent'/);
    expect(out).toMatch(/name: 'execute_tool read_file'/);
    expect(out).toMatch(/'gen_ai\.request\.model': 'scripted-agent'/);
    expect(out).toMatch(/correlation ai-sdk-agent-run-2 · \d+ events/);
  });
});
