import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { type CommandError, commandHook, parseCommand } from '../src/command/index.js';

const fixture = (name: string) => new URL(`./fixtures/commands/${name}`, import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'hookspell-command-'));

function setup() {
  const registry = new HookRegistry();
  const executor = new HookExecutor(registry, { defaultTimeoutMs: 5_000 });
  return { registry, executor };
}

// A killed process whose parent died is reaped by init; until then it is a zombie, not alive.
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('command hooks', () => {
  it('give the context on stdin and in HOOKSPELL_* variables, and honour the printed result', async () => {
    const { registry, executor } = setup();
    registry.register('BeforeToolExecution', commandHook({ command: [fixture('echo-context.sh')] }), {
      name: 'echo',
      language: 'command',
    });
    const outcome = await executor.fire(
      'BeforeToolExecution',
      { component: { type: 'tool', name: 'shell' }, data: { cmd: 'ls -la' } },
      { correlationId: 'run-1' },
    );
    expect(outcome.records[0]!.status).toBe('ok');
    expect(outcome.data).toMatchObject({
      point: 'BeforeToolExecution',
      component: 'shell',
      correlation: 'run-1',
      stdin: {
        point: 'BeforeToolExecution',
        correlationId: 'run-1',
        component: { type: 'tool', name: 'shell' },
        data: { cmd: 'ls -la' },
      },
    });
    expect(registry.list({ language: 'command' }).map((h) => h.name)).toEqual(['echo']);
  });

  it('reads snake_case results like script results', async () => {
    const { registry, executor } = setup();
    registry.register('ToolError', commandHook({ command: fixture('snake-retry.sh') }));
    const outcome = await executor.fire('ToolError', { data: {} });
    expect(outcome.decision).toEqual({ type: 'retry', delayMs: 250, maxAttempts: 2 });
  });

  it('exit code 2 cancels with stderr as the reason', async () => {
    const { registry, executor } = setup();
    registry.register('BeforeToolExecution', commandHook({ command: fixture('deny.sh') }));
    const outcome = await executor.fire('BeforeToolExecution', { data: {} });
    expect(outcome.decision).toEqual({ type: 'cancel', reason: 'shell is not allowed here' });
  });

  it('another non-zero exit is an error record carrying stderr; the fire goes on', async () => {
    const { registry, executor } = setup();
    registry.register('BeforeToolExecution', commandHook({ command: fixture('fail.sh') }), { name: 'lint' });
    registry.register('BeforeToolExecution', () => undefined, { name: 'after' });
    const outcome = await executor.fire('BeforeToolExecution', { data: {} });
    expect(outcome.records.map((r) => r.status)).toEqual(['error', 'ok']);
    const error = outcome.records[0]!.error as CommandError;
    expect(error.code).toBe('HOOKSPELL_COMMAND_FAILED');
    expect(error.exitCode).toBe(1);
    expect(error.stderr).toContain('lint found 3 problems');
    expect(error.message).toContain('lint found 3 problems');
  });

  it('a timeout kills the whole process group: no grandchild survives', async () => {
    const { registry, executor } = setup();
    const pidFile = join(tmp, 'grandchild.pid');
    registry.register(
      'BeforeToolExecution',
      commandHook({ command: [fixture('hang-with-grandchild.sh'), pidFile] }),
      {
        name: 'hang',
        timeoutMs: 300,
      },
    );
    const started = Date.now();
    const outcome = await executor.fire('BeforeToolExecution', { data: {} });
    expect(outcome.records[0]!.status).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    const deadline = Date.now() + 2_000;
    while (alive(grandchild) && Date.now() < deadline) await sleep(20);
    expect(alive(grandchild)).toBe(false);
  });

  // Linux only: the sweep reads /proc/<pid>/environ (elsewhere only the group is killed, as documented).
  const procfs = existsSync('/proc/self/environ');
  const hasSetsid = ['/usr/bin/setsid', '/bin/setsid'].some((p) => existsSync(p));
  if (!procfs || !hasSetsid)
    console.warn(
      `skipping the setsid/daemon kill tests: ${procfs ? 'no setsid program' : 'no /proc (not Linux)'}`,
    );

  const groupOf = (pid: number) =>
    Number(
      readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /s, '')
        .split(' ')[2],
    );
  const waitGone = async (pid: number) => {
    const deadline = Date.now() + 5_000;
    while (alive(pid) && Date.now() < deadline) await sleep(20);
    return !alive(pid);
  };
  const pidOf = async (file: string) => {
    const deadline = Date.now() + 5_000;
    while (!existsSync(file) && Date.now() < deadline) await sleep(20);
    return Number(readFileSync(file, 'utf8'));
  };

  it.skipIf(!procfs || !hasSetsid)(
    'a timeout also kills a grandchild that left the process group with setsid',
    async () => {
      const { registry, executor } = setup();
      const pidFile = join(tmp, 'setsid.pid');
      registry.register(
        'BeforeToolExecution',
        commandHook({ command: [fixture('hang-with-setsid-grandchild.sh'), pidFile] }),
        { name: 'hang', timeoutMs: 500 },
      );
      const outcome = await executor.fire('BeforeToolExecution', { data: {} });
      expect(outcome.records[0]!.status).toBe('timeout');
      const grandchild = await pidOf(pidFile);
      expect(grandchild).toBeGreaterThan(0);
      expect(await waitGone(grandchild)).toBe(true);
    },
  );

  it.skipIf(!procfs)(
    "its own timeoutMs kills a daemon reparented to init, and settles although the daemon's parent is gone",
    async () => {
      const pidFile = join(tmp, 'daemon.pid');
      const hook = commandHook({
        command: `${JSON.stringify(process.execPath)} ${JSON.stringify(fixture('daemonize.mjs'))} ${JSON.stringify(pidFile)}; sleep 30`,
        shell: true,
        timeoutMs: 500,
      });
      const ctx = {
        point: 'custom:x',
        component: { type: 'custom', name: 'x' },
        data: {},
        metadata: {},
        correlationId: 'c',
        timestamp: 0,
        language: 'command',
      };
      const started = Date.now();
      await expect(hook(ctx as never, new AbortController().signal)).rejects.toMatchObject({
        code: 'HOOKSPELL_COMMAND_TIMEOUT',
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      const daemon = await pidOf(pidFile);
      expect(await waitGone(daemon)).toBe(true);
    },
  );

  it.skipIf(!procfs || !hasSetsid)(
    'an abort from the caller kills a setsid grandchild too, and the hook settles although it held stdout',
    async () => {
      const pidFile = join(tmp, 'abort.pid');
      const hook = commandHook({ command: [fixture('hang-with-setsid-grandchild.sh'), pidFile] });
      const controller = new AbortController();
      const ctx = { point: 'custom:x', data: {}, metadata: {}, correlationId: 'c', timestamp: 0 };
      const run = hook(ctx as never, controller.signal);
      const grandchild = await pidOf(pidFile);
      // It really left the hook's process group: it leads a group (and session) of its own.
      expect(groupOf(grandchild)).toBe(grandchild);
      const aborted = Date.now();
      controller.abort(new Error('the fire was cancelled'));
      await expect(run).rejects.toMatchObject({ code: 'HOOKSPELL_COMMAND_TIMEOUT' });
      // The grandchild holds the stdout pipe: settling must not wait for its `sleep 30`.
      expect(Date.now() - aborted).toBeLessThan(10_000);
      expect(await waitGone(grandchild)).toBe(true);
    },
  );

  it.skipIf(!procfs || !hasSetsid)(
    'settles after a kill even when a survivor holds stdout (a descendant that dropped its environment with env -i)',
    async () => {
      // The documented limit of the sweep: no mark, no kill. The hook must still settle.
      const pidFile = join(tmp, 'env-i.pid');
      const hook = commandHook({
        command: `setsid env -i /bin/sh -c 'echo $$ > "$1"; exec sleep 30' survivor ${JSON.stringify(pidFile)} & sleep 30`,
        shell: true,
        timeoutMs: 300,
      });
      const ctx = { point: 'custom:x', data: {}, metadata: {}, correlationId: 'c', timestamp: 0 };
      const started = Date.now();
      try {
        await expect(hook(ctx as never, new AbortController().signal)).rejects.toMatchObject({
          code: 'HOOKSPELL_COMMAND_TIMEOUT',
        });
        expect(Date.now() - started).toBeLessThan(10_000);
      } finally {
        const survivor = await pidOf(pidFile);
        if (survivor > 0) process.kill(survivor, 'SIGKILL');
      }
    },
  );

  it('its own timeoutMs also kills the group', async () => {
    const hook = commandHook({
      command: [fixture('hang-with-grandchild.sh'), join(tmp, 'own.pid')],
      timeoutMs: 200,
    });
    const ctx = {
      point: 'custom:x',
      component: { type: 'custom', name: 'x' },
      data: {},
      metadata: {},
      correlationId: 'c',
      timestamp: 0,
      language: 'command',
    };
    await expect(hook(ctx as never, new AbortController().signal)).rejects.toMatchObject({
      code: 'HOOKSPELL_COMMAND_TIMEOUT',
    });
  });

  it('too much output is an error, not a crash', async () => {
    const { registry, executor } = setup();
    registry.register(
      'BeforeToolExecution',
      commandHook({ command: fixture('flood.sh'), maxOutputBytes: 64 * 1024 }),
    );
    const outcome = await executor.fire('BeforeToolExecution', { data: {} });
    expect(outcome.records[0]!.status).toBe('error');
    expect((outcome.records[0]!.error as CommandError).code).toBe('HOOKSPELL_COMMAND_OUTPUT_TOO_LARGE');
  });

  it('data is never interpolated into the command (no shell unless asked)', async () => {
    const { registry, executor } = setup();
    const marker = join(tmp, 'pwned');
    const hostile = `"; touch ${marker}; echo "$(touch ${marker}2)\`touch ${marker}3\``;
    // The command itself names a context field: it must reach the program as literal text.
    registry.register(
      'BeforeToolExecution',
      commandHook({ command: [fixture('echo-context.sh'), '{data.cmd}'] }),
    );
    const outcome = await executor.fire('BeforeToolExecution', {
      component: { type: 'tool', name: 'shell' },
      data: { cmd: hostile },
    });
    expect(outcome.records[0]!.status).toBe('ok');
    expect((outcome.data.stdin as { data: { cmd: string } }).data.cmd).toBe(hostile);
    for (const suffix of ['', '2', '3']) expect(existsSync(marker + suffix)).toBe(false);
  });

  it('a missing program is an error record that says so', async () => {
    const { registry, executor } = setup();
    registry.register('BeforeToolExecution', commandHook({ command: '/nonexistent/check --fast' }));
    const outcome = await executor.fire('BeforeToolExecution', { data: {} });
    expect(outcome.records[0]!.status).toBe('error');
    expect((outcome.records[0]!.error as CommandError).code).toBe('HOOKSPELL_COMMAND_NOT_STARTED');
  });

  it('stdout that is not a result is an error naming what was printed', async () => {
    const { registry, executor } = setup();
    registry.register('BeforeToolExecution', commandHook({ command: 'echo hello', shell: true }));
    const outcome = await executor.fire('BeforeToolExecution', { data: {} });
    expect((outcome.records[0]!.error as CommandError).code).toBe('HOOKSPELL_COMMAND_BAD_OUTPUT');
    expect((outcome.records[0]!.error as Error).message).toContain('hello');
  });
});

describe('parseCommand', () => {
  it.each([
    ['tsc --noEmit', ['tsc', '--noEmit']],
    [`eslint --format "json" 'src dir'`, ['eslint', '--format', 'json', 'src dir']],
    ['a\\ b "c \\"d\\""', ['a b', 'c "d"']],
    ['echo $HOME; rm -rf / | cat > x', ['echo', '$HOME;', 'rm', '-rf', '/', '|', 'cat', '>', 'x']],
    ["''", ['']],
  ])('splits %j without expanding anything', (line, words) => {
    expect(parseCommand(line)).toEqual(words);
  });

  it('rejects empty commands and open quotes', () => {
    expect(() => parseCommand('   ')).toThrow(/empty/);
    expect(() => parseCommand('echo "x')).toThrow(/unclosed/);
  });
});
