export type { HookFirer } from './bus-hooks.js';
export { type Correlation, currentCorrelation, withCorrelation } from './correlation.js';
export { BackpressureError, type BackpressureRefusal, EventError, EventErrorCode } from './errors.js';
export type { EventLanguage, EventMetadata, HookspellEvent } from './event.js';
export { isExpired } from './event.js';
export {
  EventBus,
  type EventBusOptions,
  type EventBusStats,
  type EventMap,
  type PublishOptions,
} from './event-bus.js';
export {
  EventLog,
  type EventLogOptions,
  type EventLogStats,
  type EventLogWriter,
  type EventQuery,
} from './event-log.js';
export type { EventStream, OnceOptions, StreamOptions } from './event-stream.js';
export {
  DEFAULT_PATTERN_LIMITS,
  MAX_EVENT_TYPE_LENGTH,
  MAX_EVENT_TYPE_SEGMENTS,
  type PatternLimits,
} from './limits.js';
export {
  assertEventType,
  type CompiledPattern,
  compilePattern,
  eventTypeProblem,
  matchPattern,
} from './pattern.js';
export {
  type EventHandler,
  OVERFLOW_STRATEGIES,
  type OverflowStrategy,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionStats,
} from './subscription.js';
export { buildTimeline, type Timeline, type TimelineNode } from './timeline.js';
export type { RateLimitOptions } from './token-bucket.js';
export {
  type EventTransport,
  type GroupSettle,
  type GroupSubscribeOptions,
  InProcessTransport,
} from './transport.js';
export { fromWireJSON, toWireJSON, type WireEvent } from './wire.js';
