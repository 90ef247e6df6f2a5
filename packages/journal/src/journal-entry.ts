import { types } from 'node:util';
import { safeStringify, threw, type UnserializableValue, unserializable } from '@hookspell/core';
import type {
  ComponentRef,
  ExecutionStatus,
  HookLanguage,
  HookPoint,
  HookResult,
  Operation,
  RecordedFire,
} from '@hookspell/hooks';
import { fireIdOf } from './journal-keys.js';

/** A thrown value as the journal keeps it. */
export interface JournalError {
  name: string;
  message: string;
  code?: string;
  /** An HTTP-style status the error carried (`status` or `statusCode`). */
  status?: number;
  /**
   * Set when the thrown value could not be read as it is (a getter, `toString` or proxy trap
   * threw, it is a Proxy, or it has no string form): `name` and `message` then say what it was
   * and `reason` what went wrong. Same as an {@link UnserializableValue}'s fields.
   */
  unserializable?: true;
  type?: UnserializableValue['type'];
  reason?: string;
}

/**
 * One hook execution as the journal stores it: who ran (`hookId` = `name:version`), where, on
 * what (the context as the hook saw it), with what result, and when.
 */
export interface JournalEntry {
  /** `name:version` of the hook. */
  readonly hookId: string;
  readonly hook: string;
  readonly version: string;
  readonly executionId: string;
  /** Id of the fire the execution belonged to (`executionId` minus its `.index`). */
  readonly fireId: string;
  /** Position of the hook in the fire's plan. */
  readonly index: number;
  readonly correlationId: string;
  readonly point: HookPoint;
  readonly mode: 'sequential' | 'parallel';
  readonly component: ComponentRef;
  readonly language: HookLanguage;
  readonly operation?: Operation;
  /** What the hook was handed: `data` with earlier `modified` results merged in, and the metadata. */
  readonly context: { data: Record<string, unknown>; metadata: Record<string, string> };
  readonly status: ExecutionStatus;
  /** The hook's result (`ok`), the skip reason (`skipped`); absent for `error`/`timeout`. */
  readonly result?: HookResult;
  readonly error?: JournalError;
  /** When the hook started, executor clock (epoch ms); 0 for a hook that never started. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** When the journal recorded it (journal clock, epoch ms): what time-range queries and retention use. */
  readonly recordedAt: number;
  /** Position in the journal: unique, increasing, time-ordered. Cursors are made from it. */
  readonly seq: number;
}

/** An entry before the journal gave it a sequence number (what `filter` sees). */
export type UnsequencedEntry = Omit<JournalEntry, 'seq'>;

/** Builds the entry of hook `i` of a finished fire (data by reference, as the hook was handed it). */
export function entryOf(fire: RecordedFire, i: number, recordedAt: number): UnsequencedEntry {
  const e = fire.entries[i]!;
  const r = fire.records[i]!;
  const executionId = r.executionId;
  const entry: {
    -readonly [K in keyof UnsequencedEntry]: UnsequencedEntry[K];
  } = {
    hookId: `${e.name}:${e.version}`,
    hook: e.name,
    version: e.version,
    executionId,
    fireId: fireIdOf(executionId),
    index: i,
    correlationId: fire.correlationId,
    point: fire.point,
    mode: fire.mode,
    component: fire.component,
    language: fire.language,
    context: { data: fire.views[i] ?? {}, metadata: fire.metas[i] ?? {} },
    status: r.status,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    recordedAt,
  };
  if (fire.operation !== undefined) entry.operation = fire.operation;
  if (r.result !== undefined) entry.result = r.result;
  if (r.error !== undefined) entry.error = errorInfo(r.error);
  return entry;
}

/**
 * What a line holds: a JSON array rather than an object, so that no key names are stored or
 * written (≈ 120 bytes an entry of the 1-hook benchmark instead of ≈ 430 as an object, and
 * `JSON.stringify` in half the time), and what the entries of a hook repeat is in its head,
 * stored once per segment. `recordedAt` comes last: retention reads it without parsing the line.
 */
type StoredLine = [
  /** `seq` minus the segment's `base`. */
  seqOffset: number,
  head: number,
  executionId: string,
  index: number,
  /** 0 when it is the fire id. */
  correlationId: string | 0,
  operation: Operation | 0,
  data: Record<string, unknown>,
  metadata: Record<string, string>,
  status: ExecutionStatus,
  result: HookResult | 0,
  error: JournalError | 0,
  startedAt: number,
  durationMs: number,
  recordedAt: number,
];

/**
 * What the entries of one hook share in a segment when their fires agree on point, mode,
 * component and language: `[hook, version, point, mode, component, language]`.
 */
export type StoredHead = [string, string, HookPoint, 'sequential' | 'parallel', ComponentRef, HookLanguage];

// Times to the microsecond: the bytes of a line are what a batch costs on SQLite.
const micro = (ms: number): number => Math.round(ms * 1000) / 1000;

// Positions in a StoredLine of the parts a hook or the host handed in (what may be large or bad).
const OPERATION = 5;
const DATA = 6;
const METADATA = 7;
const RESULT = 9;

/**
 * The stored line of hook `i` of a finished fire. `sameFire`: its correlation id is its fire id.
 * Never throws: a part JSON cannot hold is stored as an `UnserializableValue` (safe-json.ts), and
 * when the line is over `maxBytes` (UTF-8) its largest parts are (`too-large`), so that one bad
 * entry never costs the others of its batch.
 */
export function lineOf(
  fire: RecordedFire,
  i: number,
  seqOffset: number,
  head: number,
  sameFire: boolean,
  recordedAt: number,
  maxBytes: number = Number.POSITIVE_INFINITY,
): string {
  const r = fire.records[i]!;
  const view = fire.views[i] ?? {};
  let line: StoredLine;
  let json: string;
  try {
    line = [
      seqOffset,
      head,
      r.executionId,
      i,
      sameFire ? 0 : fire.correlationId,
      fire.operation ?? 0,
      plainData(view),
      fire.metas[i] ?? {},
      r.status,
      r.result ?? 0,
      r.error === undefined ? 0 : errorInfo(r.error),
      micro(r.startedAt),
      micro(r.durationMs),
      recordedAt,
    ];
    json = JSON.stringify(line);
  } catch {
    // The slow path, for an entry holding something JSON.stringify throws on (or reading it does).
    line = [
      seqOffset,
      head,
      r.executionId,
      i,
      sameFire ? 0 : fire.correlationId,
      fire.operation ?? 0,
      safePlainData(view) as Record<string, unknown>,
      fire.metas[i] ?? {},
      r.status,
      r.result ?? 0,
      r.error === undefined ? 0 : errorInfo(r.error),
      micro(r.startedAt),
      micro(r.durationMs),
      recordedAt,
    ];
    json = safeStringify(line)!;
  }
  return fits(json, maxBytes) ? json : shrinkLine(line, maxBytes);
}

// A UTF-16 unit is at most 3 UTF-8 bytes: short lines (all of them, normally) skip the count.
const fits = (json: string, maxBytes: number): boolean =>
  json.length * 3 <= maxBytes || Buffer.byteLength(json, 'utf8') <= maxBytes;

/** The line with its largest parts (data, result, metadata, operation) described until it fits. */
function shrinkLine(line: StoredLine, maxBytes: number): string {
  const parts = [DATA, RESULT, METADATA, OPERATION];
  const sizes = new Map(parts.map((p) => [p, Buffer.byteLength(safeStringify(line[p]) ?? '', 'utf8')]));
  const shrunk = [...line] as StoredLine;
  let json = safeStringify(shrunk)!;
  for (const p of [...parts].sort((a, b) => sizes.get(b)! - sizes.get(a)!)) {
    if (fits(json, maxBytes)) break;
    (shrunk as unknown[])[p] = unserializable(
      'too-large',
      `its JSON was ${sizes.get(p)} bytes; a journal entry may have at most ${maxBytes} (maxEntryBytes)`,
    );
    json = safeStringify(shrunk)!;
  }
  return json;
}

/** Parses a stored line back into an entry, re-deriving what was left out. */
export function parseLine(line: string, heads: readonly StoredHead[], base: number): JournalEntry {
  const [
    seqOffset,
    head,
    executionId,
    index,
    correlationId,
    operation,
    data,
    metadata,
    status,
    result,
    error,
    startedAt,
    durationMs,
    recordedAt,
  ] = JSON.parse(line) as StoredLine;
  const [hook, version, point, mode, component, language] = heads[head]!;
  const fireId = fireIdOf(executionId);
  const entry: { -readonly [K in keyof JournalEntry]: JournalEntry[K] } = {
    hookId: `${hook}:${version}`,
    hook,
    version,
    executionId,
    fireId,
    index,
    correlationId: correlationId === 0 ? fireId : correlationId,
    point,
    mode,
    component,
    language,
    context: { data, metadata },
    status,
    startedAt,
    durationMs,
    recordedAt,
    seq: base + seqOffset,
  };
  if (operation !== 0) entry.operation = operation;
  if (result !== 0) entry.result = result;
  if (error !== 0) entry.error = error;
  return entry;
}

/** `recordedAt` of a stored line, read without parsing it (it is the line's last number). */
export function recordedAtOfLine(line: string): number {
  return Number(line.slice(line.lastIndexOf(',') + 1, -1));
}

/**
 * JSON text of a value. Never throws: parts JSON can't hold (BigInt, cycles, revoked proxies,
 * throwing getters…) are stored as `UnserializableValue`s (safe-json.ts).
 */
export function serializeEntry(entry: unknown): string {
  return safeStringify(entry) ?? 'null';
}

/**
 * The thrown value as `{ name, message, code?, status? }`. Never throws: a value that cannot be
 * read as it is (a Proxy, a getter or `toString` that throws, no string form) is described, with
 * `unserializable: true`.
 */
export function errorInfo(error: unknown): JournalError {
  if (typeof error === 'object' && error !== null && types.isProxy(error)) {
    return {
      name: 'Proxy',
      message: 'a thrown Proxy (not read: it may be revoked, or its traps may throw)',
      unserializable: true,
      type: 'proxy',
      reason: 'a thrown Proxy is not read',
    };
  }
  try {
    if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
      const e = error as {
        name?: unknown;
        message?: unknown;
        code?: unknown;
        status?: unknown;
        statusCode?: unknown;
      };
      const out: JournalError = {
        name: typeof e.name === 'string' ? e.name : 'Error',
        message: String(e.message),
      };
      if (typeof e.code === 'string') out.code = e.code;
      const status = typeof e.status === 'number' ? e.status : e.statusCode;
      if (typeof status === 'number') out.status = status;
      return out;
    }
    return { name: 'NonError', message: typeof error === 'string' ? error : String(error) };
  } catch (cause) {
    return unreadableError(error, cause);
  }
}

// A thrown value whose fields or string form could not be read: each field read on its own,
// guarded, so what can be kept is kept.
function unreadableError(error: unknown, cause: unknown): JournalError {
  const error_ = isError(error);
  const name = guardedString(error, 'name') ?? (error_ ? 'Error' : 'NonError');
  const message = guardedString(error, 'message');
  const out: JournalError = {
    name,
    message:
      message ?? (error_ ? `an ${name} whose message could not be read` : `${threw(error)} (no text form)`),
    unserializable: true,
    type: 'unreadable',
    reason: `reading the thrown value threw ${threw(cause)}`,
  };
  const code = guardedString(error, 'code');
  if (code !== undefined) out.code = code;
  return out;
}

function guardedString(value: unknown, key: string): string | undefined {
  try {
    const v = (value as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function isError(value: unknown): boolean {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

// JSON.stringify turns an Error into `{}`; the error points (`wrap()`'s `data.error`) carry one,
// and the retry hook reads its code on replay. Top-level values only: a shallow, cheap check.
function plainData(data: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in data) {
    const value = data[key];
    if (value instanceof Error) {
      copy ??= { ...data };
      copy[key] = errorInfo(value);
    }
  }
  return copy ?? data;
}

// plainData when reading the data threw (a getter, a revoked Proxy in the prototype chain of a
// value `instanceof` walked): each key read on its own; what cannot be read is described.
function safePlainData(data: Record<string, unknown>): unknown {
  let keys: string[];
  try {
    if (types.isProxy(data)) return data; // safeStringify describes it
    keys = Object.keys(data);
  } catch {
    return data;
  }
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    let value: unknown;
    try {
      value = data[key];
    } catch (error) {
      copy[key] = unserializable('unreadable', `reading it threw ${threw(error)}`);
      continue;
    }
    copy[key] =
      typeof value === 'object' && value !== null && !types.isProxy(value) && isError(value)
        ? errorInfo(value)
        : value;
  }
  return copy;
}
