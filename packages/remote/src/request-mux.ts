import {
  createInbox,
  type Msg,
  type NatsConnection,
  type Subscription,
  type SubscriptionOptions,
} from '@nats-io/transport-node';
import { RemoteHookError, RemoteHookErrorCode } from './remote-hook-error.js';

/**
 * NATS request/reply that an AbortSignal can end: one inbox subscription per connection
 * (`<inbox>.*`), one token per request. The client's own `request()` takes only a timeout, so a
 * hook whose executor deadline passed would leave its request pending; here an abort forgets the
 * token at once, and a reply that comes later finds nobody and is dropped.
 */
export class RequestMux {
  /** The connection the mux listens on. */
  readonly connection: NatsConnection;
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  readonly #sub: Subscription;
  readonly #waiting = new Map<string, (msg: Msg) => void>();
  #next = 0;

  constructor(nc: NatsConnection) {
    this.connection = nc;
    this.#nc = nc;
    this.#prefix = createInbox((nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
    this.#sub = subscribeReplies(nc, `${this.#prefix}.*`, {
      callback: (error, msg) => {
        if (error !== null) return; // the connection is closing: waiters end with their signals
        const token = msg.subject.slice(this.#prefix.length + 1);
        const resolve = this.#waiting.get(token);
        if (resolve === undefined) return; // late (its request was aborted) or foreign: dropped
        this.#waiting.delete(token);
        resolve(msg);
      },
    });
  }

  /** Requests in flight (waiting for a reply). */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Publishes `payload` on `subject` and resolves with the first reply (which may be the server's
   * no-responders status). Rejects with `signal.reason` when the signal aborts first, and with a
   * `RemoteHookError` when the client refuses the publish.
   */
  request(subject: string, payload: Uint8Array, signal: AbortSignal): Promise<Msg> {
    return new Promise<Msg>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const token = (++this.#next).toString(36);
      const onAbort = () => {
        this.#waiting.delete(token);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.set(token, (msg) => {
        signal.removeEventListener('abort', onAbort);
        resolve(msg);
      });
      try {
        this.#nc.publish(subject, payload, { reply: `${this.#prefix}.${token}` });
      } catch (cause) {
        this.#waiting.delete(token);
        signal.removeEventListener('abort', onAbort);
        reject(publishError(subject, payload, cause));
      }
    });
  }

  /** Stops listening for replies (the connection stays as it is). */
  close(): void {
    this.#waiting.clear();
    if (!this.#sub.isClosed()) this.#sub.unsubscribe();
  }
}

function subscribeReplies(nc: NatsConnection, subject: string, options: SubscriptionOptions): Subscription {
  try {
    return nc.subscribe(subject, options);
  } catch (cause) {
    throw new RemoteHookError(
      RemoteHookErrorCode.TRANSPORT_ERROR,
      `cannot listen for replies on the NATS connection: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
}

function publishError(subject: string, payload: Uint8Array, cause: unknown): RemoteHookError {
  const message = (cause as Error)?.message ?? String(cause);
  if (/max_payload/.test(message)) {
    return new RemoteHookError(
      RemoteHookErrorCode.VALUE_TOO_LARGE,
      `the request to '${subject}' is ${payload.length} bytes, more than the NATS server's max_payload. Send less in ctx.data, or raise max_payload on the server.`,
      { cause },
    );
  }
  return new RemoteHookError(
    RemoteHookErrorCode.TRANSPORT_ERROR,
    `cannot send the request to '${subject}': ${message}`,
    { cause },
  );
}

/** True for the server's "no responders" status: nobody subscribes to the subject right now. */
export function isNoResponders(msg: Msg): boolean {
  return msg.data.length === 0 && msg.headers?.code === 503;
}
