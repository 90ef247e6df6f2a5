// parallel-checks: twelve real command hooks (fixers, biome, tsc, node --test, shell scripts) on
// a copy of fixture/, run once as a sequential chain and once as a DAG in parallel mode, with
// the speed-up printed.
//
//   pnpm --filter @hookspell/example-parallel-checks start [-- --max-parallel 4]
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { CHECKS, POINT, prepareWorkspace, registerChecks } from './checks.mjs';

const { values } = parseArgs({ options: { 'max-parallel': { type: 'string', default: '4' } } });
const maxParallel = Number(values['max-parallel']);

/** One run of the checks in a fresh copy of the fixture; returns the outcome and the wall time. */
async function run(mode) {
  const workspace = prepareWorkspace();
  try {
    const registry = new HookRegistry();
    registerChecks(registry, workspace.dir);
    const executor = new HookExecutor(registry);
    const started = performance.now();
    const outcome = await executor.fire(
      POINT,
      { data: { dir: workspace.dir } },
      mode === 'parallel' ? { mode: 'parallel', maxParallel } : { mode: 'sequential' },
    );
    return { outcome, ms: performance.now() - started };
  } finally {
    workspace.remove();
  }
}

const cpus = availableParallelism();
console.log(
  `parallel-checks: ${CHECKS.length} command hooks at ${POINT} on a copy of fixture/ (${cpus} CPUs)`,
);
await run('parallel'); // warm-up, untimed: the first run of tsc and biome pays the cold file cache
const sequential = await run('sequential');
const dag = await run('parallel');

const t0 = (o) => Math.min(...o.records.filter((r) => r.startedAt > 0).map((r) => r.startedAt));
const [s0, d0] = [t0(sequential.outcome), t0(dag.outcome)];
const dagRecords = new Map(dag.outcome.records.map((r) => [r.name, r]));
const cell = (r, base) =>
  `${r.status.padEnd(7)} ${fmt(r.startedAt - base).padStart(7)} +${fmt(r.durationMs)}`;
const fmt = (ms) => `${(ms / 1000).toFixed(2)}s`;
console.log(
  `\n${'check'.padEnd(20)} ${'sequential (start +duration)'.padEnd(28)}  DAG, maxParallel ${maxParallel}`,
);
for (const r of sequential.outcome.records) {
  const spec = CHECKS.find((c) => c.name === r.name);
  const flags = [
    spec.mutates && 'mutates',
    spec.critical && 'critical',
    spec.dependsOn && `← ${spec.dependsOn}`,
  ]
    .filter(Boolean)
    .join(' ');
  console.log(
    `${r.name.padEnd(20)} ${cell(r, s0).padEnd(28)}  ${cell(dagRecords.get(r.name), d0).padEnd(26)} ${flags}`.trimEnd(),
  );
}
const failed = [...sequential.outcome.records, ...dag.outcome.records].filter((r) => r.status !== 'ok');
for (const r of failed) console.log(`  ${r.name} ${r.status}: ${r.error?.message ?? r.result?.reason ?? ''}`);

console.log(
  `\nsequential ${fmt(sequential.ms)} · DAG ${fmt(dag.ms)} → ${(sequential.ms / dag.ms).toFixed(2)}× faster`,
);
console.log(
  `decision: sequential ${sequential.outcome.decision.type}, DAG ${dag.outcome.decision.type}; ` +
    `${dag.outcome.records.filter((r) => r.status === 'ok').length}/${CHECKS.length} checks ok in both`,
);
process.exitCode =
  failed.length === 0 && dag.outcome.decision.type === sequential.outcome.decision.type ? 0 : 1;
