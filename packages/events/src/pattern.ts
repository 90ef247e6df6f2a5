import { EventError, EventErrorCode } from './errors.js';
import {
  MAX_EVENT_TYPE_LENGTH,
  MAX_EVENT_TYPE_SEGMENTS,
  type PatternLimits,
  quote,
  resolvePatternLimits,
} from './limits.js';

// A segment: no whitespace, no control characters, no `.`, no `*`.
const SEGMENT = /^[^\s.*\u0000-\u001f\u007f]+$/;
const SIMPLE_TYPE = /^[A-Za-z0-9_$:-]+(?:\.[A-Za-z0-9_:-]+)*$/;

/**
 * Returns why `type` is not a valid event type, or `undefined`. A type is one or more dotted
 * segments — at most 256 characters and 64 segments — and a segment is non-empty and has no
 * whitespace, control characters or `*`.
 */
export function eventTypeProblem(type: unknown): string | undefined {
  return typeProblem(type)?.why;
}

interface TypeProblem {
  code: EventErrorCode;
  why: string;
}

function typeProblem(type: unknown): TypeProblem | undefined {
  if (typeof type !== 'string') return invalidType(`it must be a string, got ${typeof type}`);
  if (type.length === 0) return invalidType('it is empty');
  if (type.length > MAX_EVENT_TYPE_LENGTH)
    return {
      code: EventErrorCode.EVENT_TYPE_TOO_LONG,
      why: `it is ${type.length} characters long; the limit is ${MAX_EVENT_TYPE_LENGTH}`,
    };
  const count = segmentCount(type);
  if (count > MAX_EVENT_TYPE_SEGMENTS)
    return {
      code: EventErrorCode.EVENT_TYPE_TOO_LONG,
      why: `it has ${count} segments; the limit is ${MAX_EVENT_TYPE_SEGMENTS}`,
    };
  if (SIMPLE_TYPE.test(type)) return undefined;
  const segments = type.split('.');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '') return invalidType(`segment ${i + 1} is empty (leading, trailing or doubled \`.\`)`);
    if (segment.includes('*'))
      return invalidType(
        `segment ${i + 1} (${quote(segment)}) contains \`*\`; wildcards belong in patterns, not in event types`,
      );
    if (!SEGMENT.test(segment))
      return invalidType(`segment ${i + 1} (${quote(segment)}) contains whitespace or a control character`);
    if (i > 0 && segment.startsWith('$'))
      return invalidType(`segment ${i + 1} starts with \`$\`, which only a first segment may`);
  }
  return undefined;
}

function invalidType(why: string): TypeProblem {
  return { code: EventErrorCode.INVALID_EVENT_TYPE, why };
}

function segmentCount(text: string): number {
  let count = 1;
  for (let i = text.indexOf('.'); i !== -1; i = text.indexOf('.', i + 1)) count++;
  return count;
}

/**
 * Throws when `type` is not a valid event type: `HOOKSPELL_EVENT_TYPE_TOO_LONG` past the length or
 * segment limit, `HOOKSPELL_INVALID_EVENT_TYPE` otherwise.
 */
export function assertEventType(type: unknown): asserts type is string {
  const problem = typeProblem(type);
  if (problem !== undefined) {
    throw new EventError(
      problem.code,
      `Invalid event type ${quote(type)}: ${problem.why}. Event types look like 'tool.started' or 'agent.step.completed'.`,
    );
  }
}

/** A compiled pattern: its segments, and whether it can match `$`-prefixed (reserved) types. */
export interface CompiledPattern {
  readonly source: string;
  readonly segments: readonly string[];
  /** True when the pattern has no wildcard: it matches exactly one type. */
  readonly exact: boolean;
  /** The literal segments before the first wildcard, joined with `.` (for index lookups). */
  readonly literalPrefix: string;
  matches(type: string): boolean;
}

/**
 * Parses a pattern: dotted segments where `*` is exactly one segment, `**` is zero or more
 * segments anywhere, and anything else is literal. A wildcard never matches a first segment that
 * starts with `$` (the bus's reserved notices): subscribe to `$bus.**` explicitly.
 * Throws `HOOKSPELL_INVALID_PATTERN` saying what is wrong, and `HOOKSPELL_PATTERN_TOO_LONG` for a
 * pattern over `limits` (by default 1024 characters, 64 segments) — checked before anything else
 * reads it. Every pattern entering the package (subscribe, persist, log queries, transports)
 * comes through here.
 */
export function compilePattern(pattern: string, bounds?: Readonly<Partial<PatternLimits>>): CompiledPattern {
  const limits = resolvePatternLimits(bounds);
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw invalidPattern(pattern, 'it must be a non-empty string');
  }
  if (pattern.length > limits.maxPatternLength) {
    throw patternTooLong(
      pattern,
      `it is ${pattern.length} characters long; the limit is ${limits.maxPatternLength} (\`maxPatternLength\`)`,
    );
  }
  const segments = pattern.split('.');
  if (segments.length > limits.maxPatternSegments) {
    throw patternTooLong(
      pattern,
      `it has ${segments.length} segments; the limit is ${limits.maxPatternSegments} (\`maxPatternSegments\`)`,
    );
  }
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '')
      throw invalidPattern(pattern, `segment ${i + 1} is empty (leading, trailing or doubled \`.\`)`);
    if (segment === '*' || segment === '**') continue;
    if (segment.includes('*')) {
      throw invalidPattern(
        pattern,
        `segment ${i + 1} (${quote(segment)}) mixes \`*\` with other characters; a wildcard must be a whole segment (\`*\` or \`**\`)`,
      );
    }
    if (!SEGMENT.test(segment))
      throw invalidPattern(
        pattern,
        `segment ${i + 1} (${quote(segment)}) contains whitespace or a control character`,
      );
  }
  // `a.**.**.b` means the same as `a.**.b`; collapsing keeps matching linear.
  const normalized = segments.filter((s, i) => !(s === '**' && segments[i - 1] === '**'));
  const firstWildcard = normalized.findIndex((s) => s === '*' || s === '**');
  const exact = firstWildcard === -1;
  return {
    source: pattern,
    segments: normalized,
    exact,
    literalPrefix: (exact ? normalized : normalized.slice(0, firstWildcard)).join('.'),
    matches: exact ? (type) => type === pattern : (type) => matchSegments(normalized, type.split('.')),
  };
}

function invalidPattern(pattern: unknown, why: string): EventError {
  return new EventError(
    EventErrorCode.INVALID_PATTERN,
    `Invalid event pattern ${quote(pattern)}: ${why}. Examples: 'tool.started', 'tool.*', '*.error', 'agent.**'.`,
  );
}

function patternTooLong(pattern: string, why: string): EventError {
  return new EventError(
    EventErrorCode.PATTERN_TOO_LONG,
    `Event pattern ${quote(pattern)} is too long: ${why}. Event types have at most ${MAX_EVENT_TYPE_LENGTH} characters and ${MAX_EVENT_TYPE_SEGMENTS} segments; match many segments with one \`**\`, or raise the limit with the \`limits\` option of EventBus / EventLog.`,
  );
}

/**
 * Matches type segments against pattern segments in O(pattern × type) time (a set of live
 * positions, like an NFA), so no pattern can make it backtrack exponentially.
 */
export function matchSegments(pattern: readonly string[], type: readonly string[]): boolean {
  if (type.length > 0 && type[0]!.startsWith('$') && pattern[0] !== type[0]) return false;
  let live = new Uint8Array(pattern.length + 1);
  live[0] = 1;
  closeOverGlobstars(pattern, live);
  for (const segment of type) {
    const next = new Uint8Array(pattern.length + 1);
    let any = false;
    for (let p = 0; p < pattern.length; p++) {
      if (!live[p]) continue;
      const part = pattern[p]!;
      if (part === '**') {
        next[p] = 1; // ** absorbs this segment and stays live
        any = true;
      } else if (part === '*' || part === segment) {
        next[p + 1] = 1;
        any = true;
      }
    }
    if (!any) return false;
    closeOverGlobstars(pattern, next);
    live = next;
  }
  return live[pattern.length] === 1;
}

// A live `**` may also match zero segments: the position after it is live too.
function closeOverGlobstars(pattern: readonly string[], live: Uint8Array): void {
  for (let p = 0; p < pattern.length; p++) {
    if (live[p] && pattern[p] === '**') live[p + 1] = 1;
  }
}

/**
 * Whether `type` matches `pattern` (see {@link compilePattern}). Compiles the pattern each call:
 * compile once with `compilePattern` where it matters.
 *
 * @example
 * matchPattern('*.error', 'tool.error');   // true
 * matchPattern('agent.**', 'agent');       // true
 * matchPattern('**', '$bus.dropped');      // false: reserved types need `$bus.**`
 */
export function matchPattern(pattern: string, type: string): boolean {
  return compilePattern(pattern).matches(type);
}
