import type { BatchOp, StorageBackend } from '@hookspell/core';
import { recordedAtOfLine } from './journal-entry.js';
import { checkLayout, LAYOUT_VERSION, pad, type StoredMeta } from './journal-keys.js';
import { type StoredSegment, trimSegment } from './journal-segment.js';
import { PruneTally, type StoredPruned } from './prune-record.js';
import type { RetentionPolicy } from './retention.js';

/** What one retention run needs and changes. @internal */
export interface PruneState {
  readonly storage: StorageBackend;
  readonly prefix: string;
  readonly policy: RetentionPolicy;
  readonly now: number;
  /** Entries in the journal; lowered as segments go. */
  count: number;
  readonly lastSeq: number;
  /** Called for every segment rewritten or deleted (the reader's cache forgets it). */
  readonly touched: (last: number) => void;
  /** What this run removed so far (counts, reasons, the newest entry removed, fire marks). */
  readonly tally: PruneTally;
  /** The oldest entry left after the run, once known (undefined: none left). */
  oldestKept?: { seq: number; recordedAt: number };
}

/** Where the stored prune record is (relative to the journal prefix). */
export const PRUNED_KEY = 'pruned';

// Segments read per list call: a run usually deletes many, but whatever is read past the first
// segment that stays is decoded for nothing.
const PAGE = 16;

/**
 * Prunes oldest first: an entry goes while more than `maxEntries` remain or it is older than
 * `maxAgeMs`, never below `minKeep`; the first entry that stays ends the run. A segment losing all
 * its entries is deleted with the index rows it lists, without parsing its entries; one losing
 * some is rewritten under the same key (its last entry stays) with index rows rebuilt, still
 * naming entries by their written positions (`StoredSegment.from`). Each page
 * of segments is one atomic batch, together with the new count. Returns how many entries went.
 * @internal
 */
export async function pruneJournal(state: PruneState): Promise<number> {
  const { storage, prefix, policy, tally } = state;
  const maxEntries = policy.maxEntries ?? Number.POSITIVE_INFINITY;
  const minKeep = policy.minKeep ?? 0;
  const cutoff = policy.maxAgeMs === undefined ? Number.NEGATIVE_INFINITY : state.now - policy.maxAgeMs;
  const recordKey = `${prefix}${PRUNED_KEY}`;
  let previous: StoredPruned | undefined;
  let previousRead = false;
  let removed = 0;
  for (;;) {
    const rows = await storage.list(`${prefix}g/`, { limit: PAGE });
    const ops: BatchOp[] = [];
    const touched: number[] = [];
    // What this page removes: added to the run's tally only once its batch is written.
    const page = new PruneTally();
    let oldestKept: PruneState['oldestKept'];
    let count = state.count;
    let done = rows.length < PAGE;
    for (const row of rows) {
      const segment = checkLayout<StoredSegment>(row.value, row.key);
      const lines = segment.entries.split('\n');
      let drop = 0;
      while (drop < lines.length) {
        const left = count - drop;
        if (left <= minKeep) break;
        if (left > maxEntries) page.byCount++;
        else if (recordedAtOfLine(lines[drop]!) < cutoff) page.byAge++;
        else break;
        drop++;
      }
      if (drop < lines.length) {
        const kept = lines[drop]!;
        oldestKept = {
          seq: segment.base + Number(kept.slice(1, kept.indexOf(','))),
          recordedAt: recordedAtOfLine(kept),
        };
      }
      if (drop === 0) {
        done = true;
        break;
      }
      count -= drop;
      page.removed(lines, drop, segment.base);
      page.segments++;
      touched.push(segment.last);
      const last = pad(segment.last);
      if (drop === lines.length) {
        ops.push({ type: 'delete', key: row.key });
        for (const key of segment.rows) ops.push({ type: 'delete', key: prefix + key + last });
        continue;
      }
      const trimmed = trimSegment(segment, lines, drop);
      for (const key of segment.rows) {
        if (!trimmed.rows.has(key)) ops.push({ type: 'delete', key: prefix + key + last });
      }
      ops.push({ type: 'set', key: row.key, value: trimmed.segment });
      for (const [key, value] of trimmed.rows) ops.push({ type: 'set', key: prefix + key + last, value });
      done = true;
      break;
    }
    if (ops.length > 0) {
      const meta: StoredMeta = { v: LAYOUT_VERSION, count, lastSeq: state.lastSeq };
      ops.push({ type: 'set', key: `${prefix}meta`, value: meta });
      if (!previousRead) {
        previous = await readPruned(storage, recordKey);
        previousRead = true;
      }
      const after = new PruneTally().add(tally).add(page);
      const total = removed + state.count - count;
      // In the same batch as the removal: no entry goes without its trace.
      ops.push({ type: 'set', key: recordKey, value: after.record(previous, total, state.now, policy) });
      await storage.batch(ops);
      tally.add(page);
      removed = total;
      state.count = count;
      for (const last of touched) state.touched(last);
    }
    state.oldestKept = oldestKept;
    if (done) return removed;
  }
}

/** The stored prune record (its layout checked), or undefined if nothing was ever pruned. */
export async function readPruned(storage: StorageBackend, key: string): Promise<StoredPruned | undefined> {
  const value = await storage.get(key);
  return value === undefined ? undefined : checkLayout<StoredPruned>(value, key);
}
