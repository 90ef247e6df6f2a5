import type { BatchOp } from '@hookspell/core';
import type { ExecutionStatus, RecordedFire, RecordedHook } from '@hookspell/hooks';
import { type JournalEntry, lineOf, parseLine, type StoredHead, serializeEntry } from './journal-entry.js';
import { pushOffset, SegmentIndex } from './journal-index.js';
import { checkLayout, hashId, indexPrefix, LAYOUT_VERSION, pad } from './journal-keys.js';

/** The segment stored under `g/<last seq>`. */
// A type alias, not an interface: storage's JsonValue needs the implicit index signature.
export type StoredSegment = {
  v: typeof LAYOUT_VERSION;
  /** Lines store their `seq` minus this (kept when retention rewrites the segment). */
  base: number;
  last: number;
  /**
   * Position of the first line in the segment as written. Retention drops leading lines but index
   * rows keep the written positions, so a reader still holding the untrimmed segment in its cache
   * (another process) finds the right entries.
   */
  from: number;
  /** JSON of the `StoredHead`s the lines refer to by position. */
  heads: string;
  /** Keys (without `<last seq>`) of the segment's index rows: retention deletes them unread. */
  rows: string[];
  /** JSON lines, one entry each, in sequence order (journal-entry.ts). */
  entries: string;
};

interface Head {
  readonly n: number;
  /** Packed offsets of the `h/` and `p/` rows this head's entries go to. */
  readonly hook: number[];
  readonly point: number[];
}

/** The fields of a fire its heads depend on, and the heads of its hooks. */
interface Shape {
  readonly point: string;
  readonly mode: string;
  readonly language: string;
  readonly component: object;
  readonly heads: Map<RecordedHook, Head>;
}

/**
 * Builds one batch's segment and index rows from finished fires. Per entry it does one
 * `JSON.stringify` of a short array, one hash, a few pushes; what fires of one shape repeat
 * (hook, version, point, mode, component, language) is looked up by identity and stored once.
 * @internal
 */
export class SegmentWriter {
  readonly #lines: string[] = [];
  readonly #index = new SegmentIndex();
  readonly #heads: StoredHead[] = [];
  /** Heads by the JSON of a fire's shape: fires often carry equal but distinct components. */
  readonly #shapes = new Map<string, Map<RecordedHook, Head>>();
  readonly #statuses = new Map<ExecutionStatus, number[]>();
  #shape: Shape | undefined;
  #base = 0;
  #last = 0;

  #chars = 0;

  /** @param maxEntryBytes longest line; longer ones have their largest parts described (lineOf) */
  constructor(readonly maxEntryBytes = Number.POSITIVE_INFINITY) {}

  get size(): number {
    return this.#lines.length;
  }

  /** Characters of JSON in the segment's lines so far. */
  get chars(): number {
    return this.#chars;
  }

  /** Adds hook `i` of `fire` as the entry with sequence `seq` (greater than any added before). */
  add(fire: RecordedFire, i: number, seq: number, recordedAt: number): void {
    const offset = this.#lines.length;
    const base = offset === 0 ? seq : this.#base;
    const head = this.#head(fire, fire.entries[i]!);
    const r = fire.records[i]!;
    const executionId = r.executionId;
    const dot = executionId.lastIndexOf('.');
    const fireEnd = dot < 0 ? executionId.length : dot;
    const correlationId = fire.correlationId;
    const sameFire = correlationId.length === fireEnd && executionId.startsWith(correlationId);
    // The line first: it is the only part made from what hooks handed in (lineOf never throws),
    // and nothing of the segment changes before it exists.
    const line = lineOf(fire, i, seq - base, head.n, sameFire, recordedAt, this.maxEntryBytes);
    this.#base = base;
    this.#last = seq;
    const fireHash = hashId(executionId, fireEnd);
    this.#index.addIds(fireHash, sameFire ? fireHash : hashId(correlationId));
    pushOffset(head.hook, offset);
    pushOffset(head.point, offset);
    let status = this.#statuses.get(r.status);
    if (status === undefined) {
      status = this.#index.values(indexPrefix('s', r.status));
      this.#statuses.set(r.status, status);
    }
    pushOffset(status, offset);
    this.#lines.push(line);
    this.#chars += line.length + 1;
  }

  /** The batch that writes the segment and its index rows (keys under `prefix`). */
  ops(prefix: string): BatchOp[] {
    const last = pad(this.#last);
    const rows = this.#index.rows();
    const segment: StoredSegment = {
      v: LAYOUT_VERSION,
      base: this.#base,
      last: this.#last,
      from: 0,
      heads: serializeEntry(this.#heads),
      rows: [...rows.keys()],
      entries: this.#lines.join('\n'),
    };
    const ops: BatchOp[] = [{ type: 'set', key: `${prefix}g/${last}`, value: segment }];
    for (const [key, value] of rows) ops.push({ type: 'set', key: prefix + key + last, value });
    return ops;
  }

  #head(fire: RecordedFire, entry: RecordedHook): Head {
    let shape = this.#shape;
    // Consecutive fires mostly share their shape: compare by identity before building a key.
    if (
      shape === undefined ||
      shape.component !== fire.component ||
      shape.point !== fire.point ||
      shape.mode !== fire.mode ||
      shape.language !== fire.language
    ) {
      const key = serializeEntry([fire.point, fire.mode, fire.language, fire.component]);
      let heads = this.#shapes.get(key);
      if (heads === undefined) this.#shapes.set(key, (heads = new Map()));
      shape = this.#shape = {
        point: fire.point,
        mode: fire.mode,
        language: fire.language,
        component: fire.component,
        heads,
      };
    }
    let head = shape.heads.get(entry);
    if (head === undefined) {
      head = {
        n: this.#heads.length,
        hook: this.#index.values(indexPrefix('h', entry.name)),
        point: this.#index.values(indexPrefix('p', fire.point)),
      };
      this.#heads.push([entry.name, entry.version, fire.point, fire.mode, fire.component, fire.language]);
      shape.heads.set(entry, head);
    }
    return head;
  }
}

/** A segment's entries, and the position of the first (index rows hold positions). */
export interface SegmentEntries {
  readonly entries: JournalEntry[];
  readonly from: number;
}

/** A stored segment's entries (its version checked). */
export function segmentEntries(value: unknown, key: string): SegmentEntries {
  const segment = checkLayout<StoredSegment>(value, key);
  const heads = JSON.parse(segment.heads) as StoredHead[];
  const base = segment.base;
  return {
    entries: segment.entries.split('\n').map((line) => parseLine(line, heads, base)),
    from: segment.from,
  };
}

/**
 * The segment without its first `drop` lines (same key, base and heads: the kept lines are
 * stored as they were) and its rebuilt index rows.
 */
export function trimSegment(
  segment: StoredSegment,
  lines: readonly string[],
  drop: number,
): { segment: StoredSegment; rows: Map<string, number[]> } {
  const heads = JSON.parse(segment.heads) as StoredHead[];
  const from = segment.from + drop;
  const kept = lines.slice(drop);
  const index = new SegmentIndex();
  for (let o = 0; o < kept.length; o++) index.add(from + o, parseLine(kept[o]!, heads, segment.base));
  const rows = index.rows();
  return {
    segment: { ...segment, from, rows: [...rows.keys()], entries: kept.join('\n') },
    rows,
  };
}
