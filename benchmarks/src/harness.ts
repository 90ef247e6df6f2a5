/**
 * A small benchmark harness with the rules every table in benchmarks/README.md follows:
 * one process, cases interleaved (each sample runs every case once, in a rotating order),
 * a warm-up first, the median of several samples, and the ratio to an anchor measured in the
 * same run.
 */
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface BenchCase {
  name: string;
  /** One call; may return a promise, which is awaited. */
  fn: () => unknown;
  /** Operations one call performs (e.g. 1000 for a batch of 1000 rows). @default 1 */
  opsPerCall?: number;
}

export interface CompareOptions {
  /** Name of the case the others are compared to. */
  anchor: string;
  /** @default 7 */
  samples?: number;
  /** Target duration of one sample of one case, in ms. @default 250 */
  sampleMs?: number;
  /** Warm-up per case, in ms. @default 300 */
  warmupMs?: number;
}

export interface CaseResult {
  name: string;
  /** Median operations per second over the samples. */
  opsPerSec: number;
  min: number;
  max: number;
  /** opsPerSec / anchor's opsPerSec. */
  ratio: number;
}

export async function compare(
  title: string,
  cases: BenchCase[],
  options: CompareOptions,
): Promise<CaseResult[]> {
  const { anchor, samples = 7, sampleMs = 250, warmupMs = 300 } = options;
  if (!cases.some((c) => c.name === anchor)) throw new Error(`anchor ${anchor} is not one of the cases`);
  const calls = new Map<string, number>();
  for (const c of cases) calls.set(c.name, await calibrate(c, warmupMs, sampleMs));
  const rates = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + s) % cases.length]!;
      const n = calls.get(c.name)!;
      const ms = await timeCalls(c.fn, n);
      rates.get(c.name)!.push(((n * (c.opsPerCall ?? 1)) / ms) * 1000);
    }
  }
  const anchorRate = median(rates.get(anchor)!);
  const results = cases.map((c) => {
    const r = rates.get(c.name)!;
    const opsPerSec = median(r);
    return {
      name: c.name,
      opsPerSec,
      min: Math.min(...r),
      max: Math.max(...r),
      ratio: opsPerSec / anchorRate,
    };
  });
  printTable(title, results, anchor);
  return results;
}

// Runs warm-up and returns how many calls fill about `sampleMs`.
async function calibrate(c: BenchCase, warmupMs: number, sampleMs: number): Promise<number> {
  let n = 1;
  let elapsed = 0;
  const end = performance.now() + warmupMs;
  while (performance.now() < end || elapsed < 5) {
    elapsed = await timeCalls(c.fn, n);
    if (elapsed < sampleMs / 4) n *= 2;
  }
  return Math.max(1, Math.round((n * sampleMs) / Math.max(elapsed, 0.001)));
}

async function timeCalls(fn: () => unknown, n: number): Promise<number> {
  const start = performance.now();
  const first = fn();
  if (first instanceof Promise) {
    await first;
    for (let i = 1; i < n; i++) await fn();
  } else {
    for (let i = 1; i < n; i++) fn();
  }
  return performance.now() - start;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Each case's samples as a result row: median, range, and the ratio to the anchor case's median. */
export function resultsOf(
  names: readonly string[],
  rates: Map<string, number[]>,
  anchor: string,
): CaseResult[] {
  const anchorRate = median(rates.get(anchor)!);
  return names.map((name) => {
    const r = rates.get(name)!;
    return {
      name,
      opsPerSec: median(r),
      min: Math.min(...r),
      max: Math.max(...r),
      ratio: median(r) / anchorRate,
    };
  });
}

export function formatRate(opsPerSec: number): string {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)} M`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(1)} k`;
  return opsPerSec.toFixed(0);
}

export function printTable(title: string, results: CaseResult[], anchor: string): void {
  const lines = [
    `### ${title}`,
    '',
    `| case | ops/s (median) | min – max | vs ${anchor} |`,
    '|---|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${formatRate(r.opsPerSec)} | ${formatRate(r.min)} – ${formatRate(r.max)} | ${r.ratio.toFixed(2)}× |`,
    ),
    '',
  ];
  console.log(lines.join('\n'));
}

/** Prints the machine line that heads every published table. */
export function machineLine(): string {
  return `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
}
