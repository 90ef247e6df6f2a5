import { describe, expect, it } from 'vitest';
import { hookspell, json, nodeHook, project } from './helpers.js';

/** `node check.mjs <name> <ms>`: works `ms`, then reports `{ <name>: 'passed', saw: [keys it was handed] }`. */
const CHECK = nodeHook(`
  const [name, ms] = process.argv.slice(2);
  await new Promise((r) => setTimeout(r, Number(ms)));
  if (process.env.FAIL === name) { console.error(name + ' failed'); process.exit(1); }
  console.log(JSON.stringify({ type: 'modified', data: { [name]: 'passed', ['saw_' + name]: Object.keys(ctx.data).sort() } }));`);

const CONFIG = `hooks:
  - { name: format, point: custom:checks, command: [node, check.mjs, format, '300'], mutates: true }
  - { name: imports, point: custom:checks, command: [node, check.mjs, imports, '250'], mutates: true }
  - { name: lint, point: custom:checks, command: [node, check.mjs, lint, '200'], dependsOn: [format] }
  - { name: typecheck, point: custom:checks, command: [node, check.mjs, typecheck, '450'] }
  - { name: test, point: custom:checks, command: [node, check.mjs, test, '350'], critical: true }
  - { name: report, point: custom:checks, command: [node, check.mjs, report, '10'], dependsOn: [lint, typecheck, test] }
points:
  custom:checks: { mode: parallel, maxParallel: 3 }
`;

interface Rec {
  name: string;
  status: string;
  startedAt: number;
  durationMs: number;
  result?: { data?: Record<string, unknown> };
}

const end = (r: Rec) => r.startedAt + r.durationMs;
const overlaps = (a: Rec, b: Rec) => a.startedAt < end(b) - 1 && b.startedAt < end(a) - 1;

/** Most hooks running at the same moment. */
function peak(records: Rec[]): number {
  const points = records
    .filter((r) => r.startedAt > 0)
    .flatMap((r) => [[r.startedAt + 1, 1] as const, [end(r) - 1, -1] as const]);
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of points) max = Math.max(max, (now += d));
  return max;
}

describe('parallel points (DAG of command hooks)', () => {
  it('runs independent command hooks side by side, dependents after their prerequisites, at most maxParallel at once', async () => {
    const cwd = project({ 'hookspell.config.yaml': CONFIG, 'check.mjs': CHECK });
    const r = await hookspell(['fire', 'custom:checks', '--json'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = json(r);
    expect(out.mode).toBe('parallel');
    const rec = Object.fromEntries((out.records as Rec[]).map((x) => [x.name, x])) as Record<string, Rec>;
    expect(Object.values(rec).every((x) => x.status === 'ok')).toBe(true);
    // dependsOn: lint after format; report after lint, typecheck and test.
    expect(rec.lint!.startedAt).toBeGreaterThanOrEqual(end(rec.format!) - 1);
    for (const p of ['lint', 'typecheck', 'test'])
      expect(rec.report!.startedAt).toBeGreaterThanOrEqual(end(rec[p]!) - 1);
    // independent hooks overlapped; mutating ones never did; the cap held.
    expect(overlaps(rec.format!, rec.typecheck!) || overlaps(rec.format!, rec.test!)).toBe(true);
    expect(overlaps(rec.format!, rec.imports!)).toBe(false);
    expect(peak(out.records)).toBeLessThanOrEqual(3);
    expect(peak(out.records)).toBeGreaterThanOrEqual(2);
    // a dependent sees its prerequisites' modifications (and only what it depends on, transitively)
    expect(rec.report!.result!.data!.saw_report).toEqual(
      expect.arrayContaining(['format', 'lint', 'test', 'typecheck', 'saw_format', 'saw_lint']),
    );
    expect(rec.lint!.result!.data!.saw_lint).toEqual(['format', 'saw_format']);
    const serial = Object.values(rec).reduce((s, x) => s + x.durationMs, 0);
    expect(out.durationMs).toBeLessThan(serial * 0.85);
    expect(out.data).toMatchObject({
      format: 'passed',
      lint: 'passed',
      typecheck: 'passed',
      test: 'passed',
      report: 'passed',
    });
  });

  it('--mode sequential and --max-parallel 1 run one hook at a time, in plan order', async () => {
    const cwd = project({ 'hookspell.config.yaml': CONFIG, 'check.mjs': CHECK });
    for (const args of [
      ['--mode', 'sequential'],
      ['--max-parallel', '1'],
    ]) {
      const r = await hookspell(['fire', 'custom:checks', '--json', ...args], { cwd });
      expect(r.code, args.join(' ')).toBe(0);
      const records = json(r).records as Rec[];
      expect(peak(records), args.join(' ')).toBe(1);
      const byStart = [...records].sort((a, b) => a.startedAt - b.startedAt).map((x) => x.name);
      expect(byStart.indexOf('lint')).toBeGreaterThan(byStart.indexOf('format'));
      expect(byStart.at(-1)).toBe('report');
    }
    const text = await hookspell(['fire', 'custom:checks', '--mode', 'sequential'], { cwd });
    expect(text.stdout.split('\n')[0]).toMatch(/^custom:checks {2}sequential {2}6 hooks/);
  });

  it('a failed critical hook skips what has not started; every planned hook gets a record (exit 4)', async () => {
    const cwd = project({ 'hookspell.config.yaml': CONFIG, 'check.mjs': CHECK });
    const r = await hookspell(['fire', 'custom:checks', '--json'], { cwd, env: { FAIL: 'test' } });
    expect(r.code).toBe(4);
    const rec = Object.fromEntries((json(r).records as Rec[]).map((x) => [x.name, x]));
    expect(Object.keys(rec).sort()).toEqual(['format', 'imports', 'lint', 'report', 'test', 'typecheck']);
    expect(rec.test!.status).toBe('error');
    expect(rec.report!.status).toBe('skipped');
  });

  it('the timeline of a parallel fire shows the hooks as one concurrent group', async () => {
    const cwd = project({ 'hookspell.config.yaml': CONFIG, 'check.mjs': CHECK });
    const fired = json(await hookspell(['fire', 'custom:checks', '--json'], { cwd }));
    const r = await hookspell(['events', 'timeline', fired.correlationId], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^concurrent groups \(ran side by side\):\n {2}\[1\] ran side by side in fire custom:checks: /m,
    );
    for (const name of ['format', 'imports', 'lint', 'typecheck', 'test', 'report'])
      expect(r.stdout).toContain(`${name} ok`);
  });
});
