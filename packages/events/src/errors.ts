import { HookspellError, pickCodes } from '@hookspell/core';

/** Stable codes of {@link EventError}. */
export const EventErrorCode = pickCodes({
  INVALID_PATTERN: 'INVALID_PATTERN',
  INVALID_EVENT_TYPE: 'INVALID_EVENT_TYPE',
  /** A pattern over `maxPatternLength` characters or `maxPatternSegments` segments (default 1024 / 64). */
  PATTERN_TOO_LONG: 'PATTERN_TOO_LONG',
  /** An event type over 256 characters or 64 segments. */
  EVENT_TYPE_TOO_LONG: 'EVENT_TYPE_TOO_LONG',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  BACKPRESSURE: 'BACKPRESSURE',
  RATE_LIMITED: 'RATE_LIMITED',
  EVENT_TIMEOUT: 'EVENT_TIMEOUT',
  BUS_CLOSED: 'BUS_CLOSED',
  EVENT_CANCELLED: 'EVENT_CANCELLED',
  INVALID_WIRE_EVENT: 'INVALID_WIRE_EVENT',
  ABORTED: 'ABORTED',
  /** A transport could not reach its broker (e.g. no NATS server at the given address). */
  TRANSPORT_UNAVAILABLE: 'TRANSPORT_UNAVAILABLE',
  /** A transport failed after connecting: a publish that could not be sent, a lost connection. */
  TRANSPORT_ERROR: 'TRANSPORT_ERROR',
  /** An event too big for one row of the event log's backend (the storage code of the same name). */
  VALUE_TOO_LARGE: 'VALUE_TOO_LARGE',
});
export type EventErrorCode = (typeof EventErrorCode)[keyof typeof EventErrorCode];

/** An error of the events package: a stable `code` and a message saying what to do. */
export class EventError extends HookspellError {
  static override readonly kind: string = 'EventError';
  declare readonly code: EventErrorCode;

  constructor(code: EventErrorCode, message: string, options?: { cause?: unknown }) {
    super({ code, message: `[hookspell] [events] ${message}`, cause: options?.cause });
    this.name = 'EventError';
  }
}

/** Why one subscription refused an event (see {@link BackpressureError}). */
export interface BackpressureRefusal {
  subscriptionId: string;
  /** The subscription's `name`, when it has one. */
  name?: string;
  /**
   * - `full`: its queue is full and its overflow is `'reject'`;
   * - `waiting`: its queue is full, its overflow is `'block'`, and `maxWaiting` publishes already wait for room;
   * - `cannot-wait`: its queue is full, its overflow is `'block'`, and the event came from `emit()`
   *   or a hook sink, which cannot wait.
   */
  reason: 'full' | 'waiting' | 'cannot-wait';
  queueSize: number;
  maxWaiting?: number;
}

/**
 * Thrown by `publish` (rejected) and `emit` when a subscription cannot take an event: a full
 * `reject` queue, or a full `block` queue with `maxWaiting` publishes already waiting. The event
 * was still delivered to every other subscriber.
 */
export class BackpressureError extends EventError {
  static override readonly kind: string = 'BackpressureError';
  /** Ids of the subscriptions that refused the event. */
  readonly subscriptionIds: readonly string[];
  /** Why each of them refused it. */
  readonly refusals: readonly BackpressureRefusal[];

  constructor(refusals: readonly BackpressureRefusal[], eventType: string) {
    super(
      EventErrorCode.BACKPRESSURE,
      `Event ${JSON.stringify(eventType)} was refused by ${refusals.map(describeRefusal).join('; ')}. It was delivered to every other subscriber. ${fixFor(refusals)}`,
    );
    this.name = 'BackpressureError';
    this.refusals = refusals;
    this.subscriptionIds = refusals.map((r) => r.subscriptionId);
  }
}

function describeRefusal(r: BackpressureRefusal): string {
  const who = `subscription ${r.subscriptionId}${r.name === undefined ? '' : ` (${JSON.stringify(r.name)})`}`;
  switch (r.reason) {
    case 'full':
      return `${who}: its queue is full (queueSize ${r.queueSize}, overflow: 'reject')`;
    case 'waiting':
      return `${who}: its queue is full (queueSize ${r.queueSize}, overflow: 'block') and ${r.maxWaiting} publishes already waiting for room (maxWaiting ${r.maxWaiting})`;
    case 'cannot-wait':
      return `${who}: its queue is full (queueSize ${r.queueSize}, overflow: 'block') and emit() cannot wait`;
  }
}

function fixFor(refusals: readonly BackpressureRefusal[]): string {
  const fixes: string[] = [];
  if (refusals.some((r) => r.reason === 'full'))
    fixes.push('Slow down, raise `queueSize`, or choose another `overflow`.');
  if (refusals.some((r) => r.reason === 'waiting'))
    fixes.push(
      'Await each publish before the next (a publisher that never awaits outruns any queue), or raise `maxWaiting` or `queueSize`.',
    );
  if (refusals.some((r) => r.reason === 'cannot-wait'))
    fixes.push('Use `await bus.publish()` to wait for room, or raise `queueSize`.');
  return fixes.join(' ');
}
