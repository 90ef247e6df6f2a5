import type { JournalEntry } from './journal-entry.js';
import { hashId, ID_BUCKETS, idPrefix, indexPrefix } from './journal-keys.js';

/**
 * The index rows of one segment (see journal-keys.ts), built entry by entry in offset order.
 * @internal
 */
export class SegmentIndex {
  /** Per bucket of the id index, the distinct hashes listed in it. */
  readonly #ids: (number[] | undefined)[] = new Array(ID_BUCKETS);
  readonly #seen = new Set<number>();
  /** `h/…/`, `p/…/`, `s/…/` → packed offsets. */
  readonly #values = new Map<string, number[]>();

  /**
   * Lists an entry under the hashes of its fire id and correlation id. Id rows hold no offsets:
   * a hit decodes the whole segment anyway and its entries are re-checked, so offsets would only
   * double the rows a lookup reads.
   */
  addIds(fireHash: number, correlationHash: number): void {
    this.#addId(fireHash);
    this.#addId(correlationHash);
  }

  /** Lists a stored entry in every index (retention rebuilding a segment's rows). */
  add(offset: number, entry: JournalEntry): void {
    this.addIds(hashId(entry.fireId), hashId(entry.correlationId));
    pushOffset(this.values(indexPrefix('h', entry.hook)), offset);
    pushOffset(this.values(indexPrefix('p', entry.point)), offset);
    pushOffset(this.values(indexPrefix('s', entry.status)), offset);
  }

  /** The packed offsets of one value row (`indexPrefix('h', name)`, …), for {@link pushOffset}. */
  values(prefix: string): number[] {
    let list = this.#values.get(prefix);
    if (list === undefined) this.#values.set(prefix, (list = []));
    return list;
  }

  /** Every row: key (without the `<last seq>`) → value. */
  rows(): Map<string, number[]> {
    const rows = new Map<string, number[]>();
    for (let b = 0; b < ID_BUCKETS; b++) {
      const row = this.#ids[b];
      if (row !== undefined) rows.set(idPrefix(b), row);
    }
    for (const [prefix, list] of this.#values) rows.set(prefix, list);
    return rows;
  }

  #addId(hash: number): void {
    if (this.#seen.has(hash)) return;
    this.#seen.add(hash);
    const bucket = hash % ID_BUCKETS;
    const row = this.#ids[bucket];
    if (row === undefined) this.#ids[bucket] = [hash];
    else row.push(hash);
  }
}

/**
 * Appends `offset` (greater than any before) to a packed list. A run of consecutive offsets is
 * kept as its first offset and its last one negated (`[0, -999]` = 0…999): an index listing most
 * of a segment (one hook, status `ok`) stays a few bytes instead of ~4 KB.
 */
export function pushOffset(list: number[], offset: number): void {
  const n = list.length;
  if (n > 0) {
    const last = list[n - 1]!;
    if (last < 0 && -last === offset - 1) {
      list[n - 1] = -offset;
      return;
    }
    if (last === offset - 1) {
      list.push(-offset);
      return;
    }
  }
  list.push(offset);
}

/** The offsets of a packed list. */
export function unpackOffsets(list: readonly number[]): number[] {
  const out: number[] = [];
  for (const x of list) {
    if (x >= 0) out.push(x);
    else for (let o = out[out.length - 1]! + 1; o <= -x; o++) out.push(o);
  }
  return out;
}
