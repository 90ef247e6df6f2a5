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
