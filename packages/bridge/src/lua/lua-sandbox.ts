import fengari from './fengari.js';
import type { LuaInstance } from './lua-engine.js';
import { heapInUse } from './lua-heap.js';
import { installBoundedLibraries } from './lua-library.js';
import { ARRAY_MT_KEY, key, pushString, toJsString, toLuaString } from './lua-values.js';

const { lua, lauxlib, lualib } = fengari;
const {
  LUA_OK,
  LUA_YIELD,
  LUA_MULTRET,
  LUA_TSTRING,
  LUA_TTABLE,
  LUA_REGISTRYINDEX,
  lua_pushboolean,
  lua_pushvalue,
  lua_insert,
  lua_gettop,
  lua_pcallk,
  lua_pushnil,
  lua_setglobal,
  lua_getglobal,
  lua_setfield,
  lua_getfield,
  lua_pop,
  lua_createtable,
  lua_tocfunction,
  lua_pushcfunction,
  lua_pushcclosure,
  lua_upvalueindex,
  lua_tothread,
  lua_xmove,
  lua_resume,
  lua_status,
  lua_isyieldable,
  lua_yieldk,
  lua_checkstack,
  lua_error,
  lua_type,
  lua_tolstring,
  lua_setupvalue,
  lua_isnoneornil,
  lua_pushnumber,
  lua_pushinteger,
  lua_tonumber,
  lua_rawsetp,
  lua_getmetatable,
  lua_settop,
  lua_rotate,
  lua_load,
} = lua;
const { luaL_requiref, luaL_checkany, luaL_optlstring, luaL_checktype, luaL_error, luaL_argerror } = lauxlib;

const INT32_MAX = 2 ** 31 - 1;
const MAX_RANDOM = 2 ** 53;

/** Functions of the base library a script never gets (file access, and the originals we replace). */
const REMOVED_GLOBALS = ['dofile', 'loadfile', 'require', 'module', 'package', 'io', 'debug'];
/** The only `os` functions kept: time and formatting, no process, file or environment access. */
const OS_KEPT = ['time', 'clock', 'date', 'difftime'];

/**
 * Opens the libraries a script may use and closes everything else (fail closed): base (minus
 * `dofile`/`loadfile`), `coroutine`, `table`, `string` (minus `dump`, `rep` bounded), `math`
 * (per-script `random`), `utf8`, and `os.time/clock/date/difftime`. No `io`, `debug`,
 * `package`/`require`; `load` takes text only; `collectgarbage` only `"count"`. `pcall`, `xpcall`
 * and `coroutine.resume/wrap` are replaced by versions that rethrow the deadline, so a script
 * cannot catch its own interruption, and that pass host waits through user coroutines.
 * @internal
 */
export function openSandbox(L: unknown, inst: LuaInstance): void {
  for (const [name, open] of [
    ['_G', lualib.luaopen_base],
    ['coroutine', lualib.luaopen_coroutine],
    ['table', lualib.luaopen_table],
    ['string', lualib.luaopen_string],
    ['math', lualib.luaopen_math],
    ['utf8', lualib.luaopen_utf8],
  ] as const) {
    luaL_requiref(L, toLuaString(name), open, 1);
    lua_pop(L, 1);
  }
  // os: open into a private table, copy the harmless functions into a fresh one.
  luaL_requiref(L, toLuaString('os'), lualib.luaopen_os, 0);
  lua_createtable(L, 0, OS_KEPT.length);
  for (const name of OS_KEPT) {
    lua_getfield(L, -2, key(name));
    lua_setfield(L, -2, key(name));
  }
  lua_setglobal(L, key('os'));
  lua_pop(L, 1);
  for (const name of REMOVED_GLOBALS) {
    lua_pushnil(L);
    lua_setglobal(L, key(name));
  }

  setGlobal(L, 'pcall', (L1: unknown) => protectedCall(inst, L1, false));
  setGlobal(L, 'xpcall', (L1: unknown) => protectedCall(inst, L1, true));
  setGlobal(L, 'load', (L1: unknown) => safeLoad(inst, L1));
  setGlobal(L, 'collectgarbage', (L1: unknown) => {
    const opt = lua_isnoneornil(L1, 1) ? 'count' : lua_type(L1, 1) === LUA_TSTRING ? toJsString(L1, 1) : '?';
    if (opt !== 'count')
      return luaL_error(
        L1,
        toLuaString(`collectgarbage: only "count" is available in the sandbox (got "${opt}")`),
      );
    const base = inst.current?.heapBase ?? -1;
    lua_pushnumber(L1, base < 0 ? 0 : Math.max(0, heapInUse() - base) / 1024);
    return 1;
  });

  // string: no dump (bytecode), and a locked metatable for string values.
  lua_getglobal(L, key('string'));
  lua_pushnil(L);
  lua_setfield(L, -2, key('dump'));
  lua_pop(L, 1);
  installBoundedLibraries(L, inst);
  pushString(L, '');
  lua_getmetatable(L, -1);
  lua_pushboolean(L, false);
  lua_setfield(L, -2, key('__metatable'));
  lua_pop(L, 2);

  installRandom(L);
  installCoroutines(L, inst);

  // The marker metatable of JSON.array(): locked so a script cannot turn it into something else.
  lua_createtable(L, 0, 2);
  pushString(L, 'array');
  lua_setfield(L, -2, key('__name'));
  pushString(L, 'array');
  lua_setfield(L, -2, key('__metatable'));
  lua_rawsetp(L, LUA_REGISTRYINDEX, ARRAY_MT_KEY);
}

function setGlobal(L: unknown, name: string, fn: (L: unknown) => number): void {
  lua_pushcfunction(L, fn);
  lua_setglobal(L, key(name));
}

/** `pcall`/`xpcall` as in lbaselib, except that a killed run's interruption is rethrown. */
function protectedCall(inst: LuaInstance, L: unknown, withHandler: boolean): number {
  const finish = (L1: unknown, status: number, extra: number): number => {
    const run = inst.current;
    if (run?.killed !== undefined) throw run.killed;
    if (status !== LUA_OK && status !== LUA_YIELD) {
      lua_pushboolean(L1, false);
      lua_pushvalue(L1, -2);
      return 2;
    }
    return lua_gettop(L1) - extra;
  };
  // Called by fengari after it recovered an error inside a coroutine (every callback runs as
  // one). fengari 0.1.5's `lua_pcallk` never records that hooks were allowed (its `setoah` only
  // clears the bit), so the recovery turns the count hook off for the rest of the thread: without
  // this, `pcall(error, "x") while true do end` would never meet its deadline. No Lua code runs
  // inside our count hook, so hooks were always allowed when the script called pcall.
  const recovered = (L1: unknown, status: number, extra: number): number => {
    (L1 as { allowhook: number }).allowhook = 1;
    return finish(L1, status, extra);
  };
  if (!withHandler) {
    luaL_checkany(L, 1);
    lua_pushboolean(L, true);
    lua_insert(L, 1);
    return finish(L, lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, recovered), 0);
  }
  const n = lua_gettop(L);
  luaL_checktype(L, 2, lua.LUA_TFUNCTION);
  lua_pushboolean(L, true);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2);
  return finish(L, lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, recovered), 2);
}

/**
 * Bytes of a chunk `load` hands the compiler at a time. fengari's compiler runs in JS, outside
 * the count hook: the chunk is fed in pieces and the deadline and the heap meter are checked
 * between them, so compiling a huge chunk (or one whose parse is slow per statement, such as
 * thousands of labels in one block) meets the bounds like running code does.
 */
const LOAD_PIECE = 4096;

/** `load` for text chunks only; an optional table `env` restricts the chunk further. */
function safeLoad(inst: LuaInstance, L: unknown): number {
  const fail = (message: string) => {
    lua_pushnil(L);
    pushString(L, message);
    return 2;
  };
  if (lua_type(L, 1) !== LUA_TSTRING)
    return fail('load: only text chunks (strings) are allowed in the sandbox');
  const chunk: Uint8Array = lua_tolstring(L, 1);
  if (chunk[0] === 0x1b) return fail('load: binary (precompiled) chunks are not allowed in the sandbox');
  const name = luaL_optlstring(L, 2, chunk.length < 60 ? chunk : toLuaString('=(load)'));
  const hasEnv = !lua_isnoneornil(L, 4);
  if (hasEnv && lua_type(L, 4) !== LUA_TTABLE) return fail('load: `env` must be a table');
  let offset = 0;
  const reader = (L1: unknown): Uint8Array | null => {
    if (offset >= chunk.length) return null;
    if (offset > 0) inst.checkpoint(L1);
    const piece = chunk.subarray(offset, offset + LOAD_PIECE);
    offset += piece.length;
    return piece;
  };
  const status = lua_load(L, reader, null, name, toLuaString('t'));
  // A deadline or memory kill inside the compiler comes back as a failed load: rethrow it.
  const killed = inst.current?.killed;
  if (killed !== undefined) throw killed;
  if (status !== LUA_OK) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  if (hasEnv) {
    lua_pushvalue(L, 4);
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  }
  return 1;
}

/**
 * A per-script generator (fengari's `math.randomseed` is shared by every state in the process),
 * and `math.random(m, n)` over any integer range up to 2^53, so common UUID code works.
 */
function installRandom(L: unknown): void {
  let seed = (Math.random() * 2 ** 32) >>> 0;
  const next32 = () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next53 = () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  const intArg = (L1: unknown, i: number): number => {
    const v = lua_tonumber(L1, i);
    if (lua_type(L1, i) !== lua.LUA_TNUMBER || !Number.isInteger(v) || Math.abs(v) > MAX_RANDOM)
      luaL_argerror(L1, i, toLuaString(`integer between -2^53 and 2^53 expected`));
    return v;
  };
  lua_getglobal(L, key('math'));
  lua_pushcfunction(L, (L1: unknown) => {
    const n = lua_gettop(L1);
    const r = next53();
    if (n === 0) {
      lua_pushnumber(L1, r);
      return 1;
    }
    if (n > 2) return luaL_error(L1, toLuaString('wrong number of arguments'));
    const low = n === 1 ? 1 : intArg(L1, 1);
    const up = intArg(L1, n);
    if (low > up) luaL_argerror(L1, n, toLuaString('interval is empty'));
    const v = low + Math.floor(r * (up - low + 1));
    if (v >= -INT32_MAX - 1 && v <= INT32_MAX) lua_pushinteger(L1, v);
    else lua_pushnumber(L1, v);
    return 1;
  });
  lua_setfield(L, -2, key('random'));
  lua_pushcfunction(L, (L1: unknown) => {
    seed = lua_tonumber(L1, 1) >>> 0;
    return 0;
  });
  lua_setfield(L, -2, key('randomseed'));
  lua_pop(L, 1);
}

/**
 * `coroutine.resume` and `coroutine.wrap` like lcorolib's, plus two things: a killed run's
 * interruption is rethrown (a coroutine cannot swallow the deadline), and when the coroutine
 * stopped because a host function waits on a promise, the wait is passed up to the host and
 * the coroutine is resumed once the promise settles.
 */
function installCoroutines(L: unknown, inst: LuaInstance): void {
  const step = (L1: unknown, co: unknown, narg: number, wrap: boolean): number => {
    if (lua_status(co) === LUA_OK && lua_gettop(co) === 0) {
      if (wrap) return luaL_error(L1, toLuaString('cannot resume dead coroutine'));
      lua_pushboolean(L1, false);
      pushString(L1, 'cannot resume dead coroutine');
      return 2;
    }
    if (!lua_checkstack(co, narg)) return luaL_error(L1, toLuaString('too many arguments to resume'));
    lua_xmove(L1, co, narg);
    const status = lua_resume(co, L1, narg);
    const run = inst.current;
    if (run?.killed !== undefined) throw run.killed;
    if (status === LUA_YIELD && run?.pending !== undefined) {
      // A host wait inside this coroutine: wait in our caller too, then resume it.
      if (!lua_isyieldable(L1)) {
        run.pending = undefined;
        return luaL_error(
          L1,
          toLuaString(
            'cannot wait for the host here (inside a metamethod, iterator or callback of a library function)',
          ),
        );
      }
      return lua_yieldk(L1, 0, { co, wrap }, resumeAfterWait);
    }
    if (status === LUA_OK || status === LUA_YIELD) {
      const nres = lua_gettop(co);
      if (!lua_checkstack(L1, nres + 1)) return luaL_error(L1, toLuaString('too many results to resume'));
      if (wrap) {
        lua_xmove(co, L1, nres);
        return nres;
      }
      lua_pushboolean(L1, true);
      lua_xmove(co, L1, nres);
      return nres + 1;
    }
    lua_xmove(co, L1, 1);
    if (wrap) return lua_error(L1);
    lua_pushboolean(L1, false);
    lua_insert(L1, -2);
    return 2;
  };
  const resumeAfterWait = (L1: unknown, _status: number, ctx: { co: unknown; wrap: boolean }): number => {
    lua_settop(L1, 0);
    return step(L1, ctx.co, 0, ctx.wrap);
  };
  lua_getglobal(L, key('coroutine'));
  lua_pushcfunction(L, (L1: unknown) => {
    const co = lua_tothread(L1, 1);
    if (!co) luaL_argerror(L1, 1, toLuaString('coroutine expected'));
    const narg = lua_gettop(L1) - 1;
    return step(L1, co, narg, false);
  });
  lua_setfield(L, -2, key('resume'));
  lua_getfield(L, -1, key('create'));
  const create = lua_tocfunction(L, -1);
  lua_pop(L, 1);
  lua_pushcfunction(L, (L1: unknown) => {
    create(L1);
    lua_pushcclosure(
      L1,
      (L2: unknown) => step(L2, lua_tothread(L2, lua_upvalueindex(1)), lua_gettop(L2), true),
      1,
    );
    return 1;
  });
  lua_setfield(L, -2, key('wrap'));
  lua_pop(L, 1);
}
