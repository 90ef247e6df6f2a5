import type { RecordedFire } from '../fire-recorder.js';
import type { HookPoint } from '../hook-points.js';
import type { HookResult } from '../hook-result.js';
import type { ComponentRef, ExecutionStatus, HookLanguage, Operation } from '../types.js';

/** A thrown value as the journal keeps it. */
export interface JournalError {
  name: string;
  message: string;
  code?: string;
  /** An HTTP-style status the error carried (`status` or `statusCode`). */
  status?: number;
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

/** An entry as a segment is built from: its stored line and the fields the indexes use. */
export interface PendingEntry {
  readonly seq: number;
  readonly recordedAt: number;
  readonly line: string;
  readonly correlationId: string;
  readonly executionId: string;
  readonly hook: string;
  readonly point: string;
  readonly status: ExecutionStatus;
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
    fireId: executionId.slice(0, executionId.lastIndexOf('.')),
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

// Stored without what can be derived (hookId, fireId), times to the microsecond: the bytes of a
// line are what a batch costs on SQLite (≈ 100 MB/s here).
const micro = (ms: number): number => Math.round(ms * 1000) / 1000;

/** The stored JSON line of an entry, `seq` first. Values JSON can't hold become markers, never throw. */
export function lineOf(seq: number, entry: UnsequencedEntry): string {
  const stored = {
    seq,
    hook: entry.hook,
    version: entry.version,
    executionId: entry.executionId,
    index: entry.index,
    correlationId: entry.correlationId,
    point: entry.point,
    mode: entry.mode,
    component: entry.component,
    language: entry.language,
    operation: entry.operation,
    context: { data: plainData(entry.context.data), metadata: entry.context.metadata },
    status: entry.status,
    result: entry.result,
    error: entry.error,
    startedAt: micro(entry.startedAt),
    durationMs: micro(entry.durationMs),
    recordedAt: entry.recordedAt,
  };
  return serializeEntry(stored);
}

/** Parses a stored line back into an entry, re-deriving what was left out. */
export function parseLine(line: string): JournalEntry {
  const e = JSON.parse(line) as { -readonly [K in keyof JournalEntry]: JournalEntry[K] };
  e.hookId = `${e.hook}:${e.version}`;
  e.fireId = e.executionId.slice(0, e.executionId.lastIndexOf('.'));
  return e;
}

/** JSON text of a value. Values JSON can't hold are replaced by a marker, never thrown. */
export function serializeEntry(entry: unknown): string {
  try {
    return JSON.stringify(entry);
  } catch {
    // BigInt or a cycle somewhere in data/result: the slow path marks what it could not keep.
    const seen = new WeakSet<object>();
    return JSON.stringify(entry, (_key, value: unknown) => {
      if (typeof value === 'bigint') return `[BigInt ${value}]`;
      if (typeof value === 'object' && value !== null) {
        if (seen.has(value)) return '[Circular]';
        seen.add(value);
      }
      return value;
    });
  }
}

/** The pending form of a stored entry (to rebuild a segment's index rows when pruning it). */
export function pendingOf(entry: JournalEntry, line: string): PendingEntry {
  return {
    seq: entry.seq,
    recordedAt: entry.recordedAt,
    line,
    correlationId: entry.correlationId,
    executionId: entry.executionId,
    hook: entry.hook,
    point: entry.point,
    status: entry.status,
  };
}

/** The thrown value as `{ name, message, code? }`. */
export function errorInfo(error: unknown): JournalError {
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
