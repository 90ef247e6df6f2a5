/**
 * Parallel hook execution on real subprocesses: the twelve checks of examples/parallel-checks
 * (fixers, Biome, `tsc --noEmit`, `node --test`, node and shell scripts, with dependencies) run
 *
 *   - one after another (a plain loop: the baseline),
 *   - by hookspell's sequential chain,
 *   - by a wave scheduler written the way crackerjack's parallel hook execution works (level by
 *     level; each wave waits for the whole previous wave; a semaphore caps concurrency),
 *   - by hookspell's DAG scheduler (`executor.fire(point, …, { mode: 'parallel', maxParallel })`),
 *
 * with maxParallel 1, 2 and 4, every case on a fresh copy of the fixture, cases interleaved, the
 * median of RUNS runs. Each check's solo duration (measured first, then again in every plain-loop
 * run; the median) gives the lower bound max(critical path, total work / maxParallel); the
 * CPU time the checks' processes used gives a second one on a small machine (CPU time / cores).
 *
 *   pnpm --filter @hookspell/benchmarks bench parallel-hooks
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  CHECKS,
  type Check,
  checkHook,
  POINT,
  prepareWorkspace,
} from '@hookspell/example-parallel-checks/checks';
import { HookExecutor, type HookFunction, HookRegistry } from '@hookspell/hooks';
import { median } from './harness.js';
import { runWaves, wavesOf } from './wave-scheduler.js';

const RUNS = 5;
const SOLO_RUNS = 3;
const PARALLEL = [1, 2, 4];
const cores = availableParallelism();

/** What a command hook reads from its context (the bench calls hooks without an executor). */
const context = (dir: string) =>
  ({
    point: POINT,
    correlationId: 'bench',
    component: { type: 'system', name: 'bench' },
    data: { dir },
    metadata: {},
    timestamp: Date.now(),
  }) as unknown as Parameters<HookFunction>[0];

/**
 * CPU time (ms) of this process's finished children, grandchildren included (Linux adds a
 * reaped child's own and children's times to its parent's cutime/cstime); undefined elsewhere.
 */
const tick = (() => {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  } catch {
    return undefined;
  }
})();
function childrenCpuMs(): number | undefined {
  if (tick === undefined) return undefined;
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) * tick; // cutime + cstime
  } catch {
    return undefined;
  }
}

/** Runs one check; its wall time and (when known) the CPU time its processes used. */
async function runOne(check: Check, dir: string): Promise<{ ms: number; cpuMs: number | undefined }> {
  const cpu = childrenCpuMs();
  const t = performance.now();
  const result = await checkHook(check, dir)(context(dir), new AbortController().signal);
  const ms = performance.now() - t;
  if (result && result.type !== 'continue') throw new Error(`${check.name} answered ${result.type}`);
  const after = childrenCpuMs();
  return { ms, cpuMs: cpu === undefined || after === undefined ? undefined : after - cpu };
}

/** Prepares a workspace, times `fn` on it, removes it. */
async function timed(fn: (dir: string) => Promise<unknown>): Promise<number> {
  const workspace = prepareWorkspace();
  try {
    const t = performance.now();
    await fn(workspace.dir);
    return performance.now() - t;
  } finally {
    workspace.remove();
  }
}

/** Each check's duration (and CPU time) in every plain-loop run, alone on the machine. */
const solo = new Map<string, number[]>(CHECKS.map((c) => [c.name, []]));
const soloCpu = new Map<string, number[]>(CHECKS.map((c) => [c.name, []]));

function plainLoop(): Promise<number> {
  return timed(async (dir) => {
    for (const c of CHECKS) {
      const { ms, cpuMs } = await runOne(c, dir);
      solo.get(c.name)!.push(ms);
      if (cpuMs !== undefined) soloCpu.get(c.name)!.push(cpuMs);
    }
  });
}

function hookspell(mode: 'sequential' | 'parallel', maxParallel = 1): Promise<number> {
  return timed(async (dir) => {
    const registry = new HookRegistry();
    registry.registerMany(
      CHECKS.map((c) => ({
        point: POINT,
        name: c.name,
        hook: checkHook(c, dir),
        dependsOn: c.dependsOn ?? [],
        mutates: c.mutates ?? false,
        critical: c.critical ?? false,
        timeoutMs: 60_000,
        breaker: false as const,
      })),
    );
    const out = await new HookExecutor(registry).fire(POINT, { data: { dir } }, { mode, maxParallel });
    const bad = out.records.filter((r) => r.status !== 'ok');
    if (bad.length > 0) throw new Error(`not ok: ${bad.map((r) => `${r.name} ${r.status}`).join(', ')}`);
  });
}

/** crackerjack's algorithm: levels by dependency depth, a semaphore inside each wave. */
function waves(maxParallel: number): Promise<number> {
  const levels = wavesOf(CHECKS);
  return timed((dir) => runWaves(levels, maxParallel, (c) => runOne(c, dir)));
}

// 1. Solo durations first: every check alone on the machine, after a warm-up. The plain-loop
//    runs of step 2 add theirs, so the bound reflects the machine as it was during the runs.
await plainLoop(); // warm-up: file cache, the tools' first start
for (const s of [...solo.values(), ...soloCpu.values()]) s.length = 0;
for (let i = 0; i < SOLO_RUNS; i++) await plainLoop();

// 2. Makespans, cases interleaved in a rotating order.
type Case = { name: string; p: number | undefined; run: () => Promise<number> };
const cases: Case[] = [
  { name: 'sequential (plain loop)', p: undefined, run: plainLoop },
  { name: 'hookspell sequential chain', p: undefined, run: () => hookspell('sequential') },
  ...PARALLEL.map((p) => ({
    name: `wave scheduler (crackerjack), maxParallel ${p}`,
    p,
    run: () => waves(p),
  })),
  ...PARALLEL.map((p) => ({
    name: `hookspell DAG, maxParallel ${p}`,
    p,
    run: () => hookspell('parallel', p),
  })),
];
const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
for (let run = 0; run < RUNS; run++) {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[(i + run) % cases.length]!;
    samples.get(c.name)!.push(await c.run());
  }
}

// 3. The bound and the table.
const soloMs = new Map([...solo].map(([name, s]) => [name, median(s)]));
const finish = new Map<string, number>();
for (const c of CHECKS) {
  finish.set(c.name, Math.max(0, ...(c.dependsOn ?? []).map((d) => finish.get(d)!)) + soloMs.get(c.name)!);
}
const criticalPath = Math.max(...finish.values());
const totalWork = [...soloMs.values()].reduce((a, b) => a + b, 0);
const bound = (p: number) => Math.max(criticalPath, totalWork / p);
// The checks are CPU-bound and use more than one core at times (V8's helper threads, node --test's
// child processes), so on a small machine their CPU time bounds the makespan as well: no schedule
// finishes before total CPU time / cores. Measured from this process's children's CPU times.
const cpuKnown = [...soloCpu.values()].every((x) => x.length > 0);
const totalCpu = cpuKnown ? [...soloCpu.values()].reduce((a, x) => a + median(x), 0) : undefined;
const machineBound = (p: number) => Math.max(bound(p), (totalCpu ?? 0) / cores);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const sequential = median(samples.get('sequential (plain loop)')!);
const cpuLine =
  totalCpu === undefined
    ? 'CPU time of the checks: not measurable here (no /proc), so no CPU bound.'
    : `Their processes used ${s(totalCpu)} of CPU in all (${s(totalWork)} of wall time, alone): on ${cores} cores no schedule beats ${s(totalCpu / cores)}. CPU bound = max(lower bound, CPU time / cores): ${PARALLEL.map((p) => `${s(machineBound(p))} at ${p}`).join(', ')}.`;
console.log(
  [
    `### ${CHECKS.length} real command hooks (examples/parallel-checks), ${cores} cores`,
    '',
    `Solo durations (median of ${SOLO_RUNS + RUNS} plain-loop runs, ms): ${CHECKS.map(
      (c) =>
        `${c.name} ${soloMs.get(c.name)!.toFixed(0)}${c.mutates ? ' (mutates)' : ''}${c.dependsOn?.length ? ` ← ${c.dependsOn.join(', ')}` : ''}`,
    ).join('; ')}.`,
    '',
    `Critical path ${s(criticalPath)}, total work ${s(totalWork)}. Lower bound = max(critical path, total work / maxParallel): ${PARALLEL.map((p) => `${s(bound(p))} at ${p}`).join(', ')}. ${cpuLine} Median of ${RUNS} runs, interleaved, each on a fresh copy of the fixture.`,
    '',
    '| scheduler | makespan (median) | min – max | speed-up over sequential | vs lower bound | vs CPU bound |',
    '|---|---:|---:|---:|---:|---:|',
    ...cases.map((c) => {
      const m = median(samples.get(c.name)!);
      const all = samples.get(c.name)!;
      const b = c.p === undefined ? '' : `${(m / bound(c.p)).toFixed(2)}×`;
      const bc = c.p === undefined || totalCpu === undefined ? '' : `${(m / machineBound(c.p)).toFixed(2)}×`;
      return `| ${c.name} | ${s(m)} | ${s(Math.min(...all))} – ${s(Math.max(...all))} | ${(sequential / m).toFixed(2)}× | ${b} | ${bc} |`;
    }),
    '',
  ].join('\n'),
);
