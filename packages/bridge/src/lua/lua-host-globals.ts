import { BridgeError, BridgeValueError, invalidArgument } from '../errors.js';
import type { HostTree } from '../host-globals.js';
import { HostCallError, isThenable } from '../script-host.js';
import fengari from './fengari.js';
import { raise, waitForHost } from './lua-control.js';
import type { LuaInstance } from './lua-engine.js';
import { heapInUse } from './lua-heap.js';
import { key, pushString, pushValue, toJsString, toValue } from './lua-values.js';

const { lua, lauxlib } = fengari;
const {
  LUA_TNIL,
  LUA_TSTRING,
  lua_createtable,
  lua_error,
  lua_getglobal,
  lua_gettop,
  lua_pop,
  lua_pushcfunction,
  lua_pushnil,
  lua_setfield,
  lua_setglobal,
  lua_setmetatable,
  lua_type,
} = lua;
const { luaL_newmetatable } = lauxlib;

type Fn = (L: unknown) => number;
type Push = (L: unknown, value: unknown) => number;

const HOST_ERROR = 'hookspell.HostError';

/**
 * Installs the host's own globals (`globals`), `sleep(ms)` and, when the host granted variables
 * (`env`), `os.getenv`. A host function converts its arguments by the value rules, calls the
 * host, and pushes the result; a promise yields the calling coroutine until it settles (as
 * `Event.receive` does), bounded by the wait deadline. A host failure is raised as a table
 * `{ code, message }` (with `__tostring`), so `pcall` gets the host's code; a result that cannot
 * cross is a plain Lua error naming the function.
 * @internal
 */
export function installHostGlobals(L: unknown, inst: LuaInstance): void {
  const host = inst.host;

  // The error value of a host failure: a table with the code, printable.
  luaL_newmetatable(L, key(HOST_ERROR));
  lua_pushcfunction(L, (L1: unknown) => {
    lua.lua_getfield(L1, 1, key('message'));
    return 1;
  });
  lua_setfield(L, -2, key('__tostring'));
  lua_pop(L, 1);
  const raiseHost = (L1: unknown, error: HostCallError): never => {
    lua_createtable(L1, 0, 2);
    pushString(L1, error.code);
    lua_setfield(L1, -2, key('code'));
    pushString(L1, error.message);
    lua_setfield(L1, -2, key('message'));
    luaL_newmetatable(L1, key(HOST_ERROR));
    lua_setmetatable(L1, -2);
    lua_error(L1);
    throw new Error('unreachable: lua_error returned');
  };
  const fail = (L1: unknown, what: string, error: unknown): never => {
    if (error instanceof HostCallError) return raiseHost(L1, error);
    if (error === inst.current?.killed || !(error instanceof Error)) throw error;
    const message = BridgeError.isInstance(error) ? error.message : `${error.name}: ${error.message}`;
    return raise(L1, message.startsWith(what) ? message : `${what}: ${message}`);
  };
  const pushResult =
    (path: string): Push =>
    (L1, value) => {
      try {
        pushValue(L1, value, `the result of ${path}()`);
        return 1;
      } catch (error) {
        if (error instanceof BridgeValueError) return raise(L1, `${path}: ${error.message}`);
        throw error;
      }
    };
  const afterWait = (what: string): Fn => {
    return (L1) => {
      const run = inst.current!;
      const settled = run.settled!;
      run.settled = undefined;
      if (settled.ok) return settled.push(L1, settled.value);
      return fail(L1, what, settled.error);
    };
  };
  /** Waits for `promise` by yielding the coroutine; raises where Lua cannot yield. */
  const wait = (L1: unknown, what: string, promise: PromiseLike<unknown>, push: Push): number =>
    waitForHost(inst, L1, what, promise, push, afterWait(what));
  /** Runs `body` with the host's allocations kept out of the script's heap meter. */
  const hostSide = <T>(body: () => T): T => {
    const run = inst.current;
    const before = run !== undefined && run.heapBase >= 0 ? heapInUse() : -1;
    try {
      return body();
    } finally {
      if (before >= 0 && run!.heapBase >= 0) run!.heapBase += Math.max(0, heapInUse() - before);
    }
  };

  const hostFunction =
    (id: number, path: string): Fn =>
    (L1) => {
      let value: unknown;
      try {
        value = hostSide(() => {
          const args: unknown[] = [];
          const n = lua_gettop(L1);
          for (let i = 1; i <= n; i++) args.push(toValue(L1, i, `${path} argument #${i}`));
          return host.callHost(id, args);
        });
      } catch (error) {
        return fail(L1, path, error);
      }
      return isThenable(value) ? wait(L1, path, value, pushResult(path)) : pushResult(path)(L1, value);
    };

  const pushNode = (node: HostTree, path: string): void => {
    if ('fn' in node) lua_pushcfunction(L, hostFunction(node.fn, node.path));
    else if ('table' in node) {
      const entries = Object.entries(node.table);
      lua_createtable(L, 0, entries.length);
      for (const [k, child] of entries) {
        pushNode(child, `${path}.${k}`);
        lua_setfield(L, -2, key(k));
      }
    } else pushValue(L, node.value, `globals.${path}`);
  };
  for (const [name, node] of Object.entries(host.hostTree)) {
    lua_getglobal(L, key(name));
    const taken = lua_type(L, -1) !== LUA_TNIL;
    lua_pop(L, 1);
    if (taken)
      throw invalidArgument(
        `\`globals.${name}\`: Lua scripts already have a global ${name} (a standard library); pick another name.`,
      );
    pushNode(node, name);
    lua_setglobal(L, key(name));
  }

  // sleep(ms): the replacement for the original's os.execute("sleep …").
  lua_pushcfunction(L, (L1: unknown) => {
    let promise: Promise<void>;
    try {
      promise = host.sleep(toValue(L1, 1, 'ms'));
    } catch (error) {
      return fail(L1, 'sleep', error);
    }
    return wait(L1, 'sleep', promise, () => 0);
  });
  lua_setglobal(L, key('sleep'));

  if (host.env !== undefined) {
    lua_getglobal(L, key('os'));
    lua_pushcfunction(L, (L1: unknown) => {
      let value: string | undefined;
      try {
        value = host.getenv(lua_type(L1, 1) === LUA_TSTRING ? toJsString(L1, 1) : toValue(L1, 1, 'name'));
      } catch (error) {
        return fail(L1, 'os.getenv', error);
      }
      if (value === undefined) lua_pushnil(L1);
      else pushString(L1, value);
      return 1;
    });
    lua_setfield(L, -2, key('getenv'));
    lua_pop(L, 1);
  }
}
