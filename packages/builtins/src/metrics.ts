import { HOOK_POINTS, type HookContext, systemClock } from '@hookspell/hooks';
import {
  AFTER_OF,
  type BuiltinHook,
  type BuiltinOptions,
  check,
  defineBuiltin,
  ERROR_POINTS,
  isoAt,
} from './builtin-hook.js';
import { loadLruCache } from './lazy-deps.js';
import { OperationTimer } from './operation-timer.js';

/** The original's histogram bounds, in ms: 1, 5, 10, 25, 50, 100, 250, 500 ms, 1, 2.5, 5, 10 s. */
export const DEFAULT_BUCKETS_MS: readonly number[] = Object.freeze([
  1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
]);

export interface MetricsOptions extends BuiltinOptions {
  /** Histogram upper bounds in ms, ascending; one more bucket counts everything above. */
  bucketsMs?: readonly number[];
  /** Most points tracked (custom points included); the least recently fired are dropped. @default 1000 */
  maxPoints?: number;
  /** Before-points whose after-point has not come yet, kept to time operations. @default 10000 */
  maxInFlight?: number;
}

/** Figures of one point. Latencies in ms, estimated from the histogram. */
export interface PointMetrics {
  readonly count: number;
  readonly errors: number;
  /** (count − errors) / count; 1 when nothing was counted. */
  readonly successRate: number;
  /** Operations timed at this point (after-points paired with their before-point, or `data.durationMs`). */
  readonly timed: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** Count per bucket, keyed by its upper bound in ms (`'+Inf'` for the last). */
  readonly buckets: Readonly<Record<string, number>>;
}

export interface MetricsSnapshot {
  readonly points: Readonly<Record<string, PointMetrics>>;
  readonly total: number;
  readonly errors: number;
}

/** What `metrics()` returns: the hook, and what it gathered. */
export interface MetricsHook extends BuiltinHook {
  /** Figures per point, all at once. */
  snapshot(): MetricsSnapshot;
  /** Figures of one point, or undefined when it never fired. */
  point(point: string): PointMetrics | undefined;
  reset(): void;
}

class PointStats {
  count = 0;
  errors = 0;
  timed = 0;
  readonly buckets: Uint32Array;
  constructor(n: number) {
    this.buckets = new Uint32Array(n + 1);
  }
}

/**
 * Counts every point it sees, its errors (error points, or `data.error`) and success rate, and
 * times operations — an after-point against its before-point for the same component and
 * correlation, or `data.durationMs` / `data.duration_ms` when given — into a fixed histogram per
 * point, from which p50/p95/p99 are estimated. Memory is bounded (`maxPoints`, `maxInFlight`).
 * Writes `metrics_recorded_at`. Priority `low`.
 *
 * @example
 * ```ts
 * const m = metrics();
 * m.register(registry);
 * // … fires …
 * m.point('AfterToolExecution'); // { count, errors, successRate, p50, p95, p99, buckets }
 * ```
 */
export function metrics(options: MetricsOptions = {}): MetricsHook {
  const {
    bucketsMs = DEFAULT_BUCKETS_MS,
    maxPoints = 1000,
    maxInFlight = 10_000,
    clock = systemClock,
  } = options;
  check(
    bucketsMs.length > 0 && bucketsMs.every((b, i) => b > 0 && (i === 0 || b > bucketsMs[i - 1]!)),
    'metrics',
    '`bucketsMs` must be positive numbers in ascending order.',
  );
  const bounds = [...bucketsMs];
  const points = new (loadLruCache().LRUCache)<string, PointStats>({ max: maxPoints });
  const timer = new OperationTimer(maxInFlight);

  const execute = (ctx: HookContext): void => {
    const now = clock.now();
    ctx.metadata.metrics_recorded_at = isoAt(clock);
    let stats = points.get(ctx.point);
    if (stats === undefined) points.set(ctx.point, (stats = new PointStats(bounds.length)));
    stats.count++;
    if (ERROR_POINTS.has(ctx.point) || ctx.data.error !== undefined) stats.errors++;
    const paired = timer.observe(ctx, now);
    if (AFTER_OF[ctx.point] !== undefined) return;
    const duration = durationOf(ctx.data) ?? paired;
    if (duration === undefined) return;
    stats.timed++;
    let b = 0;
    while (b < bounds.length && duration > bounds[b]!) b++;
    stats.buckets[b]!++;
  };

  const view = (stats: PointStats): PointMetrics => {
    const buckets: Record<string, number> = {};
    bounds.forEach((bound, i) => {
      buckets[String(bound)] = stats.buckets[i]!;
    });
    buckets['+Inf'] = stats.buckets[bounds.length]!;
    return {
      count: stats.count,
      errors: stats.errors,
      successRate: stats.count === 0 ? 1 : (stats.count - stats.errors) / stats.count,
      timed: stats.timed,
      p50: percentile(stats, bounds, 0.5),
      p95: percentile(stats, bounds, 0.95),
      p99: percentile(stats, bounds, 0.99),
      buckets,
    };
  };

  return defineBuiltin(
    { name: 'metrics', priority: 'low', points: HOOK_POINTS, options, execute },
    {
      snapshot(): MetricsSnapshot {
        const out: Record<string, PointMetrics> = {};
        let total = 0;
        let errors = 0;
        for (const [point, stats] of points.entries()) {
          out[point] = view(stats);
          total += stats.count;
          errors += stats.errors;
        }
        return { points: out, total, errors };
      },
      point(point: string): PointMetrics | undefined {
        const stats = points.peek(point);
        return stats === undefined ? undefined : view(stats);
      },
      reset(): void {
        points.clear();
        timer.clear();
      },
    },
  );
}

function durationOf(data: Record<string, unknown>): number | undefined {
  const d = data.durationMs ?? data.duration_ms;
  return typeof d === 'number' && Number.isFinite(d) && d >= 0 ? d : undefined;
}

/** Linear interpolation inside the bucket holding the q-th value (Prometheus' histogram_quantile). */
function percentile(stats: PointStats, bounds: readonly number[], q: number): number {
  if (stats.timed === 0) return 0;
  const rank = q * stats.timed;
  let seen = 0;
  for (let b = 0; b <= bounds.length; b++) {
    const n = stats.buckets[b]!;
    if (seen + n >= rank && n > 0) {
      if (b === bounds.length) return bounds[bounds.length - 1]!; // above the last bound: report the bound
      const lo = b === 0 ? 0 : bounds[b - 1]!;
      return lo + (bounds[b]! - lo) * ((rank - seen) / n);
    }
    seen += n;
  }
  return bounds[bounds.length - 1]!;
}
