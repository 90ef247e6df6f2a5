import { EventError, EventErrorCode } from './errors.js';
import { type EventMetadata, type HookspellEvent, NO_TAGS } from './event.js';
import { eventTypeProblem } from './pattern.js';

/** The original system's snake_case JSON form of an event (what Lua tables and other processes use). */
export interface WireEvent {
  id: string;
  event_type: string;
  /** Left out (`undefined`) for an event published without data; `null` is a value of its own. */
  data?: unknown;
  language: string;
  /** RFC 3339 */
  timestamp: string;
  sequence: number;
  metadata: {
    correlation_id: string;
    causation_id?: string | null;
    source?: string | null;
    target?: string | null;
    tags: string[];
    priority: number;
    /** seconds */
    ttl?: number | null;
  };
  schema_version: '1.0';
}

/**
 * The snake_case wire form of `event` (timestamp as an RFC 3339 string). An event without data has
 * `data: undefined`, which `JSON.stringify` leaves out; {@link fromWireJSON} reads it back as such.
 */
export function toWireJSON(event: HookspellEvent): WireEvent {
  const m = event.metadata;
  return {
    id: event.id,
    event_type: event.type,
    data: event.data,
    language: event.language,
    timestamp: new Date(event.timestamp).toISOString(),
    sequence: event.sequence,
    metadata: {
      correlation_id: m.correlationId,
      ...(m.causationId !== undefined && { causation_id: m.causationId }),
      ...(m.source !== undefined && { source: m.source }),
      ...(m.target !== undefined && { target: m.target }),
      tags: [...m.tags],
      priority: m.priority,
      ...(m.ttlSeconds !== undefined && { ttl: m.ttlSeconds }),
    },
    schema_version: '1.0',
  };
}

/**
 * Reads the wire form (an object or its JSON text) back into an event. Missing optional fields
 * get their defaults; a missing `data` gives an event without data (`data: undefined`, as the
 * publisher's subscribers saw it), while `"data": null` stays `null`. A wrong field is a
 * `HOOKSPELL_INVALID_WIRE_EVENT` naming it.
 */
export function fromWireJSON(input: string | WireEvent | Record<string, unknown>): HookspellEvent {
  let wire: Record<string, unknown>;
  try {
    wire = typeof input === 'string' ? JSON.parse(input) : (input as Record<string, unknown>);
  } catch (cause) {
    throw bad('the input', 'is not valid JSON', cause);
  }
  if (wire === null || typeof wire !== 'object') throw bad('the input', 'is not an object');
  const type = wire.event_type;
  const typeProblem = eventTypeProblem(type);
  if (typeProblem) throw bad('event_type', typeProblem);
  const version = wire.schema_version ?? '1.0';
  if (version !== '1.0')
    throw bad('schema_version', `is ${JSON.stringify(version)}; only "1.0" is understood`);
  const id = wire.id;
  if (typeof id !== 'string' || id === '') throw bad('id', 'must be a non-empty string');
  const timestamp = typeof wire.timestamp === 'string' ? Date.parse(wire.timestamp) : wire.timestamp;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp))
    throw bad('timestamp', 'must be an RFC 3339 date-time');
  const sequence = wire.sequence ?? 0;
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 0)
    throw bad('sequence', 'must be a non-negative integer');
  const m = (wire.metadata ?? {}) as Record<string, unknown>;
  if (typeof m !== 'object') throw bad('metadata', 'must be an object');
  const tags = m.tags ?? NO_TAGS;
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))
    throw bad('metadata.tags', 'must be an array of strings');
  const priority = m.priority ?? 0;
  if (typeof priority !== 'number' || !Number.isFinite(priority))
    throw bad('metadata.priority', 'must be a number');
  const ttl = m.ttl ?? undefined;
  if (ttl !== undefined && (typeof ttl !== 'number' || !(ttl > 0)))
    throw bad('metadata.ttl', 'must be a positive number of seconds');
  const metadata: EventMetadata = {
    correlationId: optionalString(m.correlation_id, 'metadata.correlation_id') ?? id,
    causationId: optionalString(m.causation_id, 'metadata.causation_id'),
    source: optionalString(m.source, 'metadata.source'),
    target: optionalString(m.target, 'metadata.target'),
    tags: tags as string[],
    priority,
    ttlSeconds: ttl as number | undefined,
  };
  return {
    id,
    type: type as string,
    data: wire.data,
    language: typeof wire.language === 'string' ? wire.language : 'native',
    timestamp,
    sequence,
    metadata,
    schemaVersion: '1.0',
  };
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw bad(field, 'must be a string');
  return value;
}

function bad(field: string, why: string, cause?: unknown): EventError {
  return new EventError(EventErrorCode.INVALID_WIRE_EVENT, `Cannot read the wire event: ${field} ${why}.`, {
    cause,
  });
}
