/** Per-hook figures read with `executor.metrics()`. Latencies in ms. */
export interface HookMetrics {
  /** Calls that ran (ok + errors + timeouts). */
  readonly count: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Planned but not run (open breaker, shouldExecute false, chain stopped…). */
  readonly skipped: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

// Log-linear histogram: 4 buckets per power of two from 1 µs, so any percentile is within ±10 %
// of the true value, memory is 128 counters per hook whatever the call count, and histograms of
// one hook name at several points merge by adding counters.
const SUB = 4;
const BUCKETS = 128;

function bucketOf(ms: number): number {
  const us = ms * 1000;
  if (us < 1) return 0;
  const i = Math.floor(Math.log2(us) * SUB) + 1;
  return i < BUCKETS ? i : BUCKETS - 1;
}

/** Representative value of a bucket: the geometric middle of its bounds, in ms. */
function bucketValue(bucket: number): number {
  if (bucket === 0) return 0.0005;
  return 2 ** ((bucket - 0.5) / SUB) / 1000;
}

/**
 * Bounded latency and outcome counters of one hook as seen by one executor.
 * @internal
 */
export class LatencyMetrics {
  private readonly buckets = new Uint32Array(BUCKETS);
  count = 0;
  errors = 0;
  timeouts = 0;
  skipped = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  observe(ms: number): void {
    this.count++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    this.buckets[bucketOf(ms)]!++;
  }

  /** Adds another hook's counters into this one (same name at several points). */
  merge(other: LatencyMetrics): this {
    for (let i = 0; i < BUCKETS; i++) this.buckets[i]! += other.buckets[i]!;
    this.count += other.count;
    this.errors += other.errors;
    this.timeouts += other.timeouts;
    this.skipped += other.skipped;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    return this;
  }

  snapshot(): HookMetrics {
    return {
      count: this.count,
      errors: this.errors,
      timeouts: this.timeouts,
      skipped: this.skipped,
      meanMs: this.count ? this.sum / this.count : 0,
      minMs: this.count ? this.min : 0,
      maxMs: this.max,
      p50: this.percentile(0.5),
      p95: this.percentile(0.95),
      p99: this.percentile(0.99),
    };
  }

  /** Memory held, in counters — constant, whatever the number of calls. */
  static readonly size = BUCKETS;

  private percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, bucketValue(i)));
    }
    return this.max;
  }
}
