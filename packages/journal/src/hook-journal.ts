import type { StorageBackend } from '@hookspell/core';
import { threw } from '@hookspell/core';
import type { ExecutionStatus, FireRecorder, HookExecutor, HookPoint, RecordedFire } from '@hookspell/hooks';
import { HookError, HookErrorCode } from '@hookspell/hooks';
import { entryOf, type JournalEntry, type UnsequencedEntry } from './journal-entry.js';
import { checkLayout, LAYOUT_VERSION, type StoredMeta } from './journal-keys.js';
import { PRUNED_KEY, pruneJournal, readPruned } from './journal-pruner.js';
import { type JournalPage, type JournalQuery, JournalReader } from './journal-reader.js';
import { SegmentWriter } from './journal-segment.js';
import { type JournalPruneInfo, PruneTally, prunedState, pruneInfoOf } from './prune-record.js';
import { type RetentionPolicy, type RetentionPreset, resolveRetention } from './retention.js';

/** Which journal records each executor (one at a time). */
const JOURNAL_OF = new WeakMap<HookExecutor, HookJournal>();

/** Which executions the journal keeps: a predicate, or lists that must each contain the entry's value. */
export type JournalFilter =
  | ((entry: UnsequencedEntry) => boolean)
  | {
      points?: readonly HookPoint[];
      /** Hook names. */
      hooks?: readonly string[];
      statuses?: readonly ExecutionStatus[];
    };

/** What one retention run removed: given to `onPrune` and sent as a `hook.journal.pruned` event. */
export interface JournalPruneEvent {
  /** Entries removed by this run. */
  readonly entries: number;
  /** Segments (stored batches of entries) deleted or trimmed. */
  readonly segments: number;
  /** The oldest entry left (its sequence and recording time); undefined when none is left. */
  readonly oldestKept: { readonly seq: number; readonly recordedAt: number } | undefined;
  /** The newest entry removed: every entry recorded before it is gone too. */
  readonly newestRemoved: { readonly seq: number; readonly recordedAt: number };
  /** Which limit removed them: more than `maxEntries`, older than `maxAgeMs`, or some of each. */
  readonly reason: 'maxEntries' | 'maxAgeMs' | 'maxEntries+maxAgeMs';
  /** Entries removed for being over `maxEntries`, and for being older than `maxAgeMs`. */
  readonly byCount: number;
  readonly byAge: number;
  /** Entries left in the journal. */
  readonly remaining: number;
  /** The policy applied. */
  readonly retention: RetentionPolicy;
  /** `background`: the retention timer, or a write that took the journal past 1.1 × `maxEntries`; `prune`: a `prune()` call. */
  readonly trigger: 'background' | 'prune';
  /** The journal's key prefix. */
  readonly prefix: string;
  /** When the run started (journal clock, epoch ms): the time its `maxAgeMs` was measured from. */
  readonly at: number;
}

/** Where a journal sends `hook.journal.pruned` events: an executor's lifecycle sink, e.g. `bus.hookSink()`. */
export interface JournalSink {
  emit(type: 'hook.journal.pruned', data: Record<string, unknown>, meta: { correlationId: string }): void;
}

/** What the journal knows of one execution id (`journal.lookup()`). */
export type ExecutionLookup =
  /** In the journal. */
  | { readonly state: 'recorded'; readonly entry: JournalEntry }
  /** Removed by retention: its process had this fire or a later one pruned. */
  | { readonly state: 'pruned'; readonly pruned: JournalPruneInfo }
  /** Not found; retention has removed entries and cannot tell whether this was one of them. */
  | { readonly state: 'maybe-pruned'; readonly pruned: JournalPruneInfo }
  /** Not found, and not pruned: never recorded here (or left out by the filter, or lost and reported). */
  | { readonly state: 'not-found'; readonly pruned: JournalPruneInfo | undefined };

/** Default `maxEntryBytes`: 1 MiB. */
export const DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;
// A segment is cut once its lines pass this many characters (≤ 3 bytes each in UTF-8: 24 MB, well
// under storage's default 64 MiB value limit), so a batch of large entries still fits a value.
const MAX_SEGMENT_CHARS = 8 * 1024 * 1024;

export interface HookJournalOptions {
  /**
   * A preset (`default` 7 d / 10 000 / keep ≥ 100, `short` 1 d / 1 000, `long` 30 d / 100 000) or a
   * policy. Retention removes the oldest entries; every run that removes any is reported to
   * `onPrune` and `sink`, counted in `stats().pruned`, and stored, so that a replay of a removed
   * execution says it was pruned. @default 'default'
   */
  retention?: RetentionPreset | RetentionPolicy;
  /** Told after every retention run that removed entries (background or `prune()`). Errors it throws are ignored. */
  onPrune?: (event: JournalPruneEvent) => void;
  /** Also sends each prune as a `hook.journal.pruned` event here (e.g. `bus.hookSink()`). */
  sink?: JournalSink;
  /**
   * Longest stored entry, in bytes of its JSON; a longer one keeps its ids, status and times and
   * has its largest parts (data, result, metadata) stored as
   * `{ unserializable: true, type: 'too-large', reason }`. @default 1048576 (1 MiB)
   */
  maxEntryBytes?: number;
  filter?: JournalFilter;
  /** Key prefix in the storage. @default 'journal/' */
  prefix?: string;
  /** The batching latency: how long an entry may wait before its batch is written. @default 50 */
  flushIntervalMs?: number;
  /** Most entries per batch (one storage segment). @default 1000 */
  maxBatch?: number;
  /** Most entries waiting; beyond it new entries are dropped and reported. @default 100000 */
  maxPending?: number;
  /**
   * Told when entries are lost: a batch the storage refused (`HOOKSPELL_JOURNAL_WRITE_FAILED`, the
   * storage error as `cause`) or entries dropped under backpressure; also when background
   * retention failed, or the `filter` threw (`HOOKSPELL_JOURNAL_WRITE_FAILED`, `lost` 0: such
   * entries are kept). Never thrown into a fire. A hook's value that JSON cannot hold is not a
   * failure: it is stored as `{ unserializable: true, type, reason }`.
   * @default process.emitWarning
   */
  onError?: (error: HookError, lost: number) => void;
  /** Time of `recordedAt`, time-range queries and retention. @default Date.now */
  clock?: () => number;
}

export interface JournalStats {
  /** Entries taken from fires and kept by the filter. */
  readonly recorded: number;
  /** Entries the filter left out. */
  readonly filtered: number;
  readonly committed: number;
  /** Lost to backpressure. */
  readonly dropped: number;
  /** Lost to storage failures. */
  readonly failed: number;
  readonly pruned: number;
  readonly batches: number;
  readonly pending: number;
}

interface Meta {
  count: number;
  lastSeq: number;
}

/**
 * A stored, queryable record of hook executions on any `StorageBackend` (memory, SQLite,
 * PostgreSQL or your adapter): for every hook an attached executor runs, its id (`name:version`),
 * execution and correlation ids, point, the context as it saw it, result, status, start time and
 * duration. Fires never wait for it: entries are batched and written within `flushIntervalMs`;
 * a storage failure is reported to `onError`, never thrown into the host. Retention prunes.
 * One process writes a journal at a time; any number may read it.
 *
 * @example
 * ```ts
 * const journal = new HookJournal(SqliteStorage({ path: 'hooks.db' }), { retention: 'short' });
 * const detach = journal.attach(executor);
 * await executor.fire('BeforeToolExecution', { data: { cmd: 'ls' } }, { correlationId: 'req-1' });
 * const { entries } = await journal.query({ correlationId: 'req-1' });
 * detach();
 * ```
 */
export class HookJournal {
  readonly storage: StorageBackend;
  readonly retention: RetentionPolicy;
  readonly prefix: string;
  readonly #reader: JournalReader;
  readonly #filter: ((entry: UnsequencedEntry) => boolean) | undefined;
  readonly #flushIntervalMs: number;
  readonly #maxBatch: number;
  readonly #maxPending: number;
  readonly #onError: (error: HookError, lost: number) => void;
  readonly #onPrune: ((event: JournalPruneEvent) => void) | undefined;
  readonly #sink: JournalSink | undefined;
  readonly #maxEntryBytes: number;
  #pruneRuns = 0;
  readonly #clock: () => number;
  readonly #recorder: FireRecorder = { record: (fire) => this.#record(fire) };
  readonly #detachers = new Set<() => void>();
  /** Finished fires and their recording times, interleaved: [fire, time, fire, time, …]. */
  #pending: unknown[] = [];
  #pendingEntries = 0;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #retentionTimer: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  #pruning: Promise<number> | undefined;
  #lock: Promise<unknown> = Promise.resolve();
  #meta: Promise<Meta> | undefined;
  #overflowReported = false;
  readonly #stats = { recorded: 0, filtered: 0, committed: 0, dropped: 0, failed: 0, pruned: 0, batches: 0 };

  constructor(storage: StorageBackend, options: HookJournalOptions = {}) {
    if (storage === null || typeof storage !== 'object' || typeof storage.batch !== 'function') {
      throw invalid(
        '`storage` must be a StorageBackend (e.g. SqliteStorage({ path }) from @hookspell/storage).',
      );
    }
    this.storage = storage;
    this.retention = resolveRetention(options.retention);
    this.prefix = options.prefix ?? 'journal/';
    if (typeof this.prefix !== 'string' || !this.prefix.endsWith('/')) {
      throw invalid(`\`prefix\` must be a string ending with '/'; got ${JSON.stringify(options.prefix)}.`);
    }
    this.#filter = compileFilter(options.filter);
    this.#flushIntervalMs = positive(options.flushIntervalMs, 50, 'flushIntervalMs', true);
    this.#maxBatch = positive(options.maxBatch, 1000, 'maxBatch');
    this.#maxPending = positive(options.maxPending, 100_000, 'maxPending');
    this.#onError = options.onError ?? ((error) => process.emitWarning(error));
    if (options.onPrune !== undefined && typeof options.onPrune !== 'function') {
      throw invalid('`onPrune` must be a function `(event) => void`.');
    }
    this.#onPrune = options.onPrune;
    if (options.sink !== undefined && typeof options.sink?.emit !== 'function') {
      throw invalid('`sink` must have an `emit(type, data, meta)` method (e.g. `bus.hookSink()`).');
    }
    this.#sink = options.sink;
    this.#maxEntryBytes = positive(options.maxEntryBytes, DEFAULT_MAX_ENTRY_BYTES, 'maxEntryBytes');
    this.#clock = options.clock ?? Date.now;
    this.#reader = new JournalReader(storage, this.prefix);
    const { maxAgeMs, maxEntries, intervalMs = 60_000 } = this.retention;
    if (maxAgeMs !== undefined || maxEntries !== undefined) {
      this.#retentionTimer = setInterval(() => this.#pruneInBackground(), intervalMs);
      this.#retentionTimer.unref();
    }
  }

  /**
   * Records every fire of `executor` from now on; returns the detach. An executor records into
   * one journal at a time (`HOOKSPELL_JOURNAL_ATTACHED` otherwise); other recorders may share it.
   *
   * @example
   * ```ts
   * const detach = journal.attach(executor);
   * // … fires are recorded …
   * detach();
   * ```
   */
  attach(executor: HookExecutor): () => void {
    // Other recorders (an OpenTelemetry instrumentation) may share the executor; two journals may
    // not: every fire would be stored twice, with one id, in two places.
    const holder = JOURNAL_OF.get(executor);
    if (holder !== undefined && holder !== this) {
      throw new HookError(
        HookErrorCode.JOURNAL_ATTACHED,
        'this executor already records into another journal. Detach it first (the function attach() returned), or record both through one journal.',
      );
    }
    JOURNAL_OF.set(executor, this);
    const detachExecutor = executor.attachRecorder(this.#recorder);
    const detach = (): void => {
      this.#detachers.delete(detach);
      detachExecutor();
      if (JOURNAL_OF.get(executor) === this) JOURNAL_OF.delete(executor);
    };
    this.#detachers.add(detach);
    return detach;
  }

  /** Resolves once every entry captured so far is written (or reported as failed). */
  async flush(): Promise<void> {
    while (this.#pending.length > 0 || this.#draining !== undefined) {
      if (this.#draining === undefined) this.#drain();
      await this.#draining;
    }
  }

  /**
   * Entries matching `query`, oldest first (newest with `reverse`), one page at a time: pass the
   * returned `cursor` to get the next. Waits for pending writes first, so a writer sees its own
   * entries. Reads only the index the query names (correlation, execution, hook, point, status).
   *
   * @example
   * ```ts
   * let cursor: string | undefined;
   * do {
   *   const page = await journal.query({ hook: 'deny-shell', status: 'ok', limit: 500, cursor });
   *   for (const entry of page.entries) console.log(entry.executionId, entry.result);
   *   cursor = page.cursor;
   * } while (cursor !== undefined);
   * ```
   */
  async query(query: JournalQuery = {}): Promise<JournalPage> {
    await this.flush();
    return this.#reader.query(query);
  }

  /** One execution by id, or undefined (never recorded, or pruned: `lookup()` tells which). */
  async get(executionId: string): Promise<JournalEntry | undefined> {
    const page = await this.query({ executionId, limit: 1, reverse: true });
    return page.entries[0];
  }

  /**
   * One execution by id, and if it is not in the journal, whether retention removed it — also
   * when another process (with other settings) pruned it.
   *
   * @example
   * ```ts
   * const found = await journal.lookup(executionId);
   * if (found.state === 'pruned') console.warn(`pruned under ${JSON.stringify(found.pruned.retention)}`);
   * ```
   */
  async lookup(executionId: string): Promise<ExecutionLookup> {
    const entry = await this.get(executionId);
    if (entry !== undefined) return { state: 'recorded', entry };
    const record = await readPruned(this.storage, `${this.prefix}${PRUNED_KEY}`);
    const pruned = record === undefined ? undefined : pruneInfoOf(record);
    const state = prunedState(record, executionId);
    if (pruned !== undefined && state === 'pruned') return { state, pruned };
    if (pruned !== undefined && state === 'unknown') return { state: 'maybe-pruned', pruned };
    return { state: 'not-found', pruned };
  }

  /** What retention has removed so far (stored: also what other processes pruned), or undefined if nothing. */
  async pruneInfo(): Promise<JournalPruneInfo | undefined> {
    const record = await readPruned(this.storage, `${this.prefix}${PRUNED_KEY}`);
    return record === undefined ? undefined : pruneInfoOf(record);
  }

  /**
   * Every entry of one correlation id, in recording order (all pages).
   *
   * @example
   * ```ts
   * for (const e of await journal.byCorrelation('req-42')) console.log(e.point, e.hook, e.status);
   * ```
   */
  async byCorrelation(correlationId: string): Promise<JournalEntry[]> {
    const out: JournalEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.query({ correlationId, limit: 1000, cursor });
      out.push(...page.entries);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return out;
  }

  /**
   * Applies the retention policy now; resolves with the number of entries removed. A run that
   * removes entries is reported to `onPrune` and `sink` (`trigger: 'prune'`).
   */
  prune(): Promise<number> {
    return this.#prune('prune');
  }

  #prune(trigger: JournalPruneEvent['trigger']): Promise<number> {
    this.#pruning ??= this.flush()
      .then(() =>
        this.#exclusive(async () => {
          const meta = await this.#loadMeta();
          const state: Parameters<typeof pruneJournal>[0] = {
            storage: this.storage,
            prefix: this.prefix,
            policy: this.retention,
            now: this.#clock(),
            count: meta.count,
            lastSeq: meta.lastSeq,
            touched: (last: number) => this.#reader.invalidate(last),
            tally: new PruneTally(),
          };
          try {
            return await pruneJournal(state);
          } finally {
            const removed = meta.count - state.count;
            meta.count = state.count;
            this.#stats.pruned += removed;
            // Also after a failed page: what earlier pages removed is gone and must be told.
            if (removed > 0) this.#reportPrune(state, removed, trigger);
          }
        }),
      )
      .finally(() => {
        this.#pruning = undefined;
      });
    return this.#pruning;
  }

  #reportPrune(
    state: Parameters<typeof pruneJournal>[0],
    removed: number,
    trigger: JournalPruneEvent['trigger'],
  ): void {
    if (this.#onPrune === undefined && this.#sink === undefined) return;
    const { tally } = state;
    const event: JournalPruneEvent = {
      entries: removed,
      segments: tally.segments,
      oldestKept: state.oldestKept,
      newestRemoved: { seq: tally.through, recordedAt: tally.throughAt },
      reason: tally.byAge === 0 ? 'maxEntries' : tally.byCount === 0 ? 'maxAgeMs' : 'maxEntries+maxAgeMs',
      byCount: tally.byCount,
      byAge: tally.byAge,
      remaining: state.count,
      retention: this.retention,
      trigger,
      prefix: this.prefix,
      at: state.now,
    };
    if (this.#onPrune !== undefined) {
      try {
        this.#onPrune(event);
      } catch {
        // a listener that throws must not stop retention
      }
    }
    if (this.#sink !== undefined) {
      try {
        this.#sink.emit(
          'hook.journal.pruned',
          { ...event },
          { correlationId: `journal-prune-${++this.#pruneRuns}` },
        );
      } catch {
        // nor a sink
      }
    }
  }

  /** Entries in the journal (after waiting for pending writes). */
  async size(): Promise<number> {
    await this.flush();
    return (await this.#loadMeta()).count;
  }

  stats(): JournalStats {
    return { ...this.#stats, pending: this.#pendingEntries };
  }

  /** Detaches from every executor, stops retention and writes what is pending. Leaves the storage open. */
  async close(): Promise<void> {
    for (const detach of [...this.#detachers]) detach();
    if (this.#retentionTimer !== undefined) clearInterval(this.#retentionTimer);
    await this.flush();
    await this.#pruning;
  }

  // The fire path: keep the finished fire (the executor never changes it again) and the time;
  // entries are built, filtered and serialised by the writer, so a fire pays for a push.
  #record(fire: RecordedFire): void {
    const n = fire.records.length;
    if (this.#pendingEntries + n > this.#maxPending) {
      this.#stats.dropped += n;
      if (!this.#overflowReported) {
        this.#overflowReported = true;
        this.#report(
          new HookError(
            HookErrorCode.JOURNAL_BACKPRESSURE,
            `the journal is ${this.#pendingEntries} entries behind (maxPending ${this.#maxPending}); new entries are dropped until it catches up. The storage is slower than the hooks.`,
          ),
          n,
        );
      }
      return;
    }
    this.#pendingEntries += n;
    this.#pending.push(fire, this.#clock());
    if (this.#draining === undefined) this.#schedule(); // else the running drain picks these up
  }

  /** A full batch is written at the next turn of the event loop, a partial one within the latency. */
  #schedule(): void {
    if (this.#pendingEntries >= this.#maxBatch) {
      if (this.#timer !== undefined) clearTimeout(this.#timer as NodeJS.Timeout);
      this.#timer = setImmediate(() => this.#drain());
    } else if (this.#timer === undefined && this.#pending.length > 0) {
      this.#timer = setTimeout(() => this.#drain(), this.#flushIntervalMs);
    }
  }

  #drain(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer as NodeJS.Timeout);
      clearImmediate(this.#timer as NodeJS.Immediate);
      this.#timer = undefined;
    }
    this.#draining ??= this.#exclusive(() => this.#writeAll())
      .catch((cause: unknown) => {
        // #writeAll reports what it loses and never rejects; this keeps a bug from becoming an
        // unhandled rejection in the host.
        this.#report(
          new HookError(HookErrorCode.JOURNAL_WRITE_FAILED, `the journal writer failed: ${reason(cause)}`, {
            cause,
          }),
          0,
        );
      })
      .finally(() => {
        this.#draining = undefined;
        this.#schedule();
        const max = this.retention.maxEntries;
        if (max !== undefined)
          void this.#loadMeta().then((m) => (m.count > max * 1.1 ? this.#pruneInBackground() : 0), noop);
      });
    return this.#draining;
  }

  /** Retention nobody awaits: a failure goes to `onError` (nothing is lost; the next run retries). */
  #pruneInBackground(): void {
    this.#prune('background').catch((cause: unknown) => {
      const error = new HookError(
        HookErrorCode.JOURNAL_WRITE_FAILED,
        `journal retention could not prune: ${reason(cause)}. It runs again at the next interval.`,
        { cause },
      );
      this.#report(error, 0);
    });
  }

  // Never rejects: whatever fails is reported to onError with the number of entries lost.
  async #writeAll(): Promise<void> {
    let meta: Meta;
    try {
      meta = await this.#loadMeta();
    } catch (error) {
      this.#lose(this.#takePending(Number.POSITIVE_INFINITY).count, error);
      return;
    }
    while (this.#pending.length > 0) {
      const { fires, count } = this.#takePending(this.#maxBatch);
      let segment = new SegmentWriter(this.#maxEntryBytes);
      let kept = 0;
      let filterFailure: unknown;
      let filterFailures = 0;
      for (let f = 0; f < fires.length; f += 2) {
        const fire = fires[f] as RecordedFire;
        const recordedAt = fires[f + 1] as number;
        for (let i = 0; i < fire.records.length; i++) {
          // The entry object is built only for a filter to look at: the line is made from the fire.
          if (this.#filter !== undefined) {
            let keep = true;
            try {
              keep = this.#filter(entryOf(fire, i, recordedAt));
            } catch (error) {
              filterFailure ??= error;
              filterFailures++;
            }
            if (!keep) continue;
          }
          // Time-ordered and strictly increasing, also across restarts (lastSeq is stored).
          const seq = (meta.lastSeq = Math.max(meta.lastSeq + 1, Math.floor(recordedAt * 1000)));
          try {
            segment.add(fire, i, seq, recordedAt);
          } catch (error) {
            // lineOf never throws; this is the last line against something unforeseen: this
            // entry is lost and reported, the others of the batch are not.
            this.#lose(1, error);
            continue;
          }
          kept++;
          if (segment.chars >= MAX_SEGMENT_CHARS) {
            await this.#writeSegment(segment, meta);
            segment = new SegmentWriter(this.#maxEntryBytes);
          }
        }
      }
      if (filterFailures > 0) {
        this.#report(
          new HookError(
            HookErrorCode.JOURNAL_WRITE_FAILED,
            `the journal's \`filter\` threw for ${filterFailures} entr${filterFailures === 1 ? 'y' : 'ies'} (${threw(filterFailure)}); they were recorded anyway. Fix the filter.`,
            { cause: filterFailure },
          ),
          0,
        );
      }
      this.#stats.recorded += kept;
      this.#stats.filtered += count - kept;
      await this.#writeSegment(segment, meta);
    }
  }

  /** Writes one segment with the new meta; a refusal is reported, never thrown. */
  async #writeSegment(segment: SegmentWriter, meta: Meta): Promise<void> {
    const n = segment.size;
    if (n === 0) return;
    try {
      const ops = segment.ops(this.prefix);
      const stored: StoredMeta = { v: LAYOUT_VERSION, count: meta.count + n, lastSeq: meta.lastSeq };
      ops.push({ type: 'set', key: `${this.prefix}meta`, value: stored });
      await this.storage.batch(ops);
      meta.count += n;
      this.#stats.committed += n;
      this.#stats.batches++;
    } catch (error) {
      this.#lose(n, error);
    }
  }

  /** Takes whole fires off the queue until about `max` entries. */
  #takePending(max: number): { fires: unknown[]; count: number } {
    let count = 0;
    let k = 0;
    const pending = this.#pending;
    while (k < pending.length && count < max) {
      count += (pending[k] as RecordedFire).records.length;
      k += 2;
    }
    const fires = pending.splice(0, k);
    this.#pendingEntries -= count;
    if (this.#pendingEntries < this.#maxPending) this.#overflowReported = false;
    return { fires, count };
  }

  #lose(lost: number, cause: unknown): void {
    if (lost === 0) return;
    this.#stats.failed += lost;
    const error = new HookError(
      HookErrorCode.JOURNAL_WRITE_FAILED,
      `${lost} journal entr${lost === 1 ? 'y was' : 'ies were'} not written: ${reason(cause)}`,
      { cause },
    );
    this.#report(error, lost);
  }

  #report(error: HookError, lost: number): void {
    try {
      this.#onError(error, lost);
    } catch {
      // a reporter that throws must not stop the journal
    }
  }

  /** Where the journal left off (count, last sequence), read once from storage; its layout checked. */
  #loadMeta(): Promise<Meta> {
    const key = `${this.prefix}meta`;
    this.#meta ??= this.storage
      .get(key)
      .then((stored) => {
        if (stored === undefined) return { count: 0, lastSeq: 0 };
        const { count, lastSeq } = checkLayout<StoredMeta>(stored, key);
        return { count, lastSeq };
      })
      .catch((error: unknown) => {
        this.#meta = undefined;
        throw error;
      });
    return this.#meta;
  }

  // Writes and retention never interleave: both rewrite `meta` and segment rows.
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn);
    this.#lock = run.catch(noop);
    return run;
  }
}

function compileFilter(
  filter: JournalFilter | undefined,
): ((entry: UnsequencedEntry) => boolean) | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter === 'function') return filter;
  if (typeof filter !== 'object' || filter === null) {
    throw invalid('`filter` must be a function `(entry) => boolean` or `{ points?, hooks?, statuses? }`.');
  }
  const points = filter.points && new Set<string>(filter.points);
  const hooks = filter.hooks && new Set(filter.hooks);
  const statuses = filter.statuses && new Set<string>(filter.statuses);
  return (e) =>
    (points === undefined || points.has(e.point)) &&
    (hooks === undefined || hooks.has(e.hook)) &&
    (statuses === undefined || statuses.has(e.status));
}

function positive(value: number | undefined, fallback: number, name: string, zeroOk = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(zeroOk ? value >= 0 : value >= 1) || !Number.isFinite(value)) {
    throw invalid(`\`${name}\` must be a number ${zeroOk ? '≥ 0' : '≥ 1'}; got ${JSON.stringify(value)}.`);
  }
  return value;
}

function invalid(message: string): HookError {
  return new HookError(HookErrorCode.INVALID_ARGUMENT, `HookJournal: ${message}`);
}

function noop(): void {}

// A storage error's message as it is (they are ours), anything else described without trusting it.
function reason(cause: unknown): string {
  try {
    if (cause instanceof Error && typeof cause.message === 'string') return cause.message;
  } catch {
    // a getter of a foreign error threw: describe it below
  }
  return threw(cause);
}
