import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WrapCache } from '../src/wrap-cache.js';
import { FakeClock } from './helpers.js';

type Op =
  | { op: 'set'; key: string; ttl: number }
  | { op: 'get'; key: string }
  | { op: 'advance'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('set' as const),
    key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    ttl: fc.integer({ min: -5, max: 50 }),
  }),
  fc.record({ op: fc.constant('get' as const), key: fc.constantFrom('a', 'b', 'c', 'd', 'e') }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 30 }) }),
);

describe('WrapCache (wrap()’s default store for cache directives)', () => {
  it('behaves as a least-recently-used list of `max` entries with per-entry expiry', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 60 }), (max, ops) => {
        const clock = new FakeClock(0);
        const cache = new WrapCache(max, clock);
        // The model: most recently used last.
        let model: { key: string; value: number; expiresAt: number }[] = [];
        let n = 0;
        for (const o of ops) {
          if (o.op === 'advance') clock.advance(o.ms);
          else if (o.op === 'set') {
            const value = ++n;
            cache.set(o.key, { value }, o.ttl);
            model = model.filter((e) => e.key !== o.key);
            model.push({ key: o.key, value, expiresAt: o.ttl > 0 ? clock.now() + o.ttl : Infinity });
            if (model.length > max) model.shift();
          } else {
            const hit = model.find((e) => e.key === o.key);
            model = model.filter((e) => e.key !== o.key);
            const live = hit !== undefined && hit.expiresAt > clock.now();
            if (live) model.push(hit);
            expect(cache.get(o.key)).toEqual(live ? { value: hit.value } : undefined);
          }
          expect(cache.size).toBe(model.length);
        }
      }),
    );
  });
});
