import { HookResult } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { compareResults } from '../src/index.js';

describe('compareResults()', () => {
  it('identical values: similarity 1, no differences', () => {
    expect(
      compareResults(HookResult.modified({ a: [1, { b: 2 }] }), HookResult.modified({ a: [1, { b: 2 }] })),
    ).toEqual({
      identical: true,
      similarity: 1,
      differences: [],
    });
    expect(compareResults(undefined, undefined).similarity).toBe(1);
  });

  it('reports each differing leaf with its path; similarity is the share of equal leaves', () => {
    const c = compareResults(
      { type: 'modified', data: { total: 3, items: 2 } },
      { type: 'modified', data: { total: 4, items: 2 } },
    );
    expect(c.identical).toBe(false);
    expect(c.similarity).toBeCloseTo(2 / 3);
    expect(c.differences).toEqual([{ path: 'data.total', original: 3, replayed: 4 }]);
    const types = compareResults(HookResult.continue(), HookResult.cancel('no'));
    expect(types.differences).toEqual([
      { path: 'type', original: 'continue', replayed: 'cancel' },
      { path: 'reason', original: undefined, replayed: 'no' },
    ]);
    expect(types.similarity).toBe(0);
    expect(compareResults({ list: [1, 2, 3] }, { list: [1, 2] }).differences).toEqual([
      { path: 'list[2]', original: 3, replayed: undefined },
    ]);
  });

  it('ignores timestamps and durations (and the *_at stamps), unless told otherwise', () => {
    const a = {
      status: 'ok',
      startedAt: 1,
      durationMs: 5,
      result: { data: { logged_at: 'x', timestamp: 1, v: 1 } },
    };
    const b = {
      status: 'ok',
      startedAt: 2,
      durationMs: 9,
      result: { data: { logged_at: 'y', timestamp: 2, v: 1 } },
    };
    expect(compareResults(a, b).identical).toBe(true);
    expect(
      compareResults(a, b, { ignoreKeys: [], ignoreSuffixes: [] }).differences.map((d) => d.path),
    ).toEqual(['startedAt', 'durationMs', 'result.data.logged_at', 'result.data.timestamp']);
  });
});
