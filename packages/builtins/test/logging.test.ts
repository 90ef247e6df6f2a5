import { Writable } from 'node:stream';
import { HOOK_POINTS, HookExecutor, HookRegistry, PRIORITY } from '@hookspell/hooks';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { logging } from '../src/index.js';
import { FakeClock } from './helpers.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

function setup(options: Parameters<typeof logging>[0] = {}) {
  const clock = new FakeClock(Date.UTC(2025, 0, 2, 3, 4, 5));
  const { lines, destination } = capture();
  const registry = new HookRegistry();
  const hook = logging({ clock, destination, ...options });
  hook.register(registry);
  return { clock, lines, hook, registry, executor: new HookExecutor(registry) };
}

describe('logging()', () => {
  it('defaults: priority low, every built-in point, info level, data and metadata, logged_at', async () => {
    const { lines, hook, registry, executor } = setup();
    expect(hook.priority).toBe('low');
    expect(hook.points).toEqual(HOOK_POINTS);
    expect(registry.list({ point: 'BeforeToolExecution' })[0]).toMatchObject({
      name: 'logging',
      version: '1.0.0',
      priority: PRIORITY.low,
      tags: ['builtin', 'logging'],
    });
    const out = await executor.fire(
      'BeforeToolExecution',
      { component: { type: 'tool', name: 'shell' }, data: { cmd: 'ls' }, metadata: { user_id: 'u1' } },
      { correlationId: 'c-1' },
    );
    expect(out.records[0]!.status).toBe('ok');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      time: Date.UTC(2025, 0, 2, 3, 4, 5),
      point: 'BeforeToolExecution',
      component: { type: 'tool', name: 'shell' },
      correlationId: 'c-1',
      language: 'native',
      data: { cmd: 'ls' },
      metadata: { user_id: 'u1', logged_at: '2025-01-02T03:04:05.000Z' },
      msg: 'hook point BeforeToolExecution',
    });
  });

  it('error points log at errorLevel; level filters', async () => {
    const { lines, executor } = setup({ level: 'warn', errorLevel: 'fatal' });
    await executor.fire('BeforeToolExecution', { data: {} });
    await executor.fire('ToolError', { data: { error: 'boom' } });
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.level, l.point])).toEqual([
      [40, 'BeforeToolExecution'],
      [60, 'ToolError'],
    ]);
  });

  it('truncates data over maxDataBytes (UTF-8 bytes, on a character boundary) and can leave data/metadata out', async () => {
    const { lines, executor } = setup({ maxDataBytes: 20 });
    await executor.fire('BeforeToolExecution', { data: { text: 'ééééééééééééééé' } });
    await new Promise((r) => setImmediate(r));
    const data = lines[0]!.data as string;
    expect(typeof data).toBe('string');
    expect(data).toBe(`{"text":"ééééé… [truncated 22 of 41 bytes]`);
    const other = setup({ includeData: false, includeMetadata: false });
    await other.executor.fire('BeforeToolExecution', { data: { a: 1 } });
    await new Promise((r) => setImmediate(r));
    expect(other.lines[0]).not.toHaveProperty('data');
    expect(other.lines[0]).not.toHaveProperty('metadata');
  });

  it('uses a logger you pass; name, priority and points can be overridden', async () => {
    const { lines, destination } = capture();
    const logger = pino({ level: 'debug', base: { app: 'x' } }, destination);
    const registry = new HookRegistry();
    const hook = logging({
      logger,
      level: 'debug',
      name: 'audit-log',
      priority: 5,
      points: ['AfterToolExecution'],
    });
    expect(hook.logger).toBe(logger);
    hook.register(registry);
    expect(registry.list().map((h) => [h.name, h.point, h.priority])).toEqual([
      ['audit-log', 'AfterToolExecution', 5],
    ]);
    await new HookExecutor(registry).fire('AfterToolExecution', { data: { result: 1 } });
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({ level: 20, app: 'x', point: 'AfterToolExecution' });
  });

  it('rejects a bad maxDataBytes at creation', () => {
    expect(() => logging({ maxDataBytes: -1 })).toThrow(/maxDataBytes/);
  });
});
