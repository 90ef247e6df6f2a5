import { describe, expect } from 'vitest';
import { type JsonValue, StorageErrorCode } from '../index.js';
import { type ConformanceContext, expectStorageError, slowCase, testCase } from './context.js';

function nested(depth: number): JsonValue {
  let value: JsonValue = { leaf: true };
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { level: i, child: value };
  return value;
}

/** Values that must come back exactly as stored (same JSON text, so same object key order). */
export const ROUND_TRIP_VALUES: readonly (readonly [label: string, value: JsonValue])[] = [
  ['null', null],
  ['true', true],
  ['false', false],
  ['0', 0],
  ['1', 1],
  ['-1', -1],
  ['2^53 - 1 (Number.MAX_SAFE_INTEGER)', Number.MAX_SAFE_INTEGER],
  ['-(2^53 - 1)', Number.MIN_SAFE_INTEGER],
  ['2^53', 2 ** 53],
  ['0.1', 0.1],
  ['0.1 + 0.2', 0.1 + 0.2],
  ['-2.5', -2.5],
  ['1e308', 1e308],
  ['-1e308', -1e308],
  ['Number.MAX_VALUE', Number.MAX_VALUE],
  ['5e-324 (smallest subnormal)', 5e-324],
  ['-5e-324', -5e-324],
  ['Number.EPSILON', Number.EPSILON],
  ['1e21 (exponent form in JSON)', 1e21],
  ['1e-7', 1e-7],
  ['empty string', ''],
  ['ASCII string', 'hello, world'],
  ['non-ASCII BMP string', 'héllo wörld — 日本語 — ключ'],
  ['astral characters', '\u{1F600}\u{1D11E}\u{10000}\u{10FFFF}'],
  ['U+0000 inside a string', 'a\u0000b\u0000'],
  ['control characters', '\t\n\r\b\f\u0001\u001f\u007f\u0085'],
  ['JSON-special characters', '"quoted" \\ back / slash </script>'],
  ['U+2028 and U+2029', 'line\u2028paragraph\u2029'],
  ['BOM and noncharacters', '\uFEFF\uFFFE\uFFFF'],
  ['non-NFC string value (values are not normalised)', 'cafe\u0301'],
  ['lone surrogates in a string (allowed in values)', 'x\uD800y\uDFFFz'],
  ['empty array', []],
  ['empty object', {}],
  ['nested empty containers', [[], {}, [[]], { a: {} }]],
  ['array of every kind', [null, true, false, 0, -1.5, 'text', [], {}, [1, [2, [3]]], { k: 'v' }]],
  ['nested object', { a: { b: { c: { d: [1, { e: null, f: 'x' }] } } } }],
  ['object key order (not alphabetical)', { zebra: 1, apple: 2, mango: { y: 1, b: 2, a: [{ z: 0, a: 0 }] } }],
  [
    'object with unusual keys',
    {
      '': 1,
      ключ: 2,
      '\u{1F600}': 3,
      'a.b': 4,
      'with space': 5,
      'nul\u0000key': 6,
      constructor: 7,
      toString: 8,
    },
  ],
  ['nested 200 levels', nested(200)],
];

export function describeValueCases(ctx: ConformanceContext): void {
  describe('values', () => {
    for (const [label, value] of ROUND_TRIP_VALUES) {
      testCase(`round-trips ${label}`, async () => {
        await ctx.backend.set('value', value);
        const got = await ctx.backend.get('value');
        expect(got).toStrictEqual(value);
        // Same JSON text: also checks object key order and number formatting.
        expect(JSON.stringify(got)).toBe(JSON.stringify(value));
      });
    }

    testCase('list returns every kind of value exactly as get does', async () => {
      const ops = ROUND_TRIP_VALUES.map(([, value], i) => ({
        type: 'set' as const,
        key: `rt/${String(i).padStart(3, '0')}`,
        value,
      }));
      await ctx.backend.batch(ops);
      const listed = await ctx.backend.list('rt/');
      expect(listed.map((entry) => entry.key)).toStrictEqual(ops.map((op) => op.key));
      for (let i = 0; i < ops.length; i++) {
        expect(listed[i]!.value, ROUND_TRIP_VALUES[i]![0]).toStrictEqual(ops[i]!.value);
        expect(await ctx.backend.get(ops[i]!.key)).toStrictEqual(listed[i]!.value);
      }
    });

    testCase('-0 comes back as 0 (JSON has no negative zero)', async () => {
      await ctx.backend.set('zero', -0);
      const got = await ctx.backend.get('zero');
      expect(Object.is(got, 0)).toBe(true);
      await ctx.backend.set('zeros', { a: -0, b: [-0, 1] });
      const nestedZeros = (await ctx.backend.get<{ a: number; b: number[] }>('zeros'))!;
      expect(Object.is(nestedZeros.a, 0)).toBe(true);
      expect(Object.is(nestedZeros.b[0], 0)).toBe(true);
    });

    testCase('an own "__proto__" key round-trips as data and changes no prototype', async () => {
      const value = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as JsonValue;
      await ctx.backend.set('proto', value);
      const got = (await ctx.backend.get<Record<string, JsonValue>>('proto'))!;
      expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
      expect(Object.keys(got)).toStrictEqual(['__proto__', 'a']);
      expect(Object.getOwnPropertyDescriptor(got, '__proto__')?.value).toStrictEqual({ polluted: true });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    testCase('set replaces the previous value, whatever its kind', async () => {
      await ctx.backend.set('k', { a: [1, 2, 3] });
      await ctx.backend.set('k', 'now a string');
      expect(await ctx.backend.get('k')).toBe('now a string');
      await ctx.backend.set('k', null);
      expect(await ctx.backend.get('k')).toBeNull();
    });

    testCase('stored values are copies: changing the object after set changes nothing', async () => {
      const value = { list: [1, 2], inner: { text: 'before' } };
      await ctx.backend.set('copy', value);
      value.list.push(3);
      value.inner.text = 'after';
      (value as Record<string, unknown>).extra = true;
      expect(await ctx.backend.get('copy')).toStrictEqual({ list: [1, 2], inner: { text: 'before' } });
    });

    testCase('values returned by get and list are copies too', async () => {
      await ctx.backend.set('copy', { list: [1, 2] });
      const first = (await ctx.backend.get<{ list: number[] }>('copy'))!;
      first.list.push(99);
      const listed = await ctx.backend.list<{ list: number[] }>('copy');
      expect(listed[0]!.value).toStrictEqual({ list: [1, 2] });
      listed[0]!.value.list.push(100);
      expect(await ctx.backend.get('copy')).toStrictEqual({ list: [1, 2] });
    });

    testCase('batch values are copies: changing them after batch changes nothing', async () => {
      const value = { n: 1 };
      await ctx.backend.batch([{ type: 'set', key: 'b', value }]);
      value.n = 2;
      expect(await ctx.backend.get('b')).toStrictEqual({ n: 1 });
    });

    testCase('get of a missing key resolves undefined (not null)', async () => {
      expect(await ctx.backend.get('missing')).toBeUndefined();
      await ctx.backend.set('present', null);
      expect(await ctx.backend.get('present')).toBeNull();
      expect(await ctx.backend.get('presen')).toBeUndefined();
      expect(await ctx.backend.get('present/x')).toBeUndefined();
    });

    testCase('has is true for a stored null and false for a missing key', async () => {
      expect(await ctx.backend.has('k')).toBe(false);
      await ctx.backend.set('k', null);
      expect(await ctx.backend.has('k')).toBe(true);
      await ctx.backend.set('f', false);
      expect(await ctx.backend.has('f')).toBe(true);
      await ctx.backend.delete('k');
      expect(await ctx.backend.has('k')).toBe(false);
    });

    testCase('delete resolves true when the key existed and false otherwise', async () => {
      expect(await ctx.backend.delete('never')).toBe(false);
      await ctx.backend.set('k', 0);
      await ctx.backend.set('k2', 0);
      expect(await ctx.backend.delete('k')).toBe(true);
      expect(await ctx.backend.get('k')).toBeUndefined();
      expect(await ctx.backend.delete('k')).toBe(false);
      expect(await ctx.backend.get('k2')).toBe(0);
      await ctx.backend.set('n', null);
      expect(await ctx.backend.delete('n')).toBe(true);
    });

    describeBadValues(ctx);
    describeLargeValues(ctx);
  });
}

class Point {
  x = 1;
}

class List extends Array<number> {}

/** An Error whose every property read throws: what a hostile getter may throw. */
function hostileError(): Error {
  const error = new Error('hidden');
  for (const key of ['message', 'name', 'stack', 'toString']) {
    Object.defineProperty(error, key, {
      get() {
        throw new Error(`${key} getter`);
      },
    });
  }
  return error;
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function throwing(thrown: () => unknown): object {
  return {
    ok: 1,
    get bad(): never {
      throw thrown();
    },
  };
}

/**
 * Values JSON.stringify would store differently, or that would throw into the backend: each is
 * refused with HOOKSPELL_INVALID_VALUE naming the path (issue 14, item 10).
 */
function unreadableValues(): (readonly [
  label: string,
  value: unknown,
  mentions: readonly (string | RegExp)[],
])[] {
  const trapsThrow = new Proxy(
    {},
    {
      get: () => {
        throw new Error('get trap');
      },
      ownKeys: () => {
        throw new Error('ownKeys trap');
      },
      getPrototypeOf: () => {
        throw new Error('getPrototypeOf trap');
      },
      has: () => {
        throw new Error('has trap');
      },
    },
  );
  return [
    ['an array with a named property', Object.assign([1, 2], { extra: 'x' }), ['value.extra', /array/]],
    [
      'a named property of an array nested in an object',
      { rows: [{ match: Object.assign(['a'], { index: 0 }) }] },
      ['value.rows[0].match.index', /array/],
    ],
    ['a RegExp match (an array with index, input and groups)', /b/.exec('abc'), ['value.index', /array/]],
    ['an array with a symbol key', Object.assign([1], { [Symbol('k')]: 1 }), ['value', /symbol/]],
    ['an instance of an Array subclass', List.from([1, 2]), ['value', 'List']],
    ['a getter that throws', throwing(() => new Error('no way')), ['value.bad', /threw/, 'no way']],
    [
      'a getter in an array element that throws',
      [
        0,
        {
          get x(): never {
            throw new TypeError('x is private');
          },
        },
      ],
      ['value[1].x', /threw/, 'TypeError', 'x is private'],
    ],
    [
      'a getter that throws a null-prototype object',
      throwing(() => Object.create(null)),
      ['value.bad', /threw/],
    ],
    [
      'a getter that throws an Error whose message, name, stack and toString getters throw',
      throwing(hostileError),
      ['value.bad', /threw/],
    ],
    ['a getter that throws a revoked Proxy', throwing(revokedProxy), ['value.bad', /threw/]],
    ['a Proxy of a plain object', new Proxy({ a: 1 }, {}), ['value', /Proxy/]],
    ['a Proxy of an array', new Proxy([1, 2], {}), ['value', /Proxy/]],
    ['a Proxy whose traps throw', trapsThrow, ['value', /Proxy/]],
    ['a revoked Proxy', revokedProxy(), ['value', /Proxy/]],
    ['a revoked Proxy under a key', { ok: true, k: revokedProxy() }, ['value.k', /Proxy/]],
    ['a revoked Proxy in an array', [1, revokedProxy()], ['value[1]', /Proxy/]],
    [
      'a toJSON method that throws',
      {
        toJSON: () => {
          throw new Error('toJSON');
        },
      },
      ['value.toJSON', /function/],
    ],
  ];
}

function badValues(): (readonly [label: string, value: unknown, mentions: readonly (string | RegExp)[]])[] {
  const cyclic: { a: unknown[] } = { a: [] };
  cyclic.a.push(cyclic);
  // biome-ignore lint/suspicious/noSparseArray: the hole is the point of the case
  const sparse = [1, , 3];
  return [
    ['undefined', undefined, ['value', /undefined/]],
    ['a function', () => 1, ['value', /function/]],
    ['a BigInt', 10n, ['value', /BigInt/i]],
    ['NaN', Number.NaN, ['value', 'NaN']],
    ['Infinity', Number.POSITIVE_INFINITY, ['value', 'Infinity']],
    ['-Infinity', Number.NEGATIVE_INFINITY, ['value', '-Infinity']],
    ['a symbol', Symbol('s'), ['value', /symbol/]],
    ['a cycle', cyclic, ['value.a[0]', /circular/]],
    ['a Date', new Date(0), ['value', 'Date']],
    ['a Map', new Map([[1, 2]]), ['value', 'Map']],
    ['a Set', new Set([1]), ['value', 'Set']],
    ['a class instance', new Point(), ['value', 'Point']],
    ['a Uint8Array', new Uint8Array(2), ['value', 'Uint8Array']],
    ['a boxed number', Object(1), ['value', 'Number']],
    ['an object with a symbol key', { [Symbol('k')]: 1 }, ['value', /symbol/]],
    [
      'a Date nested in an array in an object',
      { items: [0, 1, 2, { at: new Date(0) }] },
      ['value.items[3].at'],
    ],
    ['a nested undefined property', { a: { b: undefined } }, ['value.a.b', /undefined/]],
    ['a hole in a sparse array', sparse, ['value[1]']],
    ['a nested method', [{ f() {} }], ['value[0].f', /function/]],
    ['NaN under a key that needs quoting', { 'a b': { c: Number.NaN } }, ['value["a b"].c']],
  ];
}

function describeBadValues(ctx: ConformanceContext): void {
  describe('bad values', () => {
    for (const [label, value, mentions] of [...badValues(), ...unreadableValues()]) {
      testCase(
        `set rejects ${label} with HOOKSPELL_INVALID_VALUE naming the path and writes nothing`,
        async () => {
          await expectStorageError(
            () => ctx.backend.set('bad', value as JsonValue),
            StorageErrorCode.INVALID_VALUE,
            mentions,
          );
          expect(await ctx.backend.has('bad')).toBe(false);
          await ctx.backend.set('kept', 'old');
          await expectStorageError(
            () => ctx.backend.set('kept', value as JsonValue),
            StorageErrorCode.INVALID_VALUE,
          );
          expect(await ctx.backend.get('kept')).toBe('old');
        },
      );
    }

    testCase('batch names the operation and the path of a bad value', async () => {
      await expectStorageError(
        () =>
          ctx.backend.batch([
            { type: 'set', key: 'ok', value: 1 },
            {
              type: 'set',
              key: 'bad',
              value: { items: [0, 1, 2, { at: new Date(0) }] } as unknown as JsonValue,
            },
          ]),
        StorageErrorCode.INVALID_VALUE,
        ['ops[1].value.items[3].at'],
      );
      expect(await ctx.backend.list('')).toStrictEqual([]);
    });

    testCase('batch refuses an array with a named property or a Proxy, naming the operation', async () => {
      await expectStorageError(
        () =>
          ctx.backend.batch([
            { type: 'set', key: 'ok', value: [1] },
            {
              type: 'set',
              key: 'bad',
              value: { list: Object.assign([1], { note: 'x' }) } as unknown as JsonValue,
            },
          ]),
        StorageErrorCode.INVALID_VALUE,
        ['ops[1].value.list.note'],
      );
      await expectStorageError(
        () =>
          ctx.backend.batch([{ type: 'set', key: 'bad', value: [revokedProxy()] as unknown as JsonValue }]),
        StorageErrorCode.INVALID_VALUE,
        ['ops[0].value[0]', /Proxy/],
      );
      expect(await ctx.backend.list('')).toStrictEqual([]);
    });

    testCase(
      'a value refused once can be stored after it is made plain; the backend keeps working',
      async () => {
        const list = Object.assign([1, 2], { extra: 'x' });
        await expectStorageError(
          () => ctx.backend.set('k', list as JsonValue),
          StorageErrorCode.INVALID_VALUE,
        );
        await ctx.backend.set('k', { items: [...list], extra: list.extra });
        expect(await ctx.backend.get('k')).toStrictEqual({ items: [1, 2], extra: 'x' });
      },
    );
  });
}

const MiB = 1024 * 1024;

function describeLargeValues(ctx: ConformanceContext): void {
  describe('large values', () => {
    slowCase(ctx, 'round-trips a 1 MiB ASCII string', async () => {
      const value = 'abcdefghijklmnop'.repeat(MiB / 16);
      expect(value.length).toBe(MiB);
      await ctx.backend.set('big', value);
      expect(await ctx.backend.get('big')).toBe(value);
      expect((await ctx.backend.list('big'))[0]!.value).toBe(value);
    });

    slowCase(ctx, 'round-trips a string of more than 1 MiB of multi-byte UTF-8', async () => {
      const value = 'é日\u{1F600}\u0000'.repeat(MiB / 8);
      expect(Buffer.byteLength(value)).toBeGreaterThan(MiB);
      await ctx.backend.set('big', value);
      expect(await ctx.backend.get('big')).toBe(value);
    });

    slowCase(ctx, 'round-trips a nested object of more than 1 MiB of JSON', async () => {
      const items: JsonValue[] = [];
      let size = 0;
      for (let i = 0; size < MiB; i++) {
        const item = {
          id: i,
          name: `item ${i} é`,
          ratio: i / 7,
          tags: ['a', 'b', String(i)],
          deep: { ok: i % 2 === 0, n: [null] },
        };
        size += JSON.stringify(item).length;
        items.push(item);
      }
      const value = { kind: 'big', items };
      expect(JSON.stringify(value).length).toBeGreaterThan(MiB);
      await ctx.backend.set('big', value);
      const got = await ctx.backend.get('big');
      expect(got).toStrictEqual(value);
      expect(JSON.stringify(got)).toBe(JSON.stringify(value));
      await ctx.backend.batch([{ type: 'set', key: 'big2', value }]);
      expect((await ctx.backend.list('big2'))[0]!.value).toStrictEqual(value);
    });
  });
}
