import { setTimeout as sleepFor } from 'node:timers/promises';
import { type HookContext, HookResult, systemClock } from '@hookspell/hooks';
import {
  type BuiltinHook,
  type BuiltinOptions,
  check,
  defineBuiltin,
  positiveOption,
} from './builtin-hook.js';
import { type BuiltinEventOptions, eventEmitter } from './event-target.js';
import { loadLruCache } from './lazy-deps.js';
import { type ClockedTokenBucket, clockedTokenBucket } from './token-bucket.js';

/**
 * Whose bucket a call takes from: one for everything, one per component, one per user (the
 * `user_id` metadata), or a template of `{component}`, `{hook_point}` and `{user}`.
 */
export type RateLimitKey = 'global' | 'per-component' | 'per-user' | { template: string };

/**
 * What happens to a call over the limit: `cancel` (with the Retry-After), `delay` (wait for a
 * token, up to `maxDelayMs`), `redirect` to `redirectTarget`, or `return-cached` (the `cached`
 * value, else cancel).
 */
export type RateLimitAction = 'cancel' | 'delay' | 'redirect' | 'return-cached';

export interface RateLimitOptions extends BuiltinOptions, BuiltinEventOptions {
  /** Tokens of steady capacity. @default 100 */
  capacity?: number;
  /** Extra tokens for bursts: the bucket holds capacity + burst. @default 50 */
  burst?: number;
  /** Tokens added per interval. @default 10 */
  refillTokens?: number;
  /** @default 1000 */
  refillIntervalMs?: number;
  /** @default 'global' */
  key?: RateLimitKey;
  /** Metadata key naming the user. @default 'user_id' */
  userKey?: string;
  /** @default 'cancel' */
  action?: RateLimitAction;
  /** Target of `action: 'redirect'`. */
  redirectTarget?: string;
  /** Source of `action: 'return-cached'` (e.g. a `caching()` hook, or a function). */
  cached?:
    | { peek(ctx: HookContext): { value: unknown } | undefined }
    | ((ctx: HookContext) => { value: unknown } | undefined);
  /** `delay`: longest wait before giving up and cancelling. @default 30000 */
  maxDelayMs?: number;
  /** A warning (metadata and event) once this share of the bucket is used. @default 0.8 */
  warnAt?: number;
  /** Tokens a call takes. @default 1 */
  cost?: (ctx: HookContext) => number;
  /** Most buckets kept (least recently used go). @default 10000 */
  maxKeys?: number;
  /** How `delay` waits. @default timers/promises setTimeout */
  sleep?: (ms: number, signal: AbortSignal) => Promise<unknown>;
}

/** What `rateLimit()` returns. */
export interface RateLimitHook extends BuiltinHook {
  /** The bucket key of a call. */
  keyOf(ctx: HookContext): string;
  /** Tokens left in a bucket (full if it was never used). */
  remaining(key: string): number;
  reset(): void;
}

/**
 * A token bucket (limiter's) per key in front of the points it guards. Every call writes the
 * `X-RateLimit-Limit`, `-Remaining`, `-Reset` (seconds until full), `-Burst` metadata, plus
 * `-Warning` past `warnAt` and `-Retry-After` (seconds) when limited; a limited call gets the
 * configured action. Emits `rate_limit.warning` and `rate_limit.exceeded`. Priority `highest`.
 *
 * @example
 * ```ts
 * rateLimit({ key: 'per-user', capacity: 20, burst: 5, refillTokens: 1, action: 'delay' }).register(registry);
 * ```
 */
export function rateLimit(options: RateLimitOptions = {}): RateLimitHook {
  const {
    key = 'global',
    userKey = 'user_id',
    action = 'cancel',
    warnAt = 0.8,
    clock = systemClock,
    sleep = (ms: number, signal: AbortSignal) => sleepFor(ms, undefined, { signal }),
  } = options;
  const capacity = positiveOption(options.capacity, 100, 'rateLimit', 'capacity');
  const burst = positiveOption(options.burst, 50, 'rateLimit', 'burst', true);
  const refillTokens = positiveOption(options.refillTokens, 10, 'rateLimit', 'refillTokens');
  const interval = positiveOption(options.refillIntervalMs, 1000, 'rateLimit', 'refillIntervalMs');
  const maxDelayMs = positiveOption(options.maxDelayMs, 30_000, 'rateLimit', 'maxDelayMs', true);
  const maxKeys = positiveOption(options.maxKeys, 10_000, 'rateLimit', 'maxKeys');
  check(
    ['cancel', 'delay', 'redirect', 'return-cached'].includes(action),
    'rateLimit',
    "`action` must be 'cancel', 'delay', 'redirect' or 'return-cached'.",
  );
  check(
    action !== 'redirect' || typeof options.redirectTarget === 'string',
    'rateLimit',
    "`action: 'redirect'` needs a `redirectTarget`.",
  );
  check(
    action !== 'return-cached' || options.cached !== undefined,
    'rateLimit',
    "`action: 'return-cached'` needs `cached`.",
  );
  const keyOf = keyFunction(key, userKey);
  const emit = eventEmitter(options);
  const size = capacity + burst;
  const buckets = new (loadLruCache().LRUCache)<string, ClockedTokenBucket>({ max: maxKeys });
  const bucketOf = (k: string): ClockedTokenBucket => {
    let bucket = buckets.get(k);
    if (bucket === undefined) {
      bucket = clockedTokenBucket({ bucketSize: size, tokensPerInterval: refillTokens, interval }, clock);
      buckets.set(k, bucket);
    }
    return bucket;
  };

  const headers = (ctx: HookContext, bucket: ClockedTokenBucket, k: string): void => {
    const m = ctx.metadata;
    m['X-RateLimit-Limit'] = String(capacity);
    m['X-RateLimit-Burst'] = String(burst);
    m['X-RateLimit-Remaining'] = String(Math.floor(bucket.content));
    m['X-RateLimit-Reset'] = String(Math.ceil(bucket.msUntilFull() / 1000));
    const used = 1 - bucket.content / size;
    if (used >= warnAt) {
      m['X-RateLimit-Warning'] = `${Math.round(used * 100)}% of the rate limit for '${k}' used`;
      emit('rate_limit.warning', { key: k, point: ctx.point, used, remaining: Math.floor(bucket.content) });
    } else if (m['X-RateLimit-Warning'] !== undefined) {
      // A metadata object the host passes to every fire must not keep an earlier call's warning.
      delete m['X-RateLimit-Warning'];
    }
  };

  const limited = (ctx: HookContext, bucket: ClockedTokenBucket, k: string, cost: number): HookResult => {
    const retryAfterMs = bucket.getWaitTime(cost);
    const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
    ctx.metadata['X-RateLimit-Retry-After'] = String(retryAfter);
    headers(ctx, bucket, k);
    emit('rate_limit.exceeded', { key: k, point: ctx.point, retryAfterMs, action });
    if (action === 'redirect') return HookResult.redirect(options.redirectTarget!);
    if (action === 'return-cached') {
      const source = options.cached!;
      const found = typeof source === 'function' ? source(ctx) : source.peek(ctx);
      if (found !== undefined) return HookResult.replace(found.value);
    }
    return HookResult.cancel(`rate limit exceeded for '${k}'; Retry-After: ${retryAfter} s`);
  };

  // Sync unless it has to wait: a hook that returns no promise costs the executor no timer.
  const execute = (
    ctx: HookContext,
    signal: AbortSignal,
  ): HookResult | undefined | Promise<HookResult | undefined> => {
    const k = keyOf(ctx);
    const bucket = bucketOf(k);
    const cost = options.cost?.(ctx) ?? 1;
    if (cost > size) return limited(ctx, bucket, k, size);
    if (bucket.tryRemoveTokens(cost)) {
      if (ctx.metadata['X-RateLimit-Retry-After'] !== undefined)
        delete ctx.metadata['X-RateLimit-Retry-After'];
      headers(ctx, bucket, k);
      return undefined;
    }
    if (action !== 'delay') return limited(ctx, bucket, k, cost);
    return delayed(ctx, signal, bucket, k, cost);
  };

  // `delay` really waits for the tokens; others may take them first, so it checks after each wait.
  const delayed = async (
    ctx: HookContext,
    signal: AbortSignal,
    bucket: ClockedTokenBucket,
    k: string,
    cost: number,
  ): Promise<HookResult | undefined> => {
    const start = clock.now();
    for (;;) {
      const wait = bucket.getWaitTime(cost);
      if (clock.now() - start + wait > maxDelayMs) return limited(ctx, bucket, k, cost);
      await sleep(Math.max(1, wait), signal);
      if (bucket.tryRemoveTokens(cost)) {
        delete ctx.metadata['X-RateLimit-Retry-After'];
        ctx.metadata['X-RateLimit-Delayed-Ms'] = String(Math.round(clock.now() - start));
        headers(ctx, bucket, k);
        return undefined;
      }
    }
  };

  return defineBuiltin(
    {
      name: 'rate-limit',
      priority: 'highest',
      points: ['BeforeAgentExecution', 'BeforeToolExecution', 'BeforeWorkflowStart'],
      options,
      // `delay` waits inside the hook: its timeout must outlast the longest wait.
      registerOptions:
        action === 'delay' ? { timeoutMs: maxDelayMs + 1000, signal: true } : { signal: false },
      execute,
    },
    {
      keyOf,
      remaining: (k: string) => {
        const bucket = buckets.peek(k);
        if (bucket === undefined) return size;
        bucket.drip();
        return Math.floor(bucket.content);
      },
      reset: () => buckets.clear(),
    },
  );
}

function keyFunction(key: RateLimitKey, userKey: string): (ctx: HookContext) => string {
  const user = (ctx: HookContext): string => ctx.metadata[userKey] ?? 'anonymous';
  if (key === 'global') return () => 'global';
  if (key === 'per-component') return (ctx) => `${ctx.component.type}:${ctx.component.name}`;
  if (key === 'per-user') return user;
  check(
    typeof key === 'object' && key !== null && typeof key.template === 'string',
    'rateLimit',
    "`key` must be 'global', 'per-component', 'per-user' or { template }.",
  );
  const template = key.template;
  return (ctx) =>
    template
      .replaceAll('{component}', ctx.component.name)
      .replaceAll('{hook_point}', ctx.point)
      .replaceAll('{user}', user(ctx));
}
