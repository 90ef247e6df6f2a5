/**
 * The parallel scheduler on a fixed 10-hook DAG with maxParallel 4: hookspell's DAG scheduler
 * vs a wave scheduler written the way crackerjack's parallel hook execution works (level by
 * level; each wave waits for the whole previous wave; a semaphore caps concurrency) vs running
 * the hooks one after another.
 *
 * Durations: crackerjack's "fast hooks" (10 hooks, ~48 s sequential in its own notes) — the
 * per-hook split below is invented but plausible (formatters short, secret scan and linter
 * long), scaled 1 s → 10 ms. Formatters (`mutates`) are chained by dependencies, as
 * crackerjack runs fixers before checkers.
 *
 *   pnpm --filter @hookspell/benchmarks bench dag
 */
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { median } from './harness.js';
import { runWaves, wavesOf } from './wave-scheduler.js';

interface Spec {
  name: string;
  seconds: number;
  dependsOn: string[];
  mutates?: boolean;
}

const SCALE_MS_PER_S = 10;
const MAX_PARALLEL = 4;
const RUNS = 7;

const DAG: Spec[] = [
  { name: 'trailing-whitespace', seconds: 2.5, dependsOn: [], mutates: true },
  { name: 'end-of-file-fixer', seconds: 2.0, dependsOn: ['trailing-whitespace'], mutates: true },
  { name: 'check-yaml', seconds: 1.5, dependsOn: ['end-of-file-fixer'] },
  { name: 'check-toml', seconds: 1.0, dependsOn: ['end-of-file-fixer'] },
  { name: 'check-added-large-files', seconds: 2.0, dependsOn: [] },
  { name: 'uv-lock', seconds: 6.0, dependsOn: [] },
  { name: 'gitleaks', seconds: 9.0, dependsOn: [] },
  { name: 'codespell', seconds: 5.0, dependsOn: ['end-of-file-fixer'] },
  { name: 'ruff-format', seconds: 7.0, dependsOn: ['end-of-file-fixer'], mutates: true },
  { name: 'ruff-check', seconds: 12.0, dependsOn: ['ruff-format'] },
];

const ms = (s: Spec) => s.seconds * SCALE_MS_PER_S;
const sleep = (t: number) => new Promise<void>((r) => setTimeout(r, t));

// Lower bound: max(critical path, total work / maxParallel).
const finish = new Map<string, number>();
for (const s of DAG) finish.set(s.name, Math.max(0, ...s.dependsOn.map((d) => finish.get(d)!)) + ms(s));
const criticalPath = Math.max(...finish.values());
const totalWork = DAG.reduce((a, s) => a + ms(s), 0);
const lowerBound = Math.max(criticalPath, totalWork / MAX_PARALLEL);

async function hookspellDag(): Promise<number> {
  const registry = new HookRegistry();
  registry.configurePoint('BeforeWorkflowStage', { mode: 'parallel', maxParallel: MAX_PARALLEL });
  registry.registerMany(
    DAG.map((s) => ({
      point: 'BeforeWorkflowStage' as const,
      name: s.name,
      dependsOn: s.dependsOn,
      mutates: s.mutates,
      hook: () => sleep(ms(s)),
    })),
  );
  const executor = new HookExecutor(registry, { defaultTimeoutMs: 60_000 });
  const t = performance.now();
  const out = await executor.fire('BeforeWorkflowStage');
  if (out.records.some((r) => r.status !== 'ok')) throw new Error('a hook did not run');
  return performance.now() - t;
}

/** crackerjack's algorithm: levels by dependency depth, a semaphore inside each wave. */
async function waveScheduler(): Promise<number> {
  const waves = wavesOf(DAG);
  const t = performance.now();
  await runWaves(waves, MAX_PARALLEL, (s) => sleep(ms(s)));
  return performance.now() - t;
}

async function sequentialRun(): Promise<number> {
  const t = performance.now();
  for (const s of DAG) await sleep(ms(s));
  return performance.now() - t;
}

const cases: [string, () => Promise<number>][] = [
  ['hookspell DAG scheduler', hookspellDag],
  ['wave scheduler (crackerjack)', waveScheduler],
  ['sequential', sequentialRun],
];
const samples = new Map<string, number[]>(cases.map(([n]) => [n, []]));
for (let run = 0; run < RUNS; run++) {
  for (let i = 0; i < cases.length; i++) {
    const [name, fn] = cases[(i + run) % cases.length]!;
    samples.get(name)!.push(await fn());
  }
}
const wave = median(samples.get('wave scheduler (crackerjack)')!);
console.log(
  [
    `### 10-hook DAG, maxParallel ${MAX_PARALLEL} (durations: crackerjack fast hooks, 1 s → ${SCALE_MS_PER_S} ms)`,
    '',
    `Durations (ms): ${DAG.map((s) => `${s.name} ${ms(s)}${s.mutates ? ' (mutates)' : ''}${s.dependsOn.length ? ` ← ${s.dependsOn.join(', ')}` : ''}`).join('; ')}.`,
    '',
    `Lower bound = max(critical path ${criticalPath} ms, total work ${totalWork} ms / ${MAX_PARALLEL} = ${totalWork / MAX_PARALLEL} ms) = ${lowerBound} ms. Median of ${RUNS} runs, interleaved.`,
    '',
    '| scheduler | makespan (median) | min – max | vs lower bound | vs wave |',
    '|---|---:|---:|---:|---:|',
    ...cases.map(([name]) => {
      const s = samples.get(name)!;
      const m = median(s);
      return `| ${name} | ${m.toFixed(1)} ms | ${Math.min(...s).toFixed(1)} – ${Math.max(...s).toFixed(1)} ms | ${(m / lowerBound).toFixed(3)}× | ${(m / wave).toFixed(3)}× |`;
    }),
    '',
  ].join('\n'),
);
