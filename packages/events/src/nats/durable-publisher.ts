import { JetStreamApiError, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { EventError, EventErrorCode } from '../errors.js';
import type { HookspellEvent } from '../event.js';

// Durable publishes: each resolves once JetStream has stored the event (its PubAck). The event id
// is the message id (`Nats-Msg-Id`), so a publish retried after a timeout or a server restart is
// stored once (within the stream's duplicate window, 2 minutes by default). At most `maxInFlight`
// wait for their acknowledgement at once; more queue, up to `maxWaiting`, then are refused.

interface Pending {
  readonly event: HookspellEvent;
  readonly subject: string;
  readonly payload: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export interface DurablePublisherOptions {
  readonly maxInFlight: number;
  readonly maxWaiting: number;
  readonly publishTimeoutMs: number;
  readonly report: (error: EventError) => void;
}

export class DurablePublisher {
  private inFlight = 0;
  private readonly waiting: Pending[] = [];
  private waitingHead = 0;
  private readonly settledWaiters = new Set<() => void>();

  constructor(
    private readonly connection: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly options: DurablePublisherOptions,
  ) {}

  stats(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.waiting.length - this.waitingHead };
  }

  /** Resolves once JetStream acknowledged `payload`; rejects (and reports) when it never did. */
  publish(event: HookspellEvent, subject: string, payload: string): Promise<void> {
    if (this.inFlight < this.options.maxInFlight && this.waitingHead === this.waiting.length)
      return this.send(event, subject, payload);
    const waiting = this.waiting.length - this.waitingHead;
    if (waiting >= this.options.maxWaiting) {
      throw new EventError(
        EventErrorCode.BACKPRESSURE,
        `Event ${JSON.stringify(event.type)} was not published to JetStream: ${this.inFlight} publishes already wait for their acknowledgement (maxInFlight ${this.options.maxInFlight}) and ${waiting} more wait for room (maxWaiting ${this.options.maxWaiting}). Await publishes, or raise jetstream.maxInFlight / maxWaiting.`,
      );
    }
    return new Promise((resolve, reject) => this.waiting.push({ event, subject, payload, resolve, reject }));
  }

  /** Resolves once every publish handed in so far has settled. */
  settled(): Promise<void> {
    if (this.inFlight === 0 && this.waitingHead === this.waiting.length) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.add(resolve));
  }

  private async send(event: HookspellEvent, subject: string, payload: string): Promise<void> {
    this.inFlight++;
    try {
      await this.sendWithRetries(event, subject, payload);
    } finally {
      this.inFlight--;
      this.next();
    }
  }

  private async sendWithRetries(event: HookspellEvent, subject: string, payload: string): Promise<void> {
    const deadline = Date.now() + this.options.publishTimeoutMs;
    let pause = 50;
    for (;;) {
      try {
        await this.js.publish(subject, payload, { msgID: event.id });
        return;
      } catch (cause) {
        // A server that answered with an error (a limit, a wrong subject) will answer the same again;
        // a closed connection will never answer. Anything else (timeout, no responders while the
        // server restarts, a lost connection) is retried: the message id makes it idempotent.
        const final =
          cause instanceof JetStreamApiError || this.connection.isClosed() || Date.now() + pause > deadline;
        if (final) {
          const error = new EventError(
            EventErrorCode.TRANSPORT_ERROR,
            `JetStream did not acknowledge event ${JSON.stringify(event.type)} (${event.id}) on ${JSON.stringify(subject)}: ${describe(cause)}. It may not be stored; publishing it again is safe (same id, stored once).`,
            { cause },
          );
          this.options.report(error);
          throw error;
        }
        await new Promise((r) => setTimeout(r, pause));
        pause = Math.min(pause * 2, 1000);
      }
    }
  }

  private next(): void {
    while (this.inFlight < this.options.maxInFlight && this.waitingHead < this.waiting.length) {
      const p = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as never;
      this.send(p.event, p.subject, p.payload).then(p.resolve, p.reject);
    }
    if (this.waitingHead === this.waiting.length) {
      this.waiting.length = 0;
      this.waitingHead = 0;
      if (this.inFlight === 0 && this.settledWaiters.size > 0) {
        const waiters = [...this.settledWaiters];
        this.settledWaiters.clear();
        for (const resolve of waiters) resolve();
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
