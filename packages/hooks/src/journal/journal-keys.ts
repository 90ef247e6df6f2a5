import { createHash } from 'node:crypto';
import type { PendingEntry } from './journal-entry.js';

/**
 * The journal's key layout on a `StorageBackend` (ordered keys, byte order), under a prefix:
 *
 * | key | value |
 * |---|---|
 * | `g/<last seq>` | a segment: up to `maxBatch` entries as JSON lines, written in one batch |
 * | `c/<bucket>/<last seq>` | `[[correlation id, offsets], …]` for the ids of that segment hashing to bucket |
 * | `x/<bucket>/<last seq>` | `[[execution id, [offset]], …]`, same bucketing |
 * | `h/<hook name>/<last seq>`, `p/<point>/<last seq>`, `s/<status>/<last seq>` | offsets |
 * | `meta` | `{ count, lastSeq }` |
 *
 * Why segments: one row per execution plus one per index costs ~6 SQLite inserts (≈ 6 µs here)
 * per hook call, more than a whole fire. A segment is one row for the batch, and each index has
 * one row per distinct value per segment, so writes grow with the batches, not the executions.
 * High-cardinality ids (correlation, execution) go to 64 hash buckets, so a busy segment adds at
 * most 64 rows for each; a lookup reads only its bucket. Every key ends with the segment's last
 * sequence, so a time range or a cursor is a key range on any index. Index hits are re-checked
 * against the entries, so a hashed name colliding never returns a wrong entry.
 */

export const SEQ_DIGITS = 16;
const BUCKETS = 64;
const SAFE_ID = /^[A-Za-z0-9_:@-]+(?:\.[A-Za-z0-9_:@-]+)*$/;

/** The segment stored under `g/<last seq>`. */
// A type alias, not an interface: storage's JsonValue needs the implicit index signature.
export type StoredSegment = {
  v: 1;
  first: number;
  last: number;
  /** JSON lines, one entry each, in sequence order. */
  entries: string;
};

export function pad(seq: number): string {
  return String(seq).padStart(SEQ_DIGITS, '0');
}

/** Sequence number of a key that ends with one. */
export function seqOfKey(key: string): number {
  return Number(key.slice(-SEQ_DIGITS));
}

/** A user-given value as one key segment: readable when safe, else a hash. */
export function encodeValue(value: string): string {
  return value.length <= 128 && SAFE_ID.test(value)
    ? value
    : `sha256-${createHash('sha256').update(value).digest('hex').slice(0, 40)}`;
}

/** FNV-1a of a string, into one of 64 buckets, as two hex digits. */
export function bucketOf(value: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return ((h >>> 0) % BUCKETS).toString(16).padStart(2, '0');
}

/** The index dimensions a query can read. */
export type IndexKind = 'c' | 'x' | 'h' | 'p' | 's';

/** Prefix of one index's rows for `value` (relative to the journal prefix). */
export function indexPrefix(kind: IndexKind, value: string): string {
  if (kind === 'c' || kind === 'x') return `${kind}/${bucketOf(value)}/`;
  return `${kind}/${encodeValue(value)}/`;
}

/** Every row (relative key → value) a segment of these entries writes, segment included. */
export function segmentRows(entries: readonly PendingEntry[]): Map<string, unknown> {
  const last = pad(entries[entries.length - 1]!.seq);
  const rows = new Map<string, unknown>();
  const segment: StoredSegment = {
    v: 1,
    first: entries[0]!.seq,
    last: entries[entries.length - 1]!.seq,
    entries: entries.map((e) => e.line).join('\n'),
  };
  rows.set(`g/${last}`, segment);
  // Bucket rows are lists of [id, offsets] pairs, built in Maps: objects keyed by thousands of
  // distinct ids would make V8 create a hidden class per key (≈ 4 µs an entry, measured).
  const buckets = new Map<string, Map<string, number[]>>();
  const offsets = new Map<string, number[]>();
  const add = <V>(map: Map<string, V[]>, key: string, value: V): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [value]);
    else list.push(value);
  };
  const addBucketed = (kind: 'c' | 'x', id: string, o: number): void => {
    const key = `${kind}/${bucketOf(id)}/${last}`;
    let bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, (bucket = new Map()));
    add(bucket, id, o);
  };
  for (let o = 0; o < entries.length; o++) {
    const e = entries[o]!;
    addBucketed('c', e.correlationId, o);
    addBucketed('x', e.executionId, o);
    add(offsets, `${indexPrefix('h', e.hook)}${last}`, o);
    add(offsets, `${indexPrefix('p', e.point)}${last}`, o);
    add(offsets, `${indexPrefix('s', e.status)}${last}`, o);
  }
  for (const [key, bucket] of buckets) rows.set(key, [...bucket]);
  for (const [key, list] of offsets) rows.set(key, list);
  return rows;
}

/** Offsets a bucket row (`[[id, offsets], …]`) lists for `id`. */
export function bucketOffsets(row: unknown, id: string): number[] {
  for (const pair of row as [string, number[]][]) if (pair[0] === id) return pair[1];
  return [];
}
