import { describe, expect, it } from 'vitest';
import { HookExecutor, type HookObject, HookRegistry } from '../src/index.js';

// A hook object may carry its own `timeoutMs` (a remote hook carries the deadline it was made
// with): used when the registration gives none, and governed by the executor like any timeout.
const hangs = (timeoutMs?: number): HookObject => ({
  ...(timeoutMs !== undefined && { timeoutMs }),
  execute: (_ctx, signal) =>
    new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined))),
});

describe("a hook object's timeoutMs", () => {
  it('is the hook timeout when the registration gives none', async () => {
    const registry = new HookRegistry();
    registry.register('custom:t', hangs(60), { name: 'own' });
    expect(registry.list()[0]!.timeoutMs).toBe(60);
    // The executor's default (10 s) would be far longer: the record says the object's 60 ms applied.
    const outcome = await new HookExecutor(registry, { defaultTimeoutMs: 10_000 }).fire('custom:t', {});
    expect(outcome.records[0]!.status).toBe('timeout');
    expect(outcome.records[0]!.durationMs).toBeLessThan(5_000);
  });

  it('loses to a timeoutMs given at registration', () => {
    const registry = new HookRegistry();
    registry.register('custom:t', hangs(60), { name: 'registered', timeoutMs: 500 });
    expect(registry.list()[0]!.timeoutMs).toBe(500);
  });

  it('must be a number > 0, checked at registration', () => {
    const registry = new HookRegistry();
    expect(() => registry.register('custom:t', hangs(0))).toThrow(/`timeoutMs` must be a number > 0; got 0/);
    expect(() => registry.register('custom:t', hangs(-1))).toThrow(/`timeoutMs` must be a number > 0/);
    expect(registry.list()).toEqual([]);
  });
});
