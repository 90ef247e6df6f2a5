import {
  type ComponentRef,
  type ExecutionStatus,
  type HookContext,
  type HookOutcome,
  type HookPoint,
  isHookPoint,
  type Operation,
} from '@hookspell/hooks';
import { RemoteHookError, RemoteHookErrorCode } from './remote-hook-error.js';

// The remote-hook protocol: one JSON request (the context), one JSON reply (the decision, or why
// there is none). Both sides check what they receive, field by field, since the other side may be
// any process that can publish on the subject.

/** Version of the protocol; a peer speaking another one is refused with a clear message. */
export const PROTOCOL_VERSION = 1;

/** What a remote hook sends: the hook's context as JSON. */
export interface RemoteRequest {
  readonly v: 1;
  readonly point: HookPoint;
  readonly component: ComponentRef;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, string>;
  readonly correlationId: string;
  /** When the caller's fire started, epoch ms. */
  readonly timestamp: number;
  readonly operation?: Operation;
  /** The caller's timeout for this hook: the service fires with a little less, so it answers in time. */
  readonly timeoutMs?: number;
}

/** One hook the service ran, as the caller sees it (in the reply and in `remote:<subject>` metadata). */
export interface RemoteRecord {
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly durationMs: number;
  /** The result's type, for `ok` and `skipped` records. */
  readonly result?: string;
  /** What went wrong, for `error` and `timeout` records (one line, bounded). */
  readonly error?: string;
}

/** What the service answers when it fired the point. */
export interface RemoteDecisionReply {
  readonly v: 1;
  /** The instance that answered (`serveHooks`' `name`). */
  readonly service: string;
  /** The fire's decision, checked by the caller's executor like any hook's result. */
  readonly decision: unknown;
  /** The fire's metadata after the service's hooks ran (they may add keys). */
  readonly metadata: Record<string, string>;
  readonly records: readonly RemoteRecord[];
  readonly durationMs: number;
}

/** What the service answers when it could not fire the point. */
export interface RemoteErrorReply {
  readonly v: 1;
  readonly service: string;
  readonly error: { readonly code: string; readonly message: string };
}

export type RemoteReply = RemoteDecisionReply | RemoteErrorReply;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });
const MAX_TEXT = 500;

/** The request for a hook context; a context that JSON cannot carry is an `INVALID_ARGUMENT`. */
export function encodeRequest(ctx: HookContext, timeoutMs: number | undefined): Uint8Array {
  const request: RemoteRequest = {
    v: PROTOCOL_VERSION,
    point: ctx.point,
    component: ctx.component,
    data: ctx.data as Record<string, unknown>,
    metadata: ctx.metadata,
    correlationId: ctx.correlationId,
    timestamp: ctx.timestamp,
    ...(ctx.operation !== undefined && { operation: ctx.operation }),
    ...(timeoutMs !== undefined && { timeoutMs }),
  };
  try {
    return encoder.encode(JSON.stringify(request));
  } catch (cause) {
    throw new RemoteHookError(
      RemoteHookErrorCode.INVALID_ARGUMENT,
      `the context of ${ctx.point} cannot be sent to a policy service: it is not JSON (${textOf(cause)}). Keep ctx.data, ctx.metadata and ctx.operation JSON-serializable (no BigInt, no cycles).`,
      { cause },
    );
  }
}

/** The reply for an outcome; `service` names this instance. */
export function encodeDecision(service: string, outcome: HookOutcome): Uint8Array {
  const reply: RemoteDecisionReply = {
    v: PROTOCOL_VERSION,
    service,
    decision: outcome.decision,
    metadata: outcome.metadata,
    records: outcome.records.map(toRemoteRecord),
    durationMs: outcome.durationMs,
  };
  return encoder.encode(JSON.stringify(reply));
}

/** The reply saying why the service could not fire. Never throws. */
export function encodeError(service: string, code: string, message: string): Uint8Array {
  const reply: RemoteErrorReply = {
    v: PROTOCOL_VERSION,
    service,
    error: { code, message: oneLine(message) },
  };
  return encoder.encode(JSON.stringify(reply));
}

function toRemoteRecord(record: HookOutcome['records'][number]): RemoteRecord {
  const base = { name: record.name, status: record.status, durationMs: record.durationMs };
  if (record.status === 'error' || record.status === 'timeout')
    return { ...base, error: oneLine(textOf(record.error)) };
  return record.result === undefined ? base : { ...base, result: record.result.type };
}

/**
 * Reads a request; anything that is not one is a `REMOTE_BAD_REQUEST` naming the field.
 * Unknown fields are ignored (a newer caller may send more).
 */
export function decodeRequest(bytes: Uint8Array): RemoteRequest {
  const bad = (problem: string) =>
    new RemoteHookError(RemoteHookErrorCode.REMOTE_BAD_REQUEST, `bad request: ${problem}`);
  const r = parseObject(bytes, bad, 'the request');
  if (r.v !== PROTOCOL_VERSION)
    throw bad(
      `protocol version ${short(r.v)} (this service speaks ${PROTOCOL_VERSION}); update @hookspell/remote on one side`,
    );
  if (typeof r.point !== 'string' || !isHookPoint(r.point))
    throw bad(`\`point\` ${short(r.point)} is not a hook point (a built-in name or custom:<name>)`);
  const c = r.component as Record<string, unknown> | undefined;
  if (!isObject(c) || typeof c.type !== 'string' || typeof c.name !== 'string' || !optionalString(c.id))
    throw bad('`component` must be { type: string, name: string, id?: string }');
  if (!isObject(r.data)) throw bad(`\`data\` must be an object (got ${short(r.data)})`);
  if (!isStringRecord(r.metadata)) throw bad('`metadata` must be an object of strings');
  if (typeof r.correlationId !== 'string' || r.correlationId === '')
    throw bad('`correlationId` must be a non-empty string');
  if (typeof r.timestamp !== 'number' || !Number.isFinite(r.timestamp))
    throw bad('`timestamp` must be a number');
  const op = r.operation as Record<string, unknown> | undefined;
  if (op !== undefined && (!isObject(op) || typeof op.type !== 'string' || typeof op.id !== 'string'))
    throw bad('`operation` must be { type: string, id: string, … }');
  if (r.timeoutMs !== undefined && !(typeof r.timeoutMs === 'number' && r.timeoutMs > 0))
    throw bad(`\`timeoutMs\` must be a number > 0 (got ${short(r.timeoutMs)})`);
  return {
    v: PROTOCOL_VERSION,
    point: r.point,
    component: {
      type: c.type as ComponentRef['type'],
      name: c.name,
      ...(c.id !== undefined && { id: c.id as string }),
    },
    data: r.data,
    metadata: r.metadata,
    correlationId: r.correlationId,
    timestamp: r.timestamp,
    ...(op !== undefined && { operation: op as unknown as Operation }),
    ...(r.timeoutMs !== undefined && { timeoutMs: r.timeoutMs }),
  };
}

/**
 * Reads a reply. A decision reply is returned with its `decision` unchecked (the caller's
 * executor judges it like any hook result); an error reply throws `REMOTE_SERVICE_FAILED` or
 * `REMOTE_OVERLOADED` with the service's message; anything else throws `REMOTE_BAD_REPLY`.
 */
export function decodeReply(bytes: Uint8Array, subject: string): RemoteDecisionReply {
  const bad = (problem: string) =>
    new RemoteHookError(
      RemoteHookErrorCode.REMOTE_BAD_REPLY,
      `the policy service on '${subject}' answered something that is not a reply: ${problem}.`,
    );
  const r = parseObject(bytes, bad, 'the reply');
  if (r.v !== PROTOCOL_VERSION)
    throw bad(`protocol version ${short(r.v)} (this hook speaks ${PROTOCOL_VERSION})`);
  if (typeof r.service !== 'string') throw bad('`service` must be a string');
  const service = r.service.slice(0, 200);
  if (r.error !== undefined) {
    const e = r.error as Record<string, unknown>;
    const message = isObject(e) && typeof e.message === 'string' ? oneLine(e.message) : short(e);
    const code =
      isObject(e) && e.code === RemoteHookErrorCode.REMOTE_OVERLOADED
        ? RemoteHookErrorCode.REMOTE_OVERLOADED
        : RemoteHookErrorCode.REMOTE_SERVICE_FAILED;
    throw new RemoteHookError(code, `policy service '${service}' on '${subject}': ${message}`, { service });
  }
  if (!('decision' in r)) throw bad('it has neither `decision` nor `error`');
  const metadata = r.metadata ?? {};
  if (!isStringRecord(metadata)) throw bad('`metadata` must be an object of strings');
  const records = r.records ?? [];
  if (!Array.isArray(records)) throw bad('`records` must be an array');
  return {
    v: PROTOCOL_VERSION,
    service,
    decision: r.decision,
    metadata,
    records: records.map((x, i) => recordOf(x, i, bad)),
    durationMs: typeof r.durationMs === 'number' ? r.durationMs : 0,
  };
}

const STATUSES: ReadonlySet<string> = new Set(['ok', 'error', 'timeout', 'skipped']);

function recordOf(value: unknown, i: number, bad: (problem: string) => RemoteHookError): RemoteRecord {
  const x = value as Record<string, unknown>;
  if (!isObject(x) || typeof x.name !== 'string' || typeof x.status !== 'string' || !STATUSES.has(x.status))
    throw bad(`\`records[${i}]\` must be { name, status: ok|error|timeout|skipped, … }`);
  return {
    name: x.name.slice(0, 200),
    status: x.status as ExecutionStatus,
    durationMs: typeof x.durationMs === 'number' ? x.durationMs : 0,
    ...(typeof x.result === 'string' && { result: x.result.slice(0, 40) }),
    ...(typeof x.error === 'string' && { error: oneLine(x.error) }),
  };
}

function parseObject(
  bytes: Uint8Array,
  bad: (problem: string) => RemoteHookError,
  what: string,
): Record<string, unknown> {
  const text = decoder.decode(bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad(`${what} is not JSON (${JSON.stringify(text.slice(0, 80))}${text.length > 80 ? '…' : ''})`);
  }
  if (!isObject(value)) throw bad(`${what} is ${short(value)}, not an object`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  if (!isObject(value)) return false;
  for (const key of Object.keys(value)) if (typeof value[key] !== 'string') return false;
  return true;
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** A short description of a received value, for messages. */
function short(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function textOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return 'an unprintable value';
  }
}

/** One line of at most MAX_TEXT characters. */
export function oneLine(text: string): string {
  const line = text.replace(/\s*\n\s*/g, ' ');
  return line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT)}…` : line;
}
