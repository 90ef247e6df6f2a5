import fengari from './fengari.js';
import type { LuaInstance } from './lua-engine.js';
import { pushString } from './lua-values.js';

// How a host function hands control back to Lua other than by returning values: raising a Lua
// error, or yielding the coroutine while the host works.

const { lua, lauxlib } = fengari;
const { lua_concat, lua_error, lua_isyieldable, lua_yieldk } = lua;
const { luaL_where } = lauxlib;

/**
 * Yields the running Lua coroutine until `promise` settles, then resumes in `continuation` (which
 * pushes the value or raises the error). Where Lua cannot yield — a metamethod, an iterator, a
 * library callback — it raises instead, and the promise's rejection is absorbed (nobody waits).
 * One rule for every host call that may wait: Event.receive, State, host globals.
 */
export function waitForHost(
  inst: LuaInstance,
  L1: unknown,
  what: string,
  promise: PromiseLike<unknown>,
  push: (L2: unknown, v: unknown) => number,
  continuation: (L: unknown) => number,
): number {
  const run = inst.current;
  if (run === undefined || !lua_isyieldable(L1)) {
    promise.then(undefined, () => {});
    return raise(
      L1,
      `${what} cannot wait for the host here (inside a metamethod, iterator or a callback of a library function such as string.gsub or table.sort)`,
    );
  }
  run.pending = promise;
  run.pendingPush = push;
  return lua_yieldk(L1, 0, null, continuation);
}

export function raise(L: unknown, message: string): never {
  luaL_where(L, 1);
  pushString(L, message);
  lua_concat(L, 2);
  lua_error(L);
  throw new Error('unreachable: lua_error returned');
}
