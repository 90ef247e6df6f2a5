/** Languages an event can come from. */
export type EventLanguage = 'native' | 'lua' | 'javascript' | 'command' | (string & {});

/** What travels with every event besides its data. */
export interface EventMetadata {
  /** Groups everything that happened for one request/run; set by itself inside a correlation scope. */
  readonly correlationId: string;
  /** The event or hook execution that caused this one. */
  readonly causationId?: string;
  readonly source?: string;
  readonly target?: string;
  readonly tags: readonly string[];
  /** Higher is more important. Queued events of higher priority are delivered first. @default 0 */
  readonly priority: number;
  /** Seconds after `timestamp` when the event expires and is no longer delivered. */
  readonly ttlSeconds?: number;
  /**
   * How many times this event has been delivered to its worker group, this time included (1 on the
   * first delivery): set only on events of a `{ group, durable: true }` subscription.
   */
  readonly deliveryCount?: number;
}

/**
 * An event as subscribers receive it (read-only). `timestamp` is epoch milliseconds; `sequence`
 * increases strictly within a process and follows the clock (it is `timestamp × 1000` plus a
 * counter), so events sort by it across restarts.
 */
export interface HookspellEvent<T = unknown, K extends string = string> {
  readonly id: string;
  readonly type: K;
  readonly data: T;
  readonly language: EventLanguage;
  readonly timestamp: number;
  readonly sequence: number;
  readonly metadata: EventMetadata;
  readonly schemaVersion: '1.0';
}

/** The empty tag list shared by events without tags (saves an allocation per event). */
export const NO_TAGS: readonly string[] = Object.freeze([]);

/** Whether `event` has outlived its `ttlSeconds` at time `now` (ms). */
export function isExpired(event: HookspellEvent, now: number): boolean {
  const ttl = event.metadata.ttlSeconds;
  return ttl !== undefined && now >= event.timestamp + ttl * 1000;
}
