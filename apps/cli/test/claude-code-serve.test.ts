/**
 * `hookspell claude-code serve`: `claude-code hook` calls answered by a process that stays up —
 * the same answers as without it, a reload when a hook file changes, and never a guard switched
 * off when the server goes away (the call runs in the hook's own process instead).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_DIR, CLI, hookspell, project } from './helpers.js';

const ENV = { ...process.env, NO_COLOR: '1', HOOKSPELL_PROGRESS: '', HOOKSPELL_CACHE_DIR: CACHE_DIR };

// A Lua hook that counts its calls in the runtime: 1 on every call in a fresh process, 1, 2, 3…
// in a server. It denies `rm -rf`.
const COUNTER = (label: string) => `calls = 0
Hook.register("BeforeToolExecution", function(ctx)
  calls = calls + 1
  local cmd = (ctx.data.tool_input or {}).command or ""
  if string.find(cmd, "rm -rf", 1, true) then return { type = "cancel", reason = "${label}: no rm -rf (call " .. calls .. ")" } end
  return { type = "modified", data = { additionalContext = "${label} call " .. calls } }
end)
`;

function files(label = 'v1') {
  return {
    'hookspell.config.yaml': `storage: { type: sqlite, path: .hookspell/hookspell.db }
hooks:
  - { name: counter, point: BeforeToolExecution, run: lua:hooks/counter.lua }
points:
  BeforeToolExecution: { failClosed: true }
`,
    'hooks/counter.lua': COUNTER(label),
  };
}

const servers: ChildProcess[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.kill('SIGKILL');
});

/** Starts `claude-code serve` in `cwd`, resolved once it listens. */
function serve(cwd: string, args: string[] = []): Promise<{ child: ChildProcess; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'claude-code', 'serve', ...args], { cwd, env: ENV });
    servers.push(child);
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve did not listen: ${err}`)), 20_000);
    child.stderr!.on('data', (c: Buffer) => {
      err += c;
      if (err.includes('listening on')) {
        clearTimeout(timer);
        resolve({ child, stderr: () => err });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!err.includes('listening on')) reject(new Error(`serve exited ${code}: ${err}`));
    });
  });
}

const call = (cwd: string, command: string) =>
  hookspell(['claude-code', 'hook'], {
    cwd,
    input: JSON.stringify({
      hook_event_name: 'PreToolUse',
      session_id: 's1',
      cwd,
      tool_name: 'Bash',
      tool_input: { command },
    }),
  });

const context = (stdout: string): string => JSON.parse(stdout).hookSpecificOutput.additionalContext;

describe('hookspell claude-code serve', () => {
  it('answers calls with hooks kept loaded: the same answers, one runtime across calls', async () => {
    const cwd = project(files());
    // Without a server every call is a fresh process.
    expect(context((await call(cwd, 'ls')).stdout)).toBe('v1 call 1');
    expect(context((await call(cwd, 'ls')).stdout)).toBe('v1 call 1');
    const { stderr } = await serve(cwd);
    expect(statSync(join(CACHE_DIR, 'servers')).mode & 0o777).toBe(0o700);
    expect(context((await call(cwd, 'ls')).stdout)).toBe('v1 call 1');
    expect(context((await call(cwd, 'ls')).stdout)).toBe('v1 call 2');
    const denied = await call(cwd, 'rm -rf /');
    expect(denied.code).toBe(2);
    expect(denied.stderr).toMatch(/v1: no rm -rf \(call 3\)/);
    expect(stderr()).toMatch(/claude-code server for .*hookspell\.config\.yaml listening on /);
  });

  it('reloads when a hook file changes, as a new process would', async () => {
    const cwd = project(files());
    await serve(cwd);
    expect(context((await call(cwd, 'ls')).stdout)).toBe('v1 call 1');
    writeFileSync(join(cwd, 'hooks/counter.lua'), COUNTER('v2'));
    expect(context((await call(cwd, 'ls')).stdout)).toBe('v2 call 1');
  });

  it('a server killed mid-call: the hook runs the call itself, and the guard still denies', async () => {
    const cwd = project({
      ...files(),
      // Slow enough that the server is killed while it runs.
      'hooks/counter.lua': `Hook.register("BeforeToolExecution", function(ctx)
  local t = os.clock() + 1.5 while os.clock() < t do end
  return { type = "cancel", reason = "denied after thinking" }
end)`,
      'hookspell.config.yaml': `storage: { type: sqlite, path: .hookspell/hookspell.db }
limits: { callbackMs: 5000 }
hooks:
  - { name: slow, point: BeforeToolExecution, run: lua:hooks/counter.lua }
points:
  BeforeToolExecution: { failClosed: true }
`,
    });
    const { child } = await serve(cwd);
    const pending = call(cwd, 'rm -rf /');
    await new Promise((r) => setTimeout(r, 600));
    child.kill('SIGKILL');
    const r = await pending;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/denied after thinking/);
  });

  it('a call from another environment is run by the hook itself', async () => {
    const cwd = project(files());
    await serve(cwd);
    expect(context((await call(cwd, 'ls')).stdout)).toBe('v1 call 1');
    const other = await hookspell(['claude-code', 'hook'], {
      cwd,
      env: { CLAUDE_PROJECT_DIR: cwd },
      input: JSON.stringify({
        hook_event_name: 'PreToolUse',
        session_id: 's1',
        cwd,
        tool_name: 'Bash',
        tool_input: { command: 'ls' },
      }),
    });
    expect(context(other.stdout)).toBe('v1 call 1'); // its own process: a fresh count
    expect(context((await call(cwd, 'ls')).stdout)).toBe('v1 call 2'); // the server's count went on
    // CLAUDE_ENV_FILE (SessionStart and a few others) must be the server's own to be served.
    const withEnvFile = await hookspell(['claude-code', 'hook'], {
      cwd,
      env: { CLAUDE_ENV_FILE: join(cwd, 'session.env') },
      input: JSON.stringify({
        hook_event_name: 'PreToolUse',
        session_id: 's1',
        cwd,
        tool_name: 'Bash',
        tool_input: { command: 'ls' },
      }),
    });
    expect(context(withEnvFile.stdout)).toBe('v1 call 1');
  });

  it('stops when idle and removes its socket; a second server for the same config is refused', async () => {
    const cwd = project(files());
    const { child } = await serve(cwd, ['--idle', '1500']);
    const second = await hookspell(['claude-code', 'serve'], { cwd });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/a hook server already listens on /);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(context((await call(cwd, 'ls')).stdout)).toBe('v1 call 1');
  });

  it('--detach starts it in the background and returns once it listens (what a SessionStart hook runs)', async () => {
    const cwd = project(files());
    const started = await hookspell(['claude-code', 'serve', '--detach', '--idle', '20000'], {
      cwd,
      timeoutMs: 20_000,
    });
    expect(started.code).toBe(0);
    const pid = Number(/\(pid (\d+)\)/.exec(started.stderr)?.[1]);
    expect(pid).toBeGreaterThan(0);
    try {
      expect(context((await call(cwd, 'ls')).stdout)).toBe('v1 call 1');
      expect(context((await call(cwd, 'ls')).stdout)).toBe('v1 call 2');
      // A second --detach for the same config says why it cannot, with a failing exit code.
      const again = await hookspell(['claude-code', 'serve', '--detach'], { cwd, timeoutMs: 20_000 });
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/a hook server already listens on /);
    } finally {
      process.kill(pid, 'SIGTERM');
    }
  });
});
