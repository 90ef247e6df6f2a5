import { HookResult } from '@hookspell/hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { toHookResult } from '../src/index.js';
import { type World, world } from './helpers.js';

let w: World | undefined;
afterEach(async () => {
  await w?.runtime.dispose();
  w = undefined;
});

describe('toHookResult', () => {
  it('maps nothing and "continue" to continue', () => {
    expect(toHookResult(undefined)).toEqual(HookResult.continue());
    expect(toHookResult(null)).toEqual(HookResult.continue());
    expect(toHookResult('continue')).toEqual(HookResult.continue());
  });

  it('reads snake_case and camelCase fields with the documented defaults', () => {
    expect(toHookResult({ type: 'retry' })).toEqual(HookResult.retry(1000, 3));
    expect(toHookResult({ type: 'retry', delay_ms: 5, max_attempts: 2 })).toEqual(HookResult.retry(5, 2));
    expect(toHookResult({ type: 'retry', delayMs: 5, maxAttempts: 2 })).toEqual(HookResult.retry(5, 2));
    expect(toHookResult({ type: 'cache', key: 'k', ttl_ms: 10 })).toEqual(HookResult.cache('k', 10));
    expect(toHookResult({ type: 'cache', key: 'k', ttl: 2 })).toEqual(HookResult.cache('k', 2000));
  });

  it('names the bad field', () => {
    expect(() => toHookResult({ type: 'nope' })).toThrow(/result\.type is "nope"/);
    expect(() => toHookResult({ type: 'redirect' })).toThrow(/result\.target must be a string/);
    expect(() => toHookResult({ type: 'modified', data: [1] })).toThrow(/result\.data/);
    expect(() => toHookResult('cancel')).toThrow(/the string "cancel"/);
    expect(() => toHookResult(42)).toThrow(/result is 42/);
  });
});

const LUA_RESULTS: Array<[string, unknown]> = [
  ['nil', HookResult.continue()],
  ['"continue"', HookResult.continue()],
  ['{ type = "modified", data = { x = 1 } }', HookResult.modified({ x: 1 })],
  ['{ type = "cancel", reason = "no" }', HookResult.cancel('no')],
  ['{ type = "redirect", target = "sandbox" }', HookResult.redirect('sandbox')],
  ['{ type = "replace", value = { ok = true } }', HookResult.replace({ ok: true })],
  ['{ type = "retry", delay_ms = 10, max_attempts = 5 }', HookResult.retry(10, 5)],
  [
    '{ type = "fork", operations = { { id = "a", type = "t", parameters = { p = 1 } } } }',
    HookResult.fork([{ id: 'a', type: 't', parameters: { p: 1 } }]),
  ],
  ['{ type = "cache", key = "k", ttl_ms = 500 }', HookResult.cache('k', 500)],
  ['{ type = "skipped", reason = "not mine" }', HookResult.skipped('not mine')],
];

const JS_RESULTS: Array<[string, unknown]> = [
  ['undefined', HookResult.continue()],
  ['"continue"', HookResult.continue()],
  ['({ type: "modified", data: { x: 1 } })', HookResult.modified({ x: 1 })],
  ['({ type: "cancel", reason: "no" })', HookResult.cancel('no')],
  ['({ type: "redirect", target: "sandbox" })', HookResult.redirect('sandbox')],
  ['({ type: "replace", value: { ok: true } })', HookResult.replace({ ok: true })],
  ['({ type: "retry", delayMs: 10, maxAttempts: 5 })', HookResult.retry(10, 5)],
  [
    '({ type: "fork", operations: [{ id: "a", type: "t", parameters: { p: 1 } }] })',
    HookResult.fork([{ id: 'a', type: 't', parameters: { p: 1 } }]),
  ],
  ['({ type: "cache", key: "k", ttlMs: 500 })', HookResult.cache('k', 500)],
  ['({ type: "skipped", reason: "not mine" })', HookResult.skipped('not mine')],
];

describe('every result a script returns is honoured like a TypeScript hook', () => {
  it.each(LUA_RESULTS)('Lua returns %s', async (expr, expected) => {
    w = world();
    await w.script(`Hook.register('custom:r', function(ctx) return ${expr} end)`, { name: 'r.lua' });
    const out = await w.fire('custom:r', { data: { a: 1 } });
    expect(out.records[0]!.status).toBe('ok');
    expect(out.records[0]!.result).toEqual(expected);
    const type = (expected as HookResult).type;
    if (type === 'modified') expect(out.data).toEqual({ a: 1, x: 1 });
    else if (type !== 'continue' && type !== 'skipped') expect(out.decision).toEqual(expected);
  });

  it.each(JS_RESULTS)('JavaScript returns %s (sync and async)', async (expr, expected) => {
    w = world();
    await w.script(
      `Hook.register('custom:r', (ctx) => ${expr}); Hook.register('custom:s', async (ctx) => { await null; return ${expr}; });`,
      { name: 'r.js' },
    );
    for (const point of ['custom:r', 'custom:s'] as const) {
      const out = await w.fire(point, { data: { a: 1 } });
      expect(out.records[0]!.status).toBe('ok');
      expect(out.records[0]!.result).toEqual(expected);
    }
  });

  it('a cancel stops the chain and later hooks are skipped, as for a native hook', async () => {
    w = world();
    await w.script(
      `Hook.register('custom:c', function() return { type = 'cancel', reason = 'stop' } end, 'high')`,
      {
        name: 'c.lua',
      },
    );
    let ran = false;
    w.registry.register('custom:c', () => {
      ran = true;
    });
    const out = await w.fire('custom:c');
    expect(out.decision).toEqual(HookResult.cancel('stop'));
    expect(out.records.map((r) => r.status)).toEqual(['ok', 'skipped']);
    expect(ran).toBe(false);
  });

  it('an invalid result is an error record naming the field and the script', async () => {
    w = world();
    await w.script(`Hook.register('custom:x', function() return { type = 'retry', max_attempts = 0 } end)`, {
      name: 'bad.lua',
    });
    const out = await w.fire('custom:x');
    expect(out.records[0]!.status).toBe('error');
    expect(String(out.records[0]!.error)).toMatch(/\[bad\.lua\] result\.max_attempts must be an integer/);
  });
});
