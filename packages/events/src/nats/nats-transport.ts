import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  connect,
  type Msg,
  type NatsConnection,
  type Subscription as NatsSubscription,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import { EventError, EventErrorCode } from '../errors.js';
import type { HookspellEvent } from '../event.js';
import { compilePattern } from '../pattern.js';
import type { EventTransport, GroupSettle, GroupSubscribeOptions } from '../transport.js';
import { fromWireJSON, toWireJSON } from '../wire.js';
import { DurablePublisher } from './durable-publisher.js';
import { type GroupContext, startGroupMember } from './group-consumer.js';
import {
  ensureStream,
  type JetStreamOptions,
  partitionOf,
  type ResolvedJetStream,
  resolveJetStream,
} from './jetstream-config.js';
import { assertSubjectPrefix, subjectForType, subjectsForPattern } from './subject.js';

/** Where `natsTransport` connects when given neither `servers` nor `connection`. */
export const DEFAULT_NATS_SERVERS = 'nats://127.0.0.1:4222';
/** The subject every event is published under unless `subjectPrefix` says otherwise. */
export const DEFAULT_SUBJECT_PREFIX = 'hookspell.events';

const START_HINT = 'Start one with `nats-server -js` (it listens on nats://127.0.0.1:4222)';

/** Options of {@link natsTransport}. */
export interface NatsTransportOptions {
  /**
   * NATS server URL(s) to connect to. Ignored when `connection` is given.
   * @default 'nats://127.0.0.1:4222'
   */
  servers?: string | string[];
  /**
   * An open connection to use instead of making one. The transport never closes it: `close()`
   * only unsubscribes and flushes what this transport published. It must not have `noEcho` on,
   * since the bus expects its own events back from the transport.
   */
  connection?: NatsConnection;
  /**
   * The subject all events live under: event type `a.b.c` is published on `<prefix>.a.b.c`. Buses
   * share events only when they use the same prefix; give each application or environment its own.
   * @default 'hookspell.events'
   */
  subjectPrefix?: string;
  /**
   * Receives what the transport cannot throw at anyone: a publish that could not be sent (connection
   * closed, data not JSON-serializable), a malformed message on the subject (dropped), a lost
   * connection. Every error is an `EventError` with code `HOOKSPELL_TRANSPORT_ERROR`,
   * `HOOKSPELL_INVALID_WIRE_EVENT` or `HOOKSPELL_INVALID_EVENT_TYPE`.
   * @default process.emitWarning
   */
  onError?: (error: EventError) => void;
  /**
   * Further options of `connect()` from `@nats-io/transport-node` (credentials, TLS, reconnect
   * policy, client name…), used when the transport makes its own connection.
   */
  connectOptions?: Omit<NodeConnectionOptions, 'servers' | 'noEcho'>;
  /**
   * Bytes handed to the NATS client and not yet confirmed by the server (a flush) before publishes
   * wait: the client buffers everything it is given, so without a bound a publisher that never
   * awaits grows that buffer without end (1 M un-awaited publishes held ~1.4 GB).
   * @default 8 MiB
   */
  maxPendingBytes?: number;
  /**
   * Publishes that may wait for the client's buffer to drain; past it `publish` rejects with
   * `HOOKSPELL_BACKPRESSURE`. @default 1000
   */
  maxWaiting?: number;
  /**
   * Durable delivery on JetStream: events are stored in this stream (created, or checked against
   * these options), `await bus.publish()` resolves once JetStream has acknowledged the event, and
   * `bus.subscribe(pattern, handler, { group, durable: true })` makes worker groups. Events then
   * travel on `<subjectPrefix>.<partition>.<type>` (the partition keeps a correlation id's order),
   * so every bus sharing the prefix must use `jetstream` with the same stream. See
   * docs/scaling-out.md.
   */
  jetstream?: JetStreamOptions;
}

/** The transport {@link natsTransport} resolves with. */
export interface NatsTransport extends EventTransport {
  /** The NATS connection events travel on (the one given, or the one the transport made). */
  readonly connection: NatsConnection;
  /** The subject prefix in use. */
  readonly subjectPrefix: string;
  /** True with `jetstream`: a publish's promise resolves once JetStream stored the event. */
  readonly durable: boolean;
  /** The stream configuration in use (with its defaults), with `jetstream`. */
  readonly jetstream?: ResolvedJetStream;
  /**
   * Hands the event to the NATS client, which sends it in the background. While `maxPendingBytes`
   * are unconfirmed, the publish waits (the returned promise) for a flush; past `maxWaiting`
   * waiting publishes it throws a `HOOKSPELL_BACKPRESSURE` EventError.
   */
  publish(event: HookspellEvent): void | Promise<void>;
  /**
   * Bytes handed to the client and not yet confirmed by a flush, and publishes waiting for room;
   * with `jetstream`, `inFlight` durable publishes waiting for their acknowledgement.
   */
  stats(): { pendingBytes: number; waiting: number; inFlight?: number };
  subscribeGroup(
    pattern: string,
    options: GroupSubscribeOptions,
    onEvent: (event: HookspellEvent, settle: GroupSettle) => void,
  ): () => void;
  /**
   * Resolves once the server has everything sent so far — publishes, and the subscriptions made
   * (another process's publishes reach a subscription only after the server has it).
   */
  flush(): Promise<void>;
  /**
   * Sends what is still buffered, stops delivery and — when the transport made the connection —
   * closes it. Resolves even when the connection is already gone (reported through `onError`).
   */
  close(): Promise<void>;
}

/**
 * Connects to NATS and resolves with an {@link EventTransport} that carries events between every
 * `EventBus` (in any process, on any machine) connected to the same server with the same
 * `subjectPrefix`. Connecting is asynchronous, so await it before creating the bus. Rejects with
 * `HOOKSPELL_TRANSPORT_UNAVAILABLE` when no server answers at `servers`.
 *
 * Events travel as the wire JSON of `toWireJSON` (ids, correlation, causation, sequence and
 * timestamp survive; `data` must be JSON-serializable). Each bus also receives its own events back
 * through NATS, in the order it published them.
 *
 * @example
 * import { EventBus } from '@hookspell/events';
 * import { natsTransport } from '@hookspell/events/nats';
 *
 * const bus = new EventBus({ transport: await natsTransport({ servers: 'nats://127.0.0.1:4222' }) });
 * bus.subscribe('job.*', (e) => console.log(e.type, e.data));
 * await bus.publish('job.queued', { id: 7 }); // every process's `job.*` subscribers see it
 * await bus.close(); // drains and closes the connection
 */
export async function natsTransport(options: NatsTransportOptions = {}): Promise<NatsTransport> {
  const prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
  assertSubjectPrefix(prefix);
  const onError = options.onError ?? ((error: EventError) => process.emitWarning(error));
  outboundOf(options); // bad bounds fail before a connection is made
  const js = options.jetstream === undefined ? undefined : resolveJetStream(options.jetstream, prefix);
  if (options.connection !== undefined) {
    if (options.servers !== undefined) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        'natsTransport() was given both `connection` and `servers`: pass one (`servers` only says where to connect a new connection).',
      );
    }
    // `noEcho` is not part of the public connection type; read it where the client keeps it.
    if ((options.connection as { options?: { noEcho?: boolean } }).options?.noEcho === true) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        'The NATS `connection` given to natsTransport() was opened with `noEcho: true`, so a bus would never receive its own events. Connect without `noEcho`.',
      );
    }
    return withStream(
      new NatsEventTransport(options.connection, false, prefix, onError, outboundOf(options), js),
    );
  }
  const servers = options.servers ?? DEFAULT_NATS_SERVERS;
  let connection: NatsConnection;
  try {
    connection = await connect({ name: 'hookspell-events', ...options.connectOptions, servers });
  } catch (cause) {
    const where = Array.isArray(servers) ? servers.join(', ') : servers;
    throw new EventError(
      EventErrorCode.TRANSPORT_UNAVAILABLE,
      `Cannot connect to NATS at ${where}: ${describe(cause)}. ${START_HINT}, or pass \`servers\` naming a running server.`,
      { cause },
    );
  }
  return withStream(new NatsEventTransport(connection, true, prefix, onError, outboundOf(options), js));
}

/** With `jetstream`: creates or checks the stream before the transport is handed out. */
async function withStream(transport: NatsEventTransport): Promise<NatsEventTransport> {
  if (transport.jetstream === undefined) return transport;
  try {
    await ensureStream(await transport.manager(), transport.jetstream);
  } catch (cause) {
    await transport.close();
    if (cause instanceof EventError) throw cause;
    throw new EventError(
      EventErrorCode.TRANSPORT_UNAVAILABLE,
      `Cannot use JetStream stream ${JSON.stringify(transport.jetstream.stream)}: ${describe(cause)}. Is JetStream on? Start the server with \`nats-server -js\`.`,
      { cause },
    );
  }
  return transport;
}

/** The outbound bounds, checked. */
function outboundOf(options: NatsTransportOptions): { maxPendingBytes: number; maxWaiting: number } {
  const maxPendingBytes = options.maxPendingBytes ?? 8 * 1024 * 1024;
  const maxWaiting = options.maxWaiting ?? 1000;
  if (!(Number.isInteger(maxPendingBytes) && maxPendingBytes >= 1024)) {
    throw new EventError(
      EventErrorCode.INVALID_ARGUMENT,
      `natsTransport(): \`maxPendingBytes\` must be an integer ≥ 1024; got ${String(options.maxPendingBytes)}.`,
    );
  }
  if (!(Number.isInteger(maxWaiting) && maxWaiting >= 0)) {
    throw new EventError(
      EventErrorCode.INVALID_ARGUMENT,
      `natsTransport(): \`maxWaiting\` must be an integer ≥ 0; got ${String(options.maxWaiting)}.`,
    );
  }
  return { maxPendingBytes, maxWaiting };
}

/** A publish waiting for the client's buffer to drain. */
interface WaitingPublish {
  readonly subject: string;
  readonly payload: string;
  readonly event: HookspellEvent;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

class NatsEventTransport implements NatsTransport {
  private readonly subscriptions = new Set<NatsSubscription>();
  private closing?: Promise<void>;
  // Once a publish fails, the next ones usually fail the same way (a closed connection): report
  // the first and stay quiet until a publish goes through again.
  private publishFailing = false;
  // The outbound bound: bytes handed to the client since the last confirmed flush (payload
  // characters, a close enough measure of bytes for a bound), and the publishes waiting for room.
  private pendingBytes = 0;
  private flushing = false;
  private readonly waiting: WaitingPublish[] = [];
  private waitingHead = 0;
  // JetStream mode: durable publishes, the key partitions subjects carry, and group members.
  private readonly durablePublisher?: DurablePublisher;
  private readonly partitions: number;
  private readonly groupContext?: GroupContext;
  private readonly groupMembers = new Set<() => void>();
  private jsm?: ReturnType<typeof jetstreamManager>;

  constructor(
    readonly connection: NatsConnection,
    private readonly owned: boolean,
    readonly subjectPrefix: string,
    private readonly onError: (error: EventError) => void,
    private readonly bounds: { maxPendingBytes: number; maxWaiting: number },
    readonly jetstream?: ResolvedJetStream,
  ) {
    this.partitions = jetstream?.partitions ?? 0;
    if (jetstream !== undefined) {
      const js = jetstreamClient(connection);
      const report = (error: EventError) => this.report(error);
      this.durablePublisher = new DurablePublisher(connection, js, {
        maxInFlight: jetstream.maxInFlight,
        maxWaiting: bounds.maxWaiting,
        publishTimeoutMs: jetstream.publishTimeoutMs,
        report,
      });
      this.groupContext = {
        connection,
        js,
        jsm: this.manager(),
        stream: jetstream.stream,
        prefix: subjectPrefix,
        partitions: jetstream.partitions,
        report,
      };
    }
    if (owned) this.watchConnection();
  }

  get durable(): boolean {
    return this.jetstream !== undefined;
  }

  /** The JetStream manager of this connection (made once). */
  manager(): ReturnType<typeof jetstreamManager> {
    this.jsm ??= jetstreamManager(this.connection);
    return this.jsm;
  }

  stats(): { pendingBytes: number; waiting: number; inFlight?: number } {
    const core = { pendingBytes: this.pendingBytes, waiting: this.waiting.length - this.waitingHead };
    if (this.durablePublisher === undefined) return core;
    const durable = this.durablePublisher.stats();
    return { ...core, waiting: core.waiting + durable.waiting, inFlight: durable.inFlight };
  }

  /** `<prefix>.<type>`, or with JetStream `<prefix>.<partition of the correlation id>.<type>`. */
  private subjectOf(event: HookspellEvent): string {
    if (this.partitions === 0) return subjectForType(this.subjectPrefix, event.type);
    const partition = partitionOf(event.metadata.correlationId, this.partitions);
    return subjectForType(`${this.subjectPrefix}.${partition}`, event.type);
  }

  subscribeGroup(
    pattern: string,
    options: GroupSubscribeOptions,
    onEvent: (event: HookspellEvent, settle: GroupSettle) => void,
  ): () => void {
    if (this.groupContext === undefined) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `Cannot subscribe worker group ${JSON.stringify(options.group)}: this NATS transport has no \`jetstream\` stream. Create it with natsTransport({ jetstream: { stream: 'EVENTS' } }).`,
      );
    }
    if (this.closing !== undefined) {
      throw new EventError(
        EventErrorCode.TRANSPORT_ERROR,
        `Cannot subscribe worker group ${JSON.stringify(options.group)}: the NATS transport was closed. Create a new one.`,
      );
    }
    const stop = startGroupMember(this.groupContext, compilePattern(pattern), options, onEvent);
    const off = () => {
      if (!this.groupMembers.delete(off)) return;
      stop();
    };
    this.groupMembers.add(off);
    return off;
  }

  publish(event: HookspellEvent): void | Promise<void> {
    if (this.closing !== undefined) {
      this.publishFailed(event, 'the transport was closed');
      return;
    }
    let subject: string;
    let payload: string;
    try {
      subject = this.subjectOf(event);
    } catch (error) {
      this.report(error as EventError);
      return;
    }
    try {
      payload = JSON.stringify(toWireJSON(event));
    } catch (cause) {
      this.report(
        new EventError(
          EventErrorCode.TRANSPORT_ERROR,
          `Cannot send event ${JSON.stringify(event.type)} (${event.id}) over NATS: its data is not JSON-serializable (${describe(cause)}). It was dropped; publish plain JSON data.`,
          { cause },
        ),
      );
      return;
    }
    if (this.durablePublisher !== undefined) return this.durablePublisher.publish(event, subject, payload);
    const waiting = this.waiting.length - this.waitingHead;
    if (waiting === 0 && this.pendingBytes + payload.length <= this.bounds.maxPendingBytes) {
      this.send(event, subject, payload);
      return;
    }
    if (waiting >= this.bounds.maxWaiting) {
      throw new EventError(
        EventErrorCode.BACKPRESSURE,
        `Event ${JSON.stringify(event.type)} was not sent over NATS: ${this.pendingBytes} bytes are still unconfirmed (maxPendingBytes ${this.bounds.maxPendingBytes}) and ${waiting} publishes already wait (maxWaiting ${this.bounds.maxWaiting}). Await each publish before the next, or raise maxPendingBytes / maxWaiting.`,
      );
    }
    const promise = new Promise<void>((resolve, reject) => {
      this.waiting.push({ subject, payload, event, resolve, reject });
    });
    this.scheduleFlush();
    return promise;
  }

  private send(event: HookspellEvent, subject: string, payload: string): void {
    try {
      // Buffered by the client and written in the background: never waits on the network.
      this.connection.publish(subject, payload);
      this.publishFailing = false;
      this.pendingBytes += payload.length;
      if (this.pendingBytes * 2 >= this.bounds.maxPendingBytes) this.scheduleFlush();
    } catch (cause) {
      this.publishFailed(event, describe(cause), cause);
    }
  }

  /** One flush at a time: when the server confirms it, what was sent before it is no longer pending. */
  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = true;
    const sent = this.pendingBytes;
    this.connection.flush().then(
      () => {
        this.flushing = false;
        this.pendingBytes = Math.max(0, this.pendingBytes - sent);
        this.drainWaiting();
      },
      (cause: unknown) => {
        this.flushing = false;
        const error = new EventError(
          EventErrorCode.TRANSPORT_ERROR,
          `Events waiting to be sent over NATS were dropped: the connection could not flush (${describe(cause)}).`,
          { cause },
        );
        this.report(error);
        this.rejectWaiting(error);
      },
    );
  }

  private drainWaiting(): void {
    while (this.waitingHead < this.waiting.length) {
      const next = this.waiting[this.waitingHead]!;
      if (this.pendingBytes > 0 && this.pendingBytes + next.payload.length > this.bounds.maxPendingBytes)
        break;
      this.waiting[this.waitingHead++] = undefined as never;
      this.send(next.event, next.subject, next.payload);
      next.resolve();
    }
    if (this.waitingHead === this.waiting.length) {
      this.waiting.length = 0;
      this.waitingHead = 0;
    } else this.scheduleFlush();
  }

  private rejectWaiting(error: unknown): void {
    while (this.waitingHead < this.waiting.length) this.waiting[this.waitingHead++]!.reject(error);
    this.waiting.length = 0;
    this.waitingHead = 0;
  }

  subscribe(pattern: string, onEvent: (event: HookspellEvent) => void): () => void {
    if (this.closing !== undefined) {
      throw new EventError(
        EventErrorCode.TRANSPORT_ERROR,
        `Cannot subscribe to ${JSON.stringify(pattern)}: the NATS transport was closed. Create a new one.`,
      );
    }
    const compiled = compilePattern(pattern);
    let active = true;
    const callback = (error: Error | null, msg: Msg) => {
      if (error !== null) {
        this.report(
          new EventError(
            EventErrorCode.TRANSPORT_ERROR,
            `The NATS subscription for ${JSON.stringify(pattern)} failed: ${describe(error)}. Check the server's permissions for ${this.subjectPrefix}.>.`,
            { cause: error },
          ),
        );
        return;
      }
      if (!active) return;
      const event = this.decode(msg);
      // The subject is only a coarse filter (`**` in the middle, `$`-reserved types): the
      // compiled pattern decides, exactly as on an in-process bus.
      if (event === undefined || !compiled.matches(event.type)) return;
      try {
        onEvent(event);
      } catch (cause) {
        this.report(
          new EventError(
            EventErrorCode.TRANSPORT_ERROR,
            `The subscriber of ${JSON.stringify(pattern)} threw on event ${JSON.stringify(event.type)} (${event.id}): ${describe(cause)}.`,
            { cause },
          ),
        );
      }
    };
    const subs: NatsSubscription[] = [];
    try {
      // With JetStream a partition token follows the prefix: `*` takes every partition.
      const prefix = this.partitions === 0 ? this.subjectPrefix : `${this.subjectPrefix}.*`;
      for (const subject of subjectsForPattern(prefix, compiled)) {
        subs.push(this.connection.subscribe(subject, { callback }));
      }
    } catch (cause) {
      // All or nothing: a half-made subscription would deliver only part of the pattern.
      for (const sub of subs) sub.unsubscribe();
      throw new EventError(
        EventErrorCode.TRANSPORT_ERROR,
        `Cannot subscribe to ${JSON.stringify(pattern)} on NATS: ${describe(cause)}. Create the bus on an open transport.`,
        { cause },
      );
    }
    for (const sub of subs) this.subscriptions.add(sub);
    return () => {
      if (!active) return;
      active = false;
      for (const sub of subs) {
        this.subscriptions.delete(sub);
        if (!this.connection.isClosed()) sub.unsubscribe();
      }
    };
  }

  async flush(): Promise<void> {
    await this.connection.flush();
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    // What still waits for room is sent now: drain/flush below confirms it.
    while (this.waitingHead < this.waiting.length) {
      const next = this.waiting[this.waitingHead++]!;
      this.send(next.event, next.subject, next.payload);
      next.resolve();
    }
    this.waiting.length = 0;
    this.waitingHead = 0;
    for (const off of [...this.groupMembers]) off();
    if (this.connection.isClosed()) return;
    try {
      // Durable publishes still waiting for JetStream's acknowledgement finish (or fail) first.
      await this.durablePublisher?.settled();
      if (this.owned) {
        // drain: sends every buffered publish, lets in-flight messages reach the subscriptions,
        // then closes.
        await this.connection.drain();
      } else {
        for (const sub of this.subscriptions) sub.unsubscribe();
        await this.connection.flush();
      }
    } catch (cause) {
      this.report(
        new EventError(
          EventErrorCode.TRANSPORT_ERROR,
          `Closing the NATS transport could not flush what was published: ${describe(cause)}. Events published just before close() may be lost.`,
          { cause },
        ),
      );
    }
    this.subscriptions.clear();
  }

  private decode(msg: Msg): HookspellEvent | undefined {
    let event: HookspellEvent;
    try {
      event = fromWireJSON(msg.string());
    } catch (cause) {
      this.report(
        new EventError(
          EventErrorCode.INVALID_WIRE_EVENT,
          `Dropped a message on NATS subject ${JSON.stringify(msg.subject)}: it is not a hookspell wire event (${describe(cause)}). Only hookspell buses should publish under ${this.subjectPrefix}.>.`,
          { cause },
        ),
      );
      return undefined;
    }
    // Someone else's message whose subject disagrees with its type would reach the wrong subscribers.
    let expected: string | undefined;
    try {
      expected = this.subjectOf(event);
    } catch {
      expected = undefined;
    }
    if (expected !== msg.subject) {
      this.report(
        new EventError(
          EventErrorCode.INVALID_WIRE_EVENT,
          `Dropped a message on NATS subject ${JSON.stringify(msg.subject)}: it carries event type ${JSON.stringify(event.type)}, which belongs on ${JSON.stringify(expected)}. Publish through an EventBus with the NATS transport.`,
        ),
      );
      return undefined;
    }
    return event;
  }

  private publishFailed(event: HookspellEvent, why: string, cause?: unknown): void {
    if (this.publishFailing) return;
    this.publishFailing = true;
    this.report(
      new EventError(
        EventErrorCode.TRANSPORT_ERROR,
        `Cannot publish event ${JSON.stringify(event.type)} (${event.id}) to NATS: ${why}. It was dropped, and further failures are not reported until a publish succeeds again.`,
        { cause },
      ),
    );
  }

  // Reports what happens to a connection the transport made: disconnects (the client reconnects
  // and resends what it buffered), server errors, and a close nobody asked for.
  private watchConnection(): void {
    void (async () => {
      for await (const status of this.connection.status()) {
        if (status.type === 'disconnect') {
          this.report(
            new EventError(
              EventErrorCode.TRANSPORT_ERROR,
              `Lost the connection to NATS at ${status.server}; reconnecting (publishes are buffered meanwhile). If the server stopped, restart it (\`nats-server -js\`).`,
            ),
          );
        } else if (status.type === 'error') {
          this.report(
            new EventError(EventErrorCode.TRANSPORT_ERROR, `NATS reported: ${describe(status.error)}.`, {
              cause: status.error,
            }),
          );
        }
      }
    })();
    void this.connection.closed().then((error) => {
      if (error instanceof Error && this.closing === undefined) {
        this.report(
          new EventError(
            EventErrorCode.TRANSPORT_ERROR,
            `The NATS connection closed: ${describe(error)}. Events are no longer sent or received; create a new transport and bus.`,
            { cause: error },
          ),
        );
      }
    });
  }

  private report(error: EventError): void {
    try {
      this.onError(error);
    } catch (thrown) {
      // A throwing `onError` must not break the NATS client's message loop.
      process.emitWarning(`natsTransport onError threw: ${describe(thrown)}`);
    }
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message.replace(/^\[hookspell\] \[events\] /, '');
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause !== undefined && !message.includes(cause) ? `${message} (${cause})` : message;
}

function jetstreamClient(connection: NatsConnection) {
  return jetstream(connection);
}
