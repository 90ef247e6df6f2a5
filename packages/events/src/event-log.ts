import { type BatchOp, type JsonObject, jsonValueProblem, type StorageBackend } from '@hookspell/storage';
import { EventError, EventErrorCode } from './errors.js';
import type { HookspellEvent } from './event.js';
import { type PatternLimits, resolvePatternLimits } from './limits.js';
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
  typeKeyPart,
  typeName,
} from './log-layout.js';
import { LogReader } from './log-reader.js';
import { pruneSegmentOps } from './log-retention.js';
import { compilePattern } from './pattern.js';
import {
  eventTooLargeError,
  isValueTooLarge,
  loneSegmentBytes,
  packRuns,
  recordBytes,
  type SegmentBudget,
  segmentBudget,
} from './segment-budget.js';
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
  /**
   * Most bytes of JSON in one stored segment row. A group commit the backend refuses as too large
   * is split into segments of at most this size, and an event that alone exceeds it fails alone
   * (`HOOKSPELL_VALUE_TOO_LARGE`). Only commits the backend refuses are measured, so the normal path
   * pays nothing for it. @default the backend's `maxValueBytes` when it states it (MemoryStorage,
   * SqliteStorage, PostgresStorage and every `defineBackend` adapter do), else 16 MiB; never above
   * the backend's limit.
   */
  maxSegmentBytes?: number;
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
  /** Shorthand for `retention.maxEvents` (the name users reach for first; ignoring it kept everything). */
  maxEvents?: number;
  /** Shorthand for `retention.maxAgeMs`. */
  maxAgeMs?: number;
  /** Called when a commit fails (the events are reported, never thrown at publishers that did not ask for `durable`). */
  onError?: (error: unknown, events: readonly HookspellEvent[]) => void;
  /**
   * Bounds on query patterns (past them `HOOKSPELL_PATTERN_TOO_LONG`).
   * @default { maxPatternLength: 1024, maxPatternSegments: 64 }
   */
  limits?: Partial<PatternLimits>;
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

/** Events waiting for one commit, with one promise per event: a commit may store some and refuse others. */
interface PendingBatch {
  events: HookspellEvent[];
  promises: Promise<void>[];
  resolves: (() => void)[];
  rejects: ((error: unknown) => void)[];
}

/**
 * The persisted event log on any `StorageBackend`. Appends are group-committed: each commit is one
 * storage batch writing one segment row with its events plus one small index row per correlation
 * and per type present (see log-layout.ts) — or several segment rows, when the backend refuses
 * one that large (see `commitSplit`). Queries read the index rows of their correlation or
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
  private readonly budget: SegmentBudget;
  private readonly maxPending: number;
  private readonly indexTypes: boolean;
  private readonly retention: NonNullable<EventLogOptions['retention']>;
  private readonly onError?: EventLogOptions['onError'];
  private readonly clock: () => number;
  private readonly patternLimits: PatternLimits;
  private readonly batches: PendingBatch[] = [];
  /** Every type logged, with its key part (typeKeyPart). */
  private readonly types = new Map<string, string>();
  /** Types first registered by the commit being written (forgotten again if it fails). */
  private readonly uncommittedTypes: string[] = [];
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
    this.budget = segmentBudget(storage, options.maxSegmentBytes);
    this.maxPending = options.maxPending ?? 100_000;
    this.indexTypes = options.indexTypes !== false;
    this.patternLimits = resolvePatternLimits(options.limits);
    this.retention = retentionOf(options);
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
      batch = { events: [], promises: [], resolves: [], rejects: [] };
      this.batches.push(batch);
    }
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    batch.events.push(event);
    batch.promises.push(promise);
    batch.resolves.push(resolve);
    batch.rejects.push(reject);
    this.pendingCount++;
    if (!this.scheduled && this.draining === undefined) {
      this.scheduled = true;
      // Everything appended in this turn of the event loop goes into the same commit.
      setImmediate(() => this.drain());
    }
    return promise;
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
    // Checked before waiting for anything: a pattern over the limits is refused at once.
    const matcher =
      query.pattern === undefined ? undefined : compilePattern(query.pattern, this.patternLimits);
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
        .filter(([type]) => matcher!.matches(type))
        .map(([, part]) => `${this.prefix}type/${part}/`);
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
    for (const { key, value } of await this.storage.list(`${this.prefix}types/`)) {
      const part = key.slice(this.prefix.length + 6);
      // A hashed type's row holds its name; any other row's key is the name.
      this.types.set(typeof value === 'string' ? value : part, part);
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
        let refused: ReadonlyMap<HookspellEvent, unknown> | undefined;
        try {
          refused = await this.exclusive(() => this.commit(batch.events));
        } catch (error) {
          this.failBatch(batch, error);
          continue;
        }
        this.settle(batch, refused);
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
   * Writes one group commit; resolves with the events it could not store and why (undefined when
   * it stored them all). Segments hold disjoint, contiguous runs of sequences, in order
   * (log-layout.ts), which is what makes queries answer in sequence order. The bus appends an
   * event before delivering it, so its appends arrive in sequence order; a batch that does not
   * (several writers, a custom appender) is sorted first, and events whose sequence lies below
   * what is already committed (an event a BeforeEventEmit hook held back past a commit) are merged
   * into the segment their sequence falls in. Both are rare; the usual batch costs one check.
   *
   * A commit is written as one segment without measuring it: the backend checks the size of what
   * it stores anyway. Only when it refuses a row as too large is the commit measured and split
   * (see {@link commitSplit}).
   */
  private async commit(events: HookspellEvent[]): Promise<ReadonlyMap<HookspellEvent, unknown> | undefined> {
    // Sorted as a copy: the batch's order pairs each event with its appender's promise.
    const ordered = inSequenceOrder(events) ? events : [...events].sort(bySequence);
    this.lastSequence ??= await this.readLastSequence();
    try {
      await this.write(ordered, () => this.commitOps(ordered, ordered.map(toRecord)));
      return undefined;
    } catch (error) {
      if (!isValueTooLarge(error)) throw error;
      return this.commitSplit(ordered);
    }
  }

  /**
   * A commit the backend refused as too large for one row: each event is serialized once to learn
   * its size, an event no row can hold is refused alone (with its size and the limit), and the
   * others are stored in as many segments as the budget needs, in one storage batch.
   */
  private async commitSplit(events: HookspellEvent[]): Promise<Map<HookspellEvent, unknown>> {
    const refused = new Map<HookspellEvent, unknown>();
    const kept: HookspellEvent[] = [];
    const records: JsonObject[] = [];
    const sizes: number[] = [];
    for (const event of events) {
      const record = toRecord(event);
      const size = recordBytes(record);
      if (loneSegmentBytes(this.prefix, event, size) > this.budget.bytes) {
        refused.set(event, eventTooLargeError(event, size, this.prefix, this.storage.name, this.budget));
      } else {
        kept.push(event);
        records.push(record);
        sizes.push(size);
      }
    }
    if (kept.length === 0) return refused;
    try {
      await this.write(kept, () => this.commitOps(kept, records, sizes));
    } catch (error) {
      if (!isValueTooLarge(error)) {
        for (const event of kept) refused.set(event, error);
        return refused;
      }
      // The backend holds less than the budget assumed (an adapter that does not state its limit,
      // see segment-budget.ts): one event per commit, so only what it refuses is lost.
      for (let i = 0; i < kept.length; i++) {
        const event = kept[i]!;
        try {
          await this.write([event], () => this.commitOps([event], [records[i]!]));
        } catch (alone) {
          refused.set(
            event,
            isValueTooLarge(alone)
              ? eventTooLargeError(event, sizes[i]!, this.prefix, this.storage.name, undefined, alone)
              : alone,
          );
        }
      }
    }
    return refused;
  }

  private async readLastSequence(): Promise<number> {
    const [newest] = await this.storage.list<JsonObject>(`${this.prefix}seg/`, { reverse: true, limit: 1 });
    if (newest === undefined) return Number.NEGATIVE_INFINITY;
    const stored = (newest.value as unknown as StoredSegment).events;
    return stored.length > 0 ? stored[stored.length - 1]!.sequence : keySequence(newest.key);
  }

  // One storage batch: the ops `build` makes for `events` (in sequence order) and the new count.
  private async write(events: readonly HookspellEvent[], build: () => Promise<BatchOp[]>): Promise<void> {
    const last = this.lastSequence!;
    try {
      const ops = await build();
      ops.push({ type: 'set', key: `${this.prefix}meta/count`, value: this.count + events.length });
      await this.storage.batch(ops);
    } catch (error) {
      // The `types/` rows of this commit were not written: a later commit of those types must
      // write them, or readers of the store would never find those types by pattern.
      for (const type of this.uncommittedTypes) this.types.delete(type);
      throw error;
    } finally {
      this.uncommittedTypes.length = 0;
    }
    this.count += events.length;
    this.lastSequence = Math.max(last, events[events.length - 1]!.sequence);
  }

  /**
   * The ops storing `events` (in sequence order) with their stored `records`. With `sizes` (the
   * records' JSON bytes, known only on the split path) rows are packed to the segment budget;
   * without, the new events form one segment.
   */
  private async commitOps(
    events: HookspellEvent[],
    records: JsonObject[],
    sizes?: number[],
  ): Promise<BatchOp[]> {
    const last = this.lastSequence!;
    let late = 0;
    while (late < events.length && events[late]!.sequence <= last) late++;
    if (late === 0) return this.newSegmentsOps(events, records, sizes);
    const ops = await this.mergeOps(events.slice(0, late), records.slice(0, late), sizes?.slice(0, late));
    if (late < events.length) {
      ops.push(...this.newSegmentsOps(events.slice(late), records.slice(late), sizes?.slice(late)));
    }
    return ops;
  }

  // New segments of `events` (in sequence order, above every segment or below them all).
  private newSegmentsOps(events: HookspellEvent[], records: JsonObject[], sizes?: number[]): BatchOp[] {
    if (sizes === undefined) return this.segmentOps(events, records, events[0]!.sequence);
    const ops: BatchOp[] = [];
    for (const [start, end] of packRuns(this.prefix, events, sizes, this.budget.bytes)) {
      ops.push(
        ...this.segmentOps(events.slice(start, end), records.slice(start, end), events[start]!.sequence),
      );
    }
    return ops;
  }

  // One segment keyed `first`: its row, its `ids/` rows and its index rows. `events` may be stored
  // records (a rewritten segment): the index functions read only fields records keep.
  private segmentOps(
    events: readonly HookspellEvent[],
    records: readonly JsonObject[],
    first: number,
  ): BatchOp[] {
    const p = this.prefix;
    const seg = pad(first);
    const ids = idRows(p, events);
    const ops: BatchOp[] = [
      {
        type: 'set',
        key: `${p}seg/${seg}`,
        value: { events: records as JsonObject[], idRows: [...ids.keys()] },
      },
    ];
    for (const key of ids.keys()) ops.push({ type: 'set', key, value: first });
    for (const [corr, sequences] of groupSequences(events, correlationPart)) {
      ops.push({ type: 'set', key: `${p}corr/${corr}/${seg}`, value: sequences });
    }
    if (this.indexTypes) {
      for (const [type, sequences] of groupSequences(events, typeName)) {
        ops.push({ type: 'set', key: `${p}type/${typeKeyPart(type)}/${seg}`, value: sequences });
        this.registerType(type, ops);
      }
    }
    return ops;
  }

  private registerType(type: string, ops: BatchOp[]): void {
    if (!this.types.has(type)) {
      const part = typeKeyPart(type);
      this.types.set(type, part);
      this.uncommittedTypes.push(type);
      ops.push({ type: 'set', key: `${this.prefix}types/${part}`, value: part === type ? true : type });
    }
  }

  // Merges `late` events (in sequence order, none above what is committed) into the segments
  // their sequences fall in: each such segment is rewritten with them (see rewriteOps).
  private async mergeOps(
    late: HookspellEvent[],
    records: JsonObject[],
    sizes?: number[],
  ): Promise<BatchOp[]> {
    const p = this.prefix;
    const ops: BatchOp[] = [];
    const below: number[] = []; // below every segment (or the log is empty): segments of their own
    const groups = new Map<number, { stored: StoredSegment; picked: number[] }>();
    for (let i = 0; i < late.length; i++) {
      const [covering] = await this.storage.list<JsonObject>(`${p}seg/`, {
        startAfter: `${p}seg/${pad(late[i]!.sequence + 1)}`,
        reverse: true,
        limit: 1,
      });
      if (covering === undefined) {
        below.push(i);
        continue;
      }
      const key = keySequence(covering.key);
      const group = groups.get(key);
      if (group) group.picked.push(i);
      else groups.set(key, { stored: covering.value as unknown as StoredSegment, picked: [i] });
    }
    if (below.length > 0) {
      ops.push(
        ...this.newSegmentsOps(
          pick(late, below),
          pick(records, below),
          sizes === undefined ? undefined : pick(sizes, below),
        ),
      );
    }
    for (const [segment, { stored, picked }] of groups) {
      const merged = [...(stored.events as unknown as JsonObject[]), ...pick(records, picked)];
      merged.sort(byRecordSequence);
      ops.push(...this.rewriteOps(segment, stored, merged, sizes !== undefined));
    }
    return ops;
  }

  /**
   * Rewrites segment `segment` to hold `records` (in sequence order): its old `ids/` and index rows
   * are deleted and rows for the new content set after them (a batch's later ops win, so rows of
   * the same key are simply replaced). With `split`, records are packed to the segment budget: the
   * first run keeps the segment's key, so segments still cover the log without gap or overlap.
   */
  private rewriteOps(
    segment: number,
    stored: StoredSegment,
    records: JsonObject[],
    split: boolean,
  ): BatchOp[] {
    const p = this.prefix;
    const seg = pad(segment);
    const old = stored.events;
    const ops: BatchOp[] = [];
    for (const key of stored.idRows ?? []) ops.push({ type: 'delete', key });
    for (const corr of groupSequences(old, correlationPart).keys()) {
      ops.push({ type: 'delete', key: `${p}corr/${corr}/${seg}` });
    }
    if (this.indexTypes) {
      for (const type of groupSequences(old, typeName).keys()) {
        ops.push({ type: 'delete', key: `${p}type/${typeKeyPart(type)}/${seg}` });
      }
    }
    const events = records as unknown as HookspellEvent[];
    const runs: [number, number][] = split
      ? packRuns(p, events, records.map(recordBytes), this.budget.bytes)
      : [[0, records.length]];
    for (const [start, end] of runs) {
      const first = start === 0 ? segment : events[start]!.sequence;
      ops.push(...this.segmentOps(events.slice(start, end), records.slice(start, end), first));
    }
    return ops;
  }

  // Settles each event's promise with its own outcome and reports the refused ones, grouped by error.
  private settle(batch: PendingBatch, refused: ReadonlyMap<HookspellEvent, unknown> | undefined): void {
    const { events } = batch;
    this.pendingCount -= events.length;
    if (refused === undefined) {
      this.counters.committed += events.length;
      this.counters.batches++;
      for (const resolve of batch.resolves) resolve();
      return;
    }
    const reports = new Map<unknown, HookspellEvent[]>();
    for (const [event, error] of refused) {
      const group = reports.get(error);
      if (group) group.push(event);
      else reports.set(error, [event]);
    }
    this.counters.failed += refused.size;
    this.counters.committed += events.length - refused.size;
    if (refused.size < events.length) this.counters.batches++;
    for (const [error, failed] of reports) this.onError?.(error, failed);
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      if (!refused.has(event)) batch.resolves[i]!();
      else {
        batch.promises[i]!.catch(noop); // reported above; only `durable` publishers see the rejection
        batch.rejects[i]!(refused.get(event));
      }
    }
  }

  private failBatch(batch: PendingBatch, error: unknown): void {
    this.pendingCount -= batch.events.length;
    this.counters.failed += batch.events.length;
    this.onError?.(error, batch.events);
    for (let i = 0; i < batch.events.length; i++) {
      batch.promises[i]!.catch(noop); // reported above; only `durable` publishers see the rejection
      batch.rejects[i]!(error);
    }
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

// `{ maxEvents }` and `{ retention: { maxEvents } }` mean the same; a rule given both ways must agree,
// and a limit that is not a non-negative number is refused rather than silently keeping everything.
function retentionOf(options: EventLogOptions): NonNullable<EventLogOptions['retention']> {
  const retention = { ...options.retention };
  for (const rule of ['maxEvents', 'maxAgeMs'] as const) {
    const short = options[rule];
    if (short !== undefined) {
      if (retention[rule] !== undefined && retention[rule] !== short) {
        throw new EventError(
          EventErrorCode.INVALID_ARGUMENT,
          `\`${rule}\` is given twice with different values (${short} and retention.${rule} ${retention[rule]}); give it once.`,
        );
      }
      retention[rule] = short;
    }
    const value = retention[rule];
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `\`retention.${rule}\` must be a non-negative number, got ${String(value)}.`,
      );
    }
  }
  return retention;
}

const bySequence = (a: { sequence: number }, b: { sequence: number }): number => a.sequence - b.sequence;
const byRecordSequence = (a: JsonObject, b: JsonObject): number =>
  (a.sequence as number) - (b.sequence as number);

function pick<T>(items: readonly T[], indexes: readonly number[]): T[] {
  return indexes.map((i) => items[i]!);
}

function inSequenceOrder(events: readonly HookspellEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if (events[i]!.sequence < events[i - 1]!.sequence) return false;
  return true;
}
