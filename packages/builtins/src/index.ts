export {
  BUILTIN_VERSION,
  type BuiltinHook,
  type BuiltinOptions,
} from './builtin-hook.js';
export { canonicalJson, stableHash } from './cache-key.js';
export {
  type CachingHook,
  type CachingOptions,
  type CachingStats,
  caching,
  NEVER_CACHE,
} from './caching.js';
export {
  type CostScope,
  type CostTrackingHook,
  type CostTrackingOptions,
  costTracking,
  type TokenUsage,
} from './cost-tracking.js';
export {
  type DebuggingHook,
  type DebuggingOptions,
  type DebugTrace,
  debugging,
  type TraceQuery,
} from './debugging.js';
export type { BuiltinEventOptions } from './event-target.js';
export { type LoggingHook, type LoggingOptions, logging } from './logging.js';
export { maskSensitive, SENSITIVE_KEYS, sensitiveKeyMatcher } from './mask.js';
export {
  DEFAULT_BUCKETS_MS,
  type MetricsHook,
  type MetricsOptions,
  type MetricsSnapshot,
  metrics,
  type PointMetrics,
} from './metrics.js';
export { DEFAULT_PRICES, type ModelPrice, type PriceTable, priceOf } from './prices.js';
export {
  type RateLimitAction,
  type RateLimitHook,
  type RateLimitKey,
  type RateLimitOptions,
  rateLimit,
} from './rate-limit.js';
export { BUILTINS, type BuiltinName } from './registry-of-builtins.js';
export {
  errorKind,
  RETRYABLE_ERRORS,
  type RetryHook,
  type RetryJitter,
  type RetryOptions,
  retry,
  statusKind,
} from './retry.js';
export {
  type AuditEvent,
  type AuditQuery,
  type SecurityHook,
  type SecurityOptions,
  security,
} from './security.js';
