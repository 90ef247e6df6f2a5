import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, hookspell, json, oneLine, project } from './helpers.js';

const CONFIG = `hooks:
  - { name: deny, point: BeforeToolExecution, run: 'lua:deny.lua' }
  - { name: note, point: AfterToolExecution, command: [node, -e, ''] }
persist: ['hook.**', 'agent.*']
`;
const DENY =
  'Hook.register("BeforeToolExecution", function(ctx) if ctx.data.cmd == "rm" then return {type="cancel", reason="no rm"} end end)\n';

describe('hookspell events', () => {
  let cwd: string;
  let first: string;
  let second: string;
  beforeAll(async () => {
    cwd = project({ 'hookspell.config.yaml': CONFIG, 'deny.lua': DENY });
    first = json(
      await hookspell(
        ['fire', 'BeforeToolExecution', '--data', '{"cmd":"ls"}', '--json', '--correlation', 'req-1'],
        { cwd },
      ),
    ).correlationId;
    second = json(
      await hookspell(
        ['fire', 'BeforeToolExecution', '--data', '{"cmd":"rm"}', '--json', '--correlation', 'req-2'],
        { cwd },
      ),
    ).correlationId;
    await hookspell(['fire', 'AfterToolExecution', '--correlation', 'req-2'], { cwd });
  });

  it('query prints stored events oldest first, one line each', async () => {
    const r = await hookspell(['events', 'query'], { cwd });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(9); // three fires: started + 1 execution + completed
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}hook\.fire\.started {2}BeforeToolExecution sequential 1 hook\(s\) {2}corr=req-1$/,
    );
    expect(lines[1]).toMatch(
      /^\S+ {2}hook\.execution\.completed {2}BeforeToolExecution deny [\d.]+ ms exec=\S+ {2}corr=req-1$/,
    );
    expect(lines[5]).toMatch(/hook\.fire\.completed {2}BeforeToolExecution decision=cancel .* corr=req-2$/);
  });

  it('query filters by pattern, correlation, time and limit; --json for scripts', async () => {
    let r = await hookspell(
      ['events', 'query', '--pattern', 'hook.fire.*', '--correlation', second, '--json'],
      { cwd },
    );
    const events = json(r);
    expect(events.map((e: any) => [e.type, e.data.point])).toEqual([
      ['hook.fire.started', 'BeforeToolExecution'],
      ['hook.fire.completed', 'BeforeToolExecution'],
      ['hook.fire.started', 'AfterToolExecution'],
      ['hook.fire.completed', 'AfterToolExecution'],
    ]);
    expect(events[0].metadata.correlationId).toBe('req-2');
    r = await hookspell(['events', 'query', '--limit', '2', '--reverse', '--json'], { cwd });
    expect(json(r).map((e: any) => e.type)).toEqual(['hook.fire.completed', 'hook.execution.completed']);
    r = await hookspell(
      ['events', 'query', '--since', '1h', '--until', new Date(Date.now() + 60_000).toISOString(), '--json'],
      { cwd },
    );
    expect(json(r)).toHaveLength(9);
    r = await hookspell(['events', 'query', '--until', '1h', '--json'], { cwd });
    expect(json(r)).toHaveLength(0);
    r = await hookspell(['events', 'query', '--pattern', '*.error'], { cwd });
    expect(r.stdout.trim()).toBe('no matching events');
  });

  it('query rejects bad options on one line (exit 2)', async () => {
    for (const [args, expected] of [
      [['--since', 'yesterday-ish'], /--since: 'yesterday-ish' is not a time/],
      [['--limit', '-3'], /--limit must be a whole number ≥ 1/],
      [['--pattern', 'a..b'], /pattern 'a\.\.b': /],
    ] as const) {
      const r = await hookspell(['events', 'query', ...args], { cwd });
      expect(r.code, args.join(' ')).toBe(2);
      expect(oneLine(r.stderr)).toMatch(expected);
    }
  });

  it('timeline draws the causality tree of one correlation', async () => {
    const r = await hookspell(['events', 'timeline', second], { cwd });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^correlation req-2 · 6 events · 2 roots · [\d.]+ m?s$/);
    expect(lines[1]).toMatch(/^├─ \+0\.0 ms {2}fire BeforeToolExecution {2}sequential, 1 hook$/);
    expect(lines[2]).toMatch(/^│ {2}├─ \+[\d.]+ ms {2}deny ok {2}[\d.]+ ms · cancel: no rm$/);
    expect(lines[3]).toMatch(
      /^│ {2}└─ \+[\d.]+ m?s {2}decision cancel {2}fire of BeforeToolExecution done in/,
    );
    expect(lines[4]).toMatch(/^└─ \+[\d.]+ m?s {2}fire AfterToolExecution {2}sequential, 1 hook$/);
    expect(lines[5]).toMatch(/^ {3}├─ \+[\d.]+ m?s {2}note ok/);
    expect(lines.at(-1)).toBe('chains: 4 (longest 2 events), leaves: 4');
    const j = json(await hookspell(['events', 'timeline', first, '--json'], { cwd }));
    expect(j.correlationId).toBe('req-1');
    expect(j.events).toHaveLength(3);
    expect(j.tree[0].children.map((c: any) => c.label)).toEqual(['deny ok', 'decision continue']);
  });

  it('timeline of an unknown correlation id, and reads with nothing stored, exit 2', async () => {
    let r = await hookspell(['events', 'timeline', 'no-such-id'], { cwd });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^hookspell: no events stored for correlation id 'no-such-id'/);
    r = await hookspell(['events', 'query'], { cwd: project() });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^hookspell: nothing is stored yet: .*hookspell\.db does not exist/);
  });

  it('tail prints the last events, then follows what another process stores', async () => {
    const tail = spawn(
      process.execPath,
      [CLI, 'events', 'tail', 'hook.fire.*', '--lines', '2', '--count', '2', '--interval', '100'],
      {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    tail.stdout.on('data', (c) => (stdout += c));
    tail.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => tail.on('close', resolve));
    // the two stored lines come first
    for (let i = 0; i < 100 && stdout.split('\n').length < 3; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(stdout.trim().split('\n')).toHaveLength(2);
    await hookspell(['fire', 'BeforeToolExecution', '--correlation', 'req-tail'], { cwd });
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    if (code === 'timeout') tail.kill();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/hook\.fire\.started .* corr=req-tail$/);
    expect(lines[3]).toMatch(/hook\.fire\.completed .* corr=req-tail$/);
  });

  it('tail --json prints NDJSON and stops on SIGINT with exit 0', async () => {
    const tail = spawn(
      process.execPath,
      [CLI, 'events', 'tail', '--lines', '1', '--json', '--interval', '50'],
      { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    tail.stdout.on('data', (c) => (stdout += c));
    const exited = new Promise<number | null>((resolve) => tail.on('close', resolve));
    for (let i = 0; i < 100 && !stdout.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
    tail.kill('SIGINT');
    expect(await exited).toBe(0);
    const event = JSON.parse(stdout.trim().split('\n')[0]!);
    expect(event).toMatchObject({ type: expect.stringMatching(/^hook\./), schemaVersion: '1.0' });
  });
});
