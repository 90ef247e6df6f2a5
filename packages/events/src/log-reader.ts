import type { JsonObject, JsonValue, StorageBackend } from '@hookspell/storage';
import type { HookspellEvent } from './event.js';
import { fromRecord, inRange, keySequence, pad, type ScanRange, type StoredSegment } from './log-layout.js';
import type { CompiledPattern } from './pattern.js';

const PAGE = 256;

/** One index row: the segment it points to and the sequences in it (undefined = all). */
interface Ref {
  segment: number;
  sequences?: readonly number[];
}

/**
 * Reads events for a query: walks index rows (or segment keys) in sequence order, loads the
 * segments they point to (each at most once per query), and picks the events that match.
 * @internal
 */
export class LogReader {
  private readonly segments = new Map<number, HookspellEvent[]>();

  constructor(
    private readonly storage: StorageBackend,
    private readonly prefix: string,
  ) {}

  /**
   * Events from the rows under each of `rowPrefixes` (merged in sequence order), or from every
   * segment when `rowPrefixes` is undefined.
   */
  async read(
    rowPrefixes: readonly string[] | undefined,
    range: ScanRange,
    reverse: boolean,
    limit: number,
    matcher: CompiledPattern | undefined,
    seeds: readonly { segment: number; event: HookspellEvent }[] = [],
  ): Promise<HookspellEvent[]> {
    const out: HookspellEvent[] = [];
    if (limit === 0 || range.lower > range.upper) return out;
    const streams = (rowPrefixes ?? [`${this.prefix}seg/`]).map((p) =>
      this.rows(p, range, reverse, rowPrefixes === undefined),
    );
    // Events found without an index row (lone events, see log-layout.ts) join as one more stream.
    if (seeds.length > 0)
      streams.push(seedStream(seeds.map((s) => ({ segment: s.segment, sequences: [s.event.sequence] }))));
    // k-way merge of the streams by segment, so each segment is read once, in order.
    const heads = await Promise.all(streams.map((s) => s.next()));
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i]!;
        if (head.done) continue;
        if (best === -1) best = i;
        else {
          const a = head.value.segment;
          const b = (heads[best]!.value as Ref).segment;
          if (reverse ? a > b : a < b) best = i;
        }
      }
      if (best === -1) return out;
      const segment = (heads[best]!.value as Ref).segment;
      let wanted: Set<number> | undefined = new Set();
      for (let i = 0; i < heads.length; i++) {
        while (!heads[i]!.done && (heads[i]!.value as Ref).segment === segment) {
          const ref = heads[i]!.value as Ref;
          if (ref.sequences === undefined) wanted = undefined;
          else if (wanted !== undefined) for (const s of ref.sequences) wanted.add(s);
          heads[i] = await streams[i]!.next();
        }
      }
      const events = await this.segmentEvents(segment, wanted, reverse);
      for (const event of events) {
        if (!inRange(event, range) || (matcher !== undefined && !matcher.matches(event.type))) continue;
        out.push(event);
        if (out.length >= limit) return out;
      }
    }
  }

  // Rows of one prefix whose segments may hold sequences inside `range`, in listing order.
  private async *rows(
    rowPrefix: string,
    range: ScanRange,
    reverse: boolean,
    whole: boolean,
  ): AsyncGenerator<Ref> {
    // The segment holding `lower` (or `upper`, in reverse) may start before it: begin there.
    const edge = reverse ? range.upper : range.lower;
    const [covering] =
      edge >= Number.MAX_SAFE_INTEGER
        ? []
        : await this.storage.list<JsonValue>(rowPrefix, {
            startAfter: rowPrefix + pad(edge + 1),
            reverse: true,
            limit: 1,
          });
    let startAfter: string | undefined;
    if (reverse) startAfter = edge >= Number.MAX_SAFE_INTEGER ? undefined : rowPrefix + pad(edge + 1);
    else if (covering !== undefined) {
      yield this.ref(covering.key, covering.value, whole);
      startAfter = covering.key;
    } else startAfter = range.lower > 0 ? rowPrefix + pad(range.lower - 1) : undefined;
    for (;;) {
      const page = await this.storage.list<JsonValue>(rowPrefix, { startAfter, limit: PAGE, reverse });
      for (const { key, value } of page) {
        const first = keySequence(key);
        if (!reverse && first > range.upper) return;
        yield this.ref(key, value, whole);
        // Segments are contiguous: one starting at or below `lower` is the last that can match.
        if (reverse && first <= range.lower) return;
      }
      if (page.length < PAGE) return;
      startAfter = page[page.length - 1]!.key;
    }
  }

  private ref(key: string, value: JsonValue, whole: boolean): Ref {
    const segment = keySequence(key);
    if (whole) {
      // A segment row read by a full scan: keep its events, no second read needed.
      this.segments.set(segment, eventsOf(value as unknown as StoredSegment));
      return { segment };
    }
    return { segment, sequences: value as number[] };
  }

  private async segmentEvents(
    segment: number,
    wanted: Set<number> | undefined,
    reverse: boolean,
  ): Promise<HookspellEvent[]> {
    let cached = this.segments.get(segment);
    if (cached === undefined) {
      const stored = await this.storage.get<JsonObject>(`${this.prefix}seg/${pad(segment)}`);
      cached = stored === undefined ? [] : eventsOf(stored as unknown as StoredSegment);
      this.segments.set(segment, cached);
    }
    const picked = wanted === undefined ? cached : cached.filter((e) => wanted.has(e.sequence));
    return reverse ? [...picked].reverse() : picked;
  }
}

async function* seedStream(refs: Ref[]): AsyncGenerator<Ref> {
  yield* refs;
}

// Stored records are compact (log-layout.ts): restore full events.
function eventsOf(segment: StoredSegment): HookspellEvent[] {
  return segment.events.map((record) => fromRecord(record as unknown as Record<string, unknown>));
}
