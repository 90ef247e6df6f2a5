import { describe, expect, it } from 'vitest';
import {
  HOOK_POINTS,
  HookError,
  HookRegistry,
  isBuiltinHookPoint,
  isHookPoint,
  nearestName,
  suggestHookPoint,
} from '../src/index.js';

describe('hook points', () => {
  it('has the 43 built-in names, unique, PascalCase', () => {
    expect(HOOK_POINTS).toHaveLength(43);
    expect(new Set(HOOK_POINTS).size).toBe(43);
    for (const p of HOOK_POINTS) expect(p).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(HOOK_POINTS).toContain('BeforeToolExecution');
    expect(HOOK_POINTS).toContain('CpuUsageHigh');
    expect(Object.isFrozen(HOOK_POINTS)).toBe(true);
  });

  it('accepts custom:<name> and nothing else', () => {
    expect(isHookPoint('custom:agent_paused')).toBe(true);
    expect(isHookPoint('custom:')).toBe(false);
    expect(isHookPoint('agent_paused')).toBe(false);
    expect(isHookPoint(42)).toBe(false);
    expect(isBuiltinHookPoint('custom:x')).toBe(false);
    expect(isBuiltinHookPoint('SessionSave')).toBe(true);
  });

  it('suggests the nearest built-in name by edit distance', () => {
    expect(suggestHookPoint('BeforeToolExecutoin')).toBe('BeforeToolExecution');
    expect(suggestHookPoint('beforetoolexecution')).toBe('BeforeToolExecution');
    expect(suggestHookPoint('SesionStart')).toBe('SessionStart');
    expect(suggestHookPoint('zzzzzzzzzzzzzzzzzzzzzzzz')).toBeUndefined();
  });

  it('an unknown point throws HOOKSPELL_UNKNOWN_HOOK_POINT naming the suggestion', () => {
    const registry = new HookRegistry();
    let caught: unknown;
    try {
      registry.register('BeforeToolExecutoin' as never, () => {});
    } catch (e) {
      caught = e;
    }
    expect(HookError.isInstance(caught)).toBe(true);
    expect((caught as HookError).code).toBe('HOOKSPELL_UNKNOWN_HOOK_POINT');
    expect((caught as HookError).message).toContain("Did you mean 'BeforeToolExecution'?");
    expect((caught as HookError).message).toMatch(/^\[hookspell\] \[hooks\]/);
    expect(() => registry.register('nonsense' as never, () => {})).toThrow(/custom:<name>/);
    expect(registry.list()).toHaveLength(0);
  });

  it('nearestName suggests only names close enough to be a typo, case-insensitively', () => {
    expect(nearestName('prority', ['priority', 'point'])).toBe('priority');
    expect(nearestName('RATELIMIT', new Set(['rateLimit', 'retry']))).toBe('rateLimit');
    expect(nearestName('zzzzzz', ['priority', 'point'])).toBeUndefined();
    expect(nearestName('x', [])).toBeUndefined();
  });
});
