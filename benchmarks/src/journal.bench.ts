/**
 * What recording costs: firing with a `HookJournal` on SQLite attached vs the same executor
 * without one, with 1 async hook and with all eight built-ins registered.
 *
 * Two figures per configuration, because the journal writes in batches, off the fire:
 *  - "fire path": the fires are timed, the batch write that follows each batch of 1000 entries
 *    (the default `maxBatch`) is not — what a fire pays while recording (the target of issue #7:
 *    ≥ 50 % of the journal-less rate);
 *  - "writes included": each timed call is one batch of operations plus `journal.flush()` — the
 *    sustained rate when the process also does the SQLite writes (one thread does both).
 * A bare executor (no correlation scope), as in hooks.bench.ts.
 *
 *   pnpm --filter @hookspell/benchmarks bench journal
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  caching,
  costTracking,
  debugging,
  logging,
  metrics,
  rateLimit,
  retry,
  security,
} from '@hookspell/builtins';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { HookJournal } from '@hookspell/journal';
import { SqliteStorage } from '@hookspell/storage';
import { type CaseResult, compare, printTable, resultsOf } from './harness.js';

const FIRES = 1000;
const SAMPLES = 7;
const dir = mkdtempSync(join(tmpdir(), 'hookspell-journal-bench-'));
let dbs = 0;

interface Setup {
  /** `batch` operations: as many as make one journal batch (1000 entries, `maxBatch`'s default). */
  run: () => Promise<void>;
  batch: number;
  /** Writes what the journal holds (nothing without one). */
  flush: () => Promise<void>;
}

function oneHook(journal: boolean): Setup {
  const registry = new HookRegistry();
  registry.register('BeforeToolExecution', async (_ctx) => {}, { name: 'h0' });
  const input = { component: { type: 'tool' as const, name: 'shell' }, data: { cmd: 'ls' } };
  return withJournal(registry, journal, 1000, (executor) => executor.fire('BeforeToolExecution', input));
}

function eightBuiltins(journal: boolean): Setup {
  const registry = new HookRegistry();
  const quiet = new Writable({ write: (_chunk, _enc, done) => done() });
  logging({ destination: quiet }).register(registry);
  metrics().register(registry);
  caching().register(registry);
  rateLimit({ capacity: 1e12 }).register(registry);
  retry().register(registry);
  costTracking().register(registry);
  security().register(registry);
  debugging().register(registry);
  const component = { type: 'agent' as const, name: 'planner' };
  const metadata = { user_id: 'alice' };
  const usage = {
    input_tokens: 120,
    output_tokens: 40,
    total_tokens: 160,
    model: 'gpt-4o-mini',
    provider: 'openai',
  };
  // One agent call: its before- and after-point; together they run all eight built-ins, 13 hook
  // executions, so 75 calls make a journal batch.
  return withJournal(registry, journal, 75, async (executor) => {
    await executor.fire('BeforeAgentExecution', {
      component,
      metadata: { ...metadata },
      data: { prompt: 'hi' },
    });
    await executor.fire('AfterAgentExecution', {
      component,
      metadata: { ...metadata },
      data: { prompt: 'hi', result: 'hello', token_usage: usage },
    });
  });
}

function withJournal(
  registry: HookRegistry,
  journal: boolean,
  batch: number,
  op: (executor: HookExecutor) => Promise<unknown>,
): Setup {
  const executor = new HookExecutor(registry);
  let j: HookJournal | undefined;
  if (journal) {
    j = new HookJournal(SqliteStorage({ path: join(dir, `journal-${dbs++}.db`) }), {
      retention: { maxEntries: 1_000_000 },
    });
    j.attach(executor);
  }
  return {
    batch,
    run: async () => {
      for (let i = 0; i < batch; i++) await op(executor);
    },
    flush: async () => {
      await j?.flush();
    },
  };
}

/**
 * Interleaved samples of the fire path alone: batches of operations are timed, the journal write
 * after each batch is not (a sample is ~20 000 fires).
 */
async function firePath(
  title: string,
  cases: { name: string; setup: Setup }[],
  anchor: string,
): Promise<CaseResult[]> {
  const batchesOf = (c: Setup) => Math.ceil((20 * FIRES) / c.batch);
  for (const c of cases) for (let w = 0; w < batchesOf(c.setup); w++) await c.setup.run().then(c.setup.flush); // warm-up
  const rates = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let s = 0; s < SAMPLES; s++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + s) % cases.length]!;
      const n = batchesOf(c.setup);
      let ms = 0;
      for (let k = 0; k < n; k++) {
        const t0 = performance.now();
        await c.setup.run();
        ms += performance.now() - t0;
        await c.setup.flush();
      }
      rates.get(c.name)!.push(((n * c.setup.batch) / ms) * 1000);
    }
  }
  const results = resultsOf(
    cases.map((c) => c.name),
    rates,
    anchor,
  );
  printTable(title, results, anchor);
  return results;
}

const summary: string[] = [];
for (const [label, make, unit] of [
  ['1 async hook', oneHook, 'fires'],
  ['all eight built-ins (agent call = Before + AfterAgentExecution)', eightBuiltins, 'agent calls'],
] as const) {
  const bare = make(false);
  const recorded = make(true);
  const path = await firePath(
    `${label}: fire path (${unit}/s; batch writes not timed)`,
    [
      { name: 'no journal', setup: bare },
      { name: 'journal on SQLite', setup: recorded },
    ],
    'no journal',
  );
  const sustained = await compare(
    `${label}: writes included (${unit}/s; each call = ${bare.batch} + journal.flush())`,
    [
      { name: 'no journal', fn: () => bare.run().then(bare.flush), opsPerCall: bare.batch },
      {
        name: 'journal on SQLite',
        fn: () => recorded.run().then(recorded.flush),
        opsPerCall: recorded.batch,
      },
    ],
    { anchor: 'no journal', samples: SAMPLES },
  );
  summary.push(
    `- ${label}: fire path ${path[1]!.ratio.toFixed(2)}× of the journal-less rate, writes included ${sustained[1]!.ratio.toFixed(2)}×`,
  );
}
console.log(['Summary:', '', ...summary, ''].join('\n'));
rmSync(dir, { recursive: true, force: true });
