import type { HookspellEvent } from './event.js';

/**
 * Carries events between buses (processes, machines). With a transport the bus hands every
 * published event to `publish` and delivers what the transport gives to `subscribe`'s callback —
 * its own events included, so a transport must echo local events back. Without one the bus
 * delivers in-process directly.
 */
export interface EventTransport {
  publish(event: HookspellEvent): void | Promise<void>;
  /** Calls `onEvent` for every event matching `pattern`; returns the unsubscribe function. */
  subscribe(pattern: string, onEvent: (event: HookspellEvent) => void): () => void;
  close(): void | Promise<void>;
  /**
   * Worker groups (optional; the JetStream mode of `natsTransport` has them): calls `onEvent` for
   * the events matching `pattern` that this member of `options.group` is given — each event goes
   * to one member across processes — and expects `settle` once the handler is done with it (`ok`
   * false: handle it again, possibly elsewhere). Returns the unsubscribe function.
   */
  subscribeGroup?(
    pattern: string,
    options: GroupSubscribeOptions,
    onEvent: (event: HookspellEvent, settle: GroupSettle) => void,
  ): () => void;
  /** True when `publish`'s promise resolves only once the broker has stored the event. */
  readonly durable?: boolean;
}

/** Tells a group transport how handling one delivered event ended. */
export type GroupSettle = (ok: boolean, error?: unknown) => void;

/** What a bus asks of a transport for `subscribe(pattern, handler, { group, durable })`. */
export interface GroupSubscribeOptions {
  /** The group's name: members with the same name share the events. */
  readonly group: string;
  /** Most events given to this member and not yet settled (the subscription's queue bound). */
  readonly maxInFlight: number;
  /** Milliseconds a delivery may stay unsettled before it is given to another member. */
  readonly ackWaitMs?: number;
  /** Deliveries of one event before it goes to the dead-letter subject. */
  readonly maxDeliver?: number;
  /** Where an event goes when its deliveries ran out. */
  readonly deadLetterSubject?: string;
  /** Keep the publish order of each correlation id (one event in flight per key partition). */
  readonly ordered: boolean;
}

/**
 * The in-process transport, for tests and as the model of a transport: several buses given the
 * same instance see each other's events.
 */
export class InProcessTransport implements EventTransport {
  private readonly listeners = new Set<(event: HookspellEvent) => void>();

  publish(event: HookspellEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  subscribe(_pattern: string, onEvent: (event: HookspellEvent) => void): () => void {
    this.listeners.add(onEvent);
    return () => this.listeners.delete(onEvent);
  }

  close(): void {
    this.listeners.clear();
  }
}
