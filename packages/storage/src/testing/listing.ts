import { describe, expect } from 'vitest';
import { type BatchOp, compareKeys, type ListOptions, StorageErrorCode } from '../index.js';
import { type ConformanceContext, expectStorageError, shuffled, slowCase, testCase } from './context.js';

/** Keys whose UTF-8 byte order differs from naive orders (UTF-16 code units, locale). */
export const ORDER_KEYS: readonly string[] = [
  'A',
  'Z',
  'a',
  'a ',
  'a!',
  'a-',
  'a.',
  'a/',
  'a/b',
  'a0',
  'a:',
  'aA',
  'a~',
  'a\u00A0',
  'a\u00E9',
  'a\u00FF',
  'a\u0100',
  'a\u07FF',
  'a\u0800',
  'a\uD7FF',
  'a\uE000',
  'a\uFFFD',
  'a\uFFFF',
  'a\u{10000}',
  'a\u{1F600}',
  'a\u{10FFFF}',
  'b',
  'z',
  '~',
  '\u00E9',
  '\uFF21',
  '\u{1F600}',
];

async function keysOf(ctx: ConformanceContext, prefix: string, options?: ListOptions): Promise<string[]> {
  return (await ctx.backend.list(prefix, options)).map((entry) => entry.key);
}

async function setAll(ctx: ConformanceContext, keys: readonly string[], seed = 1): Promise<void> {
  // Written in a shuffled order, one by one, so that the backend has to do the ordering.
  for (const key of shuffled(keys, seed)) await ctx.backend.set(key, key);
}

export function describeListCases(ctx: ConformanceContext): void {
  describe('list order', () => {
    testCase('lists keys in UTF-8 byte order (the order of compareKeys), forward and reverse', async () => {
      await setAll(ctx, ORDER_KEYS);
      const expected = [...ORDER_KEYS].sort(compareKeys);
      const listed = await ctx.backend.list('');
      expect(listed.map((entry) => entry.key)).toStrictEqual(expected);
      for (const entry of listed) expect(entry.value).toBe(entry.key);
      expect(await keysOf(ctx, '', { reverse: true })).toStrictEqual([...expected].reverse());
      // The case that UTF-16 order gets wrong: an astral character sorts after U+E000–U+FFFF.
      expect(expected.indexOf('a\u{1F600}')).toBeGreaterThan(expected.indexOf('a\uE000'));
      expect(expected.indexOf('a\u{1F600}')).toBeGreaterThan(expected.indexOf('a\uFFFF'));
      expect(expected.indexOf('\u{1F600}')).toBeGreaterThan(expected.indexOf('\uFF21'));
    });

    testCase('a key that is a prefix of another sorts first', async () => {
      await setAll(ctx, ['ab', 'a', 'abc', 'a/', 'a/b']);
      expect(await keysOf(ctx, '')).toStrictEqual(['a', 'a/', 'a/b', 'ab', 'abc']);
    });
  });

  describe('list prefix', () => {
    const keys = [
      'o',
      'p',
      'p.',
      'p/1',
      'p/2',
      'p/2/x',
      'p0',
      'pa',
      'p\u00E9',
      'p\u00E9x',
      'p\u00EA',
      'p\uD7FF',
      'p\uD7FFa',
      'p\uE000',
      'p\uFFFF',
      'p\uFFFFa',
      'p\u{10000}',
      'p\u{1F600}',
      'p\u{1F600}z',
      'p\u{1F601}',
      'p\u{10FFFF}',
      'p\u{10FFFF}a',
      'q',
      '\u{10FFFF}',
      '\u{10FFFF}\u{10FFFF}',
    ];
    const sorted = [...keys].sort(compareKeys);
    const startingWith = (prefix: string) => sorted.filter((key) => key.startsWith(prefix));

    testCase('the prefix itself is a key and is listed', async () => {
      await setAll(ctx, keys);
      expect(await keysOf(ctx, 'p')).toStrictEqual(startingWith('p'));
      expect(await keysOf(ctx, 'p')).toContain('p');
      expect(await keysOf(ctx, 'p/2')).toStrictEqual(['p/2', 'p/2/x']);
      expect(await keysOf(ctx, 'p', { reverse: true })).toStrictEqual(startingWith('p').reverse());
    });

    testCase('the empty prefix lists every key', async () => {
      await setAll(ctx, keys);
      expect(await keysOf(ctx, '')).toStrictEqual(sorted);
    });

    testCase('a prefix that matches nothing lists nothing', async () => {
      await setAll(ctx, keys);
      for (const prefix of ['nothing', 'p/3', 'p/2/xx', 'a', 'zzz', 'P', 'p\u00E8', '\u{1F600}']) {
        expect(await keysOf(ctx, prefix), prefix).toStrictEqual([]);
        expect(await keysOf(ctx, prefix, { reverse: true }), prefix).toStrictEqual([]);
      }
    });

    testCase(
      'a prefix ending in a multi-byte character lists exactly the keys starting with it',
      async () => {
        await setAll(ctx, keys);
        for (const prefix of ['p\u00E9', 'p\uD7FF', 'p\uFFFF', 'p\u{1F600}', 'p\u{10FFFF}', '\u{10FFFF}']) {
          expect(startingWith(prefix).length, prefix).toBeGreaterThan(0);
          expect(await keysOf(ctx, prefix), JSON.stringify(prefix)).toStrictEqual(startingWith(prefix));
          expect(await keysOf(ctx, prefix, { reverse: true }), JSON.stringify(prefix)).toStrictEqual(
            startingWith(prefix).reverse(),
          );
        }
      },
    );

    testCase('a prefix need not be a valid key (it may end in `.` or `/`)', async () => {
      await setAll(ctx, keys);
      expect(await keysOf(ctx, 'p/')).toStrictEqual(['p/1', 'p/2', 'p/2/x']);
      expect(await keysOf(ctx, 'p.')).toStrictEqual(['p.']);
      expect(await keysOf(ctx, '_')).toStrictEqual([]);
    });
  });

  describe('list startAfter and limit', () => {
    testCase('startAfter that is not itself a key, forward and reverse', async () => {
      await setAll(ctx, ['a', 'c', 'e', 'g']);
      expect(await keysOf(ctx, '', { startAfter: 'b' })).toStrictEqual(['c', 'e', 'g']);
      expect(await keysOf(ctx, '', { startAfter: 'd', reverse: true })).toStrictEqual(['c', 'a']);
      expect(await keysOf(ctx, '', { startAfter: 'c' })).toStrictEqual(['e', 'g']);
      expect(await keysOf(ctx, '', { startAfter: 'c', reverse: true })).toStrictEqual(['a']);
      expect(await keysOf(ctx, '', { startAfter: '0' })).toStrictEqual(['a', 'c', 'e', 'g']);
      expect(await keysOf(ctx, '', { startAfter: '0', reverse: true })).toStrictEqual([]);
      expect(await keysOf(ctx, '', { startAfter: 'z' })).toStrictEqual([]);
      expect(await keysOf(ctx, '', { startAfter: 'z', reverse: true })).toStrictEqual(['g', 'e', 'c', 'a']);
      expect(await keysOf(ctx, '', { startAfter: 'c0', limit: 1 })).toStrictEqual(['e']);
    });

    testCase('startAfter compares in byte order too (astral after U+FFFF)', async () => {
      await setAll(ctx, ['a\uE000', 'a\uFFFD', 'a\u{1F600}', 'b']);
      expect(await keysOf(ctx, 'a', { startAfter: 'a\uFFFF' })).toStrictEqual(['a\u{1F600}']);
      expect(await keysOf(ctx, 'a', { startAfter: 'a\uFFFF', reverse: true })).toStrictEqual([
        'a\uFFFD',
        'a\uE000',
      ]);
      expect(await keysOf(ctx, '', { startAfter: 'a\u{1F600}' })).toStrictEqual(['b']);
    });

    testCase('startAfter outside the prefix range does not widen it', async () => {
      await setAll(ctx, ['a', 'p/1', 'p/2', 'z']);
      expect(await keysOf(ctx, 'p/', { startAfter: 'a' })).toStrictEqual(['p/1', 'p/2']);
      expect(await keysOf(ctx, 'p/', { startAfter: 'z' })).toStrictEqual([]);
      expect(await keysOf(ctx, 'p/', { startAfter: 'z', reverse: true })).toStrictEqual(['p/2', 'p/1']);
      expect(await keysOf(ctx, 'p/', { startAfter: 'a', reverse: true })).toStrictEqual([]);
      expect(await keysOf(ctx, 'p/', { startAfter: 'p/', limit: 1 })).toStrictEqual(['p/1']);
    });

    testCase('limit 0 lists nothing; limit n lists the first n in the listing direction', async () => {
      await setAll(ctx, ['a', 'b', 'c']);
      expect(await ctx.backend.list('', { limit: 0 })).toStrictEqual([]);
      expect(await ctx.backend.list('', { limit: 0, reverse: true })).toStrictEqual([]);
      expect(await keysOf(ctx, '', { limit: 1 })).toStrictEqual(['a']);
      expect(await keysOf(ctx, '', { limit: 2, reverse: true })).toStrictEqual(['c', 'b']);
      expect(await keysOf(ctx, '', { limit: 3 })).toStrictEqual(['a', 'b', 'c']);
      expect(await keysOf(ctx, '', { limit: 1000 })).toStrictEqual(['a', 'b', 'c']);
      // Huge limits are integers too, and mean "all".
      expect(await keysOf(ctx, '', { limit: Number.MAX_SAFE_INTEGER })).toStrictEqual(['a', 'b', 'c']);
      expect(await keysOf(ctx, '', { limit: 2 ** 63, reverse: true })).toStrictEqual(['c', 'b', 'a']);
      expect(await keysOf(ctx, '', { limit: Number.MAX_VALUE, startAfter: 'a' })).toStrictEqual(['b', 'c']);
      expect(await keysOf(ctx, '', { startAfter: 'a', limit: 1, reverse: false })).toStrictEqual(['b']);
    });

    testCase('an invalid limit or startAfter is rejected with HOOKSPELL_INVALID_ARGUMENT', async () => {
      await ctx.backend.set('a', 1);
      for (const limit of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2' as unknown as number]) {
        await expectStorageError(() => ctx.backend.list('', { limit }), StorageErrorCode.INVALID_ARGUMENT, [
          /limit/,
        ]);
      }
      await expectStorageError(
        () => ctx.backend.list('', { startAfter: 5 as unknown as string }),
        StorageErrorCode.INVALID_ARGUMENT,
        [/startAfter/],
      );
      await expectStorageError(
        () => ctx.backend.list('', { reverse: 'yes' as unknown as boolean }),
        StorageErrorCode.INVALID_ARGUMENT,
        [/reverse/],
      );
    });

    testCase(
      'a startAfter no backend can order (lone surrogate, control character) is rejected',
      async () => {
        await ctx.backend.set('a', 1);
        for (const startAfter of ['a\uDFFF', 'a\u0000']) {
          await expectStorageError(() => ctx.backend.list('', { startAfter }), StorageErrorCode.INVALID_KEY, [
            /startAfter/,
          ]);
        }
      },
    );

    slowCase(
      ctx,
      'pages through 10 000 keys with startAfter + limit, forward and reverse, no gap or repeat',
      async () => {
        const tails = ['', '\u00E9', '\uE000', '\u{1F600}', '/x'];
        const keys: string[] = [];
        for (let i = 0; i < 10_000; i++) {
          keys.push(`page/${String((i * 7919) % 10_000).padStart(4, '0')}${tails[i % tails.length]}`);
        }
        const ops: BatchOp[] = shuffled(keys, 7).map((key) => ({ type: 'set', key, value: { key } }));
        ops.push(
          { type: 'set', key: 'page', value: { key: 'page' } },
          { type: 'set', key: 'page0', value: null },
        );
        ops.push({ type: 'set', key: 'page.', value: null }, { type: 'set', key: 'pagf', value: null });
        await ctx.backend.batch(ops);
        const expected = [...keys].sort(compareKeys);
        expect(new Set(expected).size).toBe(10_000);
        expect(await keysOf(ctx, 'page/')).toStrictEqual(expected);

        for (const reverse of [false, true]) {
          const limit = 137;
          const seen: string[] = [];
          let startAfter: string | undefined;
          for (let pages = 0; pages <= Math.ceil(10_000 / limit); pages++) {
            const page = await ctx.backend.list<{ key: string }>('page/', { startAfter, limit, reverse });
            expect(page.length).toBeLessThanOrEqual(limit);
            for (const entry of page) expect(entry.value.key).toBe(entry.key);
            seen.push(...page.map((entry) => entry.key));
            if (page.length < limit) break;
            startAfter = page[page.length - 1]!.key;
          }
          expect(seen).toStrictEqual(reverse ? [...expected].reverse() : expected);
        }
      },
    );
  });

  describe('clear', () => {
    const keys = [
      'o',
      'p',
      'p/1',
      'p/2/x',
      'p0',
      'pa',
      'p\u00E9',
      'p\u00E9x',
      'p\u00EA',
      'p\u{1F600}',
      'p\u{10FFFF}z',
      'q',
    ];

    testCase('clear(prefix) removes exactly the keys starting with prefix', async () => {
      await setAll(ctx, keys);
      await ctx.backend.clear('p/');
      expect(await keysOf(ctx, '')).toStrictEqual(keys.filter((k) => !k.startsWith('p/')).sort(compareKeys));
      await ctx.backend.clear('p\u00E9');
      expect(await keysOf(ctx, 'p\u00E9')).toStrictEqual([]);
      expect(await ctx.backend.get('p\u00EA')).toBe('p\u00EA');
      await ctx.backend.clear('p\u{10FFFF}');
      expect(await ctx.backend.has('p\u{10FFFF}z')).toBe(false);
      expect(await ctx.backend.has('q')).toBe(true);
      await ctx.backend.clear('p');
      expect(await keysOf(ctx, '')).toStrictEqual(['o', 'q']);
    });

    testCase('clear(prefix) of a prefix that matches nothing removes nothing', async () => {
      await setAll(ctx, keys);
      await ctx.backend.clear('nothing');
      await ctx.backend.clear('p/3');
      expect(await keysOf(ctx, '')).toStrictEqual([...keys].sort(compareKeys));
    });

    testCase('clear() and clear("") remove every key', async () => {
      await setAll(ctx, keys);
      await ctx.backend.clear();
      expect(await ctx.backend.list('')).toStrictEqual([]);
      await setAll(ctx, keys);
      await ctx.backend.clear('');
      expect(await ctx.backend.list('')).toStrictEqual([]);
      await ctx.backend.clear();
      await ctx.backend.set('after', true);
      expect(await ctx.backend.get('after')).toBe(true);
    });
  });
}
