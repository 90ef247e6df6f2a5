import { describe, expect, it } from 'vitest';
import { ScriptRuntime } from '../src/index.js';
import { world } from './helpers.js';

describe('issue 16 fixes: return values', () => {
  it('a Lua chunk resolves run() with all its return values', async () => {
    const w = world();
    const s = await w.runtime.load('return true, "ok", 3, { a = 1 }, nil', { name: 'r.lua' });
    expect(await s.run()).toEqual([true, 'ok', 3, { a: 1 }, undefined]);
    const none = await w.runtime.load('local x = 1', { name: 'n.lua' });
    expect(await none.run()).toEqual([]);
  });

  it('a Lua chunk that waits (State) still returns its values', async () => {
    const w = world();
    const s = await w.runtime.load('State.save("global", "k", 5)\nreturn State.load("global", "k") == 5', {
      name: 'w.lua',
    });
    expect(await s.run()).toEqual([true]);
  });

  it('a return value that cannot cross is described in its place, and the script still loads (return M)', async () => {
    const w = world();
    const s = await w.runtime.load('return function() end', { name: 'f.lua' });
    expect(await s.run()).toEqual([
      { unconvertible: true, reason: expect.stringMatching(/return value #1 is a function/) },
    ]);
    // A module table of functions — common at the end of a Lua file — keeps its hooks registered.
    const m = await w.runtime.load(
      'local M = {}\nfunction M.greet() return "hi" end\nHook.register("custom:mod", function() return "continue" end)\nreturn M, true',
      { name: 'module.lua' },
    );
    const [first, second] = await m.run();
    expect(first).toMatchObject({
      unconvertible: true,
      reason: expect.stringMatching(/greet is a function/),
    });
    expect(second).toBe(true);
    expect(m.disposed).toBe(false);
    expect(w.registry.list().some((h) => h.point === 'custom:mod')).toBe(true);
  });

  it('JavaScript: a module resolves with its default export, a classic script with []', async () => {
    const w = world();
    const m = await w.runtime.load('export default await Promise.resolve({ ok: true });', { name: 'm.mjs' });
    expect(await m.run()).toEqual([{ ok: true }]);
    const plain = await w.runtime.load('export const x = 1;', { name: 'p.mjs' });
    expect(await plain.run()).toEqual([]);
    const c = await w.runtime.load('Hook.register("SystemStartup", () => undefined); 42', { name: 'c.js' });
    expect(await c.run()).toEqual([]);
    const fn = await w.runtime.load('export default () => 1;', { name: 'b.mjs' });
    expect(await fn.run()).toEqual([
      { unconvertible: true, reason: expect.stringMatching(/default export/) },
    ]);
  });
});

describe('issue 16 fixes: State', () => {
  for (const [language, name, call] of [
    ['lua', 's.lua', (code: string) => code],
    ['javascript', 's.mjs', (code: string) => code],
  ] as const) {
    it(`${language}: any string is a scope, kept apart from the others`, async () => {
      const w = world();
      const src =
        language === 'lua'
          ? `
          local scopes = { "", "system", "session", "test", "custom", "agent_1", "user:a/b", "a..b", "custom:=" }
          for i, scope in ipairs(scopes) do State.save(scope, "k", i) end
          local out = {}
          for i, scope in ipairs(scopes) do out[i] = State.load(scope, "k") end
          out[#out + 1] = State.list_keys("agent_1")[1]
          State.delete("agent_1", "k")
          out[#out + 1] = #State.list_keys("agent_1")
          return out`
          : `
          const scopes = ["", "system", "session", "test", "custom", "agent_1", "user:a/b", "a..b", "custom:="];
          for (let i = 0; i < scopes.length; i++) await State.save(scopes[i], "k", i + 1);
          const out = [];
          for (const scope of scopes) out.push(await State.load(scope, "k"));
          out.push((await State.listKeys("agent_1"))[0]);
          await State.delete("agent_1", "k");
          out.push((await State.listKeys("agent_1")).length);
          export default out;`;
      const s = await w.runtime.load(call(src), { name });
      expect(await s.run()).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 'k', 0]]);
      // storage's own scopes are used as they are
      await w.state.save('session:x', 'k', 'host');
      const t = await w.runtime.load(
        language === 'lua'
          ? 'return State.load("session:x", "k")'
          : 'export default await State.load("session:x", "k")',
        { name: language === 'lua' ? 't.lua' : 't.mjs' },
      );
      expect(await t.run()).toEqual(['host']);
    });
  }

  it('Lua: saving nil stores nil; errors speak Lua', async () => {
    const w = world();
    const s = await w.runtime.load(
      `State.save("system", "k", "v")
       State.save("system", "k", nil)
       local loaded = State.load("system", "k")
       local ok, err = pcall(State.save, nil, "k", 1)
       local ok2, err2 = pcall(State.save, "system", nil, 1)
       return loaded == nil, ok, err, ok2, err2, #State.list_keys("system")`,
      { name: 'nil.lua' },
    );
    const [isNil, ok, err, ok2, err2, keys] = await s.run();
    expect(isNil).toBe(true);
    expect(ok).toBe(false);
    expect(err).toMatch(/`scope` must be a string \(got nil\)/);
    expect(ok2).toBe(false);
    expect(err2).toMatch(/`key` must be a string \(got nil\)/);
    expect(`${err}${err2}`).not.toMatch(/undefined|null/);
    const r = await w.runtime.load('return pcall(Event.receive, nil)', { name: 'r.lua' });
    const [okR, errR] = await r.run();
    expect(okR).toBe(false);
    expect(errR).toMatch(/no subscription id \(got nil\)/);
    expect(keys).toBe(1);
  });

  it('JavaScript: saving undefined stores null', async () => {
    const w = world();
    const s = await w.runtime.load(
      'await State.save("system", "k", 1); await State.save("system", "k", undefined); export default [await State.load("system", "k"), (await State.listKeys("system")).length];',
      { name: 'u.mjs' },
    );
    expect(await s.run()).toEqual([[null, 1]]);
  });
});

describe('issue 16 fixes: replace results read `data`', () => {
  for (const [name, src] of [
    [
      'r.lua',
      'Hook.register("BeforeToolExecution", function() return { type = "replace", data = { out = 42 } } end)',
    ],
    ['r.js', 'Hook.register("BeforeToolExecution", () => ({ type: "replace", data: { out: 42 } }))'],
  ] as const) {
    it(`${name}: data is the replacement; value still works; both is a clear error`, async () => {
      const w = world();
      await w.script(src, { name });
      expect((await w.fire('BeforeToolExecution')).decision).toEqual({ type: 'replace', value: { out: 42 } });
    });
  }

  it('value still works, and both at once is refused', async () => {
    const w = world();
    await w.script(
      `Hook.register("BeforeToolExecution", function() return { type = "replace", value = 1 } end)`,
      { name: 'v.lua' },
    );
    expect((await w.fire('BeforeToolExecution')).decision).toEqual({ type: 'replace', value: 1 });
    const w2 = world();
    await w2.script(
      `Hook.register("BeforeToolExecution", function() return { type = "replace", value = 1, data = 2 } end)`,
      { name: 'b.lua' },
    );
    const out = await w2.fire('BeforeToolExecution');
    expect(JSON.stringify(out)).toMatch(/both `value` and `data`/);
  });
});

describe('issue 16 fixes: integer literals read as 64-bit Lua reads them', () => {
  it('hex and decimal literals up to 2^53 are exact', async () => {
    const w = world();
    const s = await w.runtime.load(
      `return 0xFFFFFFFF, 0x100000000, 4294967296, 9007199254740992, 0x20000000000000,
              0x7FFFFFFF, 0xFFFFFFFFFFFFFFFF, tonumber("0xFFFFFFFF"), -0xFFFFFFFF,
              0xFFFFFFFF == 4294967295, 0xFFFFFFFF + 1, math.type(0x7FFFFFFF)`,
      { name: 'int.lua' },
    );
    expect(await s.run()).toEqual([
      4294967295,
      4294967296,
      4294967296,
      2 ** 53,
      2 ** 53,
      2147483647,
      -1,
      4294967295,
      -4294967295,
      true,
      4294967296,
      'integer',
    ]);
  });
});

describe("the original's JSON names", () => {
  it('JSON.parse and JSON.stringify are decode and encode', async () => {
    const w = world();
    const s = await w.runtime.load(
      'return JSON.stringify({ a = 1 }), JSON.parse("[1,2]")[2], JSON.parse == JSON.decode',
      {
        name: 'j.lua',
      },
    );
    expect(await s.run()).toEqual(['{"a":1}', 2, true]);
  });
});

describe('errors raised into a script', () => {
  it('name the function once, without the [hookspell] [bridge] prefix inside the script message', async () => {
    const { HookExecutor, HookRegistry } = await import('@hookspell/hooks');
    const registry = new HookRegistry();
    const runtime = new ScriptRuntime({ registry, executor: new HookExecutor(registry) });
    const s = await runtime.load('local ok, err = pcall(State.save, "global", "k", 1)\nreturn err', {
      name: 'e.lua',
    });
    const [message] = await s.run();
    expect(message).toMatch(/State\.save: this ScriptRuntime was created without a `state`/);
    expect(message).not.toMatch(/\[hookspell\]/);
    await runtime.dispose();
  });
});
