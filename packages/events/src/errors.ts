import { HookspellError } from '@hookspell/storage';

/** Stable codes of {@link EventError}. */
export const EventErrorCode = {
  INVALID_PATTERN: 'HOOKSPELL_INVALID_PATTERN',
  INVALID_EVENT_TYPE: 'HOOKSPELL_INVALID_EVENT_TYPE',
  /** A pattern over `maxPatternLength` characters or `maxPatternSegments` segments (default 1024 / 64). */
  PATTERN_TOO_LONG: 'HOOKSPELL_PATTERN_TOO_LONG',
  /** An event type over 256 characters or 64 segments. */
  EVENT_TYPE_TOO_LONG: 'HOOKSPELL_EVENT_TYPE_TOO_LONG',
  INVALID_ARGUMENT: 'HOOKSPELL_INVALID_ARGUMENT',
  BACKPRESSURE: 'HOOKSPELL_BACKPRESSURE',
  RATE_LIMITED: 'HOOKSPELL_RATE_LIMITED',
  EVENT_TIMEOUT: 'HOOKSPELL_EVENT_TIMEOUT',
  BUS_CLOSED: 'HOOKSPELL_BUS_CLOSED',
  EVENT_CANCELLED: 'HOOKSPELL_EVENT_CANCELLED',
  INVALID_WIRE_EVENT: 'HOOKSPELL_INVALID_WIRE_EVENT',
  ABORTED: 'HOOKSPELL_ABORTED',
  /** A transport could not reach its broker (e.g. no NATS server at the given address). */
  TRANSPORT_UNAVAILABLE: 'HOOKSPELL_TRANSPORT_UNAVAILABLE',
  /** A transport failed after connecting: a publish that could not be sent, a lost connection. */
  TRANSPORT_ERROR: 'HOOKSPELL_TRANSPORT_ERROR',
  /** An event too big for one row of the event log's backend (the storage code of the same name). */
  VALUE_TOO_LARGE: 'HOOKSPELL_VALUE_TOO_LARGE',
} as const;
export type EventErrorCode = (typeof EventErrorCode)[keyof typeof EventErrorCode];

/** An error of the events package: a stable `code` and a message saying what to do. */
export class EventError extends HookspellError {
  declare readonly code: EventErrorCode;

  constructor(code: EventErrorCode, message: string, options?: { cause?: unknown }) {
    super({ code, message: `[hookspell] [events] ${message}`, cause: options?.cause });
    this.name = 'EventError';
  }
}

/** Thrown by `publish` when a subscription with `overflow: 'reject'` has a full queue. */
export class BackpressureError extends EventError {
  /** Ids of the subscriptions whose queues were full. */
  readonly subscriptionIds: readonly string[];

  constructor(subscriptionIds: readonly string[], eventType: string) {
    super(
      EventErrorCode.BACKPRESSURE,
      `Event ${JSON.stringify(eventType)} was rejected: the queue of subscription ${subscriptionIds.join(', ')} is full (overflow: 'reject'). It was delivered to every other subscriber. Slow down, raise \`queueSize\`, or choose another \`overflow\`.`,
    );
    this.name = 'BackpressureError';
    this.subscriptionIds = subscriptionIds;
  }
}
