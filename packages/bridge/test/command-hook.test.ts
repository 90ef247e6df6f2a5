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
