import type { HookspellEvent } from '@hookspell/events';
import type { HookContext, HookHandle } from '@hookspell/hooks';
import { builtinValueError } from '../builtin-options.js';
import { BridgeError } from '../errors.js';
import { isThenable } from '../script-host.js';
import fengari from './fengari.js';
import { after, pushBytes, SMALL_BYTES } from './lua-budget.js';
import { raise, waitForHost } from './lua-control.js';
import type { LuaInstance } from './lua-engine.js';
import { heapInUse } from './lua-heap.js';
import { pushContext, pushEvent } from './lua-shapes.js';
import {
  JSON_NULL,
  key,
  markArray,
  pushString,
  pushValue,
  toJsString,
  toLuaString,
  toValue,
} from './lua-values.js';

const { lua, lauxlib } = fengari;
const {
  LUA_TFUNCTION,
  LUA_TTABLE,
  LUA_TSTRING,
  LUA_REGISTRYINDEX,
  lua_createtable,
  lua_setfield,
  lua_setglobal,
  lua_pushcfunction,
  lua_pushboolean,
  lua_pushnil,
  lua_pushvalue,
  lua_pushlightuserdata,
  lua_rawseti,
  lua_newuserdata,
  lua_setmetatable,
  lua_gettop,
  lua_type,
  lua_isnoneornil,
  lua_pop,
} = lua;
const { luaL_newmetatable, luaL_testudata, luaL_checktype, luaL_ref, luaL_unref, luaL_tolstring } = lauxlib;

const HANDLE = toLuaString('hookspell.HookHandle');
type Fn = (L: unknown) => number;

/**
 * Installs `Hook`, `Event`, `State`, `JSON`, `log` and `print` into a Lua state. Every function
 * checks its arguments, converts them with the bridge's value rules, calls the script's
 * {@link ScriptHost}, and turns host failures into Lua errors the script can `pcall`. Host
 * functions that must wait yield the calling coroutine (see {@link LuaRun}).
 * @internal
 */
export function installGlobals(L: unknown, inst: LuaInstance): void {
  const host = inst.host;
  const limits = host.limits;

  /**
   * Wraps a host function: JS errors become Lua errors; fengari's own throws and kills pass.
   * `scriptOwned`: what it allocates is the script's own (JSON values), counted by the meter.
   */
  const fn =
    (name: string, body: Fn, scriptOwned = false): Fn =>
    (L1) => {
      let message: string;
      // What the host allocates for the script (registry entries, events) is not the script's
      // own memory: keep it out of the heap meter's growth.
      const run = inst.current;
      const before = !scriptOwned && run !== undefined && run.heapBase >= 0 ? heapInUse() : -1;
      try {
        return body(L1);
      } catch (error) {
        if (!(error instanceof Error) || error === inst.current?.killed) throw error;
        message =
          BridgeError.isInstance(error) || error.name === 'HookError' || error.name === 'StorageError'
            ? error.message
            : `${error.name}: ${error.message}`;
      } finally {
        // Only growth moves the base: a collection that ran inside the call must not lower it
        // (that would charge the script with the garbage the collector just freed).
        if (before >= 0 && run!.heapBase >= 0) run!.heapBase += Math.max(0, heapInUse() - before);
      }
      // A hookspell error's message already names where it comes from: said once, in the
      // script's words ("State.save: …", not "State.save: [hookspell] [bridge] State.save: …").
      const plain = message.replace(/^(\[hookspell\] \[[a-z-]+\] )+/, '');
      return raise(L1, plain.startsWith(`${name}:`) ? plain : `${name}: ${plain}`);
    };

  /** Waits for `promise` without blocking the host: yields the coroutine until it settles. */
  const wait = (
    L1: unknown,
    what: string,
    promise: PromiseLike<unknown>,
    push: (L2: unknown, v: unknown) => number,
  ) => waitForHost(inst, L1, what, promise, push, afterWait);
  const afterWait: Fn = (L1) => {
    const run = inst.current!;
    const settled = run.settled!;
    run.settled = undefined;
    if (settled.ok) return settled.push(L1, settled.value);
    const e = settled.error;
    return raise(L1, e instanceof Error ? e.message : String(e));
  };
  /** A host result that may be a promise: pushed now, or after a wait. */
  const result = (
    L1: unknown,
    what: string,
    value: unknown,
    push: (L2: unknown, v: unknown) => number,
  ): number => (isThenable(value) ? wait(L1, what, value, push) : push(L1, value));
  const pushTrue = (L1: unknown) => {
    lua_pushboolean(L1, true);
    return 1;
  };
  const pushAny = (path: string) => (L1: unknown, v: unknown) => {
    pushValue(L1, v, path);
    return 1;
  };

  // ---- Hook -------------------------------------------------------------------------------
  luaL_newmetatable(L, HANDLE);
  lua_createtable(L, 0, 4);
  const handleOf = (L1: unknown, i: number): { h: HookHandle } | null => luaL_testudata(L1, i, HANDLE);
  const self = (L1: unknown) => {
    const d = handleOf(L1, 1);
    if (d === null) raise(L1, 'expected a hook handle (call it as handle:method())');
    return d!.h;
  };
  const str = (L1: unknown, s: string) => {
    pushString(L1, s);
    return 1;
  };
  const bool = (L1: unknown, b: boolean) => {
    lua_pushboolean(L1, b);
    return 1;
  };
  const pushHandle = (L1: unknown, handle: HookHandle) => {
    const data = lua_newuserdata(L1, 0);
    data.h = handle;
    luaL_newmetatable(L1, HANDLE);
    lua_setmetatable(L1, -2);
  };
  table(L, {
    id: (L1) => str(L1, self(L1).id),
    name: (L1) => str(L1, self(L1).name),
    hook_point: (L1) => str(L1, self(L1).point),
    unregister: fn('handle:unregister', (L1) => bool(L1, host.unregisterHook(self(L1).id))),
  });
  lua_setfield(L, -2, key('__index'));
  lua_pushcfunction(L, (L1: unknown) => str(L1, `HookHandle(${self(L1).name} @ ${self(L1).point})`));
  lua_setfield(L, -2, key('__tostring'));
  pushString(L, 'HookHandle');
  lua_setfield(L, -2, key('__metatable'));
  lua_pop(L, 1);

  global(L, 'Hook', {
    register: fn('Hook.register', (L1) => {
      const point = checkString(L1, 1, 'point');
      luaL_checktype(L1, 2, LUA_TFUNCTION);
      const options = lua_isnoneornil(L1, 3) ? undefined : toValue(L1, 3, 'options');
      lua_pushvalue(L1, 2);
      const ref = luaL_ref(L1, LUA_REGISTRYINDEX);
      let handle: HookHandle;
      try {
        handle = host.registerHook(
          point,
          (meta) => {
            const what = `hook '${meta.name}' at ${meta.point}`;
            const push = (ctx: HookContext) => (T: unknown) => pushContext(T, ctx);
            return (ctx) => inst.call(ref, push(ctx), limits.callbackMs, what, meta.waitMs);
          },
          options,
          () => {
            if (!inst.disposed) luaL_unref(inst.L, LUA_REGISTRYINDEX, ref);
          },
        );
      } catch (error) {
        luaL_unref(L1, LUA_REGISTRYINDEX, ref);
        throw error;
      }
      pushHandle(L1, handle);
      return 1;
    }),
    // A sequence of handles, one per point the built-in was registered at.
    builtin: fn('Hook.builtin', (L1) => {
      const name = checkString(L1, 1, 'name');
      let options: unknown;
      try {
        options = lua_isnoneornil(L1, 2) ? undefined : toValue(L1, 2, 'options');
      } catch (error) {
        throw builtinValueError(name, error);
      }
      const handles = host.registerBuiltin(name, options);
      lua_createtable(L1, handles.length, 0);
      handles.forEach((handle, i) => {
        pushHandle(L1, handle);
        lua_rawseti(L1, -2, i + 1);
      });
      if (handles.length === 0) markArray(L1, -1);
      return 1;
    }),
    unregister: fn('Hook.unregister', (L1) => {
      const d = handleOf(L1, 1);
      if (d === null) throw new TypeError('expected a hook handle returned by Hook.register');
      lua_pushboolean(L1, host.unregisterHook(d.h.id));
      return 1;
    }),
    list: fn('Hook.list', (L1) => {
      const filter = lua_isnoneornil(L1, 1) ? undefined : toValue(L1, 1, 'filter');
      pushValue(L1, host.listHooks(filter), 'Hook.list()');
      return 1;
    }),
  });

  // ---- Event ------------------------------------------------------------------------------
  const pushEventOrNil = (L1: unknown, e: unknown) => {
    if (e === null || e === undefined) lua_pushnil(L1);
    else pushEvent(L1, e as HookspellEvent);
    return 1;
  };
  global(L, 'Event', {
    publish: fn('Event.publish', (L1) => {
      const type = checkString(L1, 1, 'type');
      const data = toValue(L1, 2, 'data');
      const options = lua_isnoneornil(L1, 3) ? undefined : toValue(L1, 3, 'options');
      return wait(L1, 'Event.publish', host.publish(type, data, options), pushTrue);
    }),
    subscribe: fn('Event.subscribe', (L1) => {
      const pattern = checkString(L1, 1, 'pattern');
      let id: string;
      if (lua_isnoneornil(L1, 2)) id = host.subscribe(pattern, undefined);
      else {
        luaL_checktype(L1, 2, LUA_TFUNCTION);
        lua_pushvalue(L1, 2);
        const ref = luaL_ref(L1, LUA_REGISTRYINDEX);
        const what = `subscriber of '${pattern}'`;
        try {
          id = host.subscribe(
            pattern,
            (event) => inst.call(ref, (T) => pushEvent(T, event), limits.callbackMs, what, limits.waitMs),
            () => {
              if (!inst.disposed) luaL_unref(inst.L, LUA_REGISTRYINDEX, ref);
            },
          );
        } catch (error) {
          luaL_unref(L1, LUA_REGISTRYINDEX, ref);
          throw error;
        }
      }
      pushString(L1, id);
      return 1;
    }),
    receive: fn('Event.receive', (L1) => {
      const id = lua_type(L1, 1) === LUA_TSTRING ? toJsString(L1, 1) : toValue(L1, 1, 'id');
      const timeout = lua_isnoneornil(L1, 2) ? undefined : toValue(L1, 2, 'timeout_ms');
      return result(L1, 'Event.receive', host.receive(id, timeout), pushEventOrNil);
    }),
    unsubscribe: fn('Event.unsubscribe', (L1) => {
      lua_pushboolean(L1, host.unsubscribe(toValue(L1, 1, 'id')));
      return 1;
    }),
    list_subscriptions: fn('Event.list_subscriptions', (L1) => {
      pushValue(L1, host.listSubscriptions(), 'subscriptions');
      return 1;
    }),
    get_stats: fn('Event.get_stats', (L1) => {
      pushValue(L1, host.stats(), 'stats');
      return 1;
    }),
  });

  // ---- State ------------------------------------------------------------------------------
  const scoped = (L1: unknown, n: number): [unknown, ...unknown[]] => {
    const args: unknown[] = [];
    for (let i = 1; i <= n; i++) args.push(toValue(L1, i, i === n && n > 2 ? 'value' : `argument #${i}`));
    return args as [unknown, ...unknown[]];
  };
  const pushKeys = (L1: unknown, keys: unknown) => {
    pushValue(L1, keys, 'keys');
    if ((keys as unknown[]).length === 0) markArray(L1, -1);
    return 1;
  };
  const save: Fn = (L1) => {
    const [scope, k, v] = scoped(L1, 3);
    return wait(L1, 'State.save', host.stateSave(scope, k, v), pushTrue);
  };
  const load: Fn = (L1) => {
    const [scope, k] = scoped(L1, 2);
    return wait(L1, 'State.load', host.stateLoad(scope, k), pushAny('value'));
  };
  const del = (L1: unknown, scope: unknown, k: unknown) =>
    wait(L1, 'State.delete', host.stateDelete(scope, k), (L2, v) => bool(L2, v === true));
  const listKeys = (L1: unknown, scope: unknown) =>
    wait(L1, 'State.list_keys', host.stateListKeys(scope), pushKeys);
  global(L, 'State', {
    save: fn('State.save', save),
    load: fn('State.load', load),
    delete: fn('State.delete', (L1) => {
      // State.delete(scope, key), or the older State.delete(key) in the global scope.
      if (lua_gettop(L1) >= 2) return del(L1, toValue(L1, 1, 'scope'), toValue(L1, 2, 'key'));
      return del(L1, 'global', toValue(L1, 1, 'key'));
    }),
    list_keys: fn('State.list_keys', (L1) => listKeys(L1, toValue(L1, 1, 'scope'))),
    // The original's older API: global scope, or a leading scope argument.
    get: fn('State.get', (L1) => {
      if (lua_gettop(L1) >= 2) return load(L1);
      return wait(L1, 'State.get', host.stateLoad('global', toValue(L1, 1, 'key')), pushAny('value'));
    }),
    set: fn('State.set', (L1) => {
      if (lua_gettop(L1) >= 3) return save(L1);
      const k = toValue(L1, 1, 'key');
      return wait(L1, 'State.set', host.stateSave('global', k, toValue(L1, 2, 'value')), pushTrue);
    }),
    list: fn('State.list', (L1) => listKeys(L1, lua_isnoneornil(L1, 1) ? 'global' : toValue(L1, 1, 'scope'))),
  });

  // ---- JSON -------------------------------------------------------------------------------
  // What JSON.encode and JSON.decode build is the script's: counted by the heap meter, the
  // text's size checked before it becomes a Lua string, the deadline checked after a long one.
  global(L, 'JSON', {
    encode: fn(
      'JSON.encode',
      (L1) => {
        const text = toLuaString(JSON.stringify(toValue(L1, 1, 'value') ?? null));
        if (text.length > SMALL_BYTES) inst.reserve(L1, text.length, 'JSON.encode');
        pushBytes(L1, text);
        after(inst, L1, text.length);
        return 1;
      },
      true,
    ),
    decode: fn(
      'JSON.decode',
      (L1) => {
        const text = checkString(L1, 1, 'text');
        pushValue(L1, JSON.parse(text), 'JSON');
        after(inst, L1, text.length);
        return 1;
      },
      true,
    ),
    array: fn('JSON.array', (L1) => {
      if (lua_type(L1, 1) !== LUA_TTABLE) lua_createtable(L1, 0, 0);
      else lua_pushvalue(L1, 1);
      markArray(L1, -1);
      return 1;
    }),
  });
  lua_getglobal(L, 'JSON');
  lua_pushlightuserdata(L, JSON_NULL);
  lua_setfield(L, -2, key('null'));
  // The original's names (rs-llmspell, llmspell-bridge/src/lua/globals/json.rs): JSON.parse and
  // JSON.stringify, the same functions as decode and encode.
  lua.lua_getfield(L, -1, key('decode'));
  lua_setfield(L, -2, key('parse'));
  lua.lua_getfield(L, -1, key('encode'));
  lua_setfield(L, -2, key('stringify'));
  lua_pop(L, 1);

  // ---- log / print ------------------------------------------------------------------------
  const logFn = (level: 'debug' | 'info' | 'warn' | 'error'): Fn =>
    fn(`log.${level}`, (L1) => {
      luaL_tolstring(L1, 1);
      const message = toJsString(L1, -1);
      lua_pop(L1, 1);
      const data = lua_isnoneornil(L1, 2) ? undefined : toValue(L1, 2, 'data');
      host.log(level, message, data);
      return 0;
    });
  global(L, 'log', {
    debug: logFn('debug'),
    info: logFn('info'),
    warn: logFn('warn'),
    error: logFn('error'),
  });
  lua_pushcfunction(L, (L1: unknown) => {
    const n = lua_gettop(L1);
    const parts: string[] = [];
    for (let i = 1; i <= n; i++) {
      luaL_tolstring(L1, i);
      parts.push(toJsString(L1, -1));
      lua_pop(L1, 1);
    }
    host.print(parts.join('\t'));
    return 0;
  });
  lua_setglobal(L, key('print'));
}

/** Raises a Lua error `chunk:line: message` at the caller's position. */
function checkString(L: unknown, i: number, name: string): string {
  if (lua_type(L, i) !== LUA_TSTRING) throw new TypeError(`\`${name}\` (argument #${i}) must be a string`);
  return toJsString(L, i);
}

function table(L: unknown, fns: Record<string, Fn>): void {
  for (const [name, f] of Object.entries(fns)) {
    lua_pushcfunction(L, f);
    lua_setfield(L, -2, key(name));
  }
}

function global(L: unknown, name: string, fns: Record<string, Fn>): void {
  lua_createtable(L, 0, Object.keys(fns).length);
  table(L, fns);
  lua_setglobal(L, key(name));
}

function lua_getglobal(L: unknown, name: string): void {
  lua.lua_getglobal(L, key(name));
}
