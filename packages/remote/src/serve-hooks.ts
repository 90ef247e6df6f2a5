import { hostname } from 'node:os';
import {
  type AnyHookExecutor,
  type AnyHookRegistry,
  HookExecutor,
  type HookPoint,
  isHookPoint,
} from '@hookspell/hooks';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { ConnectionSource, type NatsOptions } from './nats-connection.js';
import { RemoteHookError, RemoteHookErrorCode } from './remote-hook-error.js';
import { assertSubject } from './subject.js';
import { decodeRequest, encodeDecision, encodeError, type RemoteRequest } from './wire.js';

/** The queue group policy services join unless told otherwise. */
export const DEFAULT_QUEUE = 'hookspell-policy';

/** Options of {@link serveHooks}. */
export interface ServeHooksOptions extends NatsOptions {
  /** The subject to serve (`*` and a final `>` wildcard allowed): remote hooks send to it. */
  subject: string;
  /**
   * The NATS queue group: every request goes to one member, so several instances share the load
   * and one can stop without a gap. @default 'hookspell-policy'
   */
  queue?: string;
  /**
   * Fires the points: give yours to have its journal, lifecycle sink and default timeout apply.
   * It must fire `registry`'s hooks. @default new HookExecutor(registry)
   */
  executor?: AnyHookExecutor;
  /** Only these points may be fired; any other is refused with an error reply. @default every point */
  points?: readonly HookPoint[];
  /** Fires at once; past it a request gets an `OVERLOADED` error reply. @default 256 */
  maxInFlight?: number;
  /** This instance's name in replies (`service`). @default `<hostname>:<pid>` */
  name?: string;
  /**
   * Receives what the service cannot throw at anyone: bad requests (answered with an error
   * reply), replies it could not send, a subscription error. @default process.emitWarning
   */
  onError?: (error: RemoteHookError) => void;
}

/** Counts of a running service. */
export interface HookServiceStats {
  /** Requests answered with a decision. */
  readonly served: number;
  /** Requests answered with an error reply (bad request, unknown point, overloaded…). */
  readonly refused: number;
  /** Fires running now. */
  readonly inFlight: number;
}

/** What {@link serveHooks} resolves with. */
export interface HookService {
  readonly subject: string;
  readonly queue: string;
  readonly name: string;
  readonly connection: NatsConnection;
  stats(): HookServiceStats;
  /**
   * Stops taking requests, answers the fires still running, and closes the connection if the
   * service made it. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Runs `registry` as a policy service: every request on `subject` (from a `remoteHook`) fires its
 * point here — with the caller's component, data, metadata, operation and correlation id, and 90 %
 * of the caller's timeout for hooks that have none — and is answered with the decision, the
 * metadata and one summary per hook. Instances on the same subject form a NATS queue group, so a
 * fleet of agents can be governed by one policy, served by as many processes as needed. Resolves
 * once the server has the subscription.
 *
 * A bad request never reaches a hook: it is answered with an error reply and reported to `onError`.
 *
 * @example
 * const registry = new HookRegistry();
 * registry.register('BeforeToolExecution', (ctx) =>
 *   ctx.component.name === 'shell' ? HookResult.cancel('no shell') : HookResult.continue(),
 * );
 * const service = await serveHooks(registry, { subject: 'policy.tools' });
 * // … on shutdown
 * await service.close();
 */
export async function serveHooks(
  registry: AnyHookRegistry,
  options: ServeHooksOptions,
): Promise<HookService> {
  const settings = checkOptions(registry, options);
  const source = new ConnectionSource(options, `hookspell-policy ${options.subject}`);
  const nc = await source.get();
  let service: PolicyService;
  try {
    service = new PolicyService(nc, source, settings);
  } catch (cause) {
    await source.close();
    throw new RemoteHookError(
      RemoteHookErrorCode.TRANSPORT_ERROR,
      `serveHooks(): cannot subscribe to '${settings.subject}': ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
  try {
    await nc.flush();
  } catch (cause) {
    await service.close();
    throw new RemoteHookError(
      RemoteHookErrorCode.TRANSPORT_ERROR,
      `serveHooks(): the NATS server did not confirm the subscription to '${settings.subject}'.`,
      { cause },
    );
  }
  return service;
}

interface Settings {
  subject: string;
  queue: string;
  name: string;
  executor: AnyHookExecutor;
  points: ReadonlySet<string> | undefined;
  maxInFlight: number;
  onError: (error: RemoteHookError) => void;
}

function checkOptions(registry: AnyHookRegistry, options: ServeHooksOptions): Settings {
  const invalid = (message: string) =>
    new RemoteHookError(RemoteHookErrorCode.INVALID_ARGUMENT, `serveHooks(): ${message}`);
  if (typeof options !== 'object' || options === null) throw invalid('needs an options object: { subject }.');
  assertSubject(options.subject, 'serveHooks()', true);
  const queue = options.queue ?? DEFAULT_QUEUE;
  if (typeof queue !== 'string' || !/^[^\s]+$/.test(queue))
    throw invalid(`\`queue\` must be a non-empty word without spaces; got ${JSON.stringify(queue)}.`);
  const maxInFlight = options.maxInFlight ?? 256;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1)
    throw invalid(`\`maxInFlight\` must be an integer ≥ 1; got ${String(maxInFlight)}.`);
  const executor = options.executor ?? new HookExecutor(registry);
  if (executor.registry !== registry)
    throw invalid('`executor` fires another registry than the one given; pass the executor of `registry`.');
  for (const point of options.points ?? []) {
    if (!isHookPoint(point))
      throw invalid(`\`points\` has ${JSON.stringify(point)}, which is not a hook point.`);
  }
  return {
    subject: options.subject,
    queue,
    name: options.name ?? `${hostname()}:${process.pid}`,
    executor,
    points: options.points === undefined ? undefined : new Set(options.points),
    maxInFlight,
    onError: options.onError ?? ((error) => process.emitWarning(error)),
  };
}

class PolicyService implements HookService {
  readonly subject: string;
  readonly queue: string;
  readonly name: string;
  readonly connection: NatsConnection;
  readonly #source: ConnectionSource;
  readonly #settings: Settings;
  readonly #sub: Subscription;
  readonly #running = new Set<Promise<void>>();
  #served = 0;
  #refused = 0;
  #closing: Promise<void> | undefined;

  constructor(nc: NatsConnection, source: ConnectionSource, settings: Settings) {
    this.connection = nc;
    this.#source = source;
    this.#settings = settings;
    this.subject = settings.subject;
    this.queue = settings.queue;
    this.name = settings.name;
    this.#sub = nc.subscribe(settings.subject, {
      queue: settings.queue,
      callback: (error, msg) => {
        if (error !== null) {
          this.#report(
            RemoteHookErrorCode.TRANSPORT_ERROR,
            `subscription to '${this.subject}' failed: ${error.message}`,
            error,
          );
          return;
        }
        this.#receive(msg);
      },
    });
    // A connection that closes for good (one passed in and closed, or a reconnect policy that
    // gave up) ends the service: said, never silent.
    void nc.closed().then((error) => {
      if (this.#closing !== undefined) return;
      this.#report(
        RemoteHookErrorCode.TRANSPORT_ERROR,
        `the NATS connection closed${error ? ` (${error.message})` : ''}; the service on '${this.subject}' no longer serves. Start it again.`,
        error,
      );
    });
  }

  stats(): HookServiceStats {
    return { served: this.#served, refused: this.#refused, inFlight: this.#running.size };
  }

  #receive(msg: Msg): void {
    if (!msg.reply) {
      this.#report(
        RemoteHookErrorCode.REMOTE_BAD_REQUEST,
        `a message on '${msg.subject}' has no reply subject; it was dropped (send requests with remoteHook()).`,
      );
      return;
    }
    let request: RemoteRequest;
    try {
      request = decodeRequest(msg.data);
    } catch (error) {
      this.#refuse(msg, error as RemoteHookError);
      return;
    }
    const points = this.#settings.points;
    if (points !== undefined && !points.has(request.point)) {
      this.#refuse(
        msg,
        new RemoteHookError(
          RemoteHookErrorCode.REMOTE_SERVICE_FAILED,
          `this service does not serve ${request.point} (it serves ${[...points].join(', ')}).`,
        ),
      );
      return;
    }
    if (this.#running.size >= this.#settings.maxInFlight || this.#closing !== undefined) {
      this.#refuse(
        msg,
        new RemoteHookError(
          RemoteHookErrorCode.REMOTE_OVERLOADED,
          this.#closing !== undefined
            ? 'this service is closing.'
            : `this service already runs ${this.#settings.maxInFlight} fires (maxInFlight).`,
        ),
      );
      return;
    }
    const run = this.#fire(msg, request).finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  async #fire(msg: Msg, request: RemoteRequest): Promise<void> {
    // 90 % of the caller's budget for hooks without their own timeout: the answer (with this
    // side's timeout records, and its cancel where they fail closed) then reaches the caller in time.
    const timeoutMs =
      request.timeoutMs === undefined ? undefined : Math.max(1, Math.floor(request.timeoutMs * 0.9));
    let reply: Uint8Array;
    try {
      const outcome = await this.#settings.executor.fire(
        request.point,
        {
          component: request.component,
          data: request.data,
          metadata: request.metadata,
          ...(request.operation !== undefined && { operation: request.operation }),
        },
        { correlationId: request.correlationId, ...(timeoutMs !== undefined && { timeoutMs }) },
      );
      reply = encodeDecision(this.name, outcome);
    } catch (error) {
      this.#refuse(
        msg,
        new RemoteHookError(
          RemoteHookErrorCode.REMOTE_SERVICE_FAILED,
          `firing ${request.point} failed: ${(error as Error)?.message ?? String(error)}`,
          { cause: error },
        ),
      );
      return;
    }
    if (this.#respond(msg, reply)) this.#served++;
  }

  #refuse(msg: Msg, error: RemoteHookError): void {
    this.#refused++;
    this.#safeReport(error);
    this.#respond(
      msg,
      encodeError(this.name, error.code, error.message.replace(/^\[hookspell\] \[remote\] /, '')),
    );
  }

  /** Sends a reply; one the client refuses (too large for max_payload) becomes an error reply. */
  #respond(msg: Msg, reply: Uint8Array): boolean {
    try {
      msg.respond(reply);
      return true;
    } catch (cause) {
      const message = `the reply to a request on '${msg.subject}' could not be sent (${(cause as Error)?.message ?? cause}).`;
      this.#report(RemoteHookErrorCode.REMOTE_SERVICE_FAILED, message, cause);
      try {
        msg.respond(encodeError(this.name, RemoteHookErrorCode.REMOTE_SERVICE_FAILED, message));
      } catch {
        // The connection is gone: the caller's deadline ends its wait.
      }
      return false;
    }
  }

  #report(code: RemoteHookErrorCode, message: string, cause?: unknown): void {
    this.#safeReport(new RemoteHookError(code, message, { cause, service: this.name }));
  }

  #safeReport(error: RemoteHookError): void {
    try {
      this.#settings.onError(error);
    } catch {
      // A reporter that throws must not stop the service.
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // Stop taking requests first (requests already delivered are refused as "closing"), then
    // answer the fires still running, then let the connection go.
    if (!this.#sub.isClosed()) await this.#sub.drain().catch(() => this.#sub.unsubscribe());
    await Promise.allSettled([...this.#running]);
    if (!this.connection.isClosed()) await this.connection.flush().catch(() => {});
    await this.#source.close();
  }
}
