import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeJsonValue,
  encodeJsonValue,
  HookspellError,
  jsonValueProblem,
  StorageError,
  StorageErrorCode,
} from '../src/index.js';
import { ROUND_TRIP_VALUES } from '../src/testing/values.js';

function nest(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function thrown(fn: () => unknown): StorageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StorageError);
    return error as StorageError;
  }
  throw new Error('expected a throw');
}

describe('jsonValueProblem', () => {
  it('accepts every value of the round-trip table', () => {
    for (const [label, value] of ROUND_TRIP_VALUES) expect(jsonValueProblem(value), label).toBeUndefined();
  });

  it('accepts any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonValueProblem(value)).toBeUndefined();
      }),
    );
  });

  it('accepts objects with a null prototype', () => {
    const value = Object.assign(Object.create(null), { a: 1 });
    expect(jsonValueProblem(value)).toBeUndefined();
  });

  it('names the path and the problem of the first bad part', () => {
    class Point {}
    const cyclic: Record<string, unknown> = { list: [1] };
    (cyclic.list as unknown[]).push({ back: cyclic });
    const cases: [unknown, string][] = [
      [undefined, 'value is undefined; use null or leave the property out'],
      [() => 1, 'value is a function, which is not JSON'],
      [10n, 'value is a BigInt; convert it to a number or a string'],
      [Number.NaN, 'value is NaN, which JSON cannot represent'],
      [Number.POSITIVE_INFINITY, 'value is Infinity, which JSON cannot represent'],
      [Number.NEGATIVE_INFINITY, 'value is -Infinity, which JSON cannot represent'],
      [Symbol('s'), 'value is a symbol, which is not JSON'],
      [new Date(0), 'value is an instance of Date, not a plain object; convert it to plain data first'],
      [new Map(), 'value is an instance of Map, not a plain object; convert it to plain data first'],
      [new Point(), 'value is an instance of Point, not a plain object; convert it to plain data first'],
      [
        { items: [0, 1, 2, { at: new Date(0) }] },
        'value.items[3].at is an instance of Date, not a plain object; convert it to plain data first',
      ],
      [{ a: { b: undefined } }, 'value.a.b is undefined; use null or leave the property out'],
      [{ 'a b': [{ 'c-d': Number.NaN }] }, 'value["a b"][0]["c-d"] is NaN, which JSON cannot represent'],
      [{ $ok: { _x1: 1n } }, 'value.$ok._x1 is a BigInt; convert it to a number or a string'],
      [{ 1: { '': null, 2: () => 1 } }, 'value["1"]["2"] is a function, which is not JSON'],
      [cyclic, 'value.list[1].back is a circular reference'],
      [{ [Symbol('k')]: 1 }, 'value has symbol keys, which are not JSON'],
      // biome-ignore lint/suspicious/noSparseArray: the hole is the point of the case
      [[1, , 3], 'value[1] is undefined; use null or leave the property out'],
    ];
    for (const [value, message] of cases) expect(jsonValueProblem(value)).toBe(message);
    expect(jsonValueProblem({ a: undefined }, 'ops[2].value')).toBe(
      'ops[2].value.a is undefined; use null or leave the property out',
    );
  });

  it('refuses what JSON would drop or what would throw into storage, with the path (issue 14, item 10)', () => {
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const getter = {
      get secret(): never {
        throw new RangeError('not here');
      },
    };
    expect(jsonValueProblem(Object.assign([1], { extra: true }))).toBe(
      'value.extra is a named property of an array, which JSON drops (it keeps only the elements); store an object instead, e.g. { items: [...], name: value }',
    );
    expect(jsonValueProblem({ m: /b/.exec('abc') })).toMatch(
      /^value\.m\.index is a named property of an array/,
    );
    expect(jsonValueProblem(Object.assign([1], { 'not id': 1 }))).toMatch(/^value\["not id"\] is a named/);
    expect(jsonValueProblem(Object.assign([], { [Symbol('s')]: 1 }))).toBe(
      'value has symbol keys, which are not JSON',
    );
    class Row extends Array {}
    expect(jsonValueProblem({ rows: new Row() })).toBe(
      'value.rows is an instance of Row, not a plain array; convert it first (Array.from(value))',
    );
    expect(jsonValueProblem({ a: [getter] })).toBe(
      "value.a[0].secret could not be read: its getter threw RangeError: not here. Store plain data (copy the value's fields into a new object first)",
    );
    for (const proxy of [new Proxy({}, {}), new Proxy([], {}), revoked]) {
      expect(jsonValueProblem({ p: [proxy] })).toMatch(
        /^value\.p\[0\] is a Proxy, which storage does not read/,
      );
    }
    // What a getter throws is described without trusting it.
    const hostile = Object.create(null);
    const poisoned = new Error('x');
    Object.defineProperty(poisoned, 'message', {
      get() {
        throw new Error('again');
      },
    });
    for (const [thrown, words] of [
      [hostile, 'an object'],
      [poisoned, 'an instance of Error'],
      [revoked, 'a Proxy'],
      [Symbol('s'), 'a symbol'],
      [12n, 'a bigint'],
      ['text', '"text"'],
    ] as const) {
      const value = {
        get bad(): never {
          throw thrown;
        },
      };
      expect(jsonValueProblem(value)).toBe(
        `value.bad could not be read: its getter threw ${words}. Store plain data (copy the value's fields into a new object first)`,
      );
    }
  });

  it('never throws, and refuses every value with a hostile part (property)', () => {
    const hostile = fc.constantFrom(
      () => Object.assign([1], { named: 1 }),
      () => new Proxy({ a: 1 }, {}),
      () => {
        const { proxy, revoke } = Proxy.revocable([], {});
        revoke();
        return proxy;
      },
      () => ({
        get x(): never {
          throw Object.create(null);
        },
      }),
      () =>
        new Proxy(
          {},
          {
            ownKeys: () => {
              throw new Error('trap');
            },
          },
        ),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.string(), tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, hostile, fc.nat(), (plain, make, where) => {
        // Put the hostile part somewhere in a JSON tree: under a key or in an array.
        const bad = make();
        const value = where % 2 === 0 ? { plain, bad } : [plain, [bad]];
        let problem: string | undefined;
        expect(() => {
          problem = jsonValueProblem(value);
        }).not.toThrow();
        expect(problem).toMatch(where % 2 === 0 ? /^value\.bad/ : /^value\[1\]\[0\]/);
        expect(() => encodeJsonValue('b', value as never, 1e9)).toThrow(
          expect.objectContaining({ code: StorageErrorCode.INVALID_VALUE }),
        );
      }),
    );
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(jsonValueProblem({ a: shared, b: shared, c: [shared, shared] })).toBeUndefined();
  });

  it('limits nesting to 512 levels', () => {
    expect(jsonValueProblem(nest(512))).toBeUndefined();
    expect(jsonValueProblem(nest(513))).toMatch(/nested deeper than 512 levels/);
    expect(jsonValueProblem(nest(100_000))).toMatch(/nested deeper than 512 levels/);
  });
});

describe('encodeJsonValue', () => {
  it('encodes to JSON text', () => {
    expect(encodeJsonValue('b', { a: [1, 'x', null] }, 1000)).toBe('{"a":[1,"x",null]}');
    expect(encodeJsonValue('b', -0, 1000)).toBe('0');
    expect(encodeJsonValue('b', 'x\uD800', 1000)).toBe('"x\\ud800"');
  });

  it('throws HOOKSPELL_INVALID_VALUE naming the path', () => {
    const error = thrown(() => encodeJsonValue('mine', { items: [0, 1, 2, { at: new Date(0) }] }, 1000));
    expect(error.code).toBe(StorageErrorCode.INVALID_VALUE);
    expect(error.backend).toBe('mine');
    expect(error.message).toBe(
      '[hookspell] [mine] Cannot store this value: value.items[3].at is an instance of Date, not a plain object; convert it to plain data first.',
    );
  });

  it('counts UTF-8 bytes against the limit, exactly at the boundary', () => {
    expect(encodeJsonValue('b', 'abc', 5)).toBe('"abc"');
    expect(thrown(() => encodeJsonValue('b', 'abcd', 5)).code).toBe(StorageErrorCode.VALUE_TOO_LARGE);
    // 'é' is 2 bytes, '😀' is 4: "é😀" is 8 bytes with its quotes.
    expect(encodeJsonValue('b', 'é\u{1F600}', 8)).toBe('"é\u{1F600}"');
    const error = thrown(() => encodeJsonValue('b', 'é\u{1F600}', 7, 'ops[3].value'));
    expect(error.code).toBe(StorageErrorCode.VALUE_TOO_LARGE);
    expect(error.message).toContain('Cannot store ops[3].value: its JSON form is 8 bytes, over this backend');
    expect(error.message).toContain('limit of 7 bytes');
    expect(error.message).toContain('maxValueBytes');
  });

  it('a getter that throws only on its second read (while encoding) still ends in HOOKSPELL_INVALID_VALUE', () => {
    let reads = 0;
    const value = {
      get flaky(): number {
        if (++reads > 1) throw new Error('second read');
        return 1;
      },
    };
    const error = thrown(() => encodeJsonValue('b', value, 1000, 'ops[0].value'));
    expect(error.code).toBe(StorageErrorCode.INVALID_VALUE);
    expect(error.message).toContain(
      'ops[0].value changed while it was being stored (a getter threw Error: second read on its second read)',
    );
    expect(reads).toBe(2);
  });

  it('checks the value before its size', () => {
    expect(thrown(() => encodeJsonValue('b', { big: 'x'.repeat(100), bad: Number.NaN }, 10)).code).toBe(
      StorageErrorCode.INVALID_VALUE,
    );
  });
});

describe('decodeJsonValue', () => {
  it('inverts encodeJsonValue for any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const decoded = decodeJsonValue('b', 'k', encodeJsonValue('b', value, Number.POSITIVE_INFINITY));
        expect(decoded).toStrictEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('throws HOOKSPELL_STORAGE_CORRUPT with the key and the parse error as cause', () => {
    const error = thrown(() => decodeJsonValue('disk', 'a/b', '{"truncated":'));
    expect(HookspellError.hasCode(error, StorageErrorCode.CORRUPT)).toBe(true);
    expect(error.message).toContain('"a/b"');
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});
