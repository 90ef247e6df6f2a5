/**
 * Part 3 of issue 13, end to end on the built binary: a driver that plays Claude Code (written from
 * the protocol reference, packages/bridge/test/claude-code/driver.ts) runs `hookspell claude-code
 * hook` as the one command of a settings file, against a config with a Lua policy, a Claude Code
 * command guard (`claudeCode:`) and a native command hook; then the session is a correlation that
 * `events timeline` draws and `replay --correlation` replays.
 */
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DriverResult, runClaudeCode } from '../../../packages/bridge/test/claude-code/driver.js';
import { CACHE_DIR, CLI, hookspell, json, project } from './helpers.js';

const HOOK = `"${process.execPath}" "${CLI}" claude-code hook`;

const POLICY_LUA = `-- A Lua policy: refuses force-pushes, rewrites npm to pnpm (the whole tool_input, as Claude Code replaces it).
Hook.register("BeforeToolExecution", function(ctx)
  local input = ctx.data.tool_input or {}
  local cmd = input.command or ""
  if string.find(cmd, "git push --force", 1, true) then
    return { type = "cancel", reason = "force-push is not allowed (policy.lua)" }
  end
  if string.sub(cmd, 1, 4) == "npm " then
    return { type = "modified", data = { tool_input = { command = "pnpm " .. string.sub(cmd, 5), description = input.description } } }
  end
  return "continue"
end)
`;
const PROMPT_LUA = `Hook.register("BeforeAgentExecution", function(ctx)
  if ctx.data.hook_event_name == "UserPromptSubmit" then
    return { type = "modified", data = { additionalContext = "Branch: main. Run tests with pnpm test." } }
  end
  return "continue"
end)
`;
const STOP_LUA = `Hook.register("AfterAgentExecution", function(ctx)
  if not ctx.data.stop_hook_active then
    return { type = "cancel", reason = "run the tests before you stop" }
  end
  return "continue"
end)
`;
// A Claude Code guard as it would sit in .claude/hooks: reads stdin, exits 2 to block.
const GUARD_SH = `#!/bin/sh
input=$(cat)
case "$input" in *'rm -rf'*) echo "rm -rf is not allowed (guard.sh)" >&2; exit 2;; esac
exit 0
`;
// A native hookspell command hook (hookspell's protocol: context on stdin, a result on stdout).
const AUDIT_MJS = `let input = '';
process.stdin.on('data', (c) => (input += c)).on('end', () => {
  const ctx = JSON.parse(input);
  require('node:fs').appendFileSync('audit.log', ctx.data.tool_name + ' ' + JSON.stringify(ctx.data.tool_input) + '\\n');
});
`;

const CONFIG = `hooks:
  - name: policy
    point: BeforeToolExecution
    run: lua:hooks/policy.lua
  - claudeCode:
      event: PreToolUse
      matcher: Bash
      command: .claude/hooks/guard.sh
      timeout: 30
  - name: audit
    point: BeforeToolExecution
    command: [node, hooks/audit.cjs]
    onFailure: continue
  - name: prompt-context
    point: BeforeAgentExecution
    run: lua:hooks/prompt.lua
  - name: tests-first
    point: AfterAgentExecution
    run: lua:hooks/stop.lua
  - claudeCode:
      event: SessionStart
      command: echo "This project uses pnpm."
points:
  BeforeToolExecution: { failClosed: true }
`;

function claudeProject(config = CONFIG, extra: Record<string, string> = {}): string {
  const dir = project({
    'hookspell.config.yaml': config,
    'hooks/policy.lua': POLICY_LUA,
    'hooks/prompt.lua': PROMPT_LUA,
    'hooks/stop.lua': STOP_LUA,
    'hooks/audit.cjs': AUDIT_MJS,
    '.claude/hooks/guard.sh': GUARD_SH,
    ...extra,
  });
  chmodSync(join(dir, '.claude/hooks/guard.sh'), 0o755);
  return dir;
}

/** Claude Code (the driver) calling hookspell for one event. */
function claude(
  dir: string,
  event: string,
  fields: Record<string, unknown>,
  session = 'sess-1',
): Promise<DriverResult> {
  const input = {
    session_id: session,
    transcript_path: join(dir, 'transcript.jsonl'),
    cwd: dir,
    hook_event_name: event,
    ...fields,
  };
  return runClaudeCode(event, input, [{ name: 'hookspell', command: HOOK }], {
    projectDir: dir,
    env: { HOOKSPELL_CACHE_DIR: CACHE_DIR },
  });
}

const bash = (command: string) => ({
  tool_name: 'Bash',
  tool_input: { command, description: 'run it' },
  tool_use_id: 'toolu_1',
  permission_mode: 'default',
});

describe('hookspell claude-code hook, driven as Claude Code drives it', () => {
  it('answers PreToolUse, UserPromptSubmit, Stop and SessionStart as the config decides', async () => {
    const dir = claudeProject();

    const denied = await claude(dir, 'PreToolUse', bash('rm -rf /tmp/x'));
    expect(denied.runs[0]!.exitCode).toBe(2);
    expect(denied.answer.decision).toBe('block');
    expect(denied.answer.reason).toBe('rm -rf is not allowed (guard.sh)');

    const lua = await claude(dir, 'PreToolUse', bash('git push --force origin main'));
    expect(lua.answer).toMatchObject({ decision: 'block', reason: 'force-push is not allowed (policy.lua)' });

    const rewritten = await claude(dir, 'PreToolUse', bash('npm test'));
    expect(rewritten.runs[0]!.exitCode).toBe(0);
    expect(rewritten.answer.decision).toBe('none');
    expect(rewritten.answer.updatedInput).toEqual({ command: 'pnpm test', description: 'run it' });

    const plain = await claude(dir, 'PreToolUse', bash('ls'));
    expect(plain.runs[0]!.exitCode).toBe(0);
    expect(plain.answer).toEqual({ decision: 'none' });
    // The native command hook saw Claude Code's fields (and only the Bash calls that got past the guards).
    expect(readFileSync(join(dir, 'audit.log'), 'utf8')).toContain(
      'Bash {"command":"pnpm test","description":"run it"}',
    );

    const prompt = await claude(dir, 'UserPromptSubmit', { prompt: 'fix the bug' });
    expect(prompt.answer).toEqual({
      decision: 'none',
      additionalContext: 'Branch: main. Run tests with pnpm test.',
    });

    const stop = await claude(dir, 'Stop', { stop_hook_active: false, last_assistant_message: 'done' });
    expect(stop.runs[0]!.exitCode).toBe(2);
    expect(stop.answer).toMatchObject({ decision: 'block', reason: 'run the tests before you stop' });
    const stopAgain = await claude(dir, 'Stop', { stop_hook_active: true });
    expect(stopAgain.answer.decision).toBe('none');

    const start = await claude(dir, 'SessionStart', { source: 'startup' });
    expect(start.answer).toEqual({ decision: 'none', additionalContext: 'This project uses pnpm.' });

    // The session is one correlation: drawn by events timeline, replayed by replay --correlation.
    const timeline = await hookspell(['events', 'timeline', 'sess-1', '--json'], { cwd: dir });
    expect(timeline.code, timeline.stderr).toBe(0);
    const fires = json(timeline).events.filter((e: { type: string }) => e.type === 'hook.fire.completed');
    expect(fires.map((e: { data: { point: string } }) => e.data.point)).toEqual([
      'BeforeToolExecution',
      'BeforeToolExecution',
      'BeforeToolExecution',
      'BeforeToolExecution',
      'BeforeAgentExecution',
      'AfterAgentExecution',
      'AfterAgentExecution',
      'SessionStart',
    ]);
    const tree = await hookspell(['events', 'timeline', 'sess-1'], { cwd: dir });
    expect(tree.stdout).toContain('claude:PreToolUse:guard.sh ok');
    expect(tree.stdout).toContain('cancel: rm -rf is not allowed (guard.sh)');

    const replay = await hookspell(['replay', '--correlation', 'sess-1', '--mode', 'simulate', '--json'], {
      cwd: dir,
    });
    expect(replay.code, replay.stderr).toBe(0);
    expect(json(replay).fires.length).toBe(8);
    const exact = await hookspell(['replay', '--correlation', 'sess-1', '--json'], { cwd: dir });
    expect(exact.code, exact.stderr).toBe(0);
    const guardFire = json(exact).fires.find(
      (f: { point: string; identical: boolean }) => f.point === 'BeforeToolExecution',
    );
    expect(guardFire).toBeDefined();
  });

  it('caps Stop blocks in a row at points.<point>.stopBlockCap, then lets Claude stop and says why', async () => {
    const always =
      'Hook.register("AfterAgentExecution", function(ctx) return { type = "cancel", reason = "not yet" } end)\n';
    const dir = project({
      'hookspell.config.yaml': `hooks:
  - { name: never-done, point: AfterAgentExecution, run: lua:never.lua }
points:
  AfterAgentExecution: { stopBlockCap: 2 }
`,
      'never.lua': always,
    });
    const codes: number[] = [];
    let last: DriverResult | undefined;
    for (const active of [false, true, true, false]) {
      last = await claude(dir, 'Stop', { stop_hook_active: active }, 'sess-cap');
      codes.push(last.runs[0]!.exitCode!);
      if (codes.length === 3) {
        expect(last.answer.decision).toBe('none');
        expect(last.answer.systemMessage).toMatch(
          /blocked 2 time\(s\) in a row \(stopBlockCap 2\); letting Claude stop\. Last reason: not yet/,
        );
      }
    }
    // block, block, capped (Claude stops), and a new stop sequence blocks again.
    expect(codes).toEqual([2, 2, 0, 2]);
    expect(last!.answer.reason).toBe('not yet');
  });

  it('runs a Claude Code settings file named by `claudeSettings`, lists its hooks and prints what it skips', async () => {
    const dir = claudeProject(
      `claudeSettings: .claude/settings.json
points:
  BeforeToolExecution: { failClosed: true }
`,
      {
        '.claude/settings.json': JSON.stringify({
          hooks: {
            PreToolUse: [
              { matcher: 'Bash', hooks: [{ type: 'command', command: '.claude/hooks/guard.sh' }] },
            ],
            Stop: [{ hooks: [{ type: 'prompt', prompt: 'Are you done?' }] }],
          },
        }),
      },
    );
    const list = await hookspell(['hooks', 'list', '--json'], { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    const hook = json(list)[0].hooks[0];
    expect(hook).toMatchObject({
      name: 'claude:PreToolUse:guard.sh',
      language: 'command',
      onFailure: 'cancel',
    });
    expect(hook.source).toBe('claudeSettings: .claude/settings.json#/hooks/PreToolUse/0/hooks/0');
    expect(list.stderr).toContain(
      'hookspell: warning: .claude/settings.json#/hooks/Stop/0/hooks/0: handler type "prompt" is not run by hookspell',
    );
    const denied = await claude(dir, 'PreToolUse', bash('rm -rf /'));
    expect(denied.answer).toMatchObject({ decision: 'block', reason: 'rm -rf is not allowed (guard.sh)' });
    // On exit 2, stderr is the reason alone (Claude reads it): the warning is not mixed in.
    expect(denied.runs[0]!.stderr).toBe('rm -rf is not allowed (guard.sh)');
    const ok = await claude(dir, 'PreToolUse', bash('ls'));
    expect(ok.runs[0]!.exitCode).toBe(0);
    expect(ok.runs[0]!.stderr).toContain('handler type "prompt" is not run by hookspell');
  });
});

describe('claude-code hook in parallel, and claudeCode entries in the config', () => {
  it('answers calls that Claude Code makes at the same time, and stores every fire of the session', async () => {
    const dir = claudeProject();
    const commands = ['ls', 'rm -rf /', 'npm ci', 'git status'];
    const results = await Promise.all(commands.map((c) => claude(dir, 'PreToolUse', bash(c), 'sess-par')));
    expect(results.map((r) => r.runs[0]!.exitCode)).toEqual([0, 2, 0, 0]);
    expect(results[2]!.answer.updatedInput).toEqual({ command: 'pnpm ci', description: 'run it' });
    const timeline = await hookspell(['events', 'timeline', 'sess-par', '--json'], { cwd: dir });
    const fires = json(timeline).events.filter((e: { type: string }) => e.type === 'hook.fire.completed');
    expect(fires).toHaveLength(4);
  });

  it('checks claudeCode entries with the line: an event or a point, one timeout, a known event', async () => {
    const check = async (entry: string) => {
      const dir = project({ 'hookspell.config.yaml': `hooks:\n  - ${entry}\n` });
      return hookspell(['hooks', 'list'], { cwd: dir });
    };
    const noEvent = await check('{ claudeCode: { command: ./x.sh } }');
    expect(noEvent.code).toBe(2);
    expect(noEvent.stderr).toContain(
      'hookspell.config.yaml:2: hooks[0].claudeCode: give the `event` the script was written for',
    );
    const both = await check('{ claudeCode: { event: Stop, command: ./x.sh, timeout: 5 }, timeoutMs: 5000 }');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(
      'give `claudeCode.timeout` (seconds, as in Claude Code) or `timeoutMs`, not both',
    );
    const typo = await check('{ claudeCode: { event: PreToolUze, command: ./x.sh } }');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('hooks[0].claudeCode.event: must be one of');
    const elsewhere = await check(
      '{ point: SessionStart, claudeCode: { event: PreToolUse, command: ./x.sh } }',
    );
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(
      'claudeCode.event PreToolUse is fired at BeforeToolExecution, not at SessionStart',
    );
    const ok = await check(
      '{ point: custom:replay, claudeCode: { event: PreToolUse, command: ./x.sh, if: "Bash(rm *)" } }',
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('claude:PreToolUse:x.sh');
  });
});

describe('when hookspell itself fails', () => {
  const call = (dir: string, event: string, fields: Record<string, unknown> = {}) =>
    hookspell(['claude-code', 'hook'], {
      cwd: dir,
      input: JSON.stringify({ session_id: 's', cwd: dir, hook_event_name: event, ...fields }),
      env: { CLAUDE_PROJECT_DIR: dir },
    });

  it('fails closed (exit 2, the reason on stderr) at a failClosed point whose config is invalid', async () => {
    const dir = project({
      'hookspell.config.yaml': `hooks:
  - { name: policy, point: BeforeToolExecutoin, run: lua:p.lua }
points:
  BeforeToolExecution: { failClosed: true }
`,
    });
    const r = await call(dir, 'PreToolUse', bash('ls'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^hookspell failed at BeforeToolExecution \(BeforeToolExecution is failClosed\): hookspell\.config\.yaml:2:28: hooks\[0\]\.point: 'BeforeToolExecutoin' is not a hook point/,
    );
  });

  it('has no opinion (exit 0, the reason on stderr) at a point that is not failClosed', async () => {
    const dir = project({
      'hookspell.config.yaml':
        'hooks:\n  - { name: policy, point: BeforeToolExecution, run: lua:missing.lua }\n',
    });
    const r = await call(dir, 'PreToolUse', bash('ls'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /hookspell failed at BeforeToolExecution; no opinion \(the point is not failClosed\): .*script file not found/,
    );
  });

  it('fails closed when the config cannot be read at all, but never keeps Claude going twice in a row', async () => {
    const dir = project({ 'hookspell.config.yaml': 'hooks: [\n' });
    const r = await call(dir, 'PreToolUse', bash('ls'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /\(the config could not be read, so hookspell fails closed\): hookspell\.config\.yaml:2:1: invalid YAML/,
    );
    const stop = await call(dir, 'Stop', { stop_hook_active: false });
    expect(stop.code).toBe(2);
    const again = await call(dir, 'Stop', { stop_hook_active: true });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('no opinion');
  });

  it('fails closed on input that is not Claude Code JSON, and has no opinion on an event it does not know or without a config', async () => {
    const dir = project({ 'hookspell.config.yaml': 'hooks: []\n' });
    const garbage = await hookspell(['claude-code', 'hook'], { cwd: dir, input: 'not json' });
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain("Claude Code's input (stdin) is not JSON");
    const unknown = await call(dir, 'SomeFutureEvent');
    expect(unknown).toMatchObject({ code: 0, stdout: '' });
    expect(unknown.stderr).toContain('no hookspell point for the Claude Code event "SomeFutureEvent"');
    const none = project();
    const noConfig = await call(none, 'PreToolUse', bash('ls'));
    expect(noConfig).toMatchObject({ code: 0, stdout: '' });
  });

  it("answers before Claude Code's timeout for the event: SessionEnd (1.5 s) with a hook that takes 4 s", async () => {
    const config = (failClosed: boolean) => `hooks:
  - { name: slow, point: SessionEnd, command: [sleep, '4'], timeoutMs: 10000 }
points:
  SessionEnd: { failClosed: ${failClosed} }
`;
    const open = project({ 'hookspell.config.yaml': config(false) });
    const started = Date.now();
    const r = await call(open, 'SessionEnd', { reason: 'other' });
    // The deadline is 1.35 s; generous slack for a loaded machine, well under the hook's 4 s.
    expect(Date.now() - started).toBeLessThan(3900);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "the hooks did not finish within 1.35 s (Claude Code's 1.5 s timeout for SessionEnd",
    );
    const closed = project({ 'hookspell.config.yaml': config(true) });
    expect((await call(closed, 'SessionEnd', { reason: 'other' })).code).toBe(2);
  });
});

describe('claudeCode entries run by a hookspell host (not Claude Code) get a real transcript', () => {
  it('transcript_path holds the session so far, built from the journal: prompt, tool use, tool result', async () => {
    const cwd = project({
      'hookspell.config.yaml': `storage: { type: sqlite, path: .hookspell/hookspell.db }
hooks:
  - { name: observe, point: BeforeAgentExecution, command: [node, -e, '0'] }
  - { name: observe-tool, point: AfterToolExecution, command: [node, -e, '0'] }
  - claudeCode:
      event: PreToolUse
      matcher: Bash
      command: node guard.cjs
`,
      // A Claude Code guard that reads the transcript: it denies when the session already ran `rm`.
      'guard.cjs': `let s='';process.stdin.on('data',(c)=>s+=c).on('end',()=>{
  const input = JSON.parse(s);
  const lines = require('fs').readFileSync(input.transcript_path, 'utf8').split('\\n').filter(Boolean).map((l) => JSON.parse(l));
  const kinds = lines.map((l) => l.type + ':' + (typeof l.message.content === 'string' ? 'text' : l.message.content[0].type));
  process.stderr.write('transcript ' + kinds.join(' '));
  process.exit(2);
});`,
    });
    const fire = (point: string, data: Record<string, unknown>) =>
      hookspell(['fire', point, '--data', JSON.stringify(data), '--correlation', 'session-7', '--json'], {
        cwd,
      });
    expect((await fire('BeforeAgentExecution', { prompt: 'clean up' })).code).toBe(0);
    const call = { tool_name: 'Bash', tool_input: { command: 'ls' }, tool_use_id: 'toolu_1' };
    expect((await fire('AfterToolExecution', { ...call, tool_response: 'old.log' })).code).toBe(0);
    const r = await fire('BeforeToolExecution', { tool_name: 'Bash', tool_input: { command: 'rm old.log' } });
    expect(r.code).toBe(3);
    expect(json(r).decision.reason).toBe('transcript user:text user:tool_result');
  });
});
