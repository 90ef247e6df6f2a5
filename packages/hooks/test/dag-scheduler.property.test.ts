import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HookExecutor, type HookRegistration, HookRegistry, HookResult } from '../src/index.js';

// Property tests of the parallel DAG scheduler: random graphs, random result types, random
// durations (small real delays, so completion order really varies), random maxParallel.

const RESULTS = [
  'continue',
  'modified',
  'modified',
  'cancel',
  'redirect',
  'replace',
  'retry',
  'skipped',
] as const;

const dagArb = fc.integer({ min: 1, max: 9 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    deps: fc.array(fc.array(fc.nat({ max: Math.max(0, n - 1) }), { maxLength: 3 }), {
      minLength: n,
      maxLength: n,
    }),
    results: fc.array(fc.constantFrom(...RESULTS), { minLength: n, maxLength: n }),
    keys: fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: n, maxLength: n }),
    mutates: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    priorities: fc.array(
      fc.constantFrom('high', 'normal', 'low') as fc.Arbitrary<'high' | 'normal' | 'low'>,
      { minLength: n, maxLength: n },
    ),
    durationsA: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
    durationsB: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
    maxParallel: fc.integer({ min: 1, max: 4 }),
  }),
);

type Dag = typeof dagArb extends fc.Arbitrary<infer T> ? T : never;

const delay = (ms: number): Promise<void> =>
  ms === 0 ? Promise.resolve() : new Promise((r) => (ms === 1 ? setImmediate(r) : setTimeout(r, ms - 1)));

async function runDag(dag: Dag, durations: number[]) {
  const registry = new HookRegistry();
  registry.configurePoint('BeforeWorkflowStage', { mode: 'parallel', maxParallel: dag.maxParallel });
  let running = 0;
  let mutating = 0;
  let peak = 0;
  const violations: string[] = [];
  const finished = new Set<string>();
  const starts: string[] = [];
  // Only earlier hooks may be prerequisites: the graph is acyclic by construction.
  const deps = dag.deps.map((ds, i) => [...new Set(ds.filter((d) => d < i))].map((d) => `h${d}`));
  const regs: HookRegistration[] = Array.from({ length: dag.n }, (_, i) => ({
    point: 'BeforeWorkflowStage',
    name: `h${i}`,
    priority: dag.priorities[i],
    dependsOn: deps[i],
    mutates: dag.mutates[i],
    hook: async () => {
      const name = `h${i}`;
      starts.push(name);
      peak = Math.max(peak, ++running);
      if (dag.mutates[i] && ++mutating > 1) violations.push(`${name} overlapped another mutating hook`);
      for (const d of deps[i]!) if (!finished.has(d)) violations.push(`${name} started before ${d}`);
      await delay(durations[i]!);
      running--;
      if (dag.mutates[i]) mutating--;
      finished.add(name);
      switch (dag.results[i]) {
        case 'modified':
          return HookResult.modified({ [dag.keys[i]!]: name });
        case 'cancel':
          return HookResult.cancel(`by ${name}`);
        case 'redirect':
          return HookResult.redirect(`to ${name}`);
        case 'replace':
          return HookResult.replace(name);
        case 'retry':
          return HookResult.retry(1, 2);
        case 'skipped':
          return HookResult.skipped(name);
        default:
          return undefined;
      }
    },
  }));
  registry.registerMany(regs);
  const outcome = await new HookExecutor(registry).fire('BeforeWorkflowStage', { data: { base: 1 } });
  return { outcome, peak, violations, starts };
}

describe('DAG scheduler properties', () => {
  it('respects maxParallel, dependencies and mutates; one record per hook; same aggregate whatever the completion order', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb, async (dag) => {
        const a = await runDag(dag, dag.durationsA);
        const b = await runDag(dag, dag.durationsB);
        for (const run of [a, b]) {
          expect(run.violations).toEqual([]);
          expect(run.peak).toBeLessThanOrEqual(dag.maxParallel);
          expect(run.outcome.records).toHaveLength(dag.n);
          expect(new Set(run.outcome.records.map((r) => r.name)).size).toBe(dag.n);
          expect(run.outcome.records.every((r) => r.status === 'ok')).toBe(true);
          expect(run.starts).toHaveLength(dag.n);
        }
        const view = (o: typeof a.outcome) => ({
          decision: o.decision,
          data: o.data,
          conflicts: o.conflicts,
          directives: o.directives,
          order: o.records.map((r) => r.name),
          results: o.records.map((r) => r.result),
        });
        expect(view(b.outcome)).toEqual(view(a.outcome));
      }),
      { numRuns: 60 },
    );
  });

  it('a critical failure gives every hook exactly one record, never more', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb, fc.nat(), async (dag, pick) => {
        const registry = new HookRegistry();
        registry.configurePoint('BeforeWorkflowStage', { mode: 'parallel', maxParallel: dag.maxParallel });
        const crit = pick % dag.n;
        registry.registerMany(
          Array.from({ length: dag.n }, (_, i) => ({
            point: 'BeforeWorkflowStage' as const,
            name: `h${i}`,
            dependsOn: [...new Set(dag.deps[i]!.filter((d) => d < i))].map((d) => `h${d}`),
            critical: i === crit,
            hook: async () => {
              await delay(dag.durationsA[i]!);
              if (i === crit) throw new Error('critical failure');
            },
          })),
        );
        const out = await new HookExecutor(registry).fire('BeforeWorkflowStage');
        expect(out.records).toHaveLength(dag.n);
        expect(out.records.filter((r) => r === undefined)).toHaveLength(0);
        expect(out.records.find((r) => r.name === `h${crit}`)!.status).toBe('error');
      }),
      { numRuns: 40 },
    );
  });
});
