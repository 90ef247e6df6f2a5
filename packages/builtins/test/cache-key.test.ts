import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, stableHash } from '../src/index.js';

describe('canonicalJson / stableHash', () => {
  it('ignores key order at every depth', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
    expect(stableHash({ b: 1, a: { y: 1, x: 2 } })).toBe(stableHash({ a: { x: 2, y: 1 }, b: 1 }));
    expect(stableHash({ a: 1 })).toMatch(/^[0-9a-f]{32}$/);
  });

  it('property: any object and any shuffle of its keys give the same hash', () => {
    fc.assert(
      fc.property(fc.object(), fc.integer(), (value, seed) => {
        const shuffled = shuffle(value, seed);
        return stableHash(value) === stableHash(shuffled);
      }),
    );
  });

  it('different data, different keys; array order matters', () => {
    expect(stableHash({ a: [1, 2] })).not.toBe(stableHash({ a: [2, 1] }));
    expect(stableHash({ a: 1 })).not.toBe(stableHash({ a: '1' }));
  });

  it('handles Date, Map, Set, BigInt, undefined, cycles', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(canonicalJson({ d: new Date(0), u: undefined, f: () => 1, n: 10n })).toBe(
      '{"d":"1970-01-01T00:00:00.000Z","n":"10n"}',
    );
    expect(
      canonicalJson(
        new Map([
          ['b', 1],
          ['a', 2],
        ]),
      ),
    ).toBe(
      canonicalJson(
        new Map([
          ['a', 2],
          ['b', 1],
        ]),
      ),
    );
    expect(canonicalJson(new Set([2, 1]))).toBe(canonicalJson(new Set([1, 2])));
    expect(canonicalJson(cyclic)).toBe('{"a":1,"self":"[Circular]"}');
    expect(canonicalJson([undefined, Number.NaN])).toBe('[null,null]');
    expect(canonicalJson(JSON.parse('{"__proto__":{"b":1},"a":2}'))).toBe('{"__proto__":{"b":1},"a":2}');
  });
});

function shuffle(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffle(v, seed));
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  const order = keys.map((k, i) => [k, (i * 7919 + seed) % 101] as const).sort((x, y) => x[1] - y[1]);
  const out: Record<string, unknown> = {};
  // defineProperty: a plain assignment to '__proto__' would set the prototype, not a key
  for (const [k] of order) {
    Object.defineProperty(out, k, {
      value: shuffle((value as Record<string, unknown>)[k], seed),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
