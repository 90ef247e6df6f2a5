import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertValidKey,
  compareKeys,
  HookspellError,
  keyProblem,
  MAX_KEY_LENGTH,
  prefixUpperBound,
  StorageError,
  StorageErrorCode,
} from '../src/index.js';
import { BAD_KEYS, EDGE_KEYS } from '../src/testing/key-rules.js';

const byteOrder = (a: string, b: string) =>
  Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));

/** Well-formed strings (any code point), biased towards the ranges where UTF-16 and UTF-8 order differ. */
const unicodeString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({
    unit: fc.constantFrom(
      'a',
      'b',
      '/',
      '\u007f',
      '\u00e9',
      '\u07ff',
      '\u0800',
      '\ud7ff',
      '\ue000',
      '\uffff',
      '\u{10000}',
      '\u{1f600}',
      '\u{10ffff}',
    ),
    maxLength: 8,
  }),
);

/** C0, DEL, C1 or `\`: written out rather than as a regular expression, to check the one in keys.ts. */
function hasControlOrBackslash(key: string): boolean {
  for (const char of key) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || char === '\\') return true;
  }
  return false;
}

describe('keyProblem', () => {
  for (const [label, key, rule] of BAD_KEYS) {
    it(`reports ${label}`, () => {
      expect(keyProblem(key)).toMatch(rule);
    });
  }

  it('accepts keys at the edge of every rule', () => {
    for (const key of EDGE_KEYS) expect(keyProblem(key), JSON.stringify(key)).toBeUndefined();
  });

  it('counts the length limit in UTF-16 code units', () => {
    expect(MAX_KEY_LENGTH).toBe(512);
    expect(keyProblem('x'.repeat(512))).toBeUndefined();
    expect(keyProblem('x'.repeat(513))).toBe('is 513 characters long; the limit is 512');
    expect(keyProblem('\u{1F600}'.repeat(256))).toBeUndefined();
    expect(keyProblem(`${'\u{1F600}'.repeat(256)}x`)).toMatch(/513 characters/);
  });

  it('checks every control character of C0, DEL and C1, and nothing else below U+00A0', () => {
    for (let code = 0; code < 0xa0; code++) {
      const problem = keyProblem(`a${String.fromCharCode(code)}b`);
      if (code < 0x20 || (code >= 0x7f && code <= 0x9f))
        expect(problem, code.toString(16)).toMatch(/control character/);
      else if (code === 0x5c) expect(problem).toMatch(/backslash/);
      else expect(problem, code.toString(16)).toBeUndefined();
    }
  });

  it('names the type of a non-string key', () => {
    expect(keyProblem(1)).toBe('must be a string, got a number');
    expect(keyProblem(null)).toBe('must be a string, got null');
    expect(keyProblem(undefined)).toBe('must be a string, got undefined');
    expect(keyProblem(['a'])).toBe('must be a string, got an array');
    expect(keyProblem(new Date(0))).toBe('must be a string, got an instance of Date');
    expect(keyProblem(Symbol('s'))).toBe('must be a string, got a symbol');
  });

  it('applies `..`, `//` and the reserved prefixes to non-ASCII keys too', () => {
    expect(keyProblem('é..x')).toMatch(/`\.\.`/);
    expect(keyProblem('é//x')).toMatch(/`\/\/`/);
    expect(keyProblem('__é')).toMatch(/reserved/);
    expect(keyProblem('$$\u{1F600}')).toMatch(/reserved/);
  });

  it('accepts every well-formed NFC string without forbidden characters (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (raw) => {
        const key = raw.normalize('NFC');
        const forbidden =
          hasControlOrBackslash(key) ||
          key.includes('..') ||
          key.includes('//') ||
          key.startsWith('__') ||
          key.startsWith('$$') ||
          key.length > 512;
        expect(keyProblem(key) === undefined).toBe(!forbidden);
      }),
      { numRuns: 2000 },
    );
  });

  it('reports /NFC/ exactly for strings that are not in NFC form (property)', () => {
    // Characters that compose, decompose or are singletons under normalisation.
    const unit = fc.constantFrom(
      'a',
      'e',
      'A',
      '\u00e9',
      '\u00c5',
      '\u212b',
      '\u1e9b',
      '\u0301',
      '\u0327',
      '\u0323',
      '\uac00',
      '\u1100',
      '\u1161',
    );
    fc.assert(
      fc.property(fc.string({ unit, minLength: 1, maxLength: 8 }), (key) => {
        const problem = keyProblem(key);
        if (key === key.normalize('NFC')) expect(problem).toBeUndefined();
        else expect(problem).toMatch(/NFC/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('assertValidKey', () => {
  it('throws StorageError HOOKSPELL_INVALID_KEY with the backend, the key and the rule', () => {
    try {
      assertValidKey('my-backend', 'a\nb');
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(StorageError);
      expect(HookspellError.hasCode(error, StorageErrorCode.INVALID_KEY)).toBe(true);
      expect((error as StorageError).backend).toBe('my-backend');
      expect((error as Error).message).toBe(
        '[hookspell] [my-backend] Invalid key "a\\nb": it contains a control character (NUL, CR, LF, tab, …).',
      );
    }
  });

  it('shortens a long key in the message', () => {
    expect(() => assertValidKey('b', 'y'.repeat(600))).toThrow(
      `Invalid key "${'y'.repeat(57)}...": it is 600`,
    );
  });

  it('does not throw for a valid key', () => {
    expect(() => assertValidKey('b', 'fine/key')).not.toThrow();
  });
});

describe('compareKeys', () => {
  it('orders like Buffer.compare of the UTF-8 bytes (property)', () => {
    fc.assert(
      fc.property(unicodeString, unicodeString, (a, b) => {
        expect(Math.sign(compareKeys(a, b))).toBe(byteOrder(a, b));
      }),
      { numRuns: 5000 },
    );
  });

  it('orders arrays exactly like Buffer.compare (property)', () => {
    fc.assert(
      fc.property(fc.array(unicodeString, { maxLength: 30 }), (keys) => {
        const sorted = [...keys].sort(compareKeys);
        expect(sorted).toStrictEqual([...keys].sort(byteOrder));
      }),
    );
  });

  it('returns 0 only for equal strings', () => {
    fc.assert(
      fc.property(unicodeString, unicodeString, (a, b) => {
        expect(compareKeys(a, b) === 0).toBe(a === b);
        expect(compareKeys(a, a)).toBe(0);
      }),
    );
  });

  it('puts astral characters after U+E000–U+FFFF, unlike `<` on strings', () => {
    expect(compareKeys('a\u{1F600}', 'a\uE000')).toBeGreaterThan(0);
    expect('a\u{1F600}' < 'a\uE000').toBe(true);
    expect(compareKeys('\u{10000}', '\uFFFF')).toBeGreaterThan(0);
    expect(compareKeys('\uD7FF', '\u{10000}')).toBeLessThan(0);
    expect(compareKeys('a', 'ab')).toBeLessThan(0);
    expect(compareKeys('ab', 'a')).toBeGreaterThan(0);
    expect(compareKeys('', '')).toBe(0);
  });
});

describe('prefixUpperBound', () => {
  const keyAndPrefix = unicodeString.chain((p) =>
    fc.tuple(
      fc.constant(p),
      fc.oneof(
        unicodeString,
        unicodeString.map((suffix) => p + suffix),
      ),
    ),
  );

  it('k starts with p iff p <= k < bound, in compareKeys order (property)', () => {
    fc.assert(
      fc.property(keyAndPrefix, ([p, k]) => {
        const bound = prefixUpperBound(p);
        const inRange = compareKeys(p, k) <= 0 && (bound === undefined || compareKeys(k, bound) < 0);
        expect(inRange).toBe(k.startsWith(p));
      }),
      { numRuns: 5000 },
    );
  });

  it('is well-formed, greater than the prefix, and undefined only for a prefix of U+10FFFF characters', () => {
    fc.assert(
      fc.property(unicodeString, (p) => {
        const bound = prefixUpperBound(p);
        if (bound === undefined) {
          expect(Array.from(p).every((char) => char === '\u{10FFFF}')).toBe(true);
          return;
        }
        expect(Buffer.from(bound, 'utf8').toString('utf8')).toBe(bound); // well-formed
        expect(compareKeys(bound, p)).toBeGreaterThan(0);
        expect(bound.startsWith(p)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('handles the edges of the UTF-8 ranges', () => {
    expect(prefixUpperBound('a')).toBe('b');
    expect(prefixUpperBound('a/')).toBe('a0');
    expect(prefixUpperBound('a\uD7FF')).toBe('a\uE000');
    expect(prefixUpperBound('a\uFFFF')).toBe('a\u{10000}');
    expect(prefixUpperBound('a\u{1F600}')).toBe('a\u{1F601}');
    expect(prefixUpperBound('a\u{10FFFF}')).toBe('b');
    expect(prefixUpperBound('a\u{10FFFF}\u{10FFFF}')).toBe('b');
    expect(prefixUpperBound('\u{10FFFF}')).toBeUndefined();
    expect(prefixUpperBound('')).toBeUndefined();
  });
});
