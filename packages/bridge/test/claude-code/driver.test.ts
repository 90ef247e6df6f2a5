/**
 * The driver itself reproduces Claude Code (reference §2): these tests pin the behaviours the
 * regression tests compare hookspell against, including Claude Code's known faults.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type DriverDecision,
  type HookVerdict,
  matches,
  merge,
  parseStdout,
  runClaudeCode,
} from './driver.js';
import {
  bash,
  fixture,
  PLUGIN_ROOT,
  postToolUse,
  sessionStart,
  type Workspace,
  workspace,
} from './inputs.js';

let ws: Workspace;
beforeAll(() => {
  ws = workspace();
});

describe('the Claude Code driver', () => {
  it('gives every child the full stdin then EOF, and tolerates a child that never reads it (EPIPE)', async () => {
    const big = 'y'.repeat(1_000_000);
    const input = bash(ws, `echo ${big}`);
    const a = join(ws.dir, 'driver-a.json');
    const b = join(ws.dir, 'driver-b.json');
    const { runs } = await runClaudeCode('PreToolUse', input, [
      { name: 'a', command: `${fixture('record-stdin.py')} ${a}` },
      { name: 'b', command: `${fixture('record-stdin.py')} ${b}` },
      { name: 'deaf', command: fixture('no-stdin.sh') },
    ]);
    expect(JSON.parse(readFileSync(a, 'utf8'))).toEqual(input);
    expect(JSON.parse(readFileSync(b, 'utf8'))).toEqual(input);
    expect(runs.find((r) => r.name === 'deaf')).toMatchObject({ exitCode: 0, epipe: true });
  });

  it('races updatedInput: the rewriter that finishes last wins (#83353)', async () => {
    const input = bash(ws, 'make');
    const rewriters = (slow: 'A' | 'B') => [
      { name: 'A', command: `${fixture('rewrite-cmd.sh')} ' A' ${slow === 'A' ? 0.6 : 0}` },
      { name: 'B', command: `${fixture('rewrite-cmd.sh')} ' B' ${slow === 'B' ? 0.6 : 0}` },
    ];
    const first = await runClaudeCode('PreToolUse', input, rewriters('A'));
    const second = await runClaudeCode('PreToolUse', input, rewriters('B'));
    expect(first.answer.updatedInput).toMatchObject({ command: 'make A' });
    expect(second.answer.updatedInput).toMatchObject({ command: 'make B' });
  });

  it('reads a missing Python script as a deliberate block, as Claude Code does (#80697)', async () => {
    const { answer, runs } = await runClaudeCode('PreToolUse', bash(ws, 'ls'), [
      { name: 'py', command: 'python3', args: [join(ws.dir, 'missing.py')] },
    ]);
    expect(runs[0]!.exitCode).toBe(2);
    expect(answer.decision).toBe('block');
  });

  it('fails open on a timeout (#84302)', async () => {
    const started = Date.now();
    const { answer, verdicts } = await runClaudeCode('PreToolUse', bash(ws, 'rm -rf /'), [
      { name: 'slow', command: `${fixture('slow-deny.sh')} 5`, timeout: 0.5 },
    ]);
    expect(verdicts[0]!.status).toBe('timeout');
    expect(answer.decision).toBe('none');
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('dedups on the UNEXPANDED command, dropping a second plugin’s different script (#16954)', async () => {
    const plugins = ['plugin-a', 'plugin-b'].map((p) => {
      const root = join(ws.dir, p);
      mkdirSync(join(root, 'hooks'), { recursive: true });
      writeFileSync(join(root, 'hooks', 'note.sh'), `#!/bin/sh\ncat >/dev/null\necho "note from ${p}"\n`, {
        mode: 0o755,
      });
      return root;
    });
    const hooks = plugins.map((root, i) => ({
      name: `p${i}`,
      command: `${PLUGIN_ROOT}/hooks/note.sh`,
      pluginRoot: root,
    }));
    const { answer, runs } = await runClaudeCode('SessionStart', sessionStart(ws), hooks);
    expect(runs).toHaveLength(1);
    expect(answer.additionalContext).toBe('note from plugin-a');
    const all = await runClaudeCode('SessionStart', sessionStart(ws), hooks, { dedup: false });
    expect(all.answer.additionalContext).toBe('note from plugin-a\nnote from plugin-b');
  });

  it('applies matchers: exact, | lists, unanchored regex; SessionStart on source', async () => {
    expect(matches(undefined, 'Bash')).toBe(true);
    expect(matches('*', 'Bash')).toBe(true);
    expect(matches('Edit|Write', 'Write')).toBe(true);
    expect(matches('Edit, Write', 'Write')).toBe(true);
    expect(matches('Edit', 'NotebookEdit')).toBe(false);
    expect(matches('Edit.*', 'NotebookEdit')).toBe(true);
    expect(matches('mcp__memory', 'mcp__memory__read')).toBe(false);
    expect(matches('mcp__memory__.*', 'mcp__memory__read')).toBe(true);
    const { runs } = await runClaudeCode('SessionStart', sessionStart(ws, 'resume'), [
      { name: 'startup-only', command: fixture('session-plain.sh'), matcher: 'startup' },
      { name: 'resume', command: fixture('session-json.js'), matcher: 'resume|compact' },
    ]);
    expect(runs.map((r) => r.name)).toEqual(['resume']);
  });

  it('parses stdout as JSON only when its first non-whitespace character is "{"', () => {
    expect(parseStdout('  \n{"a":1}')).toEqual({ kind: 'json', value: { a: 1 } });
    expect(parseStdout('[{"a":1}]').kind).toBe('text');
    expect(parseStdout('"{}"').kind).toBe('text');
    expect(parseStdout('{not json').kind).toBe('text');
    expect(parseStdout('log\n{"a":1}').kind).toBe('text');
  });

  it('PostToolUse exit 2 is feedback, SessionStart exit 2 is not a block', async () => {
    const post = await runClaudeCode(
      'PostToolUse',
      postToolUse(ws, 'Bash', { command: 'npm test' }, { stdout: 'FAIL', stderr: '' }),
      [{ name: 'f', command: fixture('post-exit2.sh') }],
    );
    expect(post.answer).toEqual({ decision: 'block', reason: 'tests failed: fix them before moving on' });
    const start = await runClaudeCode('SessionStart', sessionStart(ws), [
      { name: 'e', command: 'echo oops >&2; exit 2' },
    ]);
    expect(start.answer).toEqual({ decision: 'none' });
  });

  it('merges decisions deny > defer > ask > allow, concatenates contexts, continue:false beats all', () => {
    const decisions: DriverDecision[] = ['none', 'allow', 'ask', 'defer', 'block'];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ d: fc.constantFrom(...decisions), ctx: fc.option(fc.string(), { nil: undefined }) }),
        ),
        fc.boolean(),
        (hooks, halt) => {
          const verdicts: HookVerdict[] = hooks.map((h, i) => ({
            name: `h${i}`,
            status: 'ok',
            decision: h.d,
            finishOrder: i,
            ...(h.ctx !== undefined && { additionalContext: h.ctx }),
          }));
          if (halt)
            verdicts.push({ name: 'halt', status: 'ok', decision: 'none', finishOrder: 99, halt: {} });
          const answer = merge(verdicts);
          const strongest = hooks.reduce(
            (best, h) => (decisions.indexOf(h.d) > decisions.indexOf(best) ? h.d : best),
            'none' as DriverDecision,
          );
          expect(answer.decision).toBe(strongest);
          expect(answer.halt !== undefined).toBe(halt);
          const contexts = hooks.flatMap((h) => (h.ctx === undefined ? [] : [h.ctx]));
          expect(answer.additionalContext).toBe(contexts.length > 0 ? contexts.join('\n') : undefined);
        },
      ),
    );
  });
});
