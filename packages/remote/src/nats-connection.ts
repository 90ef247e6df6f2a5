import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { RemoteHookError, RemoteHookErrorCode } from './remote-hook-error.js';

/** Where `remoteHook` and `serveHooks` connect when given neither `servers` nor `connection`. */
export const DEFAULT_NATS_SERVERS = 'nats://127.0.0.1:4222';

const START_HINT = 'Start one with `nats-server -a 127.0.0.1 -p 4222`';

/** How a remote hook or a policy service reaches NATS. */
export interface NatsOptions {
  /**
   * NATS server URL(s) to connect to. Ignored when `connection` is given.
   * @default 'nats://127.0.0.1:4222'
   */
  servers?: string | string[];
  /** An open connection to use instead of making one. It is never closed by hookspell. */
  connection?: NatsConnection;
  /** Further options of `connect()` (credentials, TLS, reconnect policy…), for a connection made here. */
  connectOptions?: Omit<NodeConnectionOptions, 'servers'>;
}

/**
 * The connection of one remote hook or service: the one given, or one made on first use (and
 * made again after a failed attempt, so a NATS server started later is found).
 */
export class ConnectionSource {
  readonly #options: NatsOptions;
  readonly #name: string;
  #pending: Promise<NatsConnection> | undefined;
  #made: NatsConnection | undefined;
  #closed = false;

  constructor(options: NatsOptions, name: string) {
    if (options.connection !== undefined && options.servers !== undefined) {
      throw new RemoteHookError(
        RemoteHookErrorCode.INVALID_ARGUMENT,
        'both `connection` and `servers` were given: pass one (`servers` only says where to connect a new connection).',
      );
    }
    this.#options = options;
    this.#name = name;
    if (options.connection !== undefined) this.#pending = Promise.resolve(options.connection);
  }

  /** The connection; rejects with `TRANSPORT_UNAVAILABLE` when no server answers. */
  get(): Promise<NatsConnection> {
    // A connection made here that closed for good (its server gone past the reconnect policy the
    // caller chose) is replaced on the next use.
    if (this.#made?.isClosed() === true) {
      this.#made = undefined;
      this.#pending = undefined;
    }
    if (this.#closed) {
      return Promise.reject(
        new RemoteHookError(RemoteHookErrorCode.TRANSPORT_ERROR, `${this.#name} was closed.`),
      );
    }
    this.#pending ??= this.#connect();
    return this.#pending;
  }

  async #connect(): Promise<NatsConnection> {
    const servers = this.#options.servers ?? DEFAULT_NATS_SERVERS;
    try {
      // Reconnect forever by default: a policy service and its callers outlive a NATS restart.
      const nc = await connect({
        name: this.#name,
        maxReconnectAttempts: -1,
        ...this.#options.connectOptions,
        servers,
      });
      if (this.#closed) {
        await nc.close();
        throw new RemoteHookError(RemoteHookErrorCode.TRANSPORT_ERROR, `${this.#name} was closed.`);
      }
      this.#made = nc;
      return nc;
    } catch (cause) {
      this.#pending = undefined;
      if (RemoteHookError.isInstance(cause)) throw cause;
      const where = Array.isArray(servers) ? servers.join(', ') : servers;
      throw new RemoteHookError(
        RemoteHookErrorCode.TRANSPORT_UNAVAILABLE,
        `no NATS server answered at ${where} (${(cause as Error)?.message ?? cause}). ${START_HINT}, or pass \`servers\`.`,
        { cause },
      );
    }
  }

  /** Closes the connection if it was made here (draining it first); a given one stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    const made = this.#made;
    this.#made = undefined;
    this.#pending = undefined;
    if (made !== undefined && !made.isClosed()) await made.drain().catch(() => made.close());
  }
}
