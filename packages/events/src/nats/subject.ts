import { EventError, EventErrorCode } from '../errors.js';
import { type CompiledPattern, eventTypeProblem } from '../pattern.js';

// How event types and bus patterns become NATS subjects.
//
// A valid event type never has whitespace, `*` or an empty segment (the bus rejects those), but it
// may have `>` (a NATS wildcard when it is a whole token), `%`, or any other printable character.
// Such characters are percent-encoded (UTF-8 bytes as `%XX`) so every token is plain ASCII that
// NATS takes literally; `%` itself is encoded, so the mapping stays one-to-one. Types made of the
// common characters (the vast majority) map to `<prefix>.<type>` unchanged.

/** Characters every NATS server and client take literally in a subject token. */
const SAFE_TOKEN = /^[A-Za-z0-9_$:-]+$/;
const SAFE_SUBJECT = /^[A-Za-z0-9_$:-]+(?:\.[A-Za-z0-9_$:-]+)*$/;
const UNSAFE_CHAR = /[^A-Za-z0-9_$:-]/gu;
const PREFIX_TOKEN = /^[^\s.*>\u0000-\u001f\u007f]+$/;

const utf8 = new TextEncoder();

function percentEncode(char: string): string {
  let out = '';
  for (const byte of utf8.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** One type or literal pattern segment as a NATS subject token. */
export function encodeToken(segment: string): string {
  return SAFE_TOKEN.test(segment) ? segment : segment.replace(UNSAFE_CHAR, percentEncode);
}

/**
 * Throws `HOOKSPELL_INVALID_ARGUMENT` unless `prefix` is a NATS subject without wildcards: dotted,
 * non-empty tokens with no whitespace, `*` or `>`.
 */
export function assertSubjectPrefix(prefix: unknown): asserts prefix is string {
  const ok = typeof prefix === 'string' && prefix.split('.').every((token) => PREFIX_TOKEN.test(token));
  if (!ok) {
    throw new EventError(
      EventErrorCode.INVALID_ARGUMENT,
      `\`subjectPrefix\` ${JSON.stringify(prefix)} is not a NATS subject without wildcards: use dotted, non-empty tokens with no whitespace, \`*\` or \`>\`, e.g. 'hookspell.events' or 'myapp.prod.events'.`,
    );
  }
}

/**
 * The NATS subject an event of `type` is published on: `<prefix>.<type>`, with unusual characters
 * percent-encoded. Throws `HOOKSPELL_INVALID_EVENT_TYPE` for a type the bus would not accept (a
 * space, `*` or an empty segment cannot be carried by a subject token either).
 *
 * @example
 * subjectForType('hookspell.events', 'tool.started'); // 'hookspell.events.tool.started'
 * subjectForType('hookspell.events', 'cmp.a>b');      // 'hookspell.events.cmp.a%3Eb'
 */
export function subjectForType(prefix: string, type: string): string {
  const problem = eventTypeProblem(type);
  if (problem !== undefined) {
    throw new EventError(
      EventErrorCode.INVALID_EVENT_TYPE,
      `Cannot publish event type ${JSON.stringify(type)} on NATS: ${problem}. Event types look like 'tool.started'; publish through an EventBus, which checks them.`,
    );
  }
  if (SAFE_SUBJECT.test(type)) return `${prefix}.${type}`;
  return `${prefix}.${type.split('.').map(encodeToken).join('.')}`;
}

/**
 * The NATS subjects that carry every event `pattern` can match (a superset: the subscriber still
 * filters with the compiled pattern, so `$`-reserved types and `**` keep the bus's exact meaning).
 *
 * - no `**`: `*` stays `*`, literal segments are encoded: one subject, exact;
 * - `**` only at the end (`a.**`): `<prefix>.a.>` for one or more further segments plus
 *   `<prefix>.a` for zero (NATS `>` needs at least one token);
 * - `**` anywhere else: NATS cannot express it, so `<prefix>.>` and the filter does the rest.
 *
 * @example
 * subjectsForPattern('p', compilePattern('tool.*'));  // ['p.tool.*']
 * subjectsForPattern('p', compilePattern('agent.**')); // ['p.agent', 'p.agent.>']
 * subjectsForPattern('p', compilePattern('a.**.z'));   // ['p.>']
 */
export function subjectsForPattern(prefix: string, pattern: CompiledPattern): string[] {
  const segments = pattern.segments;
  const globstar = segments.indexOf('**');
  const token = (segment: string) => (segment === '*' ? '*' : encodeToken(segment));
  if (globstar === -1) return [`${prefix}.${segments.map(token).join('.')}`];
  if (globstar !== segments.length - 1 || segments.length === 1) return [`${prefix}.>`];
  const base = `${prefix}.${segments.slice(0, -1).map(token).join('.')}`;
  return [base, `${base}.>`];
}
