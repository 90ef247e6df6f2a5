import { afterEach, describe, expect, it } from 'vitest';
import { BridgeValueError } from '../src/index.js';
import { type World, world } from './helpers.js';

let w: World;
afterEach(async () => {
  await w.runtime.dispose(); // QuickJS's leak check runs here: a leaked handle would throw
});

async function fromJs(expr: string): Promise<{ value?: unknown; error?: any }> {
  w = world();
  await w.script(`Hook.register('custom:v', (ctx) => ({ type: 'replace', value: ${expr} }))`, {
    name: 'v.js',
  });
  const out = await w.fire('custom:v');
  const r = out.records[0]!;
  return r.status === 'ok' ? { value: (out.decision as { value: unknown }).value } : { error: r.error };
}

describe('QuickJS → host values', () => {
  it('carries JSON-like data', async () => {
    expect((await fromJs('{ a: [1, 2.5, "x", null, true], b: {}, c: [] }')).value).toEqual({
      a: [1, 2.5, 'x', null, true],
      b: {},
      c: [],
    });
  });

  it('rejects NaN, Infinity, functions, symbols, bigints, cycles and depth > 100 with the path', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['{ x: NaN }', 'result.value.x', /NaN/],
      ['{ items: [1, 2, 3, Infinity] }', 'result.value.items[3]', /Infinity/],
      ['{ f() {} }', 'result.value.f', /function/],
      ['{ s: Symbol("x") }', 'result.value.s', /symbol/],
      ['{ n: 10n }', 'result.value.n', /bigint/],
      ['(() => { const o = {}; o.self = o; return o; })()', 'result.value.self', /cycle/],
      [
        '(() => { const o = {}; let c = o; for (let i = 0; i < 150; i++) c = c.n = {}; return o; })()',
        'result.value',
        /deeper than 100/,
      ],
      ['[1, undefined, 3]', 'result.value[1]', /undefined inside an array/],
      ['new Map()', 'result.value', /Map/],
    ];
    for (const [expr, path, message] of cases) {
      const { error } = await fromJs(expr);
      expect(BridgeValueError.isInstance(error), expr).toBe(true);
      expect(error.path.startsWith(path), `${expr}: ${error.path}`).toBe(true);
      expect(error.message, expr).toMatch(message);
      await w.runtime.dispose();
    }
  });

  it('keeps strings exact across the bridge, lone surrogates and astral characters included', async () => {
    expect((await fromJs('"a\\ud800b 😀 \\u{10FFFF}"')).value).toBe('a\uD800b 😀 \u{10FFFF}');
  });

  it('turns Dates into strings through toJSON, like JSON', async () => {
    expect((await fromJs('{ at: new Date(0) }')).value).toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });

  it('never lets a __proto__ key reach a host prototype', async () => {
    const { value } = await fromJs('JSON.parse(\'{"__proto__": {"polluted": true}}\')');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((value as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('host → QuickJS values', () => {
  it('round-trips data exactly, lone surrogates included', async () => {
    w = world();
    await w.script(`Hook.register('custom:v', (ctx) => ({ type: 'replace', value: ctx.data }))`, {
      name: 'v.js',
    });
    const data = {
      i: 2 ** 40,
      f: 0.1,
      s: 'x\uDC00y😀',
      arr: [1, null, { a: [] }],
      empty: {},
      proto: { ['__proto__']: 1 },
    };
    const out = await w.fire('custom:v', { data });
    expect((out.decision as { value: unknown }).value).toEqual(data);
  });

  it('refuses data it cannot represent, naming the path', async () => {
    w = world();
    await w.script(`Hook.register('custom:v', (ctx) => undefined)`, { name: 'v.js' });
    const out = await w.fire('custom:v', { data: { items: [1, () => 1] } });
    expect((out.records[0]!.error as BridgeValueError).path).toBe('ctx.data.items[1]');
  });
});
