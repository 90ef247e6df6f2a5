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
 * Order: queries answer in sequence order (or its reverse), whatever order events were appended
 * in, so an `afterSequence` cursor pages without gap or repeat. The bus appends each event before
 * delivering it, so appends normally arrive in sequence order; a batch that does not is sorted,
 * and a late event (below what is already committed) is merged into its segment (see `commit`).
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
  /** The highest sequence committed (read from the store before the first commit). */
  private lastSequence?: number;
  /** Commits and retention steps run one at a time: both rewrite rows (segments, meta/count). */
  private writeLock: Promise<unknown> = Promise.resolve();
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
    // An event without data (`data: undefined`) is stored without the property (log-layout.ts).
    const problem = event.data === undefined ? undefined : jsonValueProblem(event.data, 'event.data');
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
   * Events in sequence order (or reverse), filtered by pattern, correlation and time — whatever
   * order they were appended in, so an `afterSequence` cursor pages through them without gap or
   * repeat. Waits for pending appends first, so a writer sees its own events.
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
          await this.exclusive(() => this.commit(batch.events));
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

  private exclusive<T>(step: () => Promise<T>): Promise<T> {
    const run = this.writeLock.then(step);
    this.writeLock = run.catch(noop);
    return run;
  }

  /**
   * Writes one group commit. Segments hold disjoint, contiguous runs of sequences, in order
   * (log-layout.ts), which is what makes queries answer in sequence order. The bus appends an
   * event before delivering it, so its appends arrive in sequence order; a batch that does not
   * (several writers, a custom appender) is sorted first, and events whose sequence lies below
   * what is already committed (an event a BeforeEventEmit hook held back past a commit) are merged
   * into the segment their sequence falls in. Both are rare; the usual batch costs one check.
   */
  private async commit(events: HookspellEvent[]): Promise<void> {
    if (!inSequenceOrder(events)) events.sort(bySequence);
    this.lastSequence ??= await this.readLastSequence();
    const last = this.lastSequence;
    let ops: BatchOp[];
    if (events[0]!.sequence > last) ops = this.segmentOps(events);
    else {
      let late = 1;
      while (late < events.length && events[late]!.sequence <= last) late++;
      ops = await this.mergeOps(events.slice(0, late));
      if (late < events.length) ops.push(...this.segmentOps(events.slice(late)));
    }
    ops.push({ type: 'set', key: `${this.prefix}meta/count`, value: this.count + events.length });
    await this.storage.batch(ops);
    this.count += events.length;
    this.lastSequence = Math.max(last, events[events.length - 1]!.sequence);
  }

  private async readLastSequence(): Promise<number> {
    const [newest] = await this.storage.list<JsonObject>(`${this.prefix}seg/`, { reverse: true, limit: 1 });
    if (newest === undefined) return Number.NEGATIVE_INFINITY;
    const stored = (newest.value as unknown as StoredSegment).events;
    return stored.length > 0 ? stored[stored.length - 1]!.sequence : keySequence(newest.key);
  }

  // A new segment of `events` (in sequence order, all above what is committed).
  private segmentOps(events: HookspellEvent[]): BatchOp[] {
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
        this.registerType(type, ops);
      }
    }
    return ops;
  }

  private registerType(type: string, ops: BatchOp[]): void {
    if (!this.types.has(type)) {
      this.types.add(type);
      ops.push({ type: 'set', key: `${this.prefix}types/${type}`, value: true });
    }
  }

  // Merges `late` events (in sequence order, none above what is committed) into the segments
  // their sequences fall in: the segment rewritten with them, its index rows extended.
  private async mergeOps(late: HookspellEvent[]): Promise<BatchOp[]> {
    const p = this.prefix;
    const ops: BatchOp[] = [];
    const below: HookspellEvent[] = []; // below every segment (or the log is empty): a segment of their own
    const groups = new Map<number, { stored: StoredSegment; events: HookspellEvent[] }>();
    for (const event of late) {
      const [covering] = await this.storage.list<JsonObject>(`${p}seg/`, {
        startAfter: `${p}seg/${pad(event.sequence + 1)}`,
        reverse: true,
        limit: 1,
      });
      if (covering === undefined) {
        below.push(event);
        continue;
      }
      const key = keySequence(covering.key);
      const group = groups.get(key);
      if (group) group.events.push(event);
      else groups.set(key, { stored: covering.value as unknown as StoredSegment, events: [event] });
    }
    if (below.length > 0) ops.push(...this.segmentOps(below));
    for (const [segment, { stored, events }] of groups) {
      const seg = pad(segment);
      const records = [...stored.events, ...events.map(toRecord)] as unknown as HookspellEvent[];
      records.sort(bySequence);
      // An id row at each process's smallest id now in the segment (ids follow sequences).
      const ids = idRows(p, records);
      for (const key of ids.keys()) ops.push({ type: 'set', key, value: segment });
      const rows = new Set([...(stored.idRows ?? []), ...ids.keys()]);
      ops.push({
        type: 'set',
        key: `${p}seg/${seg}`,
        value: { ...stored, events: records, idRows: [...rows] } as unknown as JsonObject,
      });
      const extend = async (rowKey: string, sequences: number[]) => {
        const had = (await this.storage.get<number[]>(rowKey)) ?? [];
        ops.push({ type: 'set', key: rowKey, value: [...had, ...sequences].sort((a, b) => a - b) });
      };
      for (const [corr, sequences] of groupSequences(events, correlationPart)) {
        await extend(`${p}corr/${corr}/${seg}`, sequences);
      }
      if (this.indexTypes) {
        for (const [type, sequences] of groupSequences(events, typePart)) {
          await extend(`${p}type/${type}/${seg}`, sequences);
          this.registerType(type, ops);
        }
      }
    }
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
      // One segment per step, each step exclusive with commits (which may rewrite that segment).
      const step = await this.exclusive(async () => {
        const [oldest] = await this.storage.list<JsonObject>(`${this.prefix}seg/`, { limit: 1 });
        if (oldest === undefined) return undefined;
        const events = (oldest.value as unknown as StoredSegment).events;
        let victims = 0;
        while (victims < events.length && (victims < excess || events[victims]!.timestamp < cutoff))
          victims++;
        if (victims === 0) return undefined;
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
        return { victims, whole: victims === events.length };
      });
      if (step === undefined) break;
      removed += step.victims;
      excess = Math.max(0, excess - step.victims);
      if (!step.whole) break;
    }
    this.counters.pruned += removed;
    return removed;
  }
}

function noop(): void {}

const bySequence = (a: { sequence: number }, b: { sequence: number }): number => a.sequence - b.sequence;

function inSequenceOrder(events: readonly HookspellEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if (events[i]!.sequence < events[i - 1]!.sequence) return false;
  return true;
}
