import { StorageError, StorageErrorCode } from './errors/storage-error.js';

/** Longest key a backend accepts, in UTF-16 code units (the limit of a scoped key). */
export const MAX_KEY_LENGTH = 512;

// Printable ASCII without `\`: the fast path, which needs no Unicode checks.
const SIMPLE_KEY = /^[\x20-\x5b\x5d-\x7e]+$/;
// C0 and C1 control characters and DEL.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// A lone surrogate cannot be written as UTF-8, so it can't be ordered or stored faithfully.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Returns why `key` is not a valid storage key, or `undefined` when it is.
 * Rules: a non-empty string of at most 512 characters, no control characters, no `\`, no `..`,
 * no `//`, not starting with `__` or `$$` (reserved), well-formed Unicode in NFC form.
 */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return `must be a string, got ${describeType(key)}`;
  if (key.length === 0) return 'must not be empty';
  if (key.length > MAX_KEY_LENGTH) return `is ${key.length} characters long; the limit is ${MAX_KEY_LENGTH}`;
  if (!SIMPLE_KEY.test(key)) {
    if (CONTROL.test(key)) return 'contains a control character (NUL, CR, LF, tab, …)';
    if (key.includes('\\')) return 'contains a backslash';
    if (LONE_SURROGATE.test(key)) return 'contains a lone surrogate (not well-formed Unicode)';
    if (key.normalize('NFC') !== key) return "is not in Unicode NFC form; pass key.normalize('NFC')";
  }
  if (key.includes('..')) return 'contains `..`';
  if (key.includes('//')) return 'contains `//`';
  if (key.startsWith('__') || key.startsWith('$$')) return 'starts with `__` or `$$`, which are reserved';
  return undefined;
}

/** Throws a `StorageError` (`HOOKSPELL_INVALID_KEY`) when `key` breaks a rule of {@link keyProblem}. */
export function assertValidKey(backend: string, key: unknown, what = 'key'): asserts key is string {
  const problem = keyProblem(key);
  if (problem !== undefined) {
    throw new StorageError(
      backend,
      StorageErrorCode.INVALID_KEY,
      `Invalid ${what} ${preview(key)}: it ${problem}.`,
    );
  }
}

/**
 * A prefix (or a `startAfter` cursor) may be empty and may end anywhere; otherwise it obeys the
 * length and character rules of keys, so that every backend orders it the same way.
 */
export function assertValidPrefix(
  backend: string,
  prefix: unknown,
  what = 'prefix',
): asserts prefix is string {
  if (typeof prefix !== 'string') {
    throw new StorageError(
      backend,
      StorageErrorCode.INVALID_KEY,
      `Invalid ${what}: it must be a string, got ${describeType(prefix)}.`,
    );
  }
  if (prefix.length === 0) return;
  if (
    prefix.length > MAX_KEY_LENGTH ||
    (!SIMPLE_KEY.test(prefix) && (CONTROL.test(prefix) || LONE_SURROGATE.test(prefix)))
  ) {
    assertValidKey(backend, prefix, what);
  }
}

/**
 * Compares two keys by the bytes of their UTF-8 encoding, the order every backend lists in.
 * Differs from `<` on strings only for characters above U+FFFF versus U+E000–U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (astral characters) sort after U+E000–U+FFFF in UTF-8.
      if (x >= 0xd800 && y >= 0xd800) return utf8Rank(x) - utf8Rank(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

function utf8Rank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/**
 * The smallest string greater (in UTF-8 byte order) than every string starting with `prefix`,
 * or `undefined` when there is none. Lets backends turn a prefix scan into an index range.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const chars = Array.from(prefix);
  while (chars.length > 0) {
    const last = chars.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last === 0xd7ff ? 0xe000 : last + 1;
      return chars.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** `'key'` shortened for messages. */
export function preview(value: unknown): string {
  if (typeof value !== 'string') return describeType(value);
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return JSON.stringify(shown);
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    return name && name !== 'Object' ? `an instance of ${name}` : 'an object';
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}
