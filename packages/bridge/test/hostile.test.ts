import type { HookspellEvent } from '@hookspell/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeError, type Script, ScriptRuntime } from '../src/index.js';
import { ticks, type World, world } from './helpers.js';

/**
 * Each attack: the host survives (this process keeps running the suite), the attack fails with a
 * clear error, and a bystander script in each language keeps answering.
 */
let w: World;
const handlerErrors: Array<{ pattern: string; error: { message: string } }> = [];

beforeAll(async () => {
  w = world({ callbackMs: 40, scriptMs: 200, memoryBytes: 8 * 1024 * 1024 });
  w.bus.subscribe('$bus.handler.error', (e: HookspellEvent) => {
    handlerErrors.push(e.data as (typeof handlerErrors)[number]);
  });
  await w.script(
    `Hook.register('custom:alive', function() return { type = 'replace', value = 'lua ok' } end)`,
    {
      name: 'bystander.lua',
    },
  );
  await w.script(`Hook.register('custom:alive_js', () => ({ type: 'replace', value: 'js ok' }))`, {
    name: 'bystander.js',
  });
});
afterAll(async () => {
  await w.runtime.dispose();
  await Promise.all(roomy.map((r) => r.dispose()));
});

/** A second runtime on the same registry and bus, with more CPU time (and its own bounds). */
const roomy: ScriptRuntime[] = [];
function roomyRuntime(cpuMs: number, memoryBytes = 8 * 1024 * 1024, scriptMs = 200): ScriptRuntime {
  const runtime = new ScriptRuntime({
    registry: w.registry,
    executor: w.executor,
    bus: w.bus,
    state: w.state,
    limits: { callbackMs: cpuMs, scriptMs, memoryBytes },
  });
  roomy.push(runtime);
  return runtime;
}

async function bystandersAlive(): Promise<void> {
  expect((await w.fire('custom:alive')).decision).toEqual({ type: 'replace', value: 'lua ok' });
  expect((await w.fire('custom:alive_js')).decision).toEqual({ type: 'replace', value: 'js ok' });
}

let seq = 0;
/** Loads `source` as a hook at a fresh point, fires it, returns the record's error (or result). */
async function hookAttack(
  lang: 'lua' | 'js',
  body: string,
  options: { cpuMs?: number; memoryBytes?: number } = {},
): Promise<{ error: any; result: unknown; script: Script }> {
  const point = `custom:attack${++seq}` as const;
  const source =
    lang === 'lua'
      ? `Hook.register('${point}', function(ctx) ${body} end)`
      : `Hook.register('${point}', async (ctx) => { ${body} })`;
  // `cpuMs`: for memory bombs that must meet the memory bound, not the deadline. fengari copies
  // strings slowly, and on a busy machine 40 ms of CPU may end before 8 MiB were allocated.
  const runtime = options.cpuMs === undefined ? w.runtime : roomyRuntime(options.cpuMs, options.memoryBytes);
  const script = await runtime.load(source, { name: `attack${seq}.${lang}` });
  await script.run();
  const out = await w.fire(point, { data: { items: [1, 2, 3] } });
  await bystandersAlive();
  return { error: out.records[0]!.error, result: out.records[0]!.result, script };
}

/** Runs `source` as a whole script; returns how its top level failed. */
async function topLevelAttack(lang: 'lua' | 'js', source: string, runtime = w.runtime): Promise<any> {
  const script = await runtime.load(source, { name: `top${++seq}.${lang}` });
  const error = await script.run().then(
    () => undefined,
    (e: unknown) => e,
  );
  await bystandersAlive();
  return error;
}

/**
 * A runaway loop that keeps nothing ends at its deadline: the Lua meter scavenges the young
 * generation before it calls a slice over its memory bound, so the interpreter's garbage is never
 * taken for memory the script holds.
 */
function stopped(error: unknown, deadline: RegExp): void {
  clear(error, TIMEOUT, deadline);
}

function clear(error: unknown, code: string, message: RegExp): void {
  expect(BridgeError.isInstance(error), String(error)).toBe(true);
  expect((error as BridgeError).code, (error as BridgeError).message).toBe(code);
  expect((error as BridgeError).message).toMatch(message);
}

const TIMEOUT = 'HOOKSPELL_SCRIPT_TIMEOUT';
const ERROR = 'HOOKSPELL_SCRIPT_ERROR';
const MEMORY = 'HOOKSPELL_SCRIPT_MEMORY';
const VALUE = 'HOOKSPELL_BRIDGE_VALUE';

describe('hostile Lua scripts', () => {
  it('1. infinite loop at the top level', async () => {
    stopped(
      await topLevelAttack('lua', 'while true do end'),
      /top level ran past its CPU deadline of 200 ms/,
    );
  });

  it('2. infinite loop in a hook, hidden behind pcall', async () => {
    const { error } = await hookAttack('lua', 'while true do pcall(function() while true do end end) end');
    stopped(error, /CPU deadline of 40 ms/);
  });

  it('3. infinite loop in a subscriber', async () => {
    await w.script(`Event.subscribe('spin.now', function(e) while true do end end)`, {
      name: 'spin-sub.lua',
    });
    await w.bus.publish('spin.now', {});
    await ticks();
    expect(handlerErrors.at(-1)).toMatchObject({ pattern: 'spin.now' });
    expect(handlerErrors.at(-1)!.error.message).toMatch(
      /subscriber of 'spin\.now' ran past its CPU deadline/,
    );
    await bystandersAlive();
  });

  it('3b. a loop that only makes garbage for 1.5 s ends at its deadline, not its 12 MiB memory bound', async () => {
    // Without the meter's collection the young generation's temporaries alone pass 12 MiB in 1.5 s;
    // with it the real growth stays well under (a few hundred KiB of compiled code and caches).
    const { error } = await hookAttack(
      'lua',
      'while true do pcall(function() local t = { 1, 2, 3 } end) end',
      {
        cpuMs: 1_500,
        memoryBytes: 12 * 1024 * 1024,
      },
    );
    stopped(error, /CPU deadline of 1500 ms/);
  });

  it('4. infinite loop in a metamethod', async () => {
    const { error } = await hookAttack(
      'lua',
      'local t = setmetatable({}, { __index = function() while true do end end }) return t.x',
    );
    clear(error, TIMEOUT, /CPU deadline/);
  });

  it('5. infinite loop in a string.gsub callback, with pcall inside', async () => {
    const { error } = await hookAttack(
      'lua',
      'string.gsub("abc", ".", function() while true do pcall(function() while true do end end) end end)',
    );
    clear(error, TIMEOUT, /CPU deadline/);
  });

  it('6. a coroutine that swallows errors cannot swallow the deadline', async () => {
    const { error } = await hookAttack(
      'lua',
      'while true do coroutine.resume(coroutine.create(function() while true do end end)) end',
    );
    clear(error, TIMEOUT, /CPU deadline/);
  });

  it('7. runaway recursion', async () => {
    const { error } = await hookAttack('lua', 'local function f(n) return 1 + f(n + 1) end return f(1)');
    // fengari's Lua stack holds a million slots: the deadline or the memory bound may come first.
    expect([ERROR, TIMEOUT, MEMORY]).toContain(error.code);
    expect(error.message).toMatch(/stack overflow|CPU deadline|memory bound/);
  });

  it('8. recursion through a metamethod (the JS stack)', async () => {
    const { error } = await hookAttack(
      'lua',
      'local t = setmetatable({}, {}) getmetatable(t).__index = function(s, k) return s[k] end return t.x',
    );
    clear(error, ERROR, /stack overflow/i);
  });

  it('9. memory bomb: string doubling', async () => {
    const { error } = await hookAttack('lua', 'local s = "xxxxxxxxxxxxxxxx" while true do s = s .. s end');
    clear(error, MEMORY, /built a string of 16777216 bytes, over its memory bound of 8388608 bytes/);
  });

  it('10. memory bomb: table growth', async () => {
    const { error } = await hookAttack(
      'lua',
      'local big = string.rep("p", 1024) for k = 1, 8 do big = big .. big end local t = {} local i = 0 while true do i = i + 1 t[i] = big .. i end',
      { cpuMs: 2_000 },
    );
    clear(error, MEMORY, /allocated more than its memory bound/);
  });

  it('11. memory bomb: string.rep', async () => {
    const { error } = await hookAttack('lua', 'return string.rep("x", 2^30)');
    clear(error, MEMORY, /string\.rep would build a string of 1073741824 bytes/);
  });

  it('12. escapes through io, os.execute, require, dofile', async () => {
    const { result } = await hookAttack(
      'lua',
      `return { type = 'replace', value = { io = type(io), execute = type(os.execute), getenv = type(os.getenv),
         exit = type(os.exit), require = type(require), dofile = type(dofile), loadfile = type(loadfile),
         package = type(package), time = type(os.time), fengari = type(fengari), js = type(js) } }`,
    );
    expect(result).toEqual({
      type: 'replace',
      value: {
        io: 'nil',
        execute: 'nil',
        getenv: 'nil',
        exit: 'nil',
        require: 'nil',
        dofile: 'nil',
        loadfile: 'nil',
        package: 'nil',
        time: 'function',
        fengari: 'nil',
        js: 'nil',
      },
    });
    const { error } = await hookAttack('lua', 'return io.open("/etc/passwd")');
    clear(error, ERROR, /attempt to index a nil value \(global 'io'\)/);
  });

  it('13. load of bytecode, and string.dump', async () => {
    const { result } = await hookAttack(
      'lua',
      `local f, err = load("\\27LuaS\\0")
       return { type = 'replace', value = { f = type(f), err = err, dump = type(string.dump) } }`,
    );
    expect(result).toMatchObject({
      value: { f: 'nil', err: expect.stringMatching(/binary .*chunks are not allowed/), dump: 'nil' },
    });
  });

  it('14. debug.getregistry and collectgarbage beyond count', async () => {
    clear((await hookAttack('lua', 'return debug.getregistry()')).error, ERROR, /global 'debug'/);
    clear((await hookAttack('lua', 'collectgarbage("collect")')).error, ERROR, /only "count" is available/);
  });

  it("15. getmetatable('').__index tampering", async () => {
    const { error } = await hookAttack(
      'lua',
      'getmetatable("").__index = { upper = function() return "pwned" end }',
    );
    clear(error, ERROR, /attempt to index a boolean value/);
    const { result } = await hookAttack('lua', "return { type = 'replace', value = ('a'):upper() }");
    expect(result).toEqual({ type: 'replace', value: 'A' });
  });

  it('16. _G replacement and global tampering stay inside the script', async () => {
    const s = await w.script(
      `local H, type, rawget, env = Hook, type, rawget, _ENV
       H.register('custom:g', function() return { type = 'replace', value = type(rawget(env, 'Hook')) } end)
       Hook = nil State = nil _G = nil setmetatable(_ENV, { __index = function() error('trap') end })`,
      { name: 'g.lua' },
    );
    const out = await w.fire('custom:g');
    expect(out.records[0]!.error).toBeUndefined();
    expect(out.decision).toEqual({ type: 'replace', value: 'nil' });
    await bystandersAlive();
    await s.dispose();
  });

  it('17. returning a cycle, a function, a deep table', async () => {
    clear(
      (await hookAttack('lua', "local t = {} t.t = t return { type = 'modified', data = t }")).error,
      VALUE,
      /result\.data\.t is a cycle/,
    );
    clear(
      (await hookAttack('lua', "return { type = 'replace', value = print }")).error,
      VALUE,
      /result\.value is a function/,
    );
    clear(
      (
        await hookAttack(
          'lua',
          "local t = {} for i = 1, 5000 do t = { t } end return { type = 'replace', value = t }",
          { cpuMs: 2_000 }, // about the value, not the deadline: room on a loaded machine
        )
      ).error,
      VALUE,
      /nested deeper than 100 levels/,
    );
  });

  it('18. throwing non-error values (tables, nil, a __tostring that loops)', async () => {
    clear((await hookAttack('lua', 'error({ code = 42 })')).error, ERROR, /error object \{"code":42\}/);
    clear((await hookAttack('lua', 'error(nil)')).error, ERROR, /failed/);
    const { error } = await hookAttack(
      'lua',
      'error(setmetatable({}, { __tostring = function() while true do end end }))',
    );
    clear(error, ERROR, /failed/);
  });

  it('19. yielding out of a callback', async () => {
    clear((await hookAttack('lua', 'coroutine.yield(1)')).error, ERROR, /yielded outside a coroutine/);
  });

  it('20. a subscriber that publishes what it subscribes to', async () => {
    await w.script(`Event.subscribe('loop.me', function(e) Event.publish('loop.me', {}) end)`, {
      name: 'loop.lua',
    });
    const before = handlerErrors.length;
    await w.bus.publish('loop.me', {});
    await w.bus.flush();
    await ticks(5);
    expect(handlerErrors.length).toBeGreaterThan(before);
    expect(handlerErrors.at(-1)!.error.message).toMatch(/nested more than 16 deep/);
    await bystandersAlive();
  });

  it('21. thousands of registrations from one script', async () => {
    const error = await topLevelAttack(
      'lua',
      'for i = 1, 5000 do Hook.register("custom:many" .. i, function() end) end',
      // about the registration cap, not the deadline: 1000 registrations need room on a busy machine
      roomyRuntime(40, 8 * 1024 * 1024, 5_000),
    );
    clear(error, ERROR, /already holds 1000 hooks and subscriptions/);
    // a failed top level undoes everything it registered
    expect(w.registry.list().filter((h) => h.point.startsWith('custom:many'))).toHaveLength(0);
  });

  it('22. callbacks after dispose: nothing runs, a waiting callback is abandoned', async () => {
    const s = await w.script(
      `local q = Event.subscribe('never.comes')
       Event.subscribe('after.dispose', function(e) print('ran') end)
       Hook.register('custom:waiting', function() Event.receive(q, 5000) end)`,
      { name: 'disposed.lua' },
    );
    const pending = w.fire('custom:waiting');
    await ticks();
    await s.dispose();
    const out = await pending;
    expect(out.records[0]!.status).toBe('error');
    expect(String(out.records[0]!.error)).toMatch(/disposed/);
    await w.bus.publish('after.dispose', {});
    expect(s.logs).toEqual([]);
    expect(w.registry.list({ point: 'custom:waiting' })).toEqual([]);
    await bystandersAlive();
  });

  // fengari 0.1.5 switches the count hook off on a thread after `pcall` recovers an error there,
  // and fails an assertion when the deadline hits code that runs after such a recovery: the
  // bridge must keep its deadline and memory bound, and report them, whatever the script caught.
  it('22a. an error caught with pcall first does not switch off the deadline', async () => {
    // Its own world with a roomy memory bound: the heap meter reads the whole process's heap,
    // so garbage left by the memory bombs above must not decide this deadline test.
    const own = world({ callbackMs: 40, scriptMs: 200, memoryBytes: 512 * 1024 * 1024 });
    const fail = async (body: string) => {
      const point = `custom:caught${++seq}` as const;
      await own.script(`Hook.register('${point}', function(ctx) ${body} end)`, { name: `caught${seq}.lua` });
      const out = await own.fire(point, { data: { spin: true } });
      return { error: out.records[0]!.error, point };
    };
    try {
      clear((await fail('pcall(error, "x") while true do end')).error, TIMEOUT, /CPU deadline of 40 ms/);
      clear((await fail('xpcall(error, print, "x") while true do end')).error, TIMEOUT, /CPU deadline/);
      clear(
        (await fail('coroutine.wrap(function() pcall(error, "x") while true do end end)()')).error,
        TIMEOUT,
        /CPU deadline/,
      );
      const top = await own.runtime.load(
        'pcall(function() local t = nil; return t.x end) while true do end',
        {
          name: 'caught-top.lua',
        },
      );
      clear(
        await top.run().then(
          () => undefined,
          (e: unknown) => e,
        ),
        TIMEOUT,
        /top level ran past its CPU deadline/,
      );
      // the same hook stays usable after its deadline
      const { point } = await fail('if ctx.data.spin then pcall(error, "x") while true do end end');
      expect((await own.fire(point, { data: { spin: false } })).records[0]!.status).toBe('ok');
      await bystandersAlive();
    } finally {
      await own.runtime.dispose();
    }
  });

  it('22b. a memory bomb after a caught error ends with the memory error', async () => {
    const { error } = await hookAttack(
      'lua',
      'pcall(error, "x") local big = string.rep("p", 1024) for k = 1, 8 do big = big .. big end local t = {} local i = 0 while true do i = i + 1 t[i] = big .. i end',
      { cpuMs: 2_000 },
    );
    clear(error, MEMORY, /allocated more than its memory bound/);
  });
});

describe('hostile JavaScript scripts', () => {
  it('23. infinite loop at the top level and in a hook', async () => {
    clear(await topLevelAttack('js', 'for (;;) {}'), TIMEOUT, /top level ran past its CPU deadline/);
    clear(
      (await hookAttack('js', 'for (;;) { try { for (;;) {} } catch {} }')).error,
      TIMEOUT,
      /CPU deadline/,
    );
  });

  it("24. Function('return this')() and constructor.constructor reach only the sandbox", async () => {
    const { result } = await hookAttack(
      'js',
      `const g = Function('return this')();
       const g2 = ({}).constructor.constructor('return globalThis')();
       return { type: 'replace', value: [typeof g.process, typeof g.require, typeof g.std, typeof g.os,
         typeof g2.process, typeof globalThis.fetch, typeof g.setTimeout, Object.keys(g).sort().join(',')] };`,
    );
    expect(result).toEqual({
      type: 'replace',
      value: [
        'undefined',
        'undefined',
        'undefined',
        'undefined',
        'undefined',
        'undefined',
        'undefined',
        'Event,Hook,State,console,log,print,sleep',
      ],
    });
    const { error } = await hookAttack('js', `Function('return this')().process.exit(1)`);
    clear(error, ERROR, /TypeError/);
  });

  it('25. prototype pollution of values the host reads back', async () => {
    const { result } = await hookAttack(
      'js',
      `Object.prototype.polluted = 'yes';
       const data = JSON.parse('{"__proto__": {"isAdmin": true}, "ok": 1}');
       return { type: 'modified', data };`,
    );
    const data = (result as { data: Record<string, unknown> }).data;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(data.isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('26. memory bomb: array growth', async () => {
    const { error } = await hookAttack(
      'js',
      'const a = []; for (;;) a.push(new Array(1 << 18).fill(a.length));',
    );
    clear(error, MEMORY, /memory bound|out of memory/);
  });

  it('27. runaway recursion', async () => {
    clear(
      (await hookAttack('js', 'const f = (n) => f(n + 1) + 1; return f(0);')).error,
      MEMORY,
      /overflowed the stack/,
    );
  });

  it('28. a promise that never settles', async () => {
    clear((await hookAttack('js', 'await new Promise(() => {});')).error, ERROR, /can never settle/);
  });

  it('29. throwing non-Error values and returning functions or cycles', async () => {
    clear((await hookAttack('js', 'throw null;')).error, ERROR, /threw null/);
    clear((await hookAttack('js', 'throw { get message() { for (;;) {} } };')).error, ERROR, /failed/);
    clear(
      (await hookAttack('js', "return { type: 'replace', value: () => 1 };")).error,
      VALUE,
      /result\.value is a function/,
    );
    clear(
      (await hookAttack('js', "const o = {}; o.o = o; return { type: 'replace', value: o };")).error,
      VALUE,
      /result\.value\.o is a cycle/,
    );
  });

  it('30. a getter that loops while the host reads the result', async () => {
    const { error } = await hookAttack('js', "return { type: 'replace', get value() { for (;;) {} } };");
    clear(error, TIMEOUT, /converting a value ran past its CPU deadline/);
  });

  it('31. nesting deep enough to overflow the native stack discards only that engine', async () => {
    const { error } = await hookAttack(
      'js',
      "let a = []; for (let i = 0; i < 50000; i++) a = [a]; return { type: 'replace', value: JSON.stringify(a).length };",
      // Building 50 000 levels takes a few ms idle; on a loaded machine 40 ms of CPU can run out first.
      { cpuMs: 2_000 },
    );
    clear(error, MEMORY, /stack/);
  });
});
