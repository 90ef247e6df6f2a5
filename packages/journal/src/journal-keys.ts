import { createHash } from 'node:crypto';
import { HookError, HookErrorCode } from '@hookspell/hooks';

/**
 * The journal's key layout on a `StorageBackend` (ordered keys, byte order), under a prefix:
 *
 * | key | value |
 * |---|---|
 * | `g/<last seq>` | a segment: up to `maxBatch` entries, written in one batch (journal-segment.ts) |
 * | `i/<bucket>/<last seq>` | `[hash, …]`: the distinct hashes of the segment's fire ids and correlation ids that fall in bucket |
 * | `h/<hook name>/<last seq>`, `p/<point>/<last seq>`, `s/<status>/<last seq>` | offsets, runs packed (journal-index.ts) |
 * | `meta` | `{ v, count, lastSeq }`: `v` is the layout version, also in every segment |
 *
 * Why segments: one row per execution plus one per index costs ~6 SQLite inserts per hook call,
 * more than a whole fire. A segment is one row for the batch, and each index has one row per
 * distinct value per segment, so writes grow with the batches, not the executions.
 *
 * Why so few index rows: every row of a batch is inserted at its own place in the B-tree, in the
 * middle of full pages, and on SQLite that costs ~3.5 written pages a row whether it holds 100
 * bytes or 3 KB: the rows, not the bytes, are what a batch costs (an earlier layout's 64 + 64
 * id-bucket rows made ~380 of the ~500 pages a batch wrote; its segment ~120). So the two
 * high-cardinality ids share one index of 8 hash buckets: an entry is listed under its fire id
 * (`executionId` minus its `.index`) and, when it differs, its correlation id (without a
 * correlation scope they are the same id, listed once). A lookup by execution id reads the
 * bucket of its fire id, one by correlation id the bucket of that id. Id rows hold the distinct
 * 32-bit hashes, not the ids (their size does not depend on the ids' length) and no offsets (a
 * hit decodes the segment anyway). Hits are re-checked against the entries, so another id
 * sharing a hash or a bucket never returns a wrong entry. Hook names, points and statuses are
 * few, so they keep a row per value: a query for a rare one (status `error`) reads only the
 * segments that have it. Every key ends with the segment's last sequence, so a time range or a
 * cursor is a key range on any index.
 */

/** The layout this code writes and reads; a journal in another is refused, never converted. */
export const LAYOUT_VERSION = 2;

/** The row under `meta`. */
// A type alias, not an interface: storage's JsonValue needs the implicit index signature.
export type StoredMeta = { v: typeof LAYOUT_VERSION; count: number; lastSeq: number };

/**
 * `value`, read from `key`, if it is of this layout version; else a `HookError` saying what to
 * do. A value without a version is of version 1, which stored none in `meta`.
 */
export function checkLayout<T>(value: unknown, key: string): T {
  const v = (value as { v?: unknown } | null)?.v ?? 1;
  if (v !== LAYOUT_VERSION) {
    throw new HookError(
      HookErrorCode.JOURNAL_LAYOUT,
      `HookJournal: ${JSON.stringify(key)} is in journal layout version ${JSON.stringify(v)}; this version of @hookspell/hooks reads version ${LAYOUT_VERSION} only (journals are not converted). Record into a new journal (another \`prefix\` or storage), or delete the old one with \`storage.clear(prefix)\`.`,
    );
  }
  return value as T;
}

export const SEQ_DIGITS = 16;
/**
 * Buckets of the id index. Measured on SQLite, 1000-entry batches of 1-hook fires: 94 pages
 * written per batch with 16 buckets, 71 with 8, 55 with 4; a lookup of an id that is not there
 * (all ~300 segments of 300 k entries) 3.7 ms with 16, 6.9 ms with 8, 23 ms with 4.
 */
export const ID_BUCKETS = 8;
const SAFE_ID = /^[A-Za-z0-9_:@-]+(?:\.[A-Za-z0-9_:@-]+)*$/;

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

/** FNV-1a of `value` up to `end`, as an unsigned 32-bit number: what the id index stores. */
export function hashId(value: string, end = value.length): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < end; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Prefix of one bucket of the id index (relative to the journal prefix). */
export function idPrefix(bucket: number): string {
  return `i/${bucket.toString(16)}/`;
}

/** The fire an execution belonged to: its id minus the trailing `.index`. */
export function fireIdOf(executionId: string): string {
  const dot = executionId.lastIndexOf('.');
  return dot < 0 ? executionId : executionId.slice(0, dot);
}

/** The index dimensions a query can read: ids (fire or correlation), hook name, point, status. */
export type IndexKind = 'i' | 'h' | 'p' | 's';

/** Prefix of one index's rows for `value` (relative to the journal prefix). */
export function indexPrefix(kind: IndexKind, value: string): string {
  if (kind === 'i') return idPrefix(hashId(value) % ID_BUCKETS);
  return `${kind}/${encodeValue(value)}/`;
}
