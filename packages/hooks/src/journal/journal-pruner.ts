import type { BatchOp, JsonValue, StorageBackend } from '@hookspell/storage';
import { parseLine, pendingOf } from './journal-entry.js';
import { type StoredSegment, segmentRows } from './journal-keys.js';
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

const PAGE = 64;

/**
 * Prunes oldest first: an entry goes while more than `maxEntries` remain or it is older than
 * `maxAgeMs`, never below `minKeep`; the first entry that stays ends the run. A segment losing all
 * its entries is deleted with its index rows; one losing some is rewritten under the same key
 * (its last entry stays) with index rows rebuilt, all in one atomic batch per segment, together
 * with the new count. Returns how many entries went.
 * @internal
 */
export async function pruneJournal(state: PruneState): Promise<number> {
  const { storage, prefix, policy } = state;
  const maxEntries = policy.maxEntries ?? Number.POSITIVE_INFINITY;
  const minKeep = policy.minKeep ?? 0;
  const cutoff = policy.maxAgeMs === undefined ? Number.NEGATIVE_INFINITY : state.now - policy.maxAgeMs;
  let removed = 0;
  for (;;) {
    const rows = await storage.list<StoredSegment>(`${prefix}g/`, { limit: PAGE });
    for (const row of rows) {
      const lines = row.value.entries.split('\n');
      const entries = lines.map(parseLine);
      let drop = 0;
      while (drop < entries.length) {
        const left = state.count - drop;
        if (left <= minKeep) break;
        if (left <= maxEntries && entries[drop]!.recordedAt >= cutoff) break;
        drop++;
      }
      if (drop === 0) return removed;
      const before = segmentRows(entries.map((e, i) => pendingOf(e, lines[i]!)));
      const after =
        drop < entries.length
          ? segmentRows(entries.slice(drop).map((e, i) => pendingOf(e, lines[drop + i]!)))
          : new Map<string, unknown>();
      const ops: BatchOp[] = [];
      for (const key of before.keys()) {
        if (!after.has(key)) ops.push({ type: 'delete', key: prefix + key });
      }
      for (const [key, value] of after)
        ops.push({ type: 'set', key: prefix + key, value: value as JsonValue });
      ops.push({
        type: 'set',
        key: `${prefix}meta`,
        value: { count: state.count - drop, lastSeq: state.lastSeq },
      });
      await storage.batch(ops);
      state.count -= drop;
      removed += drop;
      state.touched(row.value.last);
      if (drop < entries.length) return removed;
    }
    if (rows.length < PAGE) return removed;
  }
}
