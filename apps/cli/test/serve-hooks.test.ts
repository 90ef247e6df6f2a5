import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { type RemoteHook, remoteHook } from '@hookspell/remote';
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_DIR, CLI, hookspell, oneLine, project } from './helpers.js';

// `hookspell serve-hooks` as a real process on real NATS, reached by a remote hook in this process.
const NATS_URL = process.env.HOOKSPELL_NATS_URL ?? 'nats://127.0.0.1:4222';
const natsInstalled =
  existsSync('/usr/sbin/nats-server') ||
  spawnSync('sh', ['-c', 'command -v nats-server'], { stdio: 'ignore' }).status === 0;
if (!natsInstalled)
  console.warn(
    '[cli serve-hooks] skipped: nats-server is not installed. Install it and start it with `nats-server -js -a 127.0.0.1 -p 4222`.',
  );

const children: ChildProcess[] = [];
const hooks: RemoteHook[] = [];
afterEach(async () => {
  await Promise.all(hooks.splice(0).map((h) => h.close()));
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A project whose config guards BeforeToolExecution with a Lua policy. */
function policyProject() {
  return project({
    'hookspell.config.yaml': `points:
  BeforeToolExecution:
    failClosed: true
hooks:
  - name: tool-policy
    point: BeforeToolExecution
    run: lua:policy.lua
`,
    'policy.lua': `Hook.register("BeforeToolExecution", function(ctx)
  if ctx.component.name == "shell" then return { type = "cancel", reason = "shell is not allowed by the fleet policy" } end
  if ctx.data.query ~= nil then return { type = "modified", data = { query = string.lower(ctx.data.query) } } end
end)
`,
  });
}

/** Starts `hookspell serve-hooks …` and resolves once it says it serves. */
async function serve(cwd: string, args: string[]) {
  const child = spawn(process.execPath, [CLI, 'serve-hooks', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', HOOKSPELL_CACHE_DIR: CACHE_DIR },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (output.stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (output.stderr += s));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!/serving/.test(output.stdout)) {
    if (child.exitCode !== null) throw new Error(`serve-hooks exited ${child.exitCode}:\n${output.stderr}`);
    if (Date.now() > deadline)
      throw new Error(`serve-hooks did not start:\n${output.stdout}\n${output.stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, output, exited };
}

function caller(subject: string) {
  const registry = new HookRegistry();
  const hook = remoteHook({ subject, servers: NATS_URL, timeoutMs: 10_000 });
  hooks.push(hook);
  registry.register('BeforeToolExecution', hook);
  const executor = new HookExecutor(registry);
  return (name: string, data: Record<string, unknown> = {}, correlationId?: string) =>
    executor.fire(
      'BeforeToolExecution',
      { component: { type: 'tool', name }, data },
      correlationId === undefined ? {} : { correlationId },
    );
}

describe.skipIf(!natsInstalled)('hookspell serve-hooks', () => {
  it('serves a config’s Lua policy to a remote hook, and stops on SIGTERM saying what it served', async () => {
    const cwd = policyProject();
    const subject = `hookspell.test.cli.${randomBytes(4).toString('hex')}`;
    const service = await serve(cwd, ['--subject', subject, '--servers', NATS_URL, '--name', 'cli-policy']);
    expect(service.output.stdout).toMatch(
      new RegExp(
        `serving 1 hook on ${subject.replace(/\./g, '\\.')} \\(queue hookspell-policy\\) as cli-policy`,
      ),
    );
    const fire = caller(subject);

    const shell = await fire('shell');
    expect(shell.decision).toEqual({ type: 'cancel', reason: 'shell is not allowed by the fleet policy' });
    expect(JSON.parse(shell.metadata[`remote:${subject}`]!)).toMatchObject({
      service: 'cli-policy',
      records: [{ name: 'tool-policy', status: 'ok', result: 'cancel' }],
    });
    const search = await fire('search', { query: 'Hello NATS' }, 'corr-from-agent');
    expect(search.decision.type).toBe('modified');
    expect(search.data).toEqual({ query: 'hello nats' });

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.output.stdout).toMatch(/stopped; served 2, refused 0/);
    expect(service.output.stderr).toBe('');

    // The service stored the fire it made for the agent under the agent's correlation id.
    const stored = await hookspell(['events', 'query', '--correlation', 'corr-from-agent', '--json'], {
      cwd,
    });
    expect(stored.code).toBe(0);
    const types = (JSON.parse(stored.stdout) as { type: string; data: Record<string, unknown> }[]).map(
      (e) => e.type,
    );
    expect(types).toContain('hook.fire.completed');
    expect(types).toContain('hook.execution.completed');
  });

  it('--points limits what it serves; a refused request is a warning line', async () => {
    const cwd = policyProject();
    const subject = `hookspell.test.cli.${randomBytes(4).toString('hex')}`;
    const service = await serve(cwd, [
      '--subject',
      subject,
      '--servers',
      NATS_URL,
      '--points',
      'custom:other',
    ]);
    const outcome = await caller(subject)('shell');
    expect(outcome.records[0]!.status).toBe('error');
    expect((outcome.records[0]!.error as Error).message).toMatch(/does not serve BeforeToolExecution/);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.output.stderr).toMatch(/^hookspell: warning: .*does not serve BeforeToolExecution/m);
  });
});

describe('hookspell serve-hooks input errors', () => {
  it('an unknown point exits 2 with one line', async () => {
    const r = await hookspell(['serve-hooks', '--points', 'BeforeToolExecutoin'], { cwd: policyProject() });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/BeforeToolExecution/);
  });

  it('a bad subject exits 2 with one line', async () => {
    const r = await hookspell(['serve-hooks', '--subject', 'policy..tools'], { cwd: policyProject() });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/`subject`.*empty word/);
  });

  it('no NATS server exits 1 with one line saying how to start one', async () => {
    const r = await hookspell(['serve-hooks', '--servers', 'nats://127.0.0.1:1'], { cwd: policyProject() });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/no NATS server answered at nats:\/\/127\.0\.0\.1:1.*nats-server/);
  });
});
