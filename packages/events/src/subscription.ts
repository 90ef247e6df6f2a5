import { isCorrelationActive } from './correlation.js';
import { type BackpressureRefusal, EventError, EventErrorCode } from './errors.js';
import { type HookspellEvent, isExpired } from './event.js';
import type { CompiledPattern } from './pattern.js';
import { PriorityQueue } from './priority-queue.js';
import { RingQueue } from './ring-queue.js';

/** What a subscription does with an event when its queue is full. */
export type OverflowStrategy = 'drop-oldest' | 'drop-newest' | 'block' | 'reject';

export const OVERFLOW_STRATEGIES: readonly OverflowStrategy[] = [
  'drop-oldest',
  'drop-newest',
  'block',
  'reject',
];

/** A subscriber: sync (never busy, never queued) or async (queued while busy). */
export type EventHandler<E extends HookspellEvent = HookspellEvent> = (event: E) => unknown;

export interface SubscribeOptions<E extends HookspellEvent = HookspellEvent> {
  /**
   * Events waiting while the handler is busy (async handlers only).
   * @default 1000
   */
  queueSize?: number;
  /**
   * What happens to an event when the queue is full.
   * @default 'drop-oldest'
   */
  overflow?: OverflowStrategy;
  /**
   * With `overflow: 'block'`: most publishes waiting at once for room in the full queue — one per
   * publisher that did not await its previous publish. Past it `publish` fails at once with
   * `BackpressureError` (`HOOKSPELL_BACKPRESSURE`), so publishers that never await cannot make the
   * subscription hold one pending publish each. `0`: a full queue refuses at once.
   * @default 1000
   */
  maxWaiting?: number;
  /**
   * Handler calls in flight at once. `1` keeps order.
   * @default 1
   */
  concurrency?: number;
  /** Unsubscribes when aborted. */
  signal?: AbortSignal;
  /** Only events for which this returns true reach the handler (and the queue). */
  filter?: (event: E) => boolean;
  /** Shown in stats and notices. */
  name?: string;
  /**
   * A worker group (needs a transport with groups: `natsTransport` with `jetstream`): every member
   * subscribing with the same group, in any process, shares the matching events — each goes to one
   * member. Only with `durable: true` (one JetStream durable consumer per group).
   */
  group?: string;
  /**
   * With `group`: the group's position and unacknowledged events live on the broker, so a member
   * that throws or dies gets its event redelivered (to itself or another member), and a group that
   * was down catches up. An event is acknowledged only once its handler has returned or resolved.
   */
  durable?: boolean;
  /**
   * With `group`: keep the publish order of each correlation id within the group (key partitions
   * with one event in flight each; see docs/scaling-out.md). `false`: any order, up to `queueSize`
   * events in flight per member. @default true
   */
  ordered?: boolean;
  /**
   * With `group`: milliseconds an event may stay unacknowledged before it is redelivered (a long
   * handler keeps extending it while it runs). @default 30_000
   */
  ackWaitMs?: number;
  /** With `group`: deliveries of one event before it goes to the dead-letter subject. @default 5 */
  maxDeliver?: number;
  /**
   * With `group`: the NATS subject an event is published on (with headers `Hookspell-Group`,
   * `Hookspell-Deliveries`, `Hookspell-Error`) when its handler failed `maxDeliver` times.
   * @default 'hookspell.dead-letter.<stream>.<group>'
   */
  deadLetterSubject?: string;
}

/** Counters of one subscription; drops and rejections are exact. */
export interface SubscriptionStats {
  /** Events that matched (after `filter`). */
  received: number;
  /** Handler calls that returned or resolved. */
  processed: number;
  /** Handler calls that threw or rejected. */
  failed: number;
  /** Events dropped by `drop-oldest` / `drop-newest`, or pending when unsubscribed. */
  dropped: number;
  /** Events refused: by `reject`, or by `block` with `maxWaiting` publishes already waiting (or from `emit`, which cannot wait). */
  rejected: number;
  /** Events not delivered because their ttl had passed. */
  expired: number;
  /** Publishers that had to wait (`block`). */
  blocked: number;
  /** Publishers waiting now (`block`); at most `maxWaiting`. */
  waiting: number;
  /** Events waiting now. */
  queued: number;
  /** Most events ever waiting at once. */
  maxQueued: number;
  /** Handler calls running now. */
  inFlight: number;
}

/** What `EventBus.subscribe` returns. `unsubscribe()` is also `[Symbol.dispose]`. */
export interface Subscription {
  readonly id: string;
  readonly pattern: string;
  readonly name?: string;
  readonly active: boolean;
  readonly stats: Readonly<SubscriptionStats>;
  /** Stops delivery at once; queued events are dropped (counted). Returns false if already inactive. */
  unsubscribe(): boolean;
  /** Resolves when nothing is queued or running for this subscription. */
  idle(): Promise<void>;
  [Symbol.dispose](): void;
}

/** How the bus hears about what a subscription does. */
export interface SubscriptionHost {
  now(): number;
  /** Run handlers inside the event's correlation scope: never, always, or when correlation is active. */
  readonly scope: 'never' | 'always' | 'auto';
  /** Runs `handler(event)` in the event's correlation scope, if correlation is on. */
  invoke(handler: EventHandler, event: HookspellEvent): unknown;
  handlerFailed(sub: SubscriptionImpl, event: HookspellEvent, error: unknown): void;
  dropped(sub: SubscriptionImpl, event: HookspellEvent, reason: OverflowStrategy | 'unsubscribed'): void;
  /** `event` was past its ttl when its turn came, and was not delivered. */
  expired(sub: SubscriptionImpl, event: HookspellEvent): void;
  backpressure(sub: SubscriptionImpl, started: boolean): void;
  removed(sub: SubscriptionImpl): void;
  /** The subscription went from idle to busy (`true`) or back (`false`). */
  busyChanged(busy: boolean): void;
}

/** Outcome of offering an event to a subscription. */
export enum Offer {
  Accepted = 0,
  Dropped = 1,
  Rejected = 2,
  Blocked = 3,
}

interface Waiter {
  event: HookspellEvent;
  resolve: () => void;
}

export class SubscriptionImpl implements Subscription {
  readonly id: string;
  readonly pattern: string;
  readonly name?: string;
  readonly order: number;
  readonly compiled: CompiledPattern;
  readonly stats: SubscriptionStats = {
    received: 0,
    processed: 0,
    failed: 0,
    dropped: 0,
    rejected: 0,
    expired: 0,
    blocked: 0,
    waiting: 0,
    queued: 0,
    maxQueued: 0,
    inFlight: 0,
  };
  active = true;
  private readonly queue = new PriorityQueue<HookspellEvent>();
  private readonly waiters = new RingQueue<Waiter>();
  readonly queueSize: number;
  readonly maxWaiting: number;
  private readonly highWater: number;
  private readonly lowWater: number;
  private readonly concurrency: number;
  readonly overflow: OverflowStrategy;
  private readonly filter?: (event: HookspellEvent) => boolean;
  private pressured = false;
  private idleWaiters: (() => void)[] = [];
  /** Events held for the next turn (see `defer`). */
  private deferred: HookspellEvent[] | undefined;
  // With `concurrency: 1` one call is in flight at a time, so its settle callbacks are made once
  // here instead of two closures per call (the async delivery hot path).
  private current: HookspellEvent | undefined;
  /** Running or queued work, as last told to the host. */
  private isBusy = false;
  private readonly onSettled = () => {
    this.current = undefined;
    this.settled(true);
  };
  private readonly onRejected = (error: unknown) => {
    const event = this.current!;
    this.current = undefined;
    this.failedAsync(event, error);
  };
  private abortCleanup?: () => void;
  private refusals?: Partial<Record<BackpressureRefusal['reason'], BackpressureRefusal>>;

  constructor(
    private readonly host: SubscriptionHost,
    id: string,
    order: number,
    compiled: CompiledPattern,
    private readonly handler: EventHandler,
    options: SubscribeOptions,
  ) {
    this.id = id;
    this.order = order;
    this.compiled = compiled;
    this.pattern = compiled.source;
    this.name = options.name;
    this.queueSize = positiveInteger(options.queueSize ?? 1000, 'queueSize');
    this.maxWaiting = options.maxWaiting ?? 1000;
    if (!Number.isInteger(this.maxWaiting) || this.maxWaiting < 0) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `\`maxWaiting\` must be a non-negative integer, got ${typeof options.maxWaiting === 'string' ? JSON.stringify(options.maxWaiting) : String(options.maxWaiting)}.`,
      );
    }
    this.concurrency = positiveInteger(options.concurrency ?? 1, 'concurrency');
    this.overflow = options.overflow ?? 'drop-oldest';
    if (!(OVERFLOW_STRATEGIES as string[]).includes(this.overflow)) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `\`overflow\` must be one of ${OVERFLOW_STRATEGIES.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(this.overflow)}.`,
      );
    }
    this.filter = options.filter as ((event: HookspellEvent) => boolean) | undefined;
    this.highWater = Math.max(1, Math.ceil(this.queueSize * 0.8));
    this.lowWater = Math.floor(this.queueSize * 0.2);
    if (options.signal) {
      const signal = options.signal;
      const abort = () => this.unsubscribe();
      if (signal.aborted) this.active = false;
      else {
        signal.addEventListener('abort', abort, { once: true });
        this.abortCleanup = () => signal.removeEventListener('abort', abort);
      }
    }
  }

  /** Delivers or queues `event`. Sync handlers run here, in the publisher's turn. */
  offer(event: HookspellEvent): Offer {
    if (this.filter !== undefined && !this.filterAccepts(event)) return Offer.Accepted;
    this.stats.received++;
    if (this.stats.inFlight < this.concurrency && this.queue.length === 0) {
      if (syncDepth < MAX_SYNC_DEPTH) this.run(event);
      else this.defer(event);
      return Offer.Accepted;
    }
    if (this.queue.length < this.queueSize) {
      this.enqueue(event);
      return Offer.Accepted;
    }
    switch (this.overflow) {
      case 'drop-oldest': {
        const victim = this.evictOldest();
        this.stats.dropped++;
        this.host.dropped(this, victim, 'drop-oldest');
        this.enqueue(event);
        return Offer.Dropped;
      }
      case 'drop-newest':
        this.stats.dropped++;
        this.host.dropped(this, event, 'drop-newest');
        return Offer.Dropped;
      case 'reject':
        this.stats.rejected++;
        return Offer.Rejected;
      default:
        return Offer.Blocked;
    }
  }

  /** Why this subscription refuses an event, one frozen object per reason (refusals in a row share it). */
  refusal(reason: BackpressureRefusal['reason']): BackpressureRefusal {
    let r = this.refusals?.[reason];
    if (r === undefined) {
      r = Object.freeze({
        subscriptionId: this.id,
        ...(this.name !== undefined && { name: this.name }),
        reason,
        queueSize: this.queueSize,
        ...(reason === 'waiting' && { maxWaiting: this.maxWaiting }),
      });
      (this.refusals ??= {})[reason] = r;
    }
    return r;
  }

  /** For `block`: whether another publisher may wait for room (fewer than `maxWaiting` do). */
  get canWait(): boolean {
    return this.waiters.length < this.maxWaiting;
  }

  /** For `block`: resolves once `event` has been accepted into the queue (or the subscription ended). */
  waitForRoom(event: HookspellEvent): Promise<void> {
    this.stats.blocked++;
    this.stats.waiting++;
    return new Promise((resolve) => this.waiters.push({ event, resolve }));
  }

  unsubscribe(): boolean {
    if (!this.active) return false;
    this.active = false;
    this.abortCleanup?.();
    for (const event of this.queue.drain()) {
      this.stats.dropped++;
      this.host.dropped(this, event, 'unsubscribed');
    }
    for (const waiter of this.waiters.drain()) {
      this.stats.dropped++;
      this.host.dropped(this, waiter.event, 'unsubscribed');
      waiter.resolve();
    }
    this.stats.waiting = 0;
    this.stats.queued = 0;
    this.host.removed(this);
    this.notifyIdle();
    return true;
  }

  [Symbol.dispose](): void {
    this.unsubscribe();
  }

  idle(): Promise<void> {
    if (
      this.stats.inFlight === 0 &&
      this.queue.length === 0 &&
      this.waiters.length === 0 &&
      this.deferred === undefined
    )
      return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get busy(): boolean {
    return this.stats.inFlight > 0 || this.queue.length > 0 || this.deferred !== undefined;
  }

  private filterAccepts(event: HookspellEvent): boolean {
    try {
      return this.filter!(event) === true;
    } catch (error) {
      this.host.handlerFailed(this, event, error);
      return false;
    }
  }

  private run(event: HookspellEvent): void {
    if (event.metadata.ttlSeconds !== undefined && isExpired(event, this.host.now())) {
      this.stats.expired++;
      this.host.expired(this, event);
      return;
    }
    let result: unknown;
    syncDepth++;
    try {
      // Direct call unless a correlation scope is needed: the common path costs no extra calls.
      const scope = this.host.scope;
      result =
        scope === 'never' || (scope === 'auto' && !isCorrelationActive())
          ? this.handler(event)
          : this.host.invoke(this.handler, event);
    } catch (error) {
      syncDepth--;
      this.failedAtOnce(event, error);
      return;
    }
    syncDepth--;
    // Kept small (a sync handler's path ends here), so that it stays inlined into `offer`.
    if (result !== null && typeof result === 'object') this.awaitResult(event, result);
    else this.stats.processed++;
  }

  // What a handler returned is the subscriber's too: its `then` may be a getter or proxy trap that
  // throws, or a function that throws, calls back twice or synchronously. All of it is guarded.
  private awaitResult(event: HookspellEvent, result: object): void {
    try {
      const then = (result as PromiseLike<unknown>).then;
      if (typeof then !== 'function') {
        this.stats.processed++;
        return;
      }
      if (then === nativeThen && this.concurrency === 1) {
        // A native promise (the async-function case): settles once, and never calls back before
        // `then` returns, so the counters below are in place by then.
        this.current = event;
        then.call(result, this.onSettled, this.onRejected);
      } else this.adopt(event, result, then);
    } catch (error) {
      // What it returned could not be awaited. Nothing was counted in flight.
      this.current = undefined;
      this.failedAtOnce(event, error);
      return;
    }
    this.stats.inFlight++;
    if (!this.isBusy) {
      this.isBusy = true;
      this.host.busyChanged(true);
    }
  }

  private adopt(event: HookspellEvent, result: object, then: (...args: never[]) => unknown): void {
    const single = this.concurrency === 1;
    const fulfilled = single ? this.onSettled : () => this.settled(true);
    const rejected = single ? this.onRejected : (error: unknown) => this.failedAsync(event, error);
    if (single) this.current = event;
    // A native promise settles once (`then` is the one read already, never looked up again). Any
    // other thenable may call back twice, both ways, synchronously, or throw after calling back:
    // adopted by a promise of our own, which settles once (and turns a throw into a rejection).
    if (then === nativeThen) (then as typeof nativeThen).call(result, fulfilled, rejected);
    else
      new Promise((resolve, reject) => Reflect.apply(then, result, [resolve, reject])).then(
        fulfilled,
        rejected,
      );
  }

  private failedAtOnce(event: HookspellEvent, error: unknown): void {
    this.stats.failed++;
    this.host.handlerFailed(this, event, error);
  }

  private failedAsync(event: HookspellEvent, error: unknown): void {
    this.stats.failed++;
    this.host.handlerFailed(this, event, error);
    this.settled(false);
  }

  private settled(ok: boolean): void {
    this.stats.inFlight--;
    if (ok) this.stats.processed++;
    this.pump();
  }

  // Starts queued events while there is capacity, and lets blocked publishers in.
  private pump(): void {
    while (this.active && this.stats.inFlight < this.concurrency && this.queue.length > 0) {
      const event = this.queue.shift()!;
      this.admitWaiter();
      this.stats.queued = this.queue.length;
      this.run(event);
    }
    this.stats.queued = this.queue.length;
    if (this.pressured && this.queue.length <= this.lowWater) {
      this.pressured = false;
      this.host.backpressure(this, false);
    }
    if (this.stats.inFlight === 0 && this.queue.length === 0 && this.deferred === undefined) {
      if (this.isBusy) {
        this.isBusy = false;
        this.host.busyChanged(false);
      }
      this.notifyIdle();
    }
  }

  private admitWaiter(): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.stats.waiting--;
      this.enqueue(waiter.event);
      waiter.resolve();
    }
  }

  /**
   * Holds an event an idle subscription would have run at once, because handlers are already
   * nested MAX_SYNC_DEPTH deep in this stack, and delivers it in the next turn of the event loop
   * (setImmediate, not a microtask: an endless republishing loop then still lets timers and I/O
   * run). Deferred events are kept apart from the queue, so what they publish in turn is deferred
   * to the turn after — never drained in the same synchronous loop.
   */
  private defer(event: HookspellEvent): void {
    if (this.deferred === undefined) {
      this.deferred = [];
      setImmediate(() => this.flushDeferred());
    }
    this.deferred.push(event);
    if (!this.isBusy) {
      this.isBusy = true;
      this.host.busyChanged(true);
    }
  }

  private flushDeferred(): void {
    const list = this.deferred ?? [];
    this.deferred = undefined;
    for (const event of list) {
      if (!this.active) break;
      if (this.stats.inFlight < this.concurrency && this.queue.length === 0 && syncDepth < MAX_SYNC_DEPTH)
        this.run(event);
      else if (this.queue.length < this.queueSize) this.enqueue(event);
      else {
        // Full by now: the event is dropped and reported (a deferred event has no publisher left
        // to refuse or to make wait).
        this.stats.dropped++;
        this.host.dropped(this, event, 'drop-newest');
      }
    }
    this.pump();
  }

  private enqueue(event: HookspellEvent): void {
    // Higher priority first; FIFO among equals.
    this.queue.push(event, event.metadata.priority);
    const length = this.queue.length;
    this.stats.queued = length;
    if (length > this.stats.maxQueued) this.stats.maxQueued = length;
    if (!this.pressured && length >= this.highWater) {
      this.pressured = true;
      this.host.backpressure(this, true);
    }
  }

  // The oldest of the lowest-priority events: with priorities all 0, the head of the queue.
  private evictOldest(): HookspellEvent {
    return this.queue.evictLowest()!;
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

// Compared with what a handler's result has as `then`: equal means a native promise, whose
// `then` settles once and never calls back synchronously.
const nativeThen = Promise.prototype.then;

/**
 * Handlers running, one inside the other, in the current synchronous stack: an idle subscriber is
 * called in the publisher's turn, so two subscribers that republish what they receive (even async
 * ones: an async function runs synchronously up to its first `await`) would recurse until the
 * stack overflows — and the RangeErrors then escape as unhandled rejections. Past this depth an
 * event is queued and started in the next turn of the event loop instead: the loop is the
 * subscribers' own, but it no longer breaks or starves the host.
 */
// Above the bridge's cap on nested script callbacks (64 across scripts), so a ring of scripts
// still ends with its typed nesting error rather than turning into an endless deferred loop.
const MAX_SYNC_DEPTH = 128;
let syncDepth = 0;

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new EventError(
      EventErrorCode.INVALID_ARGUMENT,
      `\`${name}\` must be a positive integer, got ${String(value)}.`,
    );
  }
  return value;
}
