import { type BusHooks, createBusHooks, type HookFirer } from './bus-hooks.js';
import { coarseNow } from './coarse-clock.js';
import { currentCorrelation, isCorrelationActive, runInCorrelationScope } from './correlation.js';
import { BackpressureError, type BackpressureRefusal, EventError, EventErrorCode } from './errors.js';
import { type EventLanguage, type EventMetadata, type HookspellEvent, NO_TAGS } from './event.js';
import type { EventLogWriter } from './event-log.js';
import {
  createEventStream,
  type EventStream,
  type OnceOptions,
  type StreamOptions,
  waitForEvent,
} from './event-stream.js';
import { groupOptionsOf, settlingHandler } from './group-subscription.js';
import { type PatternLimits, quote, resolvePatternLimits, TYPE_CACHE_SIZE } from './limits.js';
import { assertEventType, type CompiledPattern, compilePattern } from './pattern.js';
import { nextEventId, nextSequence } from './sequence-clock.js';
import {
  type EventHandler,
  Offer,
  type OverflowStrategy,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHost,
  SubscriptionImpl,
} from './subscription.js';
import { SubscriptionIndex } from './subscription-index.js';
import { describeForNotice } from './thrown-value.js';
import { type RateLimitOptions, TokenBucket } from './token-bucket.js';
import type { EventTransport, GroupSettle } from './transport.js';

/** Options of one publish. */
export interface PublishOptions {
  /** Defaults to the current correlation scope's id, else the event's own id. */
  correlationId?: string;
  /** Defaults to the current scope's cause (the running hook execution or the event being handled). */
  causationId?: string;
  source?: string;
  target?: string;
  tags?: readonly string[];
  /** Higher is delivered first from queues. @default 0 */
  priority?: number;
  ttlSeconds?: number;
  language?: EventLanguage;
  /** Resolve only once the event is committed to the event log. */
  durable?: boolean;
}

export interface EventBusOptions {
  /** Where events matching `persist` are appended (group commit). */
  log?: EventLogWriter;
  /** Patterns of the events to persist. @default ['**'] when a log is given */
  persist?: readonly string[];
  /** A bus-wide token bucket. Off by default. */
  rateLimit?: RateLimitOptions;
  /** Carries events between processes; in-process when omitted. */
  transport?: EventTransport;
  /** A hooks executor: fires BeforeEventEmit (may cancel or modify), AfterEventEmit, EventHandlerError. */
  executor?: HookFirer;
  /**
   * Run subscribers inside the event's correlation scope, so what they publish names the event
   * as its cause. `true` always; `false` never; by default whenever correlation is in use in this
   * process (a `withCorrelation` scope or an executor with correlation on has run), so that a bus
   * alone never makes the process pay for AsyncLocalStorage.
   */
  correlation?: boolean;
  /** Default `source` of published events. */
  source?: string;
  /**
   * Bounds on the patterns of `subscribe`, `stream`, `once` and `persist` (checked before a
   * pattern is read; past them `HOOKSPELL_PATTERN_TOO_LONG`). Lower them for a bus that takes
   * patterns from scripts or users. @default { maxPatternLength: 1024, maxPatternSegments: 64 }
   */
  limits?: Partial<PatternLimits>;
  /** Milliseconds clock (tests). @default Date.now */
  clock?: () => number;
}

/** Bus-wide counters. */
export interface EventBusStats {
  published: number;
  delivered: number;
  dropped: number;
  rejected: number;
  expired: number;
  handlerErrors: number;
  rateLimited: number;
  blocked: number;
  subscriptions: number;
  persisted: number;
  persistErrors: number;
}

/** Event types with data; `undefined` data means the data argument may be left out. */
export type EventMap = Record<string, unknown>;

type DataArgs<M extends EventMap, K extends string> = K extends keyof M
  ? undefined extends M[K]
    ? [data?: M[K], options?: PublishOptions]
    : [data: M[K], options?: PublishOptions]
  : [data?: unknown, options?: PublishOptions];

/**
 * The event types a map names: its string-literal keys. An index signature (`Record<string, …>`,
 * the untyped default) names none, so that `P extends keyof M` — true of every string there — does
 * not turn a pattern such as `tool.*` into the event's `type`.
 */
type NamedTypes<M extends EventMap> = keyof {
  [K in keyof M as string extends K ? never : K extends string ? K : never]: true;
};

/**
 * What a subscription to `P` receives: on a typed bus, an exact event name gives that event's
 * `type` and `data`; anything else (a pattern, an unnamed type, every type on an untyped bus) gives
 * `HookspellEvent` (`type: string`, `data: unknown`).
 */
type EventFor<M extends EventMap, P extends string> =
  P extends NamedTypes<M> ? HookspellEvent<M[P], P> : HookspellEvent;

const RESERVED_PREFIX = '$';

/**
 * A pattern-routed event bus with bounded subscriber queues, backpressure, correlation that flows
 * by itself, optional persistence and rate limiting.
 *
 * Delivery: a subscriber that is idle is called at once, in the publisher's turn and in
 * subscription order; only while an async subscriber is still busy (up to `concurrency`) do new
 * events wait in its bounded queue, where its overflow strategy applies. A subscriber that throws
 * or rejects never stops the others or the publisher: it is counted and reported as a
 * `$bus.handler.error` event.
 *
 * @example
 * const bus = new EventBus();
 * const sub = bus.subscribe('tool.*', (event) => console.log(event.type, event.data));
 * await bus.publish('tool.started', { tool: 'calc' });
 * sub.unsubscribe();
 */
export class EventBus<M extends EventMap = EventMap> {
  private readonly index = new SubscriptionIndex();
  private readonly host: SubscriptionHost;
  private readonly clock: () => number;
  private readonly bucket?: TokenBucket;
  private readonly log?: EventLogWriter;
  private readonly persistPatterns: readonly CompiledPattern[];
  private readonly persistCache = new Map<string, boolean>();
  private readonly patternLimits: PatternLimits;
  private readonly validTypes = new Set<string>();
  private readonly transport?: EventTransport;
  private readonly transportOff?: () => void;
  private readonly hooks?: BusHooks;
  private readonly correlation: boolean | undefined;
  private readonly source?: string;
  private nextId = 1;
  private closed = false;
  private readonly counters: Omit<EventBusStats, 'subscriptions'> = {
    published: 0,
    delivered: 0,
    dropped: 0,
    rejected: 0,
    expired: 0,
    handlerErrors: 0,
    rateLimited: 0,
    blocked: 0,
    persisted: 0,
    persistErrors: 0,
  };
  private readonly pendingPersist = new Set<Promise<unknown>>();
  private busySubscriptions = 0;
  private lastRefusal?: { refusal: BackpressureRefusal; type: string; error: BackpressureError };
  private idleWaiters: (() => void)[] = [];
  // Worker-group subscriptions (`{ group, durable }`): fed by the transport's group consumer, not
  // by `dispatch`, so they are kept out of the index; `groupSettles` holds, per delivered event,
  // how to tell the transport that handling it ended.
  private readonly groups = new Map<SubscriptionImpl, () => void>();
  private readonly groupSettles = new WeakMap<HookspellEvent, GroupSettle>();

  constructor(options: EventBusOptions = {}) {
    this.clock = options.clock ?? coarseNow;
    this.correlation = options.correlation;
    this.source = options.source;
    if (options.rateLimit) this.bucket = new TokenBucket(options.rateLimit, this.clock());
    this.log = options.log;
    this.patternLimits = resolvePatternLimits(options.limits);
    this.persistPatterns = (options.persist ?? (options.log ? ['**'] : [])).map((p) =>
      compilePattern(p, this.patternLimits),
    );
    this.hooks = options.executor ? createBusHooks(options.executor) : undefined;
    this.host = {
      now: this.clock,
      scope: options.correlation === true ? 'always' : options.correlation === false ? 'never' : 'auto',
      invoke: (handler, event) => this.invoke(handler, event),
      handlerFailed: (sub, event, error) => this.handlerFailed(sub, event, error),
      dropped: (sub, event, reason) => {
        this.settleGroupEvent(event, false); // a group's event is redelivered, not lost
        this.droppedEvent(sub, event, reason);
      },
      expired: (_sub, event) => {
        this.settleGroupEvent(event, true); // past its ttl: acknowledged, never redelivered
        this.counters.expired++;
      },
      backpressure: (sub, started) =>
        this.notice(started ? '$bus.backpressure.started' : '$bus.backpressure.relieved', {
          subscriptionId: sub.id,
          name: sub.name,
          pattern: sub.pattern,
          queued: sub.stats.queued,
        }),
      removed: (sub) => {
        this.index.remove(sub);
        this.groups.get(sub)?.();
        this.groups.delete(sub);
      },
      busyChanged: (busy) => this.busyChanged(busy),
    };
    if (options.transport) {
      this.transport = options.transport;
      this.transportOff = options.transport.subscribe('**', (event) => {
        // No publisher waits on an event that arrives from the transport: a full `reject` or
        // `block` subscriber is already counted in stats, and must not become an unhandled
        // rejection (which would end a Node process).
        try {
          this.dispatch(event)?.catch(noop);
        } catch {
          // refused (BackpressureError): counted in stats, and no publisher here to tell
        }
      });
    }
  }

  /**
   * Calls `handler` for every event whose type matches `pattern` (`*` one segment, `**` any
   * number). Returns a subscription; `unsubscribe()` stops delivery at once.
   *
   * @example
   * bus.subscribe('*.error', (e) => alert(e), { queueSize: 100, overflow: 'drop-oldest' });
   */
  subscribe<P extends string>(
    pattern: P,
    handler: EventHandler<EventFor<M, P>>,
    options: SubscribeOptions<EventFor<M, P>> = {},
  ): Subscription {
    this.assertOpen('subscribe');
    if (typeof handler !== 'function') {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `\`handler\` for ${quote(pattern)} must be a function, got ${typeof handler}.`,
      );
    }
    const compiled = compilePattern(pattern, this.patternLimits);
    if (options.group !== undefined || options.durable !== undefined)
      return this.subscribeGroup(compiled, handler as EventHandler, options as SubscribeOptions);
    const id = `sub-${this.nextId++}`;
    const sub = new SubscriptionImpl(
      this.host,
      id,
      this.nextId,
      compiled,
      handler as EventHandler,
      options as SubscribeOptions,
    );
    if (sub.active) this.index.add(sub);
    return sub;
  }

  // A member of a worker group: a plain subscription (queue, concurrency, stats, error notices)
  // whose handler settles each event with the transport, fed by the transport's group consumer.
  private subscribeGroup(
    compiled: CompiledPattern,
    handler: EventHandler,
    options: SubscribeOptions,
  ): Subscription {
    const group = groupOptionsOf(compiled.source, options, this.transport);
    const id = `sub-${this.nextId++}`;
    const sub = new SubscriptionImpl(
      this.host,
      id,
      this.nextId,
      compiled,
      settlingHandler(handler, this.groupSettles),
      // The broker hands out at most `queueSize` unsettled events, so the queue never overflows;
      // `block` (never reached) keeps every event in case it does.
      { ...options, overflow: 'block' },
    );
    if (!sub.active) return sub;
    const stop = this.transport!.subscribeGroup!(compiled.source, group, (event, settle) => {
      if (!sub.active) return settle(false); // to another member
      this.groupSettles.set(event, settle);
      if (sub.offer(event) !== Offer.Accepted) this.settleGroupEvent(event, false);
    });
    this.groups.set(sub, stop);
    return sub;
  }

  private settleGroupEvent(event: HookspellEvent, ok: boolean): void {
    const settle = this.groupSettles.get(event);
    if (settle === undefined) return;
    this.groupSettles.delete(event);
    settle(ok);
  }

  /**
   * Publishes an event and resolves with it once every idle subscriber has been called (and, with
   * `durable`, once it is committed to the log). Rejects with `BackpressureError` when a
   * `reject` subscription is full (after delivering to everyone else), and waits when a `block`
   * subscription is full — unless `maxWaiting` publishes already wait there, then it rejects with
   * `BackpressureError` too. Refusals in a row (same subscription, reason and event type) share
   * one error instance, so a publisher that never awaits costs no error per refused publish. A persisted event is handed to the log before any subscriber runs, so
   * what subscribers publish while handling it follows it in the log. Without `data` the event
   * has `data: undefined`, and is persisted and sent over a transport that way.
   *
   * @example
   * const event = await bus.publish('tool.started', { tool: 'calc' }, { tags: ['demo'] });
   */
  publish<K extends string>(type: K, ...[data, options]: DataArgs<M, K>): Promise<HookspellEvent> {
    if (this.hooks !== undefined) return this.publishWithHooks(this.hooks, type, data, options);
    // Fast path (not an async function): nothing to wait for means one resolved promise.
    let event: HookspellEvent;
    let waits: Promise<void> | undefined;
    let persisted: Promise<void> | undefined;
    try {
      event = this.createEvent(type, data, options, false, Date.now);
      // Into the log before any subscriber runs: what a subscriber publishes while handling this
      // event has a later sequence and must be appended after it (the log's order).
      persisted = this.persist(event, options?.durable === true);
      waits = this.route(event, true);
    } catch (error) {
      persisted?.catch(noop);
      return Promise.reject(error);
    }
    if (waits === undefined && persisted === undefined) return Promise.resolve(event);
    return this.settle(event, waits, persisted);
  }

  private async settle(
    event: HookspellEvent,
    waits: Promise<void> | undefined,
    persisted: Promise<void> | undefined,
  ): Promise<HookspellEvent> {
    if (waits !== undefined) {
      try {
        await waits;
      } catch (error) {
        persisted?.catch(noop); // the publish rejects with `error`; a failed commit is reported anyway
        throw error;
      }
    }
    if (persisted !== undefined) await persisted;
    return event;
  }

  private async publishWithHooks(
    hooks: BusHooks,
    type: string,
    data: unknown,
    options: PublishOptions | undefined,
  ): Promise<HookspellEvent> {
    const event = await hooks.before(this.createEvent(type, data, options, false, Date.now));
    // The hooks may have taken longer than a group commit: the log places the event at its sequence.
    const persisted = this.persist(event, options?.durable === true);
    let waits: Promise<void> | undefined;
    try {
      waits = this.route(event, true);
    } catch (error) {
      persisted?.catch(noop);
      throw error;
    }
    await this.settle(event, waits, persisted);
    await hooks.after(event);
    return event;
  }

  /**
   * Publishes synchronously and returns the event: the fast path for hosts that need no
   * `BeforeEventEmit` hooks, durability or blocking. Throws `BackpressureError` where `publish`
   * would reject or would have to wait.
   */
  emit<K extends string>(type: K, ...[data, options]: DataArgs<M, K>): HookspellEvent {
    if (this.hooks) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        'emit() cannot run the BeforeEventEmit hooks of the attached executor; use `await bus.publish()`.',
      );
    }
    const event = this.createEvent(type, data, options);
    this.persist(event, false); // before delivery, as in `publish`
    // A durable transport's acknowledgement nobody awaits here: its failures go to its `onError`.
    this.route(event, false)?.catch(noop);
    return event;
  }

  /**
   * An async iterator over matching events, with its own bounded queue; `break` unsubscribes.
   *
   * @example
   * for await (const e of bus.stream('agent.**', { signal })) console.log(e.type);
   */
  stream<P extends string>(pattern: P, options: StreamOptions = {}): EventStream<EventFor<M, P>> {
    this.assertOpen('stream');
    return createEventStream(
      (handler, subOptions) => this.subscribe(pattern, handler as EventHandler<EventFor<M, P>>, subOptions),
      options,
    );
  }

  /**
   * The next matching event. Rejects with `HOOKSPELL_EVENT_TIMEOUT` after `timeoutMs`, or
   * `HOOKSPELL_ABORTED` when `signal` aborts.
   */
  once<P extends string>(pattern: P, options: OnceOptions<EventFor<M, P>> = {}): Promise<EventFor<M, P>> {
    this.assertOpen('once');
    return waitForEvent((handler) => this.subscribe(pattern, handler), pattern, options);
  }

  /** Bus-wide counters (drops and rejections exact). */
  stats(): EventBusStats {
    return { ...this.counters, subscriptions: this.index.size + this.groups.size };
  }

  /** Active subscriptions, in subscription order (worker-group members last). */
  subscriptions(): Subscription[] {
    return this.groups.size === 0 ? this.index.all() : [...this.index.all(), ...this.groups.keys()];
  }

  /**
   * Resolves when no subscriber is running or has queued events — with `publish`, the way to
   * wait until everyone has finished handling what was published.
   *
   * @example
   * await bus.publish('job.queued', job);
   * await bus.idle(); // every (async) subscriber has finished with it
   */
  idle(): Promise<void> {
    if (this.busySubscriptions === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves once every queued event has been handled and every persisted event committed. */
  async flush(): Promise<void> {
    while (this.busySubscriptions > 0 || this.pendingPersist.size > 0) {
      await Promise.all([this.idle(), ...this.pendingPersist]);
    }
    await this.log?.flush();
  }

  /** Flushes, then unsubscribes everyone and refuses further publishes. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    for (const sub of this.index.all()) sub.unsubscribe();
    for (const sub of [...this.groups.keys()]) sub.unsubscribe();
    this.transportOff?.();
    await this.transport?.close();
  }

  /** A lifecycle sink for `new HookExecutor(registry, { sink: bus.hookSink() })`: hook.* events appear here. */
  hookSink(): {
    emit(type: string, data: unknown, meta?: { correlationId?: string; causationId?: string }): void;
  } {
    return {
      emit: (type, data, meta) => {
        if (this.closed || (this.index.match(type).length === 0 && !this.shouldPersist(type))) return;
        const event = this.createEvent(type, data, {
          correlationId: meta?.correlationId,
          causationId: meta?.causationId,
          source: 'hookspell.hooks',
        });
        // The executor must never see an error from its sink.
        try {
          this.persist(event, false);
          this.route(event, false, true);
        } catch {
          // A full `reject`/`block` subscriber of hook.* events: already counted as rejected.
        }
      },
    };
  }

  private createEvent(
    type: string,
    data: unknown,
    options: PublishOptions | undefined,
    internal = false,
    realClock?: () => number,
  ): HookspellEvent {
    if (this.closed) this.assertOpen('publish');
    if (!this.validTypes.has(type)) this.checkType(type, internal);
    // `publish` is mostly awaited, one per turn, where the coarse clock would cost a microtask
    // per call; it reads the real clock unless a test clock was given. `emit` runs in bursts.
    const now = realClock !== undefined && this.clock === coarseNow ? realClock() : this.clock();
    if (this.bucket !== undefined && !internal && !this.bucket.take(now)) this.rateLimited(type);
    const sequence = nextSequence(now);
    const id = nextEventId();
    const scope =
      (options?.correlationId === undefined || options.causationId === undefined) && isCorrelationActive()
        ? currentCorrelation()
        : undefined;
    const metadata: EventMetadata = {
      correlationId: options?.correlationId ?? scope?.correlationId ?? id,
      causationId: options?.causationId ?? scope?.causationId,
      source: options?.source ?? this.source,
      target: options?.target,
      tags: options?.tags ?? NO_TAGS,
      priority: options?.priority ?? 0,
      ttlSeconds: options?.ttlSeconds,
    };
    // Queues order by priority: NaN, ±Infinity or a non-number would have no place in that order.
    if (metadata.priority !== 0 && !Number.isFinite(metadata.priority)) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `\`priority\` must be a finite number, got ${typeof metadata.priority === 'number' ? String(metadata.priority) : typeof metadata.priority}.`,
      );
    }
    if (metadata.ttlSeconds !== undefined && !(metadata.ttlSeconds > 0)) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `\`ttlSeconds\` must be a positive number, got ${String(metadata.ttlSeconds)}.`,
      );
    }
    this.counters.published++;
    return {
      id,
      type,
      data,
      language: options?.language ?? 'native',
      timestamp: now,
      sequence,
      metadata,
      schemaVersion: '1.0',
    };
  }

  private checkType(type: string, internal: boolean): void {
    assertEventType(type);
    if (!internal && type.startsWith(RESERVED_PREFIX)) {
      throw new EventError(
        EventErrorCode.INVALID_EVENT_TYPE,
        `Event type ${JSON.stringify(type)} starts with \`$\`, which is reserved for the bus's own notices ($bus.*). Pick another name.`,
      );
    }
    if (internal) return;
    // Bounded: a publisher inventing a new type per event must not grow the bus forever.
    if (this.validTypes.size >= TYPE_CACHE_SIZE) this.validTypes.clear();
    this.validTypes.add(type);
  }

  // Delivers locally (or hands to the transport). Returns a promise when a publisher must wait.
  private route(event: HookspellEvent, canWait: boolean, internal = false): Promise<void> | undefined {
    if (this.transport !== undefined && !internal) {
      const sent = this.transport.publish(event);
      return sent instanceof Promise ? sent : undefined;
    }
    return this.dispatch(event, canWait);
  }

  // Delivers to every matching subscription. Returns a promise when a `block` subscriber makes the
  // publisher wait; throws BackpressureError when one refused the event and there is nothing to
  // wait for (after delivering to everyone else). Kept small — overflow is handled out of line —
  // so that it inlines well into `emit` and `publish`.
  private dispatch(event: HookspellEvent, canWait = true): Promise<void> | undefined {
    const subs = this.index.match(event.type);
    let overflow: Overflow | undefined;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i]!;
      if (!sub.active) continue; // unsubscribed during this dispatch
      const offer = sub.offer(event);
      if (offer >= Offer.Rejected) this.overflowed(sub, event, offer, canWait, (overflow ??= {}));
    }
    this.counters.delivered += subs.length;
    return overflow === undefined ? undefined : this.afterOverflow(event, overflow, canWait);
  }

  // A full `reject` subscription refuses; a full `block` one makes the publisher wait, unless
  // `maxWaiting` publishers already do or the caller cannot wait — then it refuses too.
  private overflowed(
    sub: SubscriptionImpl,
    event: HookspellEvent,
    offer: Offer,
    canWait: boolean,
    overflow: Overflow,
  ): void {
    if (offer === Offer.Rejected) (overflow.refused ??= []).push(sub.refusal('full'));
    else if (canWait && sub.canWait) {
      this.counters.blocked++;
      (overflow.waits ??= []).push(sub.waitForRoom(event));
    } else {
      (overflow.refused ??= []).push(sub.refusal(canWait ? 'waiting' : 'cannot-wait'));
      sub.stats.rejected++;
    }
  }

  private afterOverflow(event: HookspellEvent, overflow: Overflow, canWait: boolean): Promise<void> {
    const { refused, waits } = overflow;
    if (refused !== undefined) {
      this.counters.rejected += refused.length;
      const error = this.backpressureError(refused, event.type);
      // Thrown when there is nothing to wait for: `publish` turns it into its one rejected promise.
      if (!canWait || waits === undefined) throw error;
      return Promise.all(waits).then(() => Promise.reject(error));
    }
    return Promise.all(waits!).then(noop);
  }

  // A publisher that does not await can be refused a million times in a row; those refusals share
  // one error (same subscription, reason and event type) instead of building a ~1 KB error each.
  private backpressureError(refused: BackpressureRefusal[], type: string): BackpressureError {
    const last = this.lastRefusal;
    if (refused.length === 1 && last !== undefined && last.refusal === refused[0] && last.type === type)
      return last.error;
    const error = new BackpressureError(refused, type);
    this.lastRefusal = refused.length === 1 ? { refusal: refused[0]!, type, error } : undefined;
    return error;
  }

  private shouldPersist(type: string): boolean {
    if (this.log === undefined) return false;
    let yes = this.persistCache.get(type);
    if (yes === undefined) {
      yes = this.persistPatterns.some((p) => p.matches(type));
      if (this.persistCache.size >= TYPE_CACHE_SIZE) this.persistCache.clear();
      this.persistCache.set(type, yes);
    }
    return yes;
  }

  private persist(event: HookspellEvent, durable: boolean): Promise<void> | undefined {
    if (!this.shouldPersist(event.type)) {
      // A durable transport (JetStream) stores the event: `publish` awaits its acknowledgement.
      if (durable && this.transport?.durable === true) return undefined;
      if (durable)
        throw new EventError(
          EventErrorCode.INVALID_ARGUMENT,
          `\`durable\` was asked for ${JSON.stringify(event.type)}, but ${this.log ? 'no `persist` pattern matches it' : 'the bus has no `log`'}.`,
        );
      return undefined;
    }
    let committed: Promise<void>;
    try {
      committed = this.log!.append(event);
    } catch (error) {
      // A writer that throws instead of rejecting must not keep the event from its subscribers.
      committed = Promise.reject(error);
    }
    const tracked = committed.then(
      () => {
        this.counters.persisted++;
      },
      (error: unknown) => {
        this.counters.persistErrors++;
        this.notice('$bus.persist.error', {
          eventId: event.id,
          eventType: event.type,
          error: describeForNotice(error),
        });
        if (durable) throw error;
      },
    );
    this.pendingPersist.add(tracked);
    const done = tracked.finally(() => this.pendingPersist.delete(tracked));
    if (durable) return done;
    done.catch(noop);
    return undefined;
  }

  private invoke(handler: EventHandler, event: HookspellEvent): unknown {
    if (this.correlation === true || (this.correlation === undefined && isCorrelationActive())) {
      return runInCorrelationScope(
        { correlationId: event.metadata.correlationId, causationId: event.id },
        handler,
        event,
      );
    }
    return handler(event);
  }

  private busyChanged(busy: boolean): void {
    if (busy) this.busySubscriptions++;
    else if (--this.busySubscriptions === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private handlerFailed(sub: SubscriptionImpl, event: HookspellEvent, error: unknown): void {
    this.counters.handlerErrors++;
    // A failing handler of a notice must not produce another notice (no feedback loop).
    if (event.type.startsWith(RESERVED_PREFIX)) return;
    this.notice('$bus.handler.error', {
      subscriptionId: sub.id,
      name: sub.name,
      pattern: sub.pattern,
      eventId: event.id,
      eventType: event.type,
      error: describeForNotice(error),
    });
    this.hooks?.handlerError(event, sub, error);
  }

  private droppedEvent(
    sub: SubscriptionImpl,
    event: HookspellEvent,
    reason: OverflowStrategy | 'unsubscribed',
  ): void {
    this.counters.dropped++;
    if (event.type.startsWith(RESERVED_PREFIX)) return;
    this.notice('$bus.dropped', {
      subscriptionId: sub.id,
      name: sub.name,
      pattern: sub.pattern,
      eventId: event.id,
      eventType: event.type,
      reason,
    });
  }

  private rateLimited(type: string): never {
    this.counters.rateLimited++;
    this.notice('$bus.ratelimit.exceeded', {
      eventType: type,
      perSecond: this.bucket!.perSecond,
      burst: this.bucket!.burst,
    });
    throw new EventError(
      EventErrorCode.RATE_LIMITED,
      `Event ${JSON.stringify(type)} exceeds the bus rate limit of ${this.bucket!.perSecond}/s (burst ${this.bucket!.burst}); retry in ${this.bucket!.retryAfterMs()} ms.`,
    );
  }

  // The bus's own notices: built only when someone listens (or persists them).
  private notice(type: string, data: Record<string, unknown>): void {
    if (this.closed || (this.index.match(type).length === 0 && !this.shouldPersist(type))) return;
    // Fields without a value (the `name` of an unnamed subscription) are left out: notice data is
    // JSON, so a log can persist it.
    for (const key in data) if (data[key] === undefined) delete data[key];
    const event = this.createEvent(type, data, { source: 'hookspell.bus' }, true);
    try {
      this.persist(event, false);
      this.dispatch(event, false);
    } catch {
      // A full `reject`/`block` subscriber of notices: already counted; notices never throw.
    }
  }

  private assertOpen(operation: string): void {
    if (this.closed)
      throw new EventError(
        EventErrorCode.BUS_CLOSED,
        `Cannot ${operation}: the bus was closed. Create a new EventBus.`,
      );
  }
}

function noop(): void {}

/** What one dispatch's full subscriptions did: refused the event, or made the publisher wait. */
interface Overflow {
  refused?: BackpressureRefusal[];
  waits?: Promise<void>[];
}
