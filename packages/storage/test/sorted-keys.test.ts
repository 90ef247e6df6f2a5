import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys, type DriverListOptions, SortedKeys } from '../src/index.js';

/** The obvious model: a sorted array scanned from one end. */
class NaiveSortedKeys {
  keys: string[] = [];
  add(key: string): boolean {
    if (this.keys.includes(key)) return false;
    this.keys = [...this.keys, key].sort(compareKeys);
    return true;
  }
  remove(key: string): boolean {
    if (!this.keys.includes(key)) return false;
    this.keys = this.keys.filter((k) => k !== key);
    return true;
  }
  clear(): void {
    this.keys = [];
  }
  range(prefix: string, { startAfter, limit, reverse }: DriverListOptions): string[] {
    let keys = this.keys.filter((key) => key.startsWith(prefix));
    if (reverse) keys = keys.reverse();
    if (startAfter !== undefined) {
      keys = keys.filter((key) =>
        reverse ? compareKeys(key, startAfter) < 0 : compareKeys(key, startAfter) > 0,
      );
    }
    return keys.slice(0, limit);
  }
}

// A small alphabet so that keys collide, share prefixes and cross the UTF-8 ordering edges.
const unit = fc.constantFrom(
  'a',
  'b',
  '/',
  '\u00e9',
  '\ud7ff',
  '\ue000',
  '\uffff',
  '\u{10000}',
  '\u{1f600}',
  '\u{10ffff}',
);
const key = fc.string({ unit, minLength: 1, maxLength: 4 });
const prefix = fc.string({ unit, maxLength: 3 });
// startAfter is either any string or (`{ pick }`) one of the keys present at that moment.
const options = fc.record({
  startAfter: fc.option(
    fc.oneof(
      fc.string({ unit, maxLength: 4 }),
      fc.nat().map((pick) => ({ pick })),
    ),
    {
      nil: undefined,
    },
  ),
  limit: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.nat(6)),
  reverse: fc.boolean(),
});

type Op =
  | { type: 'add'; key: string }
  | { type: 'remove'; key: string }
  | { type: 'clear' }
  | {
      type: 'range';
      prefix: string;
      options: Omit<DriverListOptions, 'startAfter'> & { startAfter?: string | { pick: number } };
    };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: key.map((k) => ({ type: 'add' as const, key: k })) },
  { weight: 2, arbitrary: key.map((k) => ({ type: 'remove' as const, key: k })) },
  { weight: 1, arbitrary: fc.constant({ type: 'clear' as const }) },
  {
    weight: 4,
    arbitrary: fc.tuple(prefix, options).map(([p, o]) => ({ type: 'range' as const, prefix: p, options: o })),
  },
);

describe('SortedKeys', () => {
  it('behaves like a naive sorted array (model test)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const real = new SortedKeys();
        const model = new NaiveSortedKeys();
        for (const o of ops) {
          switch (o.type) {
            case 'add':
              expect(real.add(o.key)).toBe(model.add(o.key));
              break;
            case 'remove':
              expect(real.remove(o.key)).toBe(model.remove(o.key));
              break;
            case 'clear':
              real.clear();
              model.clear();
              break;
            case 'range': {
              const { startAfter } = o.options;
              const resolved: DriverListOptions = {
                ...o.options,
                startAfter:
                  typeof startAfter === 'object'
                    ? model.keys[startAfter.pick % (model.keys.length || 1)]
                    : startAfter,
              };
              expect(real.range(o.prefix, resolved)).toStrictEqual(model.range(o.prefix, resolved));
              break;
            }
          }
          expect(real.size).toBe(model.keys.length);
        }
        expect(real.range('', { limit: Number.POSITIVE_INFINITY, reverse: false })).toStrictEqual(model.keys);
      }),
      { numRuns: 1000 },
    );
  });

  it('lists a prefix ending in U+10FFFF and a prefix of only U+10FFFF', () => {
    const keys = new SortedKeys();
    for (const k of ['a', 'a\u{10FFFF}', 'a\u{10FFFF}x', 'b', '\u{10FFFF}', '\u{10FFFF}\u{10FFFF}'])
      keys.add(k);
    const all = { limit: Number.POSITIVE_INFINITY, reverse: false };
    expect(keys.range('a\u{10FFFF}', all)).toStrictEqual(['a\u{10FFFF}', 'a\u{10FFFF}x']);
    expect(keys.range('\u{10FFFF}', all)).toStrictEqual(['\u{10FFFF}', '\u{10FFFF}\u{10FFFF}']);
    expect(keys.range('\u{10FFFF}', { ...all, reverse: true, limit: 1 })).toStrictEqual([
      '\u{10FFFF}\u{10FFFF}',
    ]);
  });

  it('adds and removes 10 000 keys in random order and keeps them sorted', () => {
    const keys = new SortedKeys();
    const all = Array.from({ length: 10_000 }, (_, i) => `k/${(i * 7919) % 10_000}\u{1F600}`);
    for (const k of all) expect(keys.add(k)).toBe(true);
    expect(keys.add(all[0]!)).toBe(false);
    const listed = keys.range('k/', { limit: Number.POSITIVE_INFINITY, reverse: false });
    expect(listed).toStrictEqual([...all].sort(compareKeys));
    for (const k of all.filter((_, i) => i % 2 === 0)) expect(keys.remove(k)).toBe(true);
    expect(keys.size).toBe(5000);
    expect(keys.remove(all[0]!)).toBe(false);
  });
});
