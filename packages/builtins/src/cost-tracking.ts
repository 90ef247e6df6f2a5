import { type HookContext, HookResult, systemClock } from '@hookspell/hooks';
import type { LRUCache } from 'lru-cache';
import {
  type BuiltinHook,
  type BuiltinOptions,
  check,
  defineBuiltin,
  positiveOption,
} from './builtin-hook.js';
import { type BuiltinEventOptions, eventEmitter } from './event-target.js';
import { loadLruCache } from './lazy-deps.js';
import { DEFAULT_PRICES, mergePrices, type PriceTable, priceOf } from './prices.js';
import { SlidingSum } from './sliding-sum.js';

/** The dimensions costs are summed over, each in its own window. */
export type CostScope = 'user' | 'component' | 'provider' | 'model';

/** `data.token_usage` as the original reads it at AfterAgentExecution. */
export interface TokenUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  model?: string;
  provider?: string;
}

export interface CostTrackingOptions extends BuiltinOptions, BuiltinEventOptions {
  /** Prices per 1K tokens by provider and model, merged over DEFAULT_PRICES. */
  prices?: PriceTable;
  /** Start from DEFAULT_PRICES. @default true */
  useDefaultPrices?: boolean;
  /** Least a priced call costs. @default 0 */
  minimumCharge?: number;
  /** @default 'USD' */
  currency?: string;
  /** Alert (event `cost.alert`) when a window total crosses one of these. @default [10, 50, 100] */
  alertThresholds?: readonly number[];
  /** Cancel once a window total is above this; `false` never blocks. @default the last threshold */
  blockAbove?: number | false;
  /** @default 3600000 (1 h) */
  windowMs?: number;
  /** @default ['user', 'component', 'provider', 'model'] */
  scopes?: readonly CostScope[];
  /** Metadata key naming the user. @default 'user_id' */
  userKey?: string;
  /** Data key holding the usage. @default 'token_usage' */
  usageKey?: string;
  /** Windows kept per scope (least recently used go). @default 10000 */
  maxKeys?: number;
}

/** What `costTracking()` returns. */
export interface CostTrackingHook extends BuiltinHook {
  /** Current window total of one scope key, e.g. `total('user', 'alice')`. */
  total(scope: CostScope, key: string): number;
  /** Every window total, by scope then key. */
  totals(): Record<CostScope, Record<string, number>>;
  reset(): void;
}

/**
 * Prices token usage (`data.token_usage` at AfterAgentExecution) per provider/model, sums it in a
 * sliding window per user, component, provider and model, alerts (`cost.alert` events) when a
 * total crosses a threshold, and cancels once a total is above the block threshold — at
 * BeforeAgentExecution too, so a user or component over budget is stopped before it spends more.
 * Writes `cost_input`, `cost_output`, `cost_total`, `cost_currency` and `cost_alert_*`. Priority `low`.
 *
 * @example
 * ```ts
 * const costs = costTracking({ prices: { openai: { 'gpt-4o': { input: 0.0025, output: 0.01 } } }, bus });
 * costs.register(registry);
 * costs.total('user', 'alice'); // USD in the last hour
 * ```
 */
export function costTracking(options: CostTrackingOptions = {}): CostTrackingHook {
  const {
    useDefaultPrices = true,
    currency = 'USD',
    alertThresholds = [10, 50, 100],
    scopes = ['user', 'component', 'provider', 'model'],
    userKey = 'user_id',
    usageKey = 'token_usage',
    clock = systemClock,
  } = options;
  const minimumCharge = positiveOption(options.minimumCharge, 0, 'costTracking', 'minimumCharge', true);
  const windowMs = positiveOption(options.windowMs, 3_600_000, 'costTracking', 'windowMs');
  const maxKeys = positiveOption(options.maxKeys, 10_000, 'costTracking', 'maxKeys');
  check(
    alertThresholds.every((t, i) => t > 0 && (i === 0 || t > alertThresholds[i - 1]!)),
    'costTracking',
    '`alertThresholds` must be positive numbers in ascending order.',
  );
  const blockAbove = options.blockAbove ?? alertThresholds[alertThresholds.length - 1] ?? false;
  const prices = mergePrices(useDefaultPrices ? DEFAULT_PRICES : {}, options.prices);
  const emit = eventEmitter(options);
  const windows = new Map<CostScope, LRUCache<string, SlidingSum>>(
    scopes.map((s) => [s, new (loadLruCache().LRUCache)<string, SlidingSum>({ max: maxKeys })]),
  );
  const keysOf = (ctx: HookContext, usage: TokenUsage | undefined): [CostScope, string | undefined][] =>
    scopes.map((scope) => [
      scope,
      scope === 'user'
        ? ctx.metadata[userKey]
        : scope === 'component'
          ? `${ctx.component.type}:${ctx.component.name}`
          : scope === 'provider'
            ? (usage?.provider ?? stringOf(ctx.data.provider))
            : (usage?.model ?? stringOf(ctx.data.model)),
    ]);
  const totalOf = (scope: CostScope, key: string): number =>
    windows.get(scope)?.peek(key)?.total(clock.now()) ?? 0;
  const overBudget = (pairs: [CostScope, string | undefined][]): [CostScope, string, number] | undefined => {
    if (blockAbove === false) return undefined;
    for (const [scope, key] of pairs) {
      if (key === undefined) continue;
      const total = totalOf(scope, key);
      if (total > blockAbove) return [scope, key, total];
    }
    return undefined;
  };
  const block = (ctx: HookContext, [scope, key, total]: [CostScope, string, number]): HookResult => {
    ctx.metadata.cost_blocked = 'true';
    emit('cost.blocked', { scope, key, total, blockAbove, currency, windowMs, point: ctx.point });
    return HookResult.cancel(
      `cost budget exceeded: ${scope} '${key}' spent ${total.toFixed(4)} ${currency} in the last ${windowMs / 60_000} min (block above ${blockAbove})`,
    );
  };

  const execute = (ctx: HookContext): HookResult | undefined => {
    const usage = ctx.data[usageKey] as TokenUsage | undefined;
    if (ctx.point !== 'AfterAgentExecution' || typeof usage !== 'object' || usage === null) {
      // Before an execution: stop who is already over budget.
      const over = overBudget(keysOf(ctx, undefined));
      if (over !== undefined) return block(ctx, over);
      if (ctx.metadata.cost_blocked !== undefined) delete ctx.metadata.cost_blocked;
      return undefined;
    }
    const provider = usage.provider ?? stringOf(ctx.data.provider) ?? 'unknown';
    const model = usage.model ?? stringOf(ctx.data.model) ?? 'unknown';
    const price = priceOf(prices, provider, model);
    const inputTokens = usage.input_tokens ?? 0;
    const outputTokens = usage.output_tokens ?? Math.max(0, (usage.total_tokens ?? 0) - inputTokens);
    const costInput = price === undefined ? 0 : (inputTokens / 1000) * price.input;
    const costOutput = price === undefined ? 0 : (outputTokens / 1000) * price.output;
    const floor = price === undefined ? 0 : (price.minimumCharge ?? minimumCharge);
    const cost = Math.max(costInput + costOutput, floor);
    const m = ctx.metadata;
    // A metadata object the host passes to every fire must not keep an earlier call's alert.
    for (const key of STALE_KEYS) if (m[key] !== undefined) delete m[key];
    m.cost_input = costInput.toFixed(6);
    m.cost_output = costOutput.toFixed(6);
    m.cost_total = cost.toFixed(6);
    m.cost_currency = currency;
    if (price === undefined) m.cost_price_missing = `${provider}/${model}`;
    const now = clock.now();
    const pairs = keysOf(ctx, { ...usage, provider, model });
    for (const [scope, key] of pairs) {
      if (key === undefined) continue;
      const cache = windows.get(scope)!;
      let window = cache.get(key);
      if (window === undefined) cache.set(key, (window = new SlidingSum(windowMs)));
      const before = window.total(now);
      const after = window.add(now, cost);
      for (const threshold of alertThresholds) {
        if (before < threshold && after >= threshold) {
          m.cost_alert_threshold = String(threshold);
          m.cost_alert_scope = `${scope}:${key}`;
          m.cost_alert_total = after.toFixed(6);
          emit('cost.alert', { scope, key, threshold, total: after, currency, windowMs, point: ctx.point });
        }
      }
    }
    const over = overBudget(pairs);
    return over === undefined ? undefined : block(ctx, over);
  };

  return defineBuiltin(
    {
      name: 'cost-tracking',
      priority: 'low',
      points: ['BeforeAgentExecution', 'AfterAgentExecution'],
      options,
      execute,
    },
    {
      total: totalOf,
      totals: () => {
        const out = {} as Record<CostScope, Record<string, number>>;
        const now = clock.now();
        for (const [scope, cache] of windows) {
          out[scope] = {};
          for (const [key, window] of cache.entries()) out[scope][key] = window.total(now);
        }
        return out;
      },
      reset: () => {
        for (const cache of windows.values()) cache.clear();
      },
    },
  );
}

/** Keys written only by some calls: cleared before a call writes its own. */
const STALE_KEYS = [
  'cost_alert_threshold',
  'cost_alert_scope',
  'cost_alert_total',
  'cost_price_missing',
  'cost_blocked',
] as const;

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
