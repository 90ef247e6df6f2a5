import { EventError, EventErrorCode } from './errors.js';

// A segment: no whitespace, no control characters, no `.`, no `*`.
const SEGMENT = /^[^\s.*\u0000-\u001f\u007f]+$/;
const SIMPLE_TYPE = /^[A-Za-z0-9_$:-]+(?:\.[A-Za-z0-9_:-]+)*$/;

/**
 * Returns why `type` is not a valid event type, or `undefined`. A type is one or more dotted
 * segments; a segment is non-empty and has no whitespace, control characters or `*`.
 */
export function eventTypeProblem(type: unknown): string | undefined {
  if (typeof type !== 'string') return `it must be a string, got ${typeof type}`;
  if (type.length === 0) return 'it is empty';
  if (type.length > 256) return `it is ${type.length} characters long; the limit is 256`;
  if (SIMPLE_TYPE.test(type)) return undefined;
  const segments = type.split('.');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '') return `segment ${i + 1} is empty (leading, trailing or doubled \`.\`)`;
    if (segment.includes('*'))
      return `segment ${i + 1} (${JSON.stringify(segment)}) contains \`*\`; wildcards belong in patterns, not in event types`;
    if (!SEGMENT.test(segment))
      return `segment ${i + 1} (${JSON.stringify(segment)}) contains whitespace or a control character`;
    if (i > 0 && segment.startsWith('$'))
      return `segment ${i + 1} starts with \`$\`, which only a first segment may`;
  }
  return undefined;
}

/** Throws `HOOKSPELL_INVALID_EVENT_TYPE` when `type` is not a valid event type. */
export function assertEventType(type: unknown): asserts type is string {
  const problem = eventTypeProblem(type);
  if (problem !== undefined) {
    throw new EventError(
      EventErrorCode.INVALID_EVENT_TYPE,
      `Invalid event type ${JSON.stringify(type)}: ${problem}. Event types look like 'tool.started' or 'agent.step.completed'.`,
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
 * Throws `HOOKSPELL_INVALID_PATTERN` saying what is wrong.
 */
export function compilePattern(pattern: string): CompiledPattern {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw invalidPattern(pattern, 'it must be a non-empty string');
  }
  const segments = pattern.split('.');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '')
      throw invalidPattern(pattern, `segment ${i + 1} is empty (leading, trailing or doubled \`.\`)`);
    if (segment === '*' || segment === '**') continue;
    if (segment.includes('*')) {
      throw invalidPattern(
        pattern,
        `segment ${i + 1} (${JSON.stringify(segment)}) mixes \`*\` with other characters; a wildcard must be a whole segment (\`*\` or \`**\`)`,
      );
    }
    if (!SEGMENT.test(segment))
      throw invalidPattern(
        pattern,
        `segment ${i + 1} (${JSON.stringify(segment)}) contains whitespace or a control character`,
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
    `Invalid event pattern ${JSON.stringify(pattern)}: ${why}. Examples: 'tool.started', 'tool.*', '*.error', 'agent.**'.`,
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
