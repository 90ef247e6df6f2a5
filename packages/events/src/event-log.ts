import { type BatchOp, type JsonObject, jsonValueProblem, type StorageBackend } from '@hookspell/storage';
import { EventError, EventErrorCode } from './errors.js';
import type { HookspellEvent } from './event.js';
import {
  correlationPart,
  encodeId,
  fromRecord,
  groupSequences,
  idRows,
  keySequence,
  pad,
  parseOwnId,
  type StoredSegment,
  scanRange,
  toRecord,
  typePart,
} from './log-layout.js';
import { LogReader } from './log-reader.js';
import { pruneSegmentOps } from './log-retention.js';
import { compilePattern } from './pattern.js';
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

/**
 * The persisted event log on any `StorageBackend`. Appends are group-committed: each commit is one
 * storage batch writing one segment row with its events plus one small index row per correlation
 * and per type present (see log-layout.ts). Queries read the index rows of their correlation or
 * types, then only the segments those point to, so their cost follows the number of matching
 * segments, not the size of the log. One process writes a log at a time; any number may read it.
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
    const range = scanRange(query);
    const reverse = query.reverse === true;
    const matcher = query.pattern === undefined ? undefined : compilePattern(query.pattern);
    const reader = new LogReader(this.storage, this.prefix);
    if (query.correlationId !== undefined) {
      const lone = await this.findOwnEvent(query.correlationId);
      const seeds =
        lone !== undefined && lone.event.metadata.correlationId === query.correlationId ? [lone] : [];
      return reader.read(
        [`${this.prefix}corr/${encodeId(query.correlationId)}/`],
        range,
        reverse,
        limit,
        matcher,
        seeds,
      );
    }
    const everything =
      matcher === undefined || (matcher.segments.length === 1 && matcher.segments[0] === '**');
    if (!everything && this.indexTypes) {
      // Another process may have logged new types since this instance last looked.
      await this.loadTypes();
      const prefixes = [...this.types]
        .filter((t) => matcher!.matches(t))
        .map((t) => `${this.prefix}type/${t}/`);
      if (prefixes.length === 0) return [];
      return reader.read(prefixes, range, reverse, limit, matcher);
    }
    return reader.read(undefined, range, reverse, limit, matcher);
  }

  // Locates an event by an id of this library's scheme through the `ids/` rows (see log-layout.ts).
  private async findOwnEvent(id: string): Promise<{ segment: number; event: HookspellEvent } | undefined> {
    const own = parseOwnId(id);
    if (own === undefined) return undefined;
    const rows = `${this.prefix}ids/${own.prefix}`;
    const [row] = await this.storage.list<number>(rows, {
      startAfter: rows + pad(own.n + 1),
      reverse: true,
      limit: 1,
    });
    if (row === undefined) return undefined;
    const segment = await this.storage.get<JsonObject>(`${this.prefix}seg/${pad(row.value)}`);
    const record = (segment as unknown as StoredSegment | undefined)?.events.find((e) => e.id === id);
    return record === undefined ? undefined : { segment: row.value, event: fromRecord(record as never) };
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
      await this.loadTypes();
    })().catch((error) => {
      this.readyPromise = undefined;
      throw error;
    });
    return this.readyPromise;
  }

  private async loadTypes(): Promise<void> {
    for (const { key } of await this.storage.list(`${this.prefix}types/`)) {
      this.types.add(key.slice(this.prefix.length + 6));
    }
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
    const p = this.prefix;
    const seg = pad(events[0]!.sequence);
    const ids = idRows(p, events);
    const ops: BatchOp[] = [
      {
        type: 'set',
        key: `${p}seg/${seg}`,
        value: { events: events.map(toRecord), idRows: [...ids.keys()] },
      },
    ];
    for (const key of ids.keys()) ops.push({ type: 'set', key, value: events[0]!.sequence });
    for (const [corr, sequences] of groupSequences(events, correlationPart)) {
      ops.push({ type: 'set', key: `${p}corr/${corr}/${seg}`, value: sequences });
    }
    if (this.indexTypes) {
      for (const [type, sequences] of groupSequences(events, typePart)) {
        ops.push({ type: 'set', key: `${p}type/${type}/${seg}`, value: sequences });
        if (!this.types.has(type)) {
          this.types.add(type);
          ops.push({ type: 'set', key: `${p}types/${type}`, value: true });
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

  private async runRetention(): Promise<number> {
    await this.flush();
    await this.ready();
    const { maxEvents, maxAgeMs } = this.retention;
    // Oldest first: prune while over the count or older than the age limit; stop at the first keeper.
    const cutoff = maxAgeMs === undefined ? Number.NEGATIVE_INFINITY : this.clock() - maxAgeMs;
    let excess = maxEvents === undefined ? 0 : Math.max(0, this.count - maxEvents);
    let removed = 0;
    for (;;) {
      const [oldest] = await this.storage.list<JsonObject>(`${this.prefix}seg/`, { limit: 1 });
      if (oldest === undefined) break;
      const events = (oldest.value as unknown as StoredSegment).events;
      let victims = 0;
      while (victims < events.length && (victims < excess || events[victims]!.timestamp < cutoff)) victims++;
      if (victims === 0) break;
      const ops = pruneSegmentOps(
        this.prefix,
        keySequence(oldest.key),
        oldest.value as unknown as StoredSegment,
        victims,
        this.indexTypes,
      );
      ops.push({ type: 'set', key: `${this.prefix}meta/count`, value: this.count - victims });
      await this.storage.batch(ops);
      this.count -= victims;
      removed += victims;
      excess = Math.max(0, excess - victims);
      if (victims < events.length) break;
    }
    this.counters.pruned += removed;
    return removed;
  }
}

function noop(): void {}
