import { describeThrown, type ThrownDescription } from '@hookspell/hooks';

/** Longest `message` a bus notice carries; a longer one is cut, saying how long it was. */
export const MAX_NOTICE_MESSAGE = 4096;
/** Longest `stack` a bus notice carries. */
export const MAX_NOTICE_STACK = 16_384;

/**
 * What the bus reports about a value a subscriber (or its filter, or what it returned) threw or
 * rejected with. The reading itself is `describeThrown` of @hookspell/hooks — one defensive reader
 * for the whole project: no getter, `toJSON`, `toString` or proxy trap of the value can throw out
 * of it, and it never throws. Here its strings are also bounded, since a notice may be persisted
 * or sent over a transport. Only failure paths call this.
 */
export function describeForNotice(value: unknown): ThrownDescription {
  const d = describeThrown(value);
  if (
    d.message.length <= MAX_NOTICE_MESSAGE &&
    (d.stack === undefined || d.stack.length <= MAX_NOTICE_STACK) &&
    d.name.length <= 200 &&
    (d.code === undefined || d.code.length <= 200)
  )
    return d;
  const out: { name: string; message: string; stack?: string; code?: string } = {
    name: cut(d.name, 200),
    message: cut(d.message, MAX_NOTICE_MESSAGE),
  };
  if (d.stack !== undefined) out.stack = cut(d.stack, MAX_NOTICE_STACK);
  if (d.code !== undefined) out.code = cut(d.code, 200);
  return out;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (cut: ${text.length} characters)`;
}
