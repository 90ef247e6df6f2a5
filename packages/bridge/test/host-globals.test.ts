import { HookRegistry } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { BridgeError, ScriptDisposedError, ScriptRuntime } from '../src/index.js';
import { world } from './helpers.js';

class ToolError extends Error {
  code = 'TOOL_NOT_FOUND';
}

/** Host globals a test can watch: sync and async functions, data, a failing tool. */
function hostGlobals(calls: unknown[][]) {
  return {
    Tool: {
      invoke: async (name: string, args: unknown) => {
        calls.push([name, args]);
        await new Promise((r) => setTimeout(r, 5));
        if (name === 'missing') throw new ToolError(`no tool named ${name}`);
        return { tool: name, echo: args, big: 2 ** 40, list: [1, null, 'x'] };
      },
      count: () => calls.length,
      fail: () => {
        throw new Error('plain failure');
      },
      never: () => new Promise(() => {}),
      badResult: () => () => 1,
      cyclic: () => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      },
    },
    Config: { model: 'small', retries: 3 },
    Version: '1.2.3',
  };
}

const LUA = `
local r = Tool.invoke("search", { q = "cats", n = 2 })
local ok, err = pcall(Tool.invoke, "missing", {})
local ok2, err2 = pcall(Tool.fail)
local ok3, err3 = pcall(Tool.badResult)
local ok4, err4 = pcall(Tool.cyclic)
return {
  tool = r.tool, q = r.echo.q, n = r.echo.n, big = r.big, third = r.list[3], null2 = r.list[2] == JSON.null,
  count = Tool.count(), model = Config.model, retries = Config.retries, version = Version,
  caught = ok == false, code = err.code, message = err.message, text = tostring(err),
  code2 = err2.code, badResult = ok3 == false and err3 or "", cyclic = ok4 == false and err4 or "",
}`;

const JS = `
const r = await Tool.invoke("search", { q: "cats", n: 2 });
const caught = async (f) => { try { await f(); return null; } catch (e) { return e; } };
const err = await caught(() => Tool.invoke("missing", {}));
const err2 = await caught(() => Tool.fail());
const err3 = await caught(() => Tool.badResult());
const err4 = await caught(() => Tool.cyclic());
export default {
  tool: r.tool, q: r.echo.q, n: r.echo.n, big: r.big, third: r.list[2], null2: r.list[1] === null,
  count: Tool.count(), model: Config.model, retries: Config.retries, version: Version,
  caught: err instanceof Error, code: err.code, message: err.message, text: String(err.message),
  code2: err2.code, badResult: err3.message, cyclic: err4.message,
};`;

describe('host globals (`globals`)', () => {
  for (const [language, name, source] of [
    ['lua', 'host.lua', LUA],
    ['javascript', 'host.mjs', JS],
  ] as const) {
    it(`${language}: sync and async functions, data, values both ways, errors with their code`, async () => {
      const calls: unknown[][] = [];
      const w = world({ scriptMs: 2_000 }, { globals: hostGlobals(calls) });
      const s = await w.runtime.load(source, { name });
      const [out] = (await s.run()) as [Record<string, unknown>];
      expect(calls[0]).toEqual(['search', { q: 'cats', n: 2 }]);
      expect(out).toMatchObject({
        tool: 'search',
        q: 'cats',
        n: 2,
        big: 2 ** 40,
        third: 'x',
        null2: true,
        count: 2,
        model: 'small',
        retries: 3,
        version: '1.2.3',
        caught: true,
        code: 'TOOL_NOT_FOUND',
        message: 'Tool.invoke: no tool named missing',
        code2: 'HOOKSPELL_HOST_ERROR',
      });
      expect(out.text).toMatch(/Tool\.invoke: no tool named missing/);
      expect(out.badResult).toMatch(/the result of Tool\.badResult\(\) is a function/);
      expect(out.cyclic).toMatch(/the result of Tool\.cyclic\(\).*cycle/);
      await w.runtime.dispose();
    });

    it(`${language}: an async host function does not block the host`, async () => {
      let ticked = 0;
      const timer = setInterval(() => ticked++, 1);
      const w = world(
        { scriptMs: 2_000 },
        {
          globals: { slow: () => new Promise((r) => setTimeout(() => r(ticked), 40)) },
        },
      );
      const s = await w.runtime.load(language === 'lua' ? 'return slow()' : 'export default await slow();', {
        name: language === 'lua' ? 's.lua' : 's.mjs',
      });
      const [seen] = (await s.run()) as [number];
      clearInterval(timer);
      expect(seen).toBeGreaterThan(0);
      await w.runtime.dispose();
    });

    it(`${language}: a host function that never returns ends at the wait deadline`, async () => {
      const w = world({ waitMs: 150 }, { globals: hostGlobals([]) });
      const s = await w.runtime.load(language === 'lua' ? 'Tool.never()' : 'await Tool.never();', {
        name: language === 'lua' ? 'n.lua' : 'n.mjs',
      });
      const error = await s.run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(BridgeError.isInstance(error) && error.code).toBe('HOOKSPELL_SCRIPT_TIMEOUT');
      expect(String(error)).toMatch(/waited on the host for more than 150 ms/);
    });

    it(`${language}: a hook calls a host function, awaited inside the hook`, async () => {
      const calls: unknown[][] = [];
      const w = world({}, { globals: hostGlobals(calls) });
      await w.script(
        language === 'lua'
          ? `Hook.register("BeforeToolExecution", function(ctx)
               local r = Tool.invoke(ctx.component.name, { from = "hook" })
               return { type = "modified", data = { via = r.tool } }
             end)`
          : `Hook.register("BeforeToolExecution", async (ctx) => {
               const r = await Tool.invoke(ctx.component.name, { from: "hook" });
               return { type: "modified", data: { via: r.tool } };
             });`,
        { name: language === 'lua' ? 'h.lua' : 'h.js' },
      );
      const out = await w.fire('BeforeToolExecution', { component: { type: 'tool', name: 'calc' } });
      expect(out.data).toEqual({ via: 'calc' });
      expect(calls).toEqual([['calc', { from: 'hook' }]]);
    });

    it(`${language}: sleep(ms) waits without blocking; bad arguments are clear errors`, async () => {
      const w = world({ scriptMs: 2_000 });
      const src =
        language === 'lua'
          ? 'local t = os.clock(); sleep(30); local ok, err = pcall(sleep, "x"); return ok, err'
          : 'await sleep(30); let err; try { await sleep("x"); } catch (e) { err = e.message; } export default err;';
      const started = performance.now();
      const s = await w.runtime.load(src, { name: language === 'lua' ? 'z.lua' : 'z.mjs' });
      const out = await s.run();
      expect(performance.now() - started).toBeGreaterThanOrEqual(25);
      expect(JSON.stringify(out)).toMatch(/sleep: `ms` must be a number of milliseconds/);
      if (language === 'lua') expect(JSON.stringify(out)).not.toMatch(/undefined/);
    });
  }

  it('hostile: a script replaces and wraps a host global; other scripts keep theirs', async () => {
    const calls: unknown[][] = [];
    const w = world({}, { globals: hostGlobals(calls) });
    const a = await w.runtime.load(
      `local original = Tool.invoke
       Tool.invoke = function(name, args) return original("wrapped-" .. name, args) end
       local r = Tool.invoke("x", {})
       Tool = nil
       return r.tool, pcall(function() return Tool.invoke("y", {}) end)`,
      { name: 'a.lua' },
    );
    const [tool, ok] = await a.run();
    expect(tool).toBe('wrapped-x');
    expect(ok).toBe(false);
    const b = await w.runtime.load('return Tool.invoke("z", {}).tool', { name: 'b.lua' });
    expect(await b.run()).toEqual(['z']);
    const j = await w.runtime.load(
      `const original = Tool.invoke;
       let threw = false;
       try { Tool.invoke = () => 1; } catch { threw = true; }
       globalThis.Tool = { invoke: (n) => original('js-' + n, {}) };
       export default [threw, (await Tool.invoke('q')).tool];`,
      { name: 'j.mjs' },
    );
    expect(await j.run()).toEqual([[true, 'js-q']]);
  });

  it('hostile: a script calls a host function recursively', async () => {
    const w = world({ callbackMs: 200, scriptMs: 1_000 }, { globals: { echo: (v: unknown) => v } });
    const lua = await w.runtime.load(
      'local function f(n) if n == 0 then return 0 end return echo(f(n - 1)) + 1 end return f(150)',
      { name: 'r.lua' },
    );
    expect(await lua.run()).toEqual([150]);
    const deep = await w.runtime.load('local function f() return echo(f()) end return f()', {
      name: 'd.lua',
    });
    await expect(deep.run()).rejects.toThrow(/stack overflow|SCRIPT_MEMORY|memory/i);
    const js = await w.runtime.load(
      'const f = (n) => n === 0 ? 0 : echo(f(n - 1)) + 1; export default f(150);',
      { name: 'r.mjs' },
    );
    expect(await js.run()).toEqual([150]);
  });

  for (const [name, src] of [
    ['loop.lua', 'Hook.register("BeforeToolExecution", function(ctx) Tool.invoke() return nil end)'],
    [
      'loop.js',
      'Hook.register("BeforeToolExecution", async (ctx) => { await Tool.invoke(); return undefined; })',
    ],
  ] as const) {
    it(`hostile (${name}): a host function that fires the hook that calls it again is bounded`, async () => {
      let calls = 0;
      const w: ReturnType<typeof world> = world(
        { waitMs: 2_000 },
        {
          globals: {
            Tool: {
              invoke: async () => {
                calls++;
                return (await w.fire('BeforeToolExecution')).decision.type;
              },
            },
          },
        },
      );
      await w.script(src, { name });
      const out = await w.fire('BeforeToolExecution');
      expect(out.decision.type).toBe('continue');
      expect(calls).toBeGreaterThan(1);
      expect(calls).toBeLessThanOrEqual(64);
      const settled = calls;
      await new Promise((r) => setTimeout(r, 100));
      expect(calls).toBe(settled); // nothing keeps going in the background
    });
  }

  it('hostile: a script keeps a host function past dispose(); a late answer is dropped safely', async () => {
    let release: (v: unknown) => void = () => {};
    const w = world(
      { waitMs: 5_000 },
      {
        globals: { later: () => new Promise((r) => (release = r)), now: () => 1 },
      },
    );
    for (const [name, src] of [
      [
        'k.lua',
        'KEEP = now; Hook.register("BeforeToolExecution", function() return { type = "cancel", reason = tostring(KEEP()) } end); later()',
      ],
      [
        'k.mjs',
        'globalThis.keep = now; Hook.register("BeforeToolExecution", () => ({ type: "cancel", reason: String(keep()) })); await later();',
      ],
    ] as const) {
      const s = await w.runtime.load(src, { name });
      const running = s.run().then(
        () => 'resolved',
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      await new Promise((r) => setTimeout(r, 20));
      await s.dispose();
      release({ late: true });
      expect(await running).toMatch(/disposed|abandoned/);
      expect(w.registry.list()).toHaveLength(0);
    }
    await expect(
      (async () => {
        const s = await w.runtime.load('return 1', { name: 'x.lua' });
        await s.dispose();
        return s.run();
      })(),
    ).rejects.toBeInstanceOf(ScriptDisposedError);
  });

  it('Lua: an async host function where Lua cannot yield (a table.sort comparator) is a clear error; a sync one works there', async () => {
    const w = world({}, { globals: { later: async () => 1, now: () => 2 } });
    const s = await w.runtime.load(
      `local items = { 3, 1, 2 }
       table.sort(items, function(a, b) return a * now() < b * now() end)
       local ok, err = pcall(table.sort, items, function(a, b) return later() and a < b end)
       return items[1] == 1 and now(), ok, err`,
      { name: 'meta.lua' },
    );
    const [sync, ok, err] = await s.run();
    expect(sync).toBe(2);
    expect(ok).toBe(false);
    expect(err).toMatch(
      /later cannot wait for the host here \(inside a metamethod, iterator or a callback of a library function/,
    );
  });

  it('refuses bad globals and names that are taken', async () => {
    const registry = new HookRegistry();
    expect(() => new ScriptRuntime({ registry, globals: [] as never })).toThrow(
      /`globals` must be an object/,
    );
    expect(() => new ScriptRuntime({ registry, globals: { Hook: {} } })).toThrow(/bridge's own globals/);
    expect(() => new ScriptRuntime({ registry, globals: { 'a-b': 1 } })).toThrow(/not a valid global name/);
    expect(() => new ScriptRuntime({ registry, globals: { T: { list: [() => 1] } } })).toThrow(
      /function inside an array/,
    );
    expect(() => new ScriptRuntime({ registry, env: 'HOME' as never })).toThrow(/`env` must be an array/);
    const r = new ScriptRuntime({ registry, globals: { string: { f: () => 1 }, Promise: 1 } });
    await expect(r.load('return 1', { name: 'a.lua' })).rejects.toThrow(/already have a global string/);
    await expect(r.load('1', { name: 'a.js' })).rejects.toThrow(/already have a global Promise/);
  });

  it('env grants os.getenv for the named variables only', async () => {
    process.env.HOOKSPELL_TEST_GRANTED = 'yes';
    process.env.HOOKSPELL_TEST_SECRET = 'no';
    const w = world({}, { env: ['HOOKSPELL_TEST_GRANTED'] });
    const s = await w.runtime.load(
      'return os.getenv("HOOKSPELL_TEST_GRANTED"), os.getenv("HOOKSPELL_TEST_SECRET"), os.getenv("PATH")',
      { name: 'e.lua' },
    );
    expect(await s.run()).toEqual(['yes', undefined, undefined]);
    const none = world();
    const t = await none.runtime.load('return os.getenv', { name: 'n.lua' });
    expect(await t.run()).toEqual([undefined]);
  });
});
