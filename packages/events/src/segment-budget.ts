import {
  DEFAULT_MAX_VALUE_BYTES,
  type DefinedBackend,
  HookspellError,
  type JsonObject,
  type StorageBackend,
  StorageErrorCode,
} from '@hookspell/storage';
import { EventError, EventErrorCode } from './errors.js';
import type { HookspellEvent } from './event.js';
import { pad, parseOwnId } from './log-layout.js';

/**
 * How big one segment row may be, and how a group commit too big for one row is cut into several.
 *
 * The log does not measure events on the normal path: the backend already encodes every value and
 * refuses one over its limit (`HOOKSPELL_VALUE_TOO_LARGE`), so a commit is written as one segment
 * and measured only when the backend refused it. Then each record is serialized once to learn its
 * size, and the commit is packed into segments of at most {@link SegmentBudget.bytes} — the exact
 * JSON size the backend will check, so no slack is needed.
 */
export interface SegmentBudget {
  /** Most bytes of JSON in one segment row. */
  bytes: number;
  /** Where the number comes from, for error messages. */
  source: 'maxValueBytes' | 'maxSegmentBytes' | 'default';
}

/** Used when neither the backend nor the options say how big a row may be. */
export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

/**
 * The byte budget of a segment: `maxSegmentBytes` when given, capped by the backend's own limit
 * when the backend tells it. Backends made with `defineBackend` (MemoryStorage, SqliteStorage,
 * PostgresStorage) expose their driver, whose `maxValueBytes` is the limit they enforce (64 MiB
 * when unset). Other adapters do not say: the log assumes {@link DEFAULT_SEGMENT_BYTES}, and if the
 * backend still refuses a split segment, commits those events one by one (see EventLog).
 */
export function segmentBudget(storage: StorageBackend, maxSegmentBytes: number | undefined): SegmentBudget {
  if (maxSegmentBytes !== undefined && !(Number.isSafeInteger(maxSegmentBytes) && maxSegmentBytes > 0)) {
    throw new EventError(
      EventErrorCode.INVALID_ARGUMENT,
      `\`maxSegmentBytes\` must be a positive integer (bytes), got ${String(maxSegmentBytes)}.`,
    );
  }
  const limit = backendValueLimit(storage);
  if (maxSegmentBytes !== undefined && (limit === undefined || maxSegmentBytes < limit)) {
    return { bytes: maxSegmentBytes, source: 'maxSegmentBytes' };
  }
  return limit === undefined
    ? { bytes: DEFAULT_SEGMENT_BYTES, source: 'default' }
    : { bytes: limit, source: 'maxValueBytes' };
}

function backendValueLimit(storage: StorageBackend): number | undefined {
  const driver = (storage as Partial<DefinedBackend>).driver;
  if (driver === null || typeof driver !== 'object') return undefined;
  const limit = driver.maxValueBytes;
  return typeof limit === 'number' && limit > 0 ? limit : DEFAULT_MAX_VALUE_BYTES;
}

/** Whether a storage error says a value was over the backend's limit. */
export function isValueTooLarge(error: unknown): boolean {
  return HookspellError.hasCode(error, StorageErrorCode.VALUE_TOO_LARGE);
}

/** Bytes of a stored record's JSON, as the backend will count them (rare path: one stringify each). */
export function recordBytes(record: JsonObject): number {
  return Buffer.byteLength(JSON.stringify(record), 'utf8');
}

// `{"events":[],"idRows":[]}`: the segment row without its records and id rows.
const SEGMENT_FRAME_BYTES = Buffer.byteLength(JSON.stringify({ events: [], idRows: [] }), 'utf8');

/**
 * Cuts `events` (in sequence order, with their record sizes) into runs, `[start, end)` index
 * ranges, whose segment rows fit `budget`: the records, the commas between them, the frame and the
 * `ids/` row keys the segment lists (one per process whose ids it holds, see log-layout.ts). A
 * record too big for any row still gets a run of its own; callers refuse such events before.
 */
export function packRuns(
  logPrefix: string,
  events: readonly HookspellEvent[],
  sizes: readonly number[],
  budget: number,
): [number, number][] {
  const runs: [number, number][] = [];
  let start = 0;
  let bytes = SEGMENT_FRAME_BYTES;
  let processes = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const own = idProcess(events[i]!.id);
    // Each id row key counted with a comma: at most one byte too many per segment.
    const idRowBytes = own === undefined || processes.has(own) ? 0 : idRowKeyBytes(logPrefix, own) + 1;
    const added = sizes[i]! + (i > start ? 1 : 0) + idRowBytes;
    if (i > start && bytes + added > budget) {
      runs.push([start, i]);
      start = i;
      bytes = SEGMENT_FRAME_BYTES;
      processes = new Set();
      i--; // measured again as the first record of the next run
      continue;
    }
    bytes += added;
    if (own !== undefined) processes.add(own);
  }
  if (start < events.length) runs.push([start, events.length]);
  return runs;
}

/** Bytes of the row a segment holding only this record would be. */
export function loneSegmentBytes(logPrefix: string, event: HookspellEvent, size: number): number {
  const own = idProcess(event.id);
  return SEGMENT_FRAME_BYTES + size + (own === undefined ? 0 : idRowKeyBytes(logPrefix, own));
}

function idProcess(id: string): string | undefined {
  return parseOwnId(id)?.prefix;
}

// An `ids/` row key as it appears, quoted, in the segment's `idRows` list (numbers are padded, so
// its length does not depend on the id's number).
function idRowKeyBytes(logPrefix: string, process: string): number {
  return Buffer.byteLength(JSON.stringify(`${logPrefix}ids/${process}${pad(0)}`), 'utf8');
}

/**
 * The error of an event too big to be stored: what (the event, its size), where (the log, the
 * limit and where it comes from) and what to do.
 */
export function eventTooLargeError(
  event: HookspellEvent,
  bytes: number,
  logPrefix: string,
  backend: string,
  budget: SegmentBudget | undefined,
  cause?: unknown,
): EventError {
  const limit =
    budget === undefined
      ? `the ${backend} backend refused it as too large (${cause instanceof Error ? cause.message : String(cause)})`
      : budget.source === 'maxSegmentBytes'
        ? `a segment row of this log holds at most ${budget.bytes} bytes (\`maxSegmentBytes\`)`
        : budget.source === 'maxValueBytes'
          ? `the ${backend} backend stores at most ${budget.bytes} bytes in one value (its \`maxValueBytes\`)`
          : `a segment row holds at most ${budget.bytes} bytes (the log's default for a backend that does not state its limit)`;
  const raise =
    budget?.source === 'maxSegmentBytes'
      ? 'raise `maxSegmentBytes` of the EventLog'
      : budget?.source === 'default'
        ? 'set `maxSegmentBytes` of the EventLog to the limit your backend really has'
        : 'raise `maxValueBytes` where the backend is created';
  return new EventError(
    EventErrorCode.VALUE_TOO_LARGE,
    `Event ${JSON.stringify(event.type)} (${event.id}) was not persisted in the event log "${logPrefix}": stored, it is ${bytes} bytes of JSON, and ${limit}. The other events of its commit were persisted. Shrink the event's data (keep large payloads elsewhere and publish a reference to them), or ${raise}.`,
    { cause },
  );
}
