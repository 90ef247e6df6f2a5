import { createHash } from 'node:crypto';
import { type JsonObject, keyProblem } from '@hookspell/storage';
import { EventError, EventErrorCode } from './errors.js';
import { type HookspellEvent, NO_TAGS } from './event.js';
import { PROCESS_PREFIX } from './sequence-clock.js';

/**
 * Key layout of the event log under its prefix. One group commit writes one segment (or several,
 * when its events add up to more than the backend stores in one value — see segment-budget.ts):
 *
 *   seg/<first sequence>            → { events: [...] }   the batch's events, in sequence order
 *   corr/<correlation>/<first seq>  → [sequences]          per correlation present in the segment
 *   ids/<id prefix><first n>        → first sequence       per process whose ids the segment holds
 *   type/<type>/<first seq>         → [sequences]          per event type present (indexTypes)
 *   types/<type>                    → true | type name     every type ever logged (see typeKeyPart)
 *   meta/count                      → number               events held
 *
 * Segments are disjoint, contiguous runs of the log: a segment keyed k holds sequences ≥ k and
 * below the next segment's key. Queries rely on it to answer in sequence order; the writer keeps
 * it (EventLog.commit sorts a batch, and merges an event older than the last commit into the
 * segment that covers its sequence). Per process, ids grow with sequences, so `ids/` rows (each
 * segment's smallest id per process) stay in order too. A query reads the index rows of its correlation or types (one per
 * segment, not per event) and then only the segments they point to.
 *
 * Most events outside any correlation scope are their own correlation (`correlationId === id`).
 * Such an event gets no `corr/` row — that would be one row per event; it is found through the
 * `ids/` row of its segment instead (hookspell's ids are a per-process prefix and a growing number).
 */
export const SEQ_DIGITS = 16;

export interface StoredSegment {
  events: HookspellEvent[];
  /** Keys of the segment's `ids/` rows, so pruning can remove them. */
  idRows?: string[];
}

const OWN_ID = /^([0-9a-z]+-[0-9a-f]{8}-)(\d{1,15})$/;

/** Splits an id made by this library's event id scheme into its process prefix and number. */
export function parseOwnId(id: string): { prefix: string; n: number } | undefined {
  // Fast path: ids of this very process (nearly all the ids a writer sees).
  if (id.startsWith(PROCESS_PREFIX)) {
    const n = Number(id.slice(PROCESS_PREFIX.length));
    if (Number.isSafeInteger(n)) return { prefix: PROCESS_PREFIX, n };
  }
  const match = OWN_ID.exec(id);
  return match === null ? undefined : { prefix: match[1]!, n: Number(match[2]) };
}

export function pad(sequence: number): string {
  return String(sequence).padStart(SEQ_DIGITS, '0');
}

/** The sequence a row key ends with (its segment's first sequence). */
export function keySequence(key: string): number {
  return Number(key.slice(-SEQ_DIGITS));
}

const SAFE_ID = /^[A-Za-z0-9_:@-]+(?:\.[A-Za-z0-9_:@-]+)*$/;

/** Correlation ids come from users: safe ones stay readable, others are hashed into a key part. */
export function encodeId(id: string): string {
  return id.length <= 128 && SAFE_ID.test(id)
    ? id
    : `sha256-${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

/**
 * The stored form of an event: no undefined fields (storage takes JSON only) and no fields at
 * their defaults (language `native`, no tags, priority 0, schema 1.0) — a third less to encode,
 * write and parse. {@link fromRecord} restores them. An event without data (`data: undefined`,
 * published with the data left out) is stored without `data` and read back with `data: undefined`;
 * `null` data is stored and read back as `null`.
 */
export function toRecord(event: HookspellEvent): JsonObject {
  const m = event.metadata;
  const metadata: JsonObject = { correlationId: m.correlationId };
  if (m.causationId !== undefined) metadata.causationId = m.causationId;
  if (m.source !== undefined) metadata.source = m.source;
  if (m.target !== undefined) metadata.target = m.target;
  if (m.tags.length > 0) metadata.tags = m.tags as string[];
  if (m.priority !== 0) metadata.priority = m.priority;
  if (m.ttlSeconds !== undefined) metadata.ttlSeconds = m.ttlSeconds;
  const record: JsonObject = {
    id: event.id,
    type: event.type,
    data: event.data as JsonObject,
    timestamp: event.timestamp,
    sequence: event.sequence,
    metadata,
  };
  if (event.data === undefined) delete record.data;
  if (event.language !== 'native') record.language = event.language;
  return record;
}

/** The event a stored record describes (see {@link toRecord}). */
export function fromRecord(record: Record<string, unknown>): HookspellEvent {
  const m = record.metadata as Record<string, unknown>;
  return {
    id: record.id as string,
    type: record.type as string,
    data: record.data,
    language: (record.language as string | undefined) ?? 'native',
    timestamp: record.timestamp as number,
    sequence: record.sequence as number,
    metadata: {
      correlationId: m.correlationId as string,
      causationId: m.causationId as string | undefined,
      source: m.source as string | undefined,
      target: m.target as string | undefined,
      tags: (m.tags as string[] | undefined) ?? NO_TAGS,
      priority: (m.priority as number | undefined) ?? 0,
      ttlSeconds: m.ttlSeconds as number | undefined,
    },
    schemaVersion: '1.0',
  };
}

/** Sequences per key part (correlation or type) of one segment, in sequence order. */
export function groupSequences(
  events: readonly HookspellEvent[],
  part: (e: HookspellEvent) => string | undefined,
): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const event of events) {
    const key = part(event);
    if (key === undefined) continue;
    const list = groups.get(key);
    if (list) list.push(event.sequence);
    else groups.set(key, [event.sequence]);
  }
  return groups;
}

/** The `corr/` key part of an event, or undefined for a lone event found through `ids/` rows. */
export const correlationPart = (event: HookspellEvent): string | undefined => {
  const m = event.metadata;
  if (m.correlationId === event.id && m.causationId === undefined && parseOwnId(event.id) !== undefined) {
    return undefined;
  }
  return encodeId(m.correlationId);
};

/** The `ids/` rows of a segment: the smallest own-id number per process prefix. */
export function idRows(prefix: string, events: readonly HookspellEvent[]): Map<string, number> {
  const firsts = new Map<string, number>();
  for (const event of events) {
    const own = parseOwnId(event.id);
    if (own === undefined) continue;
    const seen = firsts.get(own.prefix);
    if (seen === undefined || own.n < seen) firsts.set(own.prefix, own.n);
  }
  const rows = new Map<string, number>();
  for (const [idPrefix, n] of firsts) rows.set(`${prefix}ids/${idPrefix}${pad(n)}`, n);
  return rows;
}

// Event types are few: their key parts are remembered (bounded, in case a host invents many).
const typeKeyParts = new Map<string, string>();
const MAX_REMEMBERED_TYPES = 10_000;

/**
 * The `type/` and `types/` key part of an event type: the type itself, or — when the type has
 * characters a storage key refuses (a `/` at an end or doubled, `\`, text not in NFC form) —
 * its hash, like a correlation id in {@link encodeId}. The `types/` row of a hashed type keeps the
 * type's name as its value. Without this, one such event would fail its whole group commit.
 */
export function typeKeyPart(type: string): string {
  let part = typeKeyParts.get(type);
  if (part === undefined) {
    part =
      keyProblem(`type/${type}/0`) === undefined
        ? type
        : `sha256-${createHash('sha256').update(type).digest('hex').slice(0, 40)}`;
    if (typeKeyParts.size >= MAX_REMEMBERED_TYPES) typeKeyParts.clear();
    typeKeyParts.set(type, part);
  }
  return part;
}

/** The event's type (index rows are grouped by it; {@link typeKeyPart} makes their keys). */
export const typeName = (event: HookspellEvent): string => event.type;

/** The `type/` key part of an event (see {@link typeKeyPart}). */
export const typePart = (event: HookspellEvent): string => typeKeyPart(event.type);

/**
 * Bounds of a query. Sequences are never below `timestamp × 1000` (sequence-clock.ts), so `from`
 * maps exactly onto a sequence to start at; a sequence can run ahead of its timestamp (bursts, a
 * clock stepped back), so `to` is checked on timestamps and the scan stops only `CLOCK_SLACK_MS`
 * past it.
 */
export interface ScanRange {
  lower: number;
  upper: number;
  from?: number;
  to?: number;
}

const CLOCK_SLACK_MS = 60_000;

export function scanRange(query: {
  from?: number | Date;
  to?: number | Date;
  afterSequence?: number;
  reverse?: boolean;
}): ScanRange {
  const from = time(query.from, 'from');
  const to = time(query.to, 'to');
  let lower = from === undefined ? 0 : from * 1000;
  let upper = to === undefined ? Number.MAX_SAFE_INTEGER : (to + CLOCK_SLACK_MS) * 1000 + 999;
  if (query.afterSequence !== undefined) {
    if (!Number.isSafeInteger(query.afterSequence)) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `\`afterSequence\` must be an integer sequence number, got ${String(query.afterSequence)}.`,
      );
    }
    if (query.reverse) upper = Math.min(upper, query.afterSequence - 1);
    else lower = Math.max(lower, query.afterSequence + 1);
  }
  return { lower, upper, from, to };
}

function time(t: number | Date | undefined, name: string): number | undefined {
  if (t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : t;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new EventError(
      EventErrorCode.INVALID_ARGUMENT,
      `\`${name}\` must be a Date or epoch milliseconds, got ${String(t)}.`,
    );
  }
  return ms;
}

/** Whether `event` lies inside `range` (sequence bounds and exact timestamps). */
export function inRange(event: HookspellEvent, range: ScanRange): boolean {
  return (
    event.sequence >= range.lower &&
    event.sequence <= range.upper &&
    (range.from === undefined || event.timestamp >= range.from) &&
    (range.to === undefined || event.timestamp <= range.to)
  );
}
