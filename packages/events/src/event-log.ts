import { createHash } from 'node:crypto';
import { type BatchOp, type JsonObject, jsonValueProblem, type StorageBackend } from '@hookspell/storage';
import { EventError, EventErrorCode } from './errors.js';
import type { HookspellEvent } from './event.js';
import { type CompiledPattern, compilePattern } from './pattern.js';
import { buildTimeline, type Timeline } from './timeline.js';

/** What the bus needs from a log. */
export interface EventLogWriter {
  /** Queues `event` for the next group commit; resolves once it is committed. */
  append(event: HookspellEvent): Promise<void>;
  /** Resolves once everything appended so far is committed (or has failed). */
  flush(): Promise<void>;
}

export interface EventLogOptions {
  /** Key prefix in the storage backend. @default 'events/' */
  prefix?: string;
  /** Most events per storage batch. @default 1000 */
  maxBatch?: number;
  /** Most events waiting for a commit; past it `append` rejects (`HOOKSPELL_BACKPRESSURE`). @default 100000 */
  maxPending?: number;
  /** Keep a per-type index, so pattern queries read only matching types. @default true */
  indexTypes?: boolean;
  retention?: {
    /** Keep at most this many events (oldest pruned first). */
    maxEvents?: number;
    /** Prune events older than this. */
    maxAgeMs?: number;
    /** How often retention runs in the background. @default 60000 */
    intervalMs?: number;
  };
  /** Called when a commit fails (the events are reported, never thrown at publishers that did not ask for `durable`). */
  onError?: (error: unknown, events: readonly HookspellEvent[]) => void;
  /** @default Date.now */
  clock?: () => number;
}

export interface EventQuery {
  /** Event type pattern (`tool.*`, `*.error`, `agent.**`). */
  pattern?: string;
  correlationId?: string;
  /** Events at or after this time (epoch ms or Date). */
  from?: number | Date;
  /** Events at or before this time. */
  to?: number | Date;
  /** Cursor: events with a greater sequence (or smaller, with `reverse`). */
  afterSequence?: number;
  /** @default 1000 */
  limit?: number;
  reverse?: boolean;
}

export interface EventLogStats {
  appended: number;
  committed: number;
  failed: number;
  batches: number;
  pending: number;
  pruned: number;
}

interface PendingBatch {
  events: HookspellEvent[];
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const SEQ_DIGITS = 16;
const SAFE_ID = /^[A-Za-z0-9_:@-]+(?:\.[A-Za-z0-9_:@-]+)*$/;

/**
 * The persisted event log on any `StorageBackend`. Appends are group-committed (many events per
 * storage batch); queries read key ranges — by sequence, by correlation id, by event type — so
 * their cost grows with the number of results, not the size of the log.
 *
 * Key layout under `prefix`: `log/<sequence>` (the event), `corr/<correlation>/<sequence>` and
 * `type/<type>/<sequence>` (copies, for range reads), `types/<type>` (known types), `meta/count`.
 * One process writes a log at a time; any number may read it.
 *
 * @example
 * const log = new EventLog(SqliteStorage({ path: 'events.db' }), { retention: { maxEvents: 100_000 } });
 * const bus = new EventBus({ log, persist: ['tool.**', 'agent.**'] });
 * await bus.publish('tool.started', { tool: 'calc' }, { durable: true });
 * await log.query({ pattern: 'tool.*', limit: 50 });
 */
export class EventLog implements EventLogWriter {
  readonly storage: StorageBackend;
  private readonly prefix: string;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private readonly indexTypes: boolean;
  private readonly retention: NonNullable<EventLogOptions['retention']>;
  private readonly onError?: EventLogOptions['onError'];
  private readonly clock: () => number;
  private readonly batches: PendingBatch[] = [];
  private readonly types = new Set<string>();
  private pendingCount = 0;
  private count = 0;
  private draining?: Promise<void>;
  private scheduled = false;
  private readyPromise?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private pruning?: Promise<number>;
  private readonly counters = { appended: 0, committed: 0, failed: 0, batches: 0, pruned: 0 };

  constructor(storage: StorageBackend, options: EventLogOptions = {}) {
    if (!storage || typeof storage.batch !== 'function') {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        '`storage` must be a StorageBackend (e.g. SqliteStorage({ path }) from @hookspell/storage).',
      );
    }
    this.storage = storage;
    this.prefix = options.prefix ?? 'events/';
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxPending = options.maxPending ?? 100_000;
    this.indexTypes = options.indexTypes !== false;
    this.retention = options.retention ?? {};
    this.onError = options.onError;
    this.clock = options.clock ?? Date.now;
    if (this.retention.maxEvents !== undefined || this.retention.maxAgeMs !== undefined) {
      this.timer = setInterval(() => void this.prune().catch(() => {}), this.retention.intervalMs ?? 60_000);
      this.timer.unref();
    }
  }

  append(event: HookspellEvent): Promise<void> {
    this.counters.appended++;
    const problem = jsonValueProblem(event.data, 'event.data');
    if (problem !== undefined || this.pendingCount >= this.maxPending) {
      const error =
        problem !== undefined
          ? new EventError(
              EventErrorCode.INVALID_ARGUMENT,
              `Event ${JSON.stringify(event.type)} (${event.id}) cannot be persisted: ${problem}. Publish JSON data, or leave the type out of \`persist\`.`,
            )
          : new EventError(
              EventErrorCode.BACKPRESSURE,
              `The event log is ${this.pendingCount} events behind (maxPending ${this.maxPending}); event ${event.id} was not persisted. The storage is slower than the publish rate.`,
            );
      return this.fail(error, [event]);
    }
    let batch = this.batches[this.batches.length - 1];
    if (batch === undefined || batch.events.length >= this.maxBatch) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(noop); // a failed batch is reported; only `durable` publishers see the rejection
      batch = { events: [], promise, resolve, reject };
      this.batches.push(batch);
    }
    batch.events.push(event);
    this.pendingCount++;
    if (!this.scheduled && this.draining === undefined) {
      this.scheduled = true;
      // Everything appended in this turn of the event loop goes into the same commit.
      setImmediate(() => this.drain());
    }
    return batch.promise;
  }

  async flush(): Promise<void> {
    while (this.draining !== undefined || this.scheduled || this.batches.length > 0) {
      if (this.draining === undefined) this.drain();
      await this.draining;
    }
  }

  /**
   * Events in sequence order (or reverse), filtered by pattern, correlation and time. Waits for
   * pending appends first, so a writer sees its own events.
   */
  async query(query: EventQuery = {}): Promise<HookspellEvent[]> {
    await this.flush();
    await this.ready();
    const limit = query.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 0) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `\`limit\` must be a non-negative integer, got ${String(query.limit)}.`,
      );
    }
    const range = sequenceRange(query);
    const reverse = query.reverse === true;
    const matcher = query.pattern === undefined ? undefined : compilePattern(query.pattern);
    if (query.correlationId !== undefined) {
      return this.scan(
        `${this.prefix}corr/${encodeId(query.correlationId)}/`,
        range,
        reverse,
        limit,
        matcher,
      );
    }
    if (
      matcher !== undefined &&
      this.indexTypes &&
      !(matcher.segments.length === 1 && matcher.segments[0] === '**')
    ) {
      const types = [...this.types].filter((t) => matcher.matches(t));
      const parts = await Promise.all(
        types.map((t) => this.scan(`${this.prefix}type/${t}/`, range, reverse, limit)),
      );
      const merged = parts
        .flat()
        .sort((a, b) => (reverse ? b.sequence - a.sequence : a.sequence - b.sequence));
      return merged.slice(0, limit);
    }
    return this.scan(`${this.prefix}log/`, range, reverse, limit, matcher);
  }

  /** The events of one correlation as causality chains, concurrent groups, roots and leaves. */
  async timeline(correlationId: string): Promise<Timeline> {
    const events: HookspellEvent[] = [];
    let afterSequence: number | undefined;
    for (;;) {
      const page = await this.query({ correlationId, afterSequence, limit: 1000 });
      events.push(...page);
      if (page.length < 1000) break;
      afterSequence = page[page.length - 1]!.sequence;
    }
    return buildTimeline(correlationId, events);
  }

  /** How many events the log holds. */
  async size(): Promise<number> {
    await this.flush();
    await this.ready();
    return this.count;
  }

  stats(): EventLogStats {
    return { ...this.counters, pending: this.pendingCount };
  }

  /** Applies the retention rules now; resolves with the number of events removed. */
  prune(): Promise<number> {
    this.pruning ??= this.runRetention().finally(() => (this.pruning = undefined));
    return this.pruning;
  }

  /** Stops background retention and commits what is pending. Does not close the storage. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private ready(): Promise<void> {
    this.readyPromise ??= (async () => {
      this.count = (await this.storage.get<number>(`${this.prefix}meta/count`)) ?? 0;
      for (const { key } of await this.storage.list(`${this.prefix}types/`)) {
        this.types.add(key.slice(this.prefix.length + 6));
      }
    })().catch((error) => {
      this.readyPromise = undefined;
      throw error;
    });
    return this.readyPromise;
  }

  private drain(): Promise<void> {
    this.scheduled = false;
    this.draining ??= (async () => {
      try {
        await this.ready();
      } catch (error) {
        for (const batch of this.batches.splice(0)) this.failBatch(batch, error);
        return;
      }
      while (this.batches.length > 0) {
        const batch = this.batches.shift()!;
        try {
          await this.storage.batch(this.opsFor(batch.events));
          this.count += batch.events.length;
          this.counters.committed += batch.events.length;
          this.counters.batches++;
          this.pendingCount -= batch.events.length;
          batch.resolve();
        } catch (error) {
          this.failBatch(batch, error);
        }
      }
    })().finally(() => {
      this.draining = undefined;
    });
    const max = this.retention.maxEvents;
    if (max !== undefined)
      void this.draining.then(() => (this.count > max * 1.1 ? this.prune() : 0)).catch(noop);
    return this.draining;
  }

  private opsFor(events: HookspellEvent[]): BatchOp[] {
    const ops: BatchOp[] = [];
    const p = this.prefix;
    for (const event of events) {
      const seq = pad(event.sequence);
      const record = toRecord(event);
      ops.push({ type: 'set', key: `${p}log/${seq}`, value: record });
      ops.push({
        type: 'set',
        key: `${p}corr/${encodeId(event.metadata.correlationId)}/${seq}`,
        value: record,
      });
      if (this.indexTypes) {
        ops.push({ type: 'set', key: `${p}type/${event.type}/${seq}`, value: record });
        if (!this.types.has(event.type)) {
          this.types.add(event.type);
          ops.push({ type: 'set', key: `${p}types/${event.type}`, value: true });
        }
      }
    }
    ops.push({ type: 'set', key: `${p}meta/count`, value: this.count + events.length });
    return ops;
  }

  private failBatch(batch: PendingBatch, error: unknown): void {
    this.pendingCount -= batch.events.length;
    this.counters.failed += batch.events.length;
    this.onError?.(error, batch.events);
    batch.reject(error);
  }

  private fail(error: unknown, events: HookspellEvent[]): Promise<void> {
    this.counters.failed += events.length;
    this.onError?.(error, events);
    const rejected = Promise.reject(error);
    rejected.catch(noop);
    return rejected;
  }

  // Reads `prefix` + 16-digit sequence keys within `range`, page by page, until `limit` match.
  private async scan(
    prefix: string,
    range: ScanRange,
    reverse: boolean,
    limit: number,
    matcher?: CompiledPattern,
  ): Promise<HookspellEvent[]> {
    const out: HookspellEvent[] = [];
    if (limit === 0 || range.lower > range.upper) return out;
    let startAfter: string | undefined = reverse
      ? range.upper < Number.MAX_SAFE_INTEGER
        ? prefix + pad(range.upper + 1)
        : undefined
      : range.lower > 0
        ? prefix + pad(range.lower - 1)
        : undefined;
    const page = Math.min(Math.max(limit, 16), 1000);
    for (;;) {
      const entries = await this.storage.list<JsonObject>(prefix, { startAfter, limit: page, reverse });
      for (const { key, value } of entries) {
        const seq = Number(key.slice(-SEQ_DIGITS));
        if (reverse ? seq < range.lower : seq > range.upper) return out;
        const event = value as unknown as HookspellEvent;
        if (matcher !== undefined && !matcher.matches(event.type)) continue;
        if (
          (range.from !== undefined && event.timestamp < range.from) ||
          (range.to !== undefined && event.timestamp > range.to)
        )
          continue;
        out.push(event);
        if (out.length >= limit) return out;
      }
      if (entries.length < page) return out;
      startAfter = entries[entries.length - 1]!.key;
    }
  }

  private async runRetention(): Promise<number> {
    await this.flush();
    await this.ready();
    const { maxEvents, maxAgeMs } = this.retention;
    // Oldest first: prune while over the count or older than the age limit, stop at the first keeper.
    const cutoff = maxAgeMs === undefined ? Number.NEGATIVE_INFINITY : this.clock() - maxAgeMs;
    let excess = maxEvents === undefined ? 0 : Math.max(0, this.count - maxEvents);
    let removed = 0;
    for (;;) {
      const entries = await this.storage.list<JsonObject>(`${this.prefix}log/`, { limit: 500 });
      const victims: { key: string; event: HookspellEvent }[] = [];
      for (const { key, value } of entries) {
        const event = value as unknown as HookspellEvent;
        if (victims.length >= excess && event.timestamp >= cutoff) break;
        victims.push({ key, event });
      }
      if (victims.length === 0) break;
      const ops: BatchOp[] = [];
      for (const { key, event } of victims) {
        const seq = key.slice(-SEQ_DIGITS);
        ops.push({ type: 'delete', key });
        ops.push({
          type: 'delete',
          key: `${this.prefix}corr/${encodeId(event.metadata.correlationId)}/${seq}`,
        });
        if (this.indexTypes) ops.push({ type: 'delete', key: `${this.prefix}type/${event.type}/${seq}` });
      }
      ops.push({ type: 'set', key: `${this.prefix}meta/count`, value: this.count - victims.length });
      await this.storage.batch(ops);
      this.count -= victims.length;
      removed += victims.length;
      excess = Math.max(0, excess - victims.length);
      if (victims.length < entries.length || entries.length < 500) break;
    }
    this.counters.pruned += removed;
    return removed;
  }
}

// Time and cursor bounds of a query. Sequences are never below `timestamp × 1000` (see
// sequence-clock.ts), so `from` maps exactly onto a sequence to start at; a sequence can run ahead
// of its timestamp (bursts, a clock stepped back), so `to` is checked on timestamps and the scan
// stops only a generous `CLOCK_SLACK_MS` past it.
const CLOCK_SLACK_MS = 60_000;

interface ScanRange {
  lower: number;
  upper: number;
  from?: number;
  to?: number;
}

function sequenceRange(query: EventQuery): ScanRange {
  const time = (t: number | Date | undefined, name: string): number | undefined => {
    if (t === undefined) return undefined;
    const ms = t instanceof Date ? t.getTime() : t;
    if (typeof ms !== 'number' || !Number.isFinite(ms)) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `\`${name}\` must be a Date or epoch milliseconds, got ${String(t)}.`,
      );
    }
    return ms;
  };
  const from = time(query.from, 'from');
  const to = time(query.to, 'to');
  let lower = from === undefined ? 0 : from * 1000;
  let upper = to === undefined ? Number.MAX_SAFE_INTEGER : (to + CLOCK_SLACK_MS) * 1000 + 999;
  if (query.afterSequence !== undefined) {
    if (!Number.isSafeInteger(query.afterSequence)) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `\`afterSequence\` must be an integer sequence number, got ${String(query.afterSequence)}.`,
      );
    }
    if (query.reverse) upper = Math.min(upper, query.afterSequence - 1);
    else lower = Math.max(lower, query.afterSequence + 1);
  }
  return { lower, upper, from, to };
}

// The stored form: the event without undefined fields (storage accepts JSON only).
function toRecord(event: HookspellEvent): JsonObject {
  const m = event.metadata;
  const metadata: JsonObject = {
    correlationId: m.correlationId,
    tags: m.tags as string[],
    priority: m.priority,
  };
  if (m.causationId !== undefined) metadata.causationId = m.causationId;
  if (m.source !== undefined) metadata.source = m.source;
  if (m.target !== undefined) metadata.target = m.target;
  if (m.ttlSeconds !== undefined) metadata.ttlSeconds = m.ttlSeconds;
  return {
    id: event.id,
    type: event.type,
    data: event.data as JsonObject,
    language: event.language,
    timestamp: event.timestamp,
    sequence: event.sequence,
    metadata,
    schemaVersion: event.schemaVersion,
  };
}

function pad(sequence: number): string {
  return String(sequence).padStart(SEQ_DIGITS, '0');
}

// Correlation ids come from users: safe ones are kept readable, others are hashed into a key.
function encodeId(id: string): string {
  return id.length <= 128 && SAFE_ID.test(id)
    ? id
    : `sha256-${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

function noop(): void {}
