import { afterEach, describe, expect, it } from 'vitest';
import { BridgeValueError } from '../src/index.js';
import { type World, world } from './helpers.js';

let w: World;
afterEach(async () => {
  await w.runtime.dispose();
});

/** Evaluates a Lua expression inside a hook and returns what crossed the bridge (or the error). */
async function fromLua(
  expr: string,
  data: Record<string, unknown> = {},
): Promise<{ value?: unknown; error?: any }> {
  w = world();
  await w.script(
    `Hook.register('custom:v', function(ctx) return { type = 'replace', value = ${expr} } end)`,
    {
      name: 'v.lua',
    },
  );
  const out = await w.fire('custom:v', { data });
  const r = out.records[0]!;
  return r.status === 'ok' ? { value: (out.decision as { value: unknown }).value } : { error: r.error };
}

describe('Lua → host values', () => {
  it('turns sequences into arrays and string-keyed tables into objects', async () => {
    expect((await fromLua('{1, 2, 3}')).value).toEqual([1, 2, 3]);
    expect((await fromLua('{a = 1, b = {c = "x"}}')).value).toEqual({ a: 1, b: { c: 'x' } });
  });

  it('makes an empty table an object unless JSON.array() marks it', async () => {
    expect((await fromLua('{}')).value).toEqual({});
    expect((await fromLua('JSON.array()')).value).toEqual([]);
    expect((await fromLua('JSON.array({1})')).value).toEqual([1]);
  });

  it('keeps integers and floats', async () => {
    const { value } = await fromLua('{ i = 7, f = 7.5, neg = -3, big = 2^40, tiny = 1e-9 }');
    expect(value).toEqual({ i: 7, f: 7.5, neg: -3, big: 2 ** 40, tiny: 1e-9 });
  });

  it('rejects NaN and infinities with the path', async () => {
    for (const [expr, path] of [
      ['{ x = 0/0 }', 'result.value.x'],
      ['{ items = {1, 2, 1/0} }', 'result.value.items[3]'],
      ['-1/0', 'result.value'],
    ] as const) {
      const { error } = await fromLua(expr);
      expect(BridgeValueError.isInstance(error), expr).toBe(true);
      expect(error.code).toBe('HOOKSPELL_BRIDGE_VALUE');
      expect(error.path).toBe(path);
    }
  });

  it('rejects holes, mixed tables and non-string keys, naming the path', async () => {
    const hole = await fromLua('{ data = { items = {1, 2, nil, 4} } }');
    expect(hole.error.path).toBe('result.value.data.items[3]');
    expect(hole.error.message).toMatch(/nil inside an array/);
    expect((await fromLua('{1, 2, x = 3}')).error.message).toMatch(/mixes array items/);
    expect((await fromLua('{[true] = 1}')).error.message).toMatch(/neither a string nor an array index/);
    expect((await fromLua('{[1.5] = 1}')).error.path).toBe('result.value[1.5]');
  });

  it('rejects functions, userdata, threads and cycles', async () => {
    expect((await fromLua('{ f = print }')).error.message).toMatch(/result\.value\.f is a function/);
    expect((await fromLua('{ co = coroutine.create(print) }')).error.message).toMatch(/is a thread/);
    expect((await fromLua('{ h = Hook.register("custom:z", print) }')).error.message).toMatch(
      /is a userdata/,
    );
    const cycle = await fromLua('(function() local t = {} t.self = t return t end)()');
    expect(cycle.error.path).toBe('result.value.self');
    expect(cycle.error.message).toMatch(/cycle/);
  });

  it('rejects nesting deeper than 100', async () => {
    const deep = await fromLua(
      '(function() local t = {} local c = t for i = 1, 150 do c.n = {} c = c.n end return t end)()',
    );
    expect(deep.error.message).toMatch(/nested deeper than 100/);
    expect(
      (
        await fromLua(
          '(function() local t = {} local c = t for i = 1, 90 do c.n = {} c = c.n end return t end)()',
        )
      ).value,
    ).toBeDefined();
  });

  it('carries JSON.null as null inside arrays', async () => {
    expect((await fromLua('{1, JSON.null, 3}')).value).toEqual([1, null, 3]);
  });

  it('decodes UTF-8 exactly, astral characters included, and invalid bytes as U+FFFD', async () => {
    expect((await fromLua('"héllo 😀 \\u{10FFFF}"')).value).toBe('héllo 😀 \u{10FFFF}');
    expect((await fromLua('"a\\xffb\\xc3"')).value).toBe('a\uFFFDb\uFFFD');
  });

  it('reads tables raw: no metamethod runs during a conversion', async () => {
    const { value } = await fromLua(
      'setmetatable({ a = 1 }, { __index = function() error("no") end, __pairs = function() error("no") end })',
    );
    expect(value).toEqual({ a: 1 });
  });

  it('keeps a "__proto__" key as a plain field', async () => {
    const { value } = await fromLua('{ ["__proto__"] = { polluted = true } }');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(value as object, '__proto__')).toBe(true);
  });
});

describe('host → Lua values', () => {
  async function roundTrip(data: Record<string, unknown>) {
    w = world();
    await w.script(
      `Hook.register('custom:v', function(ctx)
        local d = ctx.data
        return { type = 'replace', value = { same = d, itype = math.type(d.i), ftype = math.type(d.f), len = #(d.s or "") } }
      end)`,
      { name: 'v.lua' },
    );
    const out = await w.fire('custom:v', { data });
    if (out.records[0]!.status !== 'ok') throw out.records[0]!.error;
    return (out.decision as { value: any }).value;
  }

  it('round-trips JSON-like data exactly', async () => {
    const data = {
      i: 3,
      f: 2.5,
      s: 'é😀',
      arr: [1, 'two', { three: 3 }],
      empty: [],
      obj: {},
      nested: { deep: [true, false] },
    };
    const v = await roundTrip(data);
    expect(v.same).toEqual(data);
    expect(v.itype).toBe('integer');
    expect(v.ftype).toBe('float');
    expect(v.len).toBe(6); // UTF-8 bytes: é = 2, 😀 = 4
  });

  it('sends integers outside int32 as floats (fengari integers are 32-bit)', async () => {
    const v = await roundTrip({ i: 2 ** 40, f: 0.5 });
    expect(v.itype).toBe('float');
    expect(v.same.i).toBe(2 ** 40);
  });

  it('turns a lone surrogate into U+FFFD (Lua strings are UTF-8)', async () => {
    const v = await roundTrip({ s: 'a\uD800b' });
    expect(v.same.s).toBe('a\uFFFDb');
  });

  it('sends null inside arrays as JSON.null and drops null fields', async () => {
    const v = await roundTrip({ arr: [1, null, 2], gone: null });
    expect(v.same).toEqual({ arr: [1, null, 2] });
  });

  it('refuses host data it cannot represent, naming the path', async () => {
    w = world();
    await w.script(`Hook.register('custom:v', function(ctx) return nil end)`, { name: 'v.lua' });
    const out = await w.fire('custom:v', { data: { items: [1, Number.NaN] } });
    expect(out.records[0]!.status).toBe('error');
    expect((out.records[0]!.error as BridgeValueError).path).toBe('ctx.data.items[2]');
  });
});
