import type { ListEntry, StorageBackend } from '@hookspell/core';
import type { ExecutionStatus, HookPoint } from '@hookspell/hooks';
import { HookError, HookErrorCode } from '@hookspell/hooks';
import { LRUCache } from 'lru-cache';
import type { JournalEntry } from './journal-entry.js';
import { unpackOffsets } from './journal-index.js';
import { checkLayout, fireIdOf, hashId, type IndexKind, indexPrefix, pad, seqOfKey } from './journal-keys.js';
import { type SegmentEntries, type StoredSegment, segmentEntries } from './journal-segment.js';

/** What `journal.query()` looks for. Every given field must match. */
export interface JournalQuery {
  correlationId?: string;
  executionId?: string;
  /** The hook's name (any version). */
  hook?: string;
  /** `name:version` exactly. */
  hookId?: string;
  point?: HookPoint;
  status?: ExecutionStatus | readonly ExecutionStatus[];
  /** Entries recorded at or after this time (epoch ms or Date). */
  from?: number | Date;
  /** Entries recorded at or before this time. */
  to?: number | Date;
  /** @default 100 */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
  /** Newest first. @default false */
  reverse?: boolean;
}

/** One page of entries; `cursor` is set when there may be more. */
export interface JournalPage {
  readonly entries: JournalEntry[];
  readonly cursor: string | undefined;
}

// Sequences are never below recordedAt × 1000, so `from` maps onto a sequence exactly; a sequence
// can run ahead of its time (bursts, a clock stepped back), so `to` is checked on the entries and
// the scan stops only this far past it.
const CLOCK_SLACK_MS = 60_000;
const PAGE = 256;

/** Reads the journal's key layout (see journal-keys.ts). @internal */
export class JournalReader {
  readonly #storage: StorageBackend;
  readonly #prefix: string;
  readonly #segments = new LRUCache<number, SegmentEntries>({ max: 64 });
  #layoutChecked = false;

  constructor(storage: StorageBackend, prefix: string) {
    this.#storage = storage;
    this.#prefix = prefix;
  }

  /** Forgets a cached segment that retention rewrote or deleted. */
  invalidate(last: number): void {
    this.#segments.delete(last);
  }

  async query(q: JournalQuery): Promise<JournalPage> {
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1) {
      throw invalid(`\`limit\` must be an integer ≥ 1; got ${JSON.stringify(q.limit)}.`);
    }
    const reverse = q.reverse === true;
    const from = time(q.from, 'from');
    const to = time(q.to, 'to');
    let lower = from === undefined ? 0 : Math.floor(from * 1000);
    let upper = to === undefined ? Number.MAX_SAFE_INTEGER : Math.ceil((to + CLOCK_SLACK_MS) * 1000);
    if (q.cursor !== undefined) {
      const at = Number(q.cursor);
      if (!/^\d{1,16}$/.test(q.cursor) || !Number.isSafeInteger(at)) {
        throw invalid(`\`cursor\` must be the cursor of a previous page; got ${JSON.stringify(q.cursor)}.`);
      }
      if (reverse) upper = Math.min(upper, at - 1);
      else lower = Math.max(lower, at + 1);
    }
    const statuses = q.status === undefined ? undefined : new Set<string>([q.status].flat());
    const hookName =
      q.hook ?? (q.hookId === undefined ? undefined : q.hookId.slice(0, q.hookId.lastIndexOf(':')));
    const [kind, value] = pickIndex(q, hookName, statuses);
    const matches = (e: JournalEntry): boolean =>
      e.seq >= lower &&
      e.seq <= upper &&
      (q.correlationId === undefined || e.correlationId === q.correlationId) &&
      (q.executionId === undefined || e.executionId === q.executionId) &&
      (hookName === undefined || e.hook === hookName) &&
      (q.hookId === undefined || e.hookId === q.hookId) &&
      (q.point === undefined || e.point === q.point) &&
      (statuses === undefined || statuses.has(e.status)) &&
      (from === undefined || e.recordedAt >= from) &&
      (to === undefined || e.recordedAt <= to);

    const out: JournalEntry[] = [];
    if (lower > upper) return { entries: out, cursor: undefined };
    if (!this.#layoutChecked) {
      // Once, before anything is read: a lookup by id in a journal of another layout reads no
      // segment (it finds no id rows), so it would quietly return nothing.
      const key = `${this.#prefix}meta`;
      const meta = await this.#storage.get(key);
      if (meta !== undefined) checkLayout(meta, key);
      this.#layoutChecked = true;
    }
    const rowPrefix = kind === undefined ? 'g/' : indexPrefix(kind, value!);
    const hash = kind === 'i' ? hashId(value!) : 0;
    for await (const row of this.#rows(rowPrefix, lower, upper, reverse)) {
      // The offsets to look at; undefined: every entry (a segment row, or an id row listing the
      // value's hash: id rows hold no offsets).
      let picked: number[] | undefined;
      if (kind === 'i') {
        if (!(row.value as number[]).includes(hash)) continue;
      } else if (kind !== undefined) picked = unpackOffsets(row.value as number[]);
      const segment = await this.#segment(seqOfKey(row.key), kind === undefined ? row.value : undefined);
      if (segment === undefined) continue;
      const { entries, from: first } = segment;
      const n = picked === undefined ? entries.length : picked.length;
      for (let k = 0; k < n; k++) {
        const j = reverse ? n - 1 - k : k;
        const e = entries[picked === undefined ? j : picked[j]! - first];
        if (e === undefined) continue;
        if (reverse ? e.seq < lower : e.seq > upper) return { entries: out, cursor: undefined };
        if (!matches(e)) continue;
        out.push(e);
        if (out.length === limit) return { entries: out, cursor: String(e.seq) };
      }
    }
    return { entries: out, cursor: undefined };
  }

  /** Rows of one index whose segments may hold sequences in [lower, upper], in order. */
  async *#rows(rel: string, lower: number, upper: number, reverse: boolean): AsyncGenerator<ListEntry> {
    const prefix = this.#prefix + rel;
    const open = upper >= Number.MAX_SAFE_INTEGER;
    if (!reverse) {
      let startAfter = lower > 0 ? prefix + pad(lower - 1) : undefined;
      for (;;) {
        const page = await this.#storage.list(prefix, { startAfter, limit: PAGE });
        for (const row of page) {
          yield row;
          // The first segment ending past `upper` may still start before it; later ones can't.
          if (seqOfKey(row.key) > upper) return;
        }
        if (page.length < PAGE) return;
        startAfter = page[page.length - 1]!.key;
      }
    }
    if (!open) {
      // Keys name a segment's last sequence: the one holding `upper` may end after it.
      const [boundary] = await this.#storage.list(prefix, { startAfter: prefix + pad(upper), limit: 1 });
      if (boundary !== undefined) yield boundary;
    }
    let startAfter = open ? undefined : prefix + pad(upper + 1);
    for (;;) {
      const page = await this.#storage.list(prefix, { startAfter, limit: PAGE, reverse: true });
      for (const row of page) {
        if (seqOfKey(row.key) < lower) return;
        yield row;
      }
      if (page.length < PAGE) return;
      startAfter = page[page.length - 1]!.key;
    }
  }

  /** A segment's entries, from the cache unless `stored` (the row just read) was trimmed since. */
  async #segment(last: number, stored: unknown): Promise<SegmentEntries | undefined> {
    const cached = this.#segments.get(last);
    if (cached !== undefined && (stored === undefined || (stored as StoredSegment).from === cached.from)) {
      return cached;
    }
    const key = `${this.#prefix}g/${pad(last)}`;
    const segment = stored ?? (await this.#storage.get(key));
    if (segment === undefined) return undefined; // pruned between the index read and now
    const entries = segmentEntries(segment, key);
    this.#segments.set(last, entries);
    return entries;
  }
}

function pickIndex(
  q: JournalQuery,
  hookName: string | undefined,
  statuses: Set<string> | undefined,
): [IndexKind | undefined, string | undefined] {
  // Both ids are in one index: an execution is listed under its fire's id.
  if (q.executionId !== undefined) return ['i', fireIdOf(q.executionId)];
  if (q.correlationId !== undefined) return ['i', q.correlationId];
  if (hookName !== undefined) return ['h', hookName];
  if (q.point !== undefined) return ['p', q.point];
  if (statuses !== undefined && statuses.size === 1) return ['s', [...statuses][0]!];
  return [undefined, undefined];
}

function time(t: number | Date | undefined, name: string): number | undefined {
  if (t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : t;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw invalid(`\`${name}\` must be a Date or epoch milliseconds; got ${String(t)}.`);
  }
  return ms;
}

function invalid(message: string): HookError {
  return new HookError(HookErrorCode.INVALID_ARGUMENT, `journal.query(): ${message}`);
}
