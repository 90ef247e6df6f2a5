import { EventError, EventErrorCode } from './errors.js';

/**
 * Bounds on subscription patterns, checked before a pattern is split or compiled, so an oversized
 * one (a script's, a config file's, a query's) costs nothing to refuse.
 */
export interface PatternLimits {
  /** Most characters in a pattern. @default 1024 */
  maxPatternLength: number;
  /** Most dotted segments in a pattern (`*` and `**` count as one each). @default 64 */
  maxPatternSegments: number;
}

/**
 * The defaults: four times the longest event type, and as many segments as an event type may
 * have — a longer pattern could only spell out `**` or `*` many times over.
 */
export const DEFAULT_PATTERN_LIMITS: Readonly<PatternLimits> = Object.freeze({
  maxPatternLength: 1024,
  maxPatternSegments: 64,
});

/**
 * Most characters in an event type. Fixed, not per bus: every bus, event log and process sharing
 * events (over NATS, in one log) must accept the same types.
 */
export const MAX_EVENT_TYPE_LENGTH = 256;
/** Most dotted segments in an event type (fixed, like the length). */
export const MAX_EVENT_TYPE_SEGMENTS = 64;

/** How many event types a bus remembers as checked (and as persisted or not) before starting over. */
export const TYPE_CACHE_SIZE = 10_000;

/** The limits `given` asks for over the defaults; each must be a positive integer. */
export function resolvePatternLimits(given: Readonly<Partial<PatternLimits>> | undefined): PatternLimits {
  if (given === undefined || given === DEFAULT_PATTERN_LIMITS) return DEFAULT_PATTERN_LIMITS;
  const limits = { ...DEFAULT_PATTERN_LIMITS };
  for (const key of ['maxPatternLength', 'maxPatternSegments'] as const) {
    const value = given[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) {
      throw new EventError(
        EventErrorCode.INVALID_ARGUMENT,
        `\`limits.${key}\` must be a positive integer, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}.`,
      );
    }
    limits[key] = value;
  }
  return limits;
}

/**
 * `value` quoted for an error message: a string in JSON quotes, cut to its first `max` characters
 * (saying how long it was); anything else by its kind. Never throws, however hostile `value` is.
 */
export function quote(value: unknown, max = 64): string {
  if (typeof value === 'string') {
    return value.length <= max
      ? JSON.stringify(value)
      : `${JSON.stringify(value.slice(0, max))}… (${value.length} characters)`;
  }
  return value === null ? '(null)' : `(a ${typeof value})`;
}
