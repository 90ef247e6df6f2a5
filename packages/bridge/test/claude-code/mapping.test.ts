/**
 * What a hookspell host sees: the result each script's answer becomes (contract, "What the hookspell
 * result is"; reference §5.2), and the stdin a script gets from a fire that is not already in
 * Claude Code's shape.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HookExecutor, type HookOutcome, HookRegistry } from '@hookspell/hooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { claudeCodeHook, claudeCodeTimeoutMs } from '../../src/claude-code/index.js';
import { CASES } from './cases.js';
import { fixture, type Workspace, workspace } from './inputs.js';
import { runHookspell } from './run-hookspell.js';

let ws: Workspace;
beforeAll(() => {
  ws = workspace();
});

type Check = (outcome: HookOutcome) => void;
const decision =
  (expected: Record<string, unknown>): Check =>
  (outcome) =>
    expect(outcome.decision).toEqual(expected);
const failed =
  (status: 'error' | 'timeout' | ('error' | 'timeout')[], code?: string): Check =>
  (outcome) => {
    expect(outcome.decision).toEqual({ type: 'continue' });
    expect([status].flat()).toContain(outcome.records[0]!.status);
    if (code !== undefined) expect(outcome.records[0]!.error).toMatchObject({ code });
  };

/** [script, which row of that script (0-based), the expected outcome]. */
const ROWS: [string, number, Check][] = [
  ['block-rm.sh', 0, decision({ type: 'cancel', reason: 'Blocked: rm -rf is not allowed' })],
  ['block-rm.sh', 1, decision({ type: 'continue' })],
  ['legacy-approve.js', 0, decision({ type: 'continue' })],
  ['ask-push.py', 0, decision({ type: 'redirect', target: 'ask' })],
  ['defer-deploy.js', 0, decision({ type: 'redirect', target: 'defer' })],
  [
    'dry-run.sh',
    0,
    (o) => {
      expect(o.decision.type).toBe('modified');
      expect(o.data.tool_input).toMatchObject({ command: 'terraform apply -auto-approve --dry-run' });
    },
  ],
  [
    'tool-context.js',
    0,
    (o) => {
      expect(o.decision.type).toBe('modified');
      expect(o.data.additionalContext).toMatch(/^Current environment: staging/);
    },
  ],
  ['exit1-json.js', 0, decision({ type: 'cancel', reason: 'world-writable files are not allowed' })],
  ['exit1-stderr.sh', 0, failed('error', 'HOOKSPELL_COMMAND_FAILED')],
  ['does-not-exist.sh', 0, failed('error', 'HOOKSPELL_COMMAND_NOT_STARTED')],
  ['does-not-exist.sh', 1, failed('error', 'HOOKSPELL_COMMAND_NOT_STARTED')],
  ['slow-deny.sh', 0, failed(['timeout', 'error'])],
  ['bad-schema.sh', 0, failed('error', 'HOOKSPELL_COMMAND_BAD_OUTPUT')],
  ['empty-object.sh', 0, decision({ type: 'continue' })],
  ['echo-input.sh', 0, decision({ type: 'continue' })],
  [
    'post-lint-block.py',
    0,
    (o) => {
      expect(o.decision.type).toBe('modified');
      expect(o.data.feedback).toMatch(/^lint: 2 console\.log call\(s\) left in /);
    },
  ],
  [
    'post-exit2.sh',
    0,
    (o) => {
      expect(o.decision.type).toBe('modified');
      expect(o.data.feedback).toBe('tests failed: fix them before moving on');
    },
  ],
  [
    'halt-build.py',
    0,
    (o) => {
      expect(o.decision).toEqual({ type: 'cancel', reason: 'Build failed, fix errors before continuing' });
      expect(JSON.parse(o.metadata['claude-code:halt-build.py']!)).toMatchObject({
        halt: { stopReason: 'Build failed, fix errors before continuing' },
      });
    },
  ],
  [
    'prompt-secret.js',
    0,
    decision({ type: 'cancel', reason: 'Your prompt contains what looks like an API key' }),
  ],
  [
    'prompt-plain.sh',
    0,
    (o) => {
      expect(o.decision.type).toBe('modified');
      expect(o.data.additionalContext).toBe('Current branch: main\nOpen issue: #42 flaky login test');
    },
  ],
  ['stop-unfinished.sh', 0, decision({ type: 'retry', delayMs: 0, maxAttempts: 8 })],
  ['stop-guarded.py', 1, decision({ type: 'continue' })],
  // Reference §5.2: Stop additionalContext also keeps the agent going (Claude Code continues the
  // conversation with it as "hook feedback"), so a hookspell host must see a retry too.
  ['stop-feedback.js', 0, decision({ type: 'retry', delayMs: 0, maxAttempts: 8 })],
];

describe('the hookspell result of each Claude Code answer', () => {
  it.each(ROWS)('%s (row %i)', async (script, n, check) => {
    const c = CASES.filter((x) => x.script === script)[n];
    if (c === undefined) throw new Error(`no row ${n} for ${script} in cases.ts`);
    const { outcome } = await runHookspell(c.event, c.input(ws), [{ name: c.script, ...c.hook }], {
      projectDir: ws.dir,
    });
    check(outcome);
  });
});

describe('the stdin of a fire that is not in Claude Code’s shape', () => {
  it('is completed with the common fields, the tool from component/operation, a real transcript file', async () => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    const file = join(ws.dir, 'bare-stdin.json');
    const hook = claudeCodeHook({ command: `${fixture('record-stdin.py')} ${file}`, event: 'PreToolUse' });
    registry.register('BeforeToolExecution', hook, {
      name: 'rec',
      language: 'command',
      timeoutMs: claudeCodeTimeoutMs(hook),
    });
    await executor.fire(
      'BeforeToolExecution',
      {
        component: { type: 'tool', name: 'Bash' },
        operation: { type: 'tool', id: 'toolu_9', parameters: { command: 'ls' } },
        data: {},
      },
      { correlationId: 'corr-42' },
    );
    const stdin = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(stdin).toMatchObject({
      session_id: 'corr-42',
      cwd: process.cwd(),
      hook_event_name: 'PreToolUse',
      permission_mode: 'default',
      tool_name: 'Bash',
      tool_input: { command: 'ls' },
      tool_use_id: 'toolu_9',
    });
    expect(typeof stdin.transcript_path).toBe('string');
    expect(existsSync(stdin.transcript_path as string)).toBe(true);
  });
});
