/**
 * The compatibility suite: every script of fixtures/ is run directly under the Claude Code driver
 * and through hookspell (claudeCodeHook → executor.fire → claudeCodeAnswer); both must give the
 * answer the reference prescribes (cases.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CASES, comparable, expectedOf } from './cases.js';
import { runClaudeCode } from './driver.js';
import { type Workspace, workspace } from './inputs.js';
import { runHookspell } from './run-hookspell.js';

let ws: Workspace;
beforeAll(() => {
  ws = workspace();
});

const rows = CASES.map((c) => [`${c.script}: ${c.title}`, c] as const);

describe('Claude Code hook scripts, unchanged', () => {
  it('the suite has at least 25 scripts in bash, Python and Node', () => {
    const scripts = new Set(CASES.map((c) => c.script));
    expect(scripts.size).toBeGreaterThanOrEqual(25);
    for (const ext of ['.sh', '.py', '.js']) expect([...scripts].some((s) => s.endsWith(ext))).toBe(true);
  });

  describe('under the Claude Code driver', () => {
    it.each(rows)('%s', async (_title, c) => {
      const { answer } = await runClaudeCode(c.event, c.input(ws), [{ name: c.script, ...c.hook }], {
        projectDir: ws.dir,
      });
      const expected = expectedOf(c, answer, ws);
      if (expected !== undefined) expect(comparable(answer)).toEqual(expected);
    });
  });

  describe('through hookspell', () => {
    it.each(rows)('%s', async (_title, c) => {
      const { answer } = await runHookspell(c.event, c.input(ws), [{ name: c.script, ...c.hook }], {
        projectDir: ws.dir,
      });
      const expected = expectedOf(c, answer, ws);
      if (expected !== undefined) expect(comparable(answer)).toEqual(expected);
    });
  });
});
