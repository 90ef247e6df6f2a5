/**
 * The user-reported failures of Claude Code's hook runner (reference §3) where hookspell must do
 * better. Each test shows Claude Code's behaviour with the driver, then hookspell's.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { claudeCodeAnswer, registerClaudeSettings } from '../../src/claude-code/index.js';
import { type DriverHook, runClaudeCode } from './driver.js';
import {
  bash,
  fixture,
  PLUGIN_ROOT,
  PROJECT_DIR,
  sessionStart,
  type Workspace,
  workspace,
} from './inputs.js';
import { runHookspell } from './run-hookspell.js';

let ws: Workspace;
beforeAll(() => {
  ws = workspace();
});

const BASH_REST = { description: 'Run a command', timeout: 120000, run_in_background: false };
const rewriter = (name: string, suffix: string, delay: number): DriverHook => ({
  name,
  command: `${fixture('rewrite-cmd.sh')} '${suffix}' ${delay}`,
});

describe('Claude Code regressions where hookspell does better', () => {
  it('#83353: two rewriters merge deterministically (plan order), the conflict names both hooks', async () => {
    const input = bash(ws, 'make deploy');
    const slowFirst = [
      rewriter('timeout-wrapper', ' --timeout=60', 0.6),
      rewriter('dry-run', ' --dry-run', 0),
    ];
    const slowSecond = [
      rewriter('timeout-wrapper', ' --timeout=60', 0),
      rewriter('dry-run', ' --dry-run', 0.6),
    ];

    // Claude Code: whichever finishes last wins, so the result depends on timing.
    const raceA = await runClaudeCode('PreToolUse', input, slowFirst);
    const raceB = await runClaudeCode('PreToolUse', input, slowSecond);
    expect(raceA.answer.updatedInput).not.toEqual(raceB.answer.updatedInput);

    // hookspell: the same winner whatever the timing — the last in plan order — and a report.
    for (const hooks of [slowFirst, slowSecond]) {
      const { answer } = await runHookspell('PreToolUse', input, hooks);
      expect(answer.decision).toBe('allow');
      expect(answer.updatedInput).toEqual({ command: 'make deploy --dry-run', ...BASH_REST });
      expect(answer.conflicts).toContainEqual({ key: 'tool_input', hooks: ['timeout-wrapper', 'dry-run'] });
    }
  });

  it.each([
    ['{}', fixture('empty-object.sh')],
    ['the input echoed back', fixture('echo-input.sh')],
    ['exit 0, no output', fixture('block-rm.sh')],
  ])(
    '#15897: a passthrough (%s) before or after a rewriter does not erase the rewrite',
    async (_kind, passthrough) => {
      const input = bash(ws, 'terraform apply -auto-approve');
      const rewrite = { name: 'dry-run', command: fixture('dry-run.sh') };
      const pass = { name: 'passthrough', command: passthrough };
      for (const hooks of [
        [pass, rewrite],
        [rewrite, pass],
      ]) {
        const { answer } = await runHookspell('PreToolUse', input, hooks);
        expect(answer.updatedInput).toEqual({
          command: 'terraform apply -auto-approve --dry-run',
          ...BASH_REST,
        });
        expect(answer.decision).toBe('allow');
        expect(answer.conflicts).toEqual([]);
      }
    },
  );

  it('#75915: a rewrite (allow + updatedInput) next to an ask keeps both: the user is asked about the rewritten input', async () => {
    const input = bash(ws, 'git push origin main');
    const hooks = [rewriter('dry-run', ' --dry-run', 0), { name: 'ask', command: fixture('ask-push.py') }];
    const { answer } = await runHookspell('PreToolUse', input, hooks);
    expect(answer.decision).toBe('ask');
    expect(answer.updatedInput).toEqual({ command: 'git push origin main --dry-run', ...BASH_REST });
    // What Claude Code is told: ask, with the rewritten input.
    const printed = JSON.parse(answer.stdout) as { hookSpecificOutput: Record<string, unknown> };
    expect(printed.hookSpecificOutput).toMatchObject({
      permissionDecision: 'ask',
      updatedInput: { command: 'git push origin main --dry-run' },
    });
    expect(answer.exitCode).toBe(0);
  });

  it('#42702: every hook gets its own full stdin then EOF (1 MB), so the second guard still blocks', async () => {
    const input = bash(ws, `rm -rf /srv/data # ${'z'.repeat(1_000_000)}`);
    const files = ['first', 'second', 'third'].map((n) => join(ws.dir, `stdin-${n}.json`));
    const hooks = files.map((file, i) => ({
      name: `guard-${i}`,
      command: `${fixture('record-stdin.py')} ${file}`,
    }));
    const { answer, outcome } = await runHookspell('PreToolUse', input, hooks);
    for (const file of files) expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(input);
    expect(outcome.records.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(answer.decision).toBe('block');
    expect(answer.exitCode).toBe(2);
  });

  it('#84302: a guard that times out at a failClosed point cancels (Claude Code lets the tool run)', async () => {
    const input = bash(ws, 'rm -rf /');
    const slow = [{ name: 'slow-guard', command: `${fixture('slow-deny.sh')} 5`, timeout: 1 }];
    const cc = await runClaudeCode('PreToolUse', input, slow);
    expect(cc.answer.decision).toBe('none');

    // Compatible default: fail-open, like Claude Code, but reported as a timeout.
    const open = await runHookspell('PreToolUse', input, slow);
    expect(open.answer.decision).toBe('none');
    expect(['timeout', 'error']).toContain(open.outcome.records[0]!.status);

    const started = Date.now();
    const closed = await runHookspell('PreToolUse', input, slow, {
      setup: (registry, point) => registry.configurePoint(point, { failClosed: true }),
    });
    expect(closed.answer.decision).toBe('block');
    expect(closed.answer.reason).toContain('slow-guard');
    expect(closed.answer.exitCode).toBe(2);
    expect(Date.now() - started).toBeLessThan(4_500);
  });

  it.each([
    ['exec form', { command: 'python3', args: [`${PROJECT_DIR}/.claude/hooks/gone.py`] }],
    ['shell form', { command: 'python3 "$CLAUDE_PROJECT_DIR/.claude/hooks/gone.py"' }],
  ])(
    '#80697: a missing Python script (%s) is a launch failure, not a deliberate deny',
    async (_form, hook) => {
      const input = bash(ws, 'ls');
      const hooks = [{ name: 'gone', ...hook }];
      // Claude Code: CPython's exit 2 reads as a block — every tool call is locked out.
      const cc = await runClaudeCode('PreToolUse', input, hooks, { projectDir: ws.dir });
      expect(cc.answer.decision).toBe('block');

      const { answer, outcome } = await runHookspell('PreToolUse', input, hooks, { projectDir: ws.dir });
      expect(answer.decision).toBe('none');
      expect(outcome.records[0]!.status).toBe('error');
      expect(outcome.records[0]!.error).toMatchObject({ code: 'HOOKSPELL_COMMAND_NOT_STARTED' });

      // At a failClosed point it cancels, as a launch failure (not as the script's deny).
      const closed = await runHookspell('PreToolUse', input, hooks, {
        projectDir: ws.dir,
        setup: (registry, point) => registry.configurePoint(point, { failClosed: true }),
      });
      expect(closed.answer.decision).toBe('block');
      expect(closed.answer.reason).toContain('gone');
    },
  );

  it('#16954: dedup is on the resolved command — two plugins’ scripts under the same unexpanded plugin-root string both run', async () => {
    const plugin = (name: string) => {
      const root = join(ws.dir, 'plugins', name);
      mkdirSync(join(root, 'hooks'), { recursive: true });
      writeFileSync(join(root, 'hooks', 'note.sh'), `#!/bin/sh\ncat >/dev/null\necho "note from ${name}"\n`, {
        mode: 0o755,
      });
      const file = join(root, 'hooks', 'hooks.json');
      const handler = { type: 'command', command: `${PLUGIN_ROOT}/hooks/note.sh`, timeout: 10 };
      writeFileSync(
        file,
        JSON.stringify({
          description: name,
          hooks: { SessionStart: [{ id: 'x', matcher: 'startup', hooks: [handler] }] },
        }),
      );
      return { root, file, handler };
    };
    const a = plugin('alpha');
    const b = plugin('beta');

    // Claude Code keys dedup on the unexpanded string: beta's script never runs.
    const cc = await runClaudeCode(
      'SessionStart',
      sessionStart(ws),
      [a, b].map((p, i) => ({
        name: `p${i}`,
        command: p.handler.command,
        pluginRoot: p.root,
        matcher: 'startup',
      })),
    );
    expect(cc.answer.additionalContext).toBe('note from alpha');

    // hookspell: both run; the same project handler in settings.json and settings.local.json runs once.
    const project = join(ws.dir, '.claude', 'hooks');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'note.sh'), '#!/bin/sh\ncat >/dev/null\necho "note from the project"\n', {
      mode: 0o755,
    });
    const settingsFiles = writeSettingsPair(`${PROJECT_DIR}/.claude/hooks/note.sh`, 'startup');
    const registry = new HookRegistry();
    const batch = registerClaudeSettings(registry, [a.file, b.file, ...settingsFiles], {
      projectDir: ws.dir,
    });
    expect(batch.handles).toHaveLength(3);
    expect(batch.warnings.some((w) => w.includes('settings.local.json'))).toBe(true);
    const outcome = await new HookExecutor(registry).fire('SessionStart', { data: sessionStart(ws) });
    const answer = claudeCodeAnswer(outcome, 'SessionStart');
    expect(answer.additionalContext).toBe('note from alpha\nnote from beta\nnote from the project');
  });

  it('dedup keeps a plugin’s copy of a settings handler separate (REF: "a plugin’s copy … stays separate")', async () => {
    const root = join(ws.dir, 'plugins', 'gamma');
    mkdirSync(join(root, 'hooks'), { recursive: true });
    const script = join(root, 'hooks', 'count.sh');
    const log = join(ws.dir, 'gamma-runs.log');
    writeFileSync(script, `#!/bin/sh\ncat >/dev/null\necho run >> ${JSON.stringify(log)}\n`, { mode: 0o755 });
    const handler = { type: 'command', command: `${PLUGIN_ROOT}/hooks/count.sh` };
    const pluginFile = join(root, 'hooks', 'hooks.json');
    writeFileSync(pluginFile, JSON.stringify({ hooks: { SessionStart: [{ hooks: [handler] }] } }));
    // The user also put the very same (resolved) command in both project settings files.
    const settingsFiles = writeSettingsPair(script);
    const registry = new HookRegistry();
    const batch = registerClaudeSettings(registry, [pluginFile, ...settingsFiles], { projectDir: ws.dir });
    // settings.json + settings.local.json → once; the plugin's copy → separate.
    expect(batch.handles).toHaveLength(2);
    await new HookExecutor(registry).fire('SessionStart', { data: sessionStart(ws) });
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

/** The same handler in .claude/settings.json and .claude/settings.local.json. */
function writeSettingsPair(command: string, matcher?: string): string[] {
  const group = {
    ...(matcher === undefined ? {} : { matcher }),
    hooks: [{ type: 'command', command, timeout: 10 }],
  };
  return ['settings.json', 'settings.local.json'].map((f) => {
    const file = join(ws.dir, '.claude', f);
    writeFileSync(file, JSON.stringify({ hooks: { SessionStart: [group] } }));
    return file;
  });
}

describe('multi-hook answers hookspell must not lose', () => {
  const halt = {
    name: 'maintenance',
    command: `cat >/dev/null; echo '{"continue": false, "stopReason": "maintenance window"}'`,
  };

  it('continue:false next to a deny keeps the deny (Claude Code: deny and halt both apply)', async () => {
    const input = bash(ws, 'rm -rf /tmp/build');
    const hooks = [halt, { name: 'guard', command: fixture('block-rm.sh') }];
    const cc = await runClaudeCode('PreToolUse', input, hooks);
    expect(cc.answer).toEqual({
      decision: 'block',
      reason: 'Blocked: rm -rf is not allowed',
      halt: { stopReason: 'maintenance window' },
    });
    const { answer } = await runHookspell('PreToolUse', input, hooks);
    expect(answer.halt).toEqual({ stopReason: 'maintenance window' });
    expect(answer.decision).toBe('block');
    expect(answer.reason).toBe('Blocked: rm -rf is not allowed');
  });

  it('two PostToolUse feedback blocks deliver both reasons to Claude', async () => {
    const input = {
      ...bash(ws, 'npm test'),
      hook_event_name: 'PostToolUse',
      tool_response: { stdout: '', stderr: '', interrupted: false, isImage: false },
    };
    const hooks = [
      { name: 'lint', command: `cat >/dev/null; echo '{"decision": "block", "reason": "lint: 2 problems"}'` },
      { name: 'types', command: 'cat >/dev/null; echo "typecheck: 1 error" >&2; exit 2' },
    ];
    const cc = await runClaudeCode('PostToolUse', input, hooks);
    expect(cc.answer).toEqual({ decision: 'block', reason: 'lint: 2 problems\ntypecheck: 1 error' });
    const { answer } = await runHookspell('PostToolUse', input, hooks);
    expect(answer.decision).toBe('block');
    expect(answer.reason).toContain('lint: 2 problems');
    expect(answer.reason).toContain('typecheck: 1 error');
  });

  it('contexts of several hooks are all delivered, in plan order, whatever order they finish in', async () => {
    const input = bash(ws, 'ls');
    const ctx = (name: string, delay: number) => ({
      name,
      command: `cat >/dev/null; sleep ${delay}; echo '{"hookSpecificOutput": {"hookEventName": "PreToolUse", "additionalContext": "${name}"}}'`,
    });
    const hooks = [ctx('first', 0.4), ctx('second', 0), ctx('third', 0.2)];
    const cc = await runClaudeCode('PreToolUse', input, hooks);
    expect(cc.answer.additionalContext?.split('\n').sort()).toEqual(['first', 'second', 'third']);
    const { answer } = await runHookspell('PreToolUse', input, hooks);
    expect(answer.additionalContext).toBe('first\nsecond\nthird');
  });

  it('matchers select the same hooks under both (exact, | list, regex, no partial match)', async () => {
    const input = bash(ws, 'ls');
    const ctx = (name: string, matcher: string) => ({
      name,
      matcher,
      command: `cat >/dev/null; echo '{"hookSpecificOutput": {"hookEventName": "PreToolUse", "additionalContext": "${name}"}}'`,
    });
    const hooks = [
      ctx('exact', 'Bash'),
      ctx('list', 'Edit|Write'),
      ctx('regex', 'Ba.*'),
      ctx('partial', 'Bas'),
      ctx('all', '*'),
    ];
    const cc = await runClaudeCode('PreToolUse', input, hooks);
    const { answer } = await runHookspell('PreToolUse', input, hooks);
    expect(cc.answer.additionalContext).toBe('exact\nregex\nall');
    expect(answer.additionalContext).toBe(cc.answer.additionalContext);
  });

  it('a settings-file hook runs in the session’s cwd (input.cwd, which follows cd), not only the project dir', async () => {
    const sub = join(ws.dir, 'packages', 'app');
    mkdirSync(sub, { recursive: true });
    const settings = join(ws.dir, 'cwd-settings.json');
    writeFileSync(
      settings,
      JSON.stringify({
        hooks: { SessionStart: [{ hooks: [{ type: 'command', command: 'cat >/dev/null; pwd' }] }] },
      }),
    );
    const input = { ...sessionStart(ws), cwd: sub };
    const cc = await runClaudeCode('SessionStart', input, [{ name: 'pwd', command: 'cat >/dev/null; pwd' }], {
      projectDir: ws.dir,
    });
    expect(cc.answer.additionalContext).toBe(sub);
    const registry = new HookRegistry();
    registerClaudeSettings(registry, settings, { projectDir: ws.dir });
    const outcome = await new HookExecutor(registry).fire('SessionStart', { data: input });
    expect(claudeCodeAnswer(outcome, 'SessionStart').additionalContext).toBe(sub);
  });
});
