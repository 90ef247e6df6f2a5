import { describe, expect } from 'vitest';
import { compareKeys, StorageErrorCode } from '../index.js';
import { type ConformanceContext, expectStorageError, testCase } from './context.js';

/** One key per rule of `keyProblem`, with what the error message must say. */
export const BAD_KEYS: readonly (readonly [label: string, key: unknown, rule: RegExp])[] = [
  ['an empty key', '', /must not be empty/],
  ['a number', 42, /must be a string/],
  ['null', null, /must be a string/],
  ['undefined', undefined, /must be a string/],
  ['an object', { key: 'a' }, /must be a string/],
  ['a key of 513 characters', 'k'.repeat(513), /513 characters.*512/],
  ['a key of 257 astral characters (514 UTF-16 units)', '\u{1F600}'.repeat(257), /514 characters.*512/],
  ['NUL', 'a\u0000b', /control character/],
  ['CR', 'a\rb', /control character/],
  ['LF', 'a\nb', /control character/],
  ['tab', 'a\tb', /control character/],
  ['DEL', 'a\u007fb', /control character/],
  ['a C1 control character', 'a\u0085b', /control character/],
  ['a backslash', 'a\\b', /backslash/],
  ['`..` inside', 'a/../b', /`\.\.`/],
  ['`..` alone', '..', /`\.\.`/],
  ['`//`', 'a//b', /`\/\/`/],
  ['a leading `__`', '__meta', /reserved/],
  ['a leading `$$`', '$$x', /reserved/],
  ['a lone high surrogate', 'a\uD800', /lone surrogate/],
  ['a lone low surrogate', '\uDC00a', /lone surrogate/],
  ['surrogates in the wrong order', '\uDE00\uD83D', /lone surrogate/],
  ['a decomposed é (not NFC)', 'cafe\u0301', /NFC/],
  ['the Angstrom sign (not NFC)', '\u212B', /NFC/],
];

/** Keys at the edge of the rules that must be accepted. */
export const EDGE_KEYS: readonly string[] = [
  'k'.repeat(512),
  '\u{1F600}'.repeat(256),
  'a',
  ' ',
  '~',
  '.',
  '.a',
  'a.',
  'a.b.c',
  '/',
  '/a',
  'a/',
  'a/b/c',
  '_a',
  'a__b',
  'a_',
  '$a',
  'a$$b',
  'user:1/theme',
  'café',
  '\u00C5',
  '한국어',
  '\u{1F600}',
  '\uE000',
  '\uFFFD',
  '\uFFFF',
  '\u{10FFFF}',
  '\u00A0',
];

export function describeKeyCases(ctx: ConformanceContext): void {
  describe('key rules', () => {
    for (const [label, key, rule] of BAD_KEYS) {
      testCase(`rejects ${label} with HOOKSPELL_INVALID_KEY naming the rule, in every method`, async () => {
        const b = ctx.backend;
        const k = key as string;
        await expectStorageError(() => b.set(k, 1), StorageErrorCode.INVALID_KEY, [rule]);
        await expectStorageError(() => b.get(k), StorageErrorCode.INVALID_KEY, [rule]);
        await expectStorageError(() => b.has(k), StorageErrorCode.INVALID_KEY, [rule]);
        await expectStorageError(() => b.delete(k), StorageErrorCode.INVALID_KEY, [rule]);
        await expectStorageError(
          () => b.batch([{ type: 'set', key: k, value: 1 }]),
          StorageErrorCode.INVALID_KEY,
          [rule],
        );
        await expectStorageError(() => b.batch([{ type: 'delete', key: k }]), StorageErrorCode.INVALID_KEY, [
          rule,
        ]);
        expect(await b.list('')).toStrictEqual([]);
      });
    }

    testCase('accepts keys at the edge of every rule, and lists them in byte order', async () => {
      for (const key of EDGE_KEYS) {
        await ctx.backend.set(key, key);
        expect(await ctx.backend.get(key), JSON.stringify(key)).toBe(key);
        expect(await ctx.backend.has(key)).toBe(true);
      }
      const listed = await ctx.backend.list('');
      expect(listed.map((entry) => entry.key)).toStrictEqual([...EDGE_KEYS].sort(compareKeys));
      for (const entry of listed) expect(entry.value).toBe(entry.key);
    });

    testCase(
      'rejects a bad prefix in list and clear with HOOKSPELL_INVALID_KEY, deleting nothing',
      async () => {
        await ctx.backend.set('a', 1);
        for (const [prefix, rule] of [
          ['a\u0000', /control character/],
          ['a\n', /control character/],
          ['a\uD800', /lone surrogate/],
          ['\uDC00', /lone surrogate/],
        ] as const) {
          await expectStorageError(() => ctx.backend.list(prefix), StorageErrorCode.INVALID_KEY, [rule]);
          await expectStorageError(() => ctx.backend.clear(prefix), StorageErrorCode.INVALID_KEY, [rule]);
        }
        await expectStorageError(
          () => ctx.backend.list(5 as unknown as string),
          StorageErrorCode.INVALID_KEY,
          [/must be a string/],
        );
        await expectStorageError(
          () => ctx.backend.clear(null as unknown as string),
          StorageErrorCode.INVALID_KEY,
        );
        expect(await ctx.backend.get('a')).toBe(1);
      },
    );
  });
}
