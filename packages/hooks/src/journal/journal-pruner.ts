import type { BatchOp, StorageBackend } from '@hookspell/storage';
import { recordedAtOfLine } from './journal-entry.js';
import { checkLayout, LAYOUT_VERSION, pad, type StoredMeta } from './journal-keys.js';
import { type StoredSegment, trimSegment } from './journal-segment.js';
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
}

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
  const { storage, prefix, policy } = state;
  const maxEntries = policy.maxEntries ?? Number.POSITIVE_INFINITY;
  const minKeep = policy.minKeep ?? 0;
  const cutoff = policy.maxAgeMs === undefined ? Number.NEGATIVE_INFINITY : state.now - policy.maxAgeMs;
  let removed = 0;
  for (;;) {
    const rows = await storage.list(`${prefix}g/`, { limit: PAGE });
    const ops: BatchOp[] = [];
    const touched: number[] = [];
    let count = state.count;
    let done = rows.length < PAGE;
    for (const row of rows) {
      const segment = checkLayout<StoredSegment>(row.value, row.key);
      const lines = segment.entries.split('\n');
      let drop = 0;
      while (drop < lines.length) {
        const left = count - drop;
        if (left <= minKeep) break;
        if (left <= maxEntries && recordedAtOfLine(lines[drop]!) >= cutoff) break;
        drop++;
      }
      if (drop === 0) {
        done = true;
        break;
      }
      count -= drop;
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
      await storage.batch(ops);
      removed += state.count - count;
      state.count = count;
      for (const last of touched) state.touched(last);
    }
    if (done) return removed;
  }
}
