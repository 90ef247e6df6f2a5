import { describe, expect, it } from 'vitest';
import { HookResult, RESULT_RANK } from '../src/index.js';

describe('HookResult', () => {
  it('builds the 9 variants', () => {
    expect(HookResult.continue()).toEqual({ type: 'continue' });
    expect(HookResult.continue()).toBe(HookResult.continue());
    expect(HookResult.modified({ a: 1 })).toEqual({ type: 'modified', data: { a: 1 } });
    expect(HookResult.cancel('no')).toEqual({ type: 'cancel', reason: 'no' });
    expect(HookResult.redirect('t')).toEqual({ type: 'redirect', target: 't' });
    expect(HookResult.replace(undefined)).toEqual({ type: 'replace', value: undefined });
    expect(HookResult.retry()).toEqual({ type: 'retry', delayMs: 1000, maxAttempts: 3 });
    expect(HookResult.retry(5, 2)).toEqual({ type: 'retry', delayMs: 5, maxAttempts: 2 });
    expect(HookResult.fork([{ id: '1', type: 'x' }])).toEqual({
      type: 'fork',
      operations: [{ id: '1', type: 'x' }],
    });
    expect(HookResult.cache('k', 10)).toEqual({ type: 'cache', key: 'k', ttlMs: 10 });
    expect(HookResult.skipped('why')).toEqual({ type: 'skipped', reason: 'why' });
  });

  it('checks shapes', () => {
    expect(HookResult.is(HookResult.cancel('x'))).toBe(true);
    expect(HookResult.is({ type: 'cancel' })).toBe(false);
    expect(HookResult.is({ type: 'nope' })).toBe(false);
    expect(HookResult.is('continue')).toBe(false);
    expect(HookResult.is({ type: 'retry', delayMs: 1, maxAttempts: 0 })).toBe(false);
  });

  it('ranks results from most to least restrictive', () => {
    const order = [
      'cancel',
      'replace',
      'redirect',
      'retry',
      'cache',
      'fork',
      'modified',
      'continue',
      'skipped',
    ] as const;
    for (let i = 1; i < order.length; i++)
      expect(RESULT_RANK[order[i - 1]!]).toBeGreaterThan(RESULT_RANK[order[i]!]);
  });
});
