import {
  type HookContext,
  type HookPoint,
  HookResult,
  systemClock,
  type WrapCacheStore,
} from '@hookspell/hooks';
import { BoundedMap } from './bounded-map.js';
import {
  AFTER_OF,
  type BuiltinHook,
  type BuiltinOptions,
  check,
  defineBuiltin,
  ERROR_POINTS,
  isoAt,
  operationOf,
  positiveOption,
} from './builtin-hook.js';
import { stableHash } from './cache-key.js';
import { loadLruCache } from './lazy-deps.js';

/** Points the original never caches. */
export const NEVER_CACHE: readonly HookPoint[] = Object.freeze([
  'SecurityViolation',
  'BeforeStateWrite',
  'AfterStateWrite',
]);

export interface CachingOptions extends BuiltinOptions {
  /** @default 1000 */
  maxEntries?: number;
  /** @default 300000 (5 min) */
  ttlMs?: number;
  /** Only results of operations that took at least this long are kept (cheap ones aren't worth it). @default 10 */
  minExecutionMs?: number;
  /** Keep only results of operations that succeeded (no `data.error`). @default true */
  successOnly?: boolean;
  /** @default NEVER_CACHE */
  neverCache?: readonly HookPoint[];
  /** Where an after-point's data holds the result (what `wrap()` passes). @default 'result' */
  resultKey?: string;
  /** Data keys that are not part of the key (besides `resultKey`, `error`, `durationMs`). @default ['attempt', 'forks'] */
  ignoreKeys?: readonly string[];
  /** Key material instead of the data (point and component are always part of the key). */
  key?: (ctx: HookContext) => unknown;
  /**
   * What a hit answers: `replace` with the stored value, or `cache` (the `cache` directive, for a
   * `wrap()` given `cacheStore: hook.store`, which then serves the value itself). @default 'replace'
   */
  hit?: 'replace' | 'cache';
}

export interface CachingStats {
  readonly hits: number;
  readonly misses: number;
  readonly stores: number;
  readonly evictions: number;
  readonly size: number;
}

/** What `caching()` returns: the hook and its cache. */
export interface CachingHook extends BuiltinHook {
  /** The key of the operation `ctx` belongs to (same for its before- and after-point). */
  keyOf(ctx: HookContext): string;
  /** The stored value for `ctx`'s operation, if fresh. */
  peek(ctx: HookContext): { value: unknown } | undefined;
  /** The cache as a `wrap()` cache store (for `hit: 'cache'`). */
  readonly store: WrapCacheStore;
  stats(): CachingStats;
  clear(): void;
}

/**
 * Caches operation results it observes. The key is a stable hash of the operation (a before-point
 * and its after-point share it), the component and the canonicalised data without the result
 * (key order does not matter). At a before-point a fresh entry answers `replace(value)` (or the
 * `cache` directive), so `wrap()` returns it without calling the function; at the after-point the
 * result is stored, if the operation succeeded and took at least `minExecutionMs`. TTL and size
 * bound the cache (lru-cache, on the injected clock). Writes `cache_hit` and `cached_at`.
 * Priority `high`: after rate limiting and security checks, before the rest.
 *
 * @example
 * ```ts
 * const cache = caching({ ttlMs: 60_000 });
 * cache.register(registry); // Before/AfterToolExecution, Before/AfterAgentExecution
 * const search = executor.wrap(webSearch, { before: 'BeforeToolExecution', after: 'AfterToolExecution' });
 * await search('hookspell'); // runs, result stored
 * await search('hookspell'); // served from the cache
 * ```
 */
export function caching(options: CachingOptions = {}): CachingHook {
  const {
    successOnly = true,
    neverCache = NEVER_CACHE,
    resultKey = 'result',
    ignoreKeys = ['attempt', 'forks'],
    hit = 'replace',
    clock = systemClock,
  } = options;
  const maxEntries = positiveOption(options.maxEntries, 1000, 'caching', 'maxEntries');
  const ttlMs = positiveOption(options.ttlMs, 300_000, 'caching', 'ttlMs');
  const minExecutionMs = positiveOption(options.minExecutionMs, 10, 'caching', 'minExecutionMs', true);
  check(hit === 'replace' || hit === 'cache', 'caching', "`hit` must be 'replace' or 'cache'.");
  const never = new Set<string>(neverCache);
  // Timing fields differ between the two points of one operation, so they are never key material.
  const left = new Set([resultKey, 'error', 'durationMs', 'duration_ms', ...ignoreKeys]);
  const counts = { hits: 0, misses: 0, stores: 0, evictions: 0 };
  const cache = new (loadLruCache().LRUCache)<string, { value: unknown; at: number }>({
    max: maxEntries,
    ttl: ttlMs,
    perf: clock,
    ttlResolution: 0,
    dispose: (_value, _key, reason) => {
      if (reason === 'evict') counts.evictions++;
    },
  });
  const started = new BoundedMap<string, number>(maxEntries * 4);

  const keyOf = (ctx: HookContext): string => {
    let material: unknown = options.key?.(ctx);
    if (options.key === undefined) {
      // null prototype: a `__proto__` key in the data stays a key, it does not set a prototype
      const data: Record<string, unknown> = Object.create(null);
      for (const k of Object.keys(ctx.data)) if (!left.has(k)) data[k] = ctx.data[k];
      material = data;
    }
    const { type, name, id } = ctx.component;
    return stableHash({ op: operationOf(ctx.point), component: { type, name, id }, data: material });
  };

  const execute = (ctx: HookContext): HookResult | undefined => {
    if (never.has(ctx.point)) return HookResult.skipped(`caching: ${ctx.point} is never cached`);
    if (ERROR_POINTS.has(ctx.point)) return undefined;
    const key = keyOf(ctx);
    if (AFTER_OF[ctx.point] !== undefined) {
      const entry = cache.get(key);
      if (entry !== undefined) {
        counts.hits++;
        ctx.metadata.cache_hit = 'true';
        ctx.metadata.cached_at = new Date(entry.at).toISOString();
        return hit === 'replace'
          ? HookResult.replace(entry.value)
          : HookResult.cache(key, Math.max(1, cache.getRemainingTTL(key)));
      }
      counts.misses++;
      ctx.metadata.cache_hit = 'false';
      // a metadata object the host passes to every fire must not keep an earlier hit's stamp
      if (ctx.metadata.cached_at !== undefined) delete ctx.metadata.cached_at;
      started.set(key, clock.now());
      return undefined;
    }
    // An after-point (or a point with no pair): store what the operation produced.
    if (!(resultKey in ctx.data)) return undefined;
    if (successOnly && ctx.data.error !== undefined) return undefined;
    const start = started.get(key);
    started.delete(key);
    const took = durationOf(ctx.data) ?? (start === undefined ? undefined : clock.now() - start);
    // Unknown duration (no before-point seen): stored, the rule can't be applied.
    if (took !== undefined && took < minExecutionMs) return undefined;
    const at = clock.now();
    cache.set(key, { value: ctx.data[resultKey], at });
    counts.stores++;
    ctx.metadata.cached_at = isoAt(clock);
    return undefined;
  };

  const store: WrapCacheStore = {
    get: (key) => {
      const entry = cache.get(key);
      return entry === undefined ? undefined : { value: entry.value };
    },
    set: (key, entry, ttl) => {
      cache.set(key, { value: entry.value, at: clock.now() }, { ttl });
    },
  };

  return defineBuiltin(
    {
      name: 'caching',
      priority: 'high',
      points: ['BeforeToolExecution', 'AfterToolExecution', 'BeforeAgentExecution', 'AfterAgentExecution'],
      options,
      execute,
    },
    {
      keyOf,
      store,
      peek(ctx: HookContext) {
        const entry = cache.get(keyOf(ctx));
        return entry === undefined ? undefined : { value: entry.value };
      },
      stats: (): CachingStats => ({ ...counts, size: cache.size }),
      clear: () => {
        cache.clear();
        started.clear();
      },
    },
  );
}

function durationOf(data: Record<string, unknown>): number | undefined {
  const d = data.durationMs ?? data.duration_ms;
  return typeof d === 'number' && Number.isFinite(d) && d >= 0 ? d : undefined;
}
