import { BridgeValueError } from '../errors.js';
import { enterHostContainer, MAX_DEPTH } from '../host-containers.js';
import fengari from './fengari.js';

const { lua } = fengari;
const {
  LUA_TNIL,
  LUA_TBOOLEAN,
  LUA_TNUMBER,
  LUA_TSTRING,
  LUA_TTABLE,
  LUA_TLIGHTUSERDATA,
  LUA_REGISTRYINDEX,
  lua_type,
  lua_toboolean,
  lua_isinteger,
  lua_tointeger,
  lua_tonumber,
  lua_tolstring,
  lua_pushnil,
  lua_pushboolean,
  lua_pushinteger,
  lua_pushnumber,
  lua_pushstring,
  lua_createtable,
  lua_rawseti,
  lua_rawset,
  lua_next,
  lua_pop,
  lua_pushvalue,
  lua_absindex,
  lua_topointer,
  lua_getmetatable,
  lua_rawgetp,
  lua_rawequal,
  lua_setmetatable,
  lua_touserdata,
  lua_pushlightuserdata,
  lua_checkstack,
  lua_typename,
} = lua;

/** Deepest nesting that crosses the bridge. */
export { MAX_DEPTH } from '../host-containers.js';

/** Registry keys (light userdata) of the array marker metatable and the JSON.null sentinel. */
export const ARRAY_MT_KEY = Object.freeze({ name: 'hookspell.array' });
export const JSON_NULL = Object.freeze({ name: 'hookspell.null' });

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const encoder = new TextEncoder();
// Non-fatal: an invalid UTF-8 sequence becomes U+FFFD (WHATWG "maximal subpart" rule).
const decoder = new TextDecoder('utf-8');

/**
 * A JS string as Lua bytes (UTF-8). Lone surrogates become U+FFFD (EF BF BD). Short ASCII
 * strings skip TextEncoder, which costs more than the loop for the keys and words hooks use.
 */
export function toLuaString(s: string): Uint8Array {
  const n = s.length;
  if (n < 48) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) return encoder.encode(s);
      out[i] = c;
    }
    return out;
  }
  return encoder.encode(s);
}

/** Lua bytes as a JS string: UTF-8 decoded, invalid sequences as U+FFFD. */
export function fromLuaString(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n < 48) {
    let s = '';
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      if (b > 127) return decoder.decode(bytes);
      s += String.fromCharCode(b);
    }
    return s;
  }
  return decoder.decode(bytes);
}

const keyCache = new Map<string, Uint8Array>();
/** Encoded form of a field name the bridge uses on every call (`data`, `point`…), made once. */
export function key(name: string): Uint8Array {
  let k = keyCache.get(name);
  if (k === undefined) {
    k = toLuaString(name);
    if (keyCache.size < 4096) keyCache.set(name, k);
  }
  return k;
}

/** Pushes a Lua string made from a JS string. */
export function pushString(L: unknown, s: string): void {
  lua_pushstring(L, toLuaString(s));
}

/** The Lua string at `idx` as a JS string (the value must be a string or a number). */
export function toJsString(L: unknown, idx: number): string {
  return fromLuaString(lua_tolstring(L, idx));
}

function child(path: string, k: string | number): string {
  if (typeof k === 'number') return `${path}[${k}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
}

/**
 * Pushes a host value as a Lua value. Rules: `undefined`/`null` → nil (in arrays, `JSON.null`);
 * booleans; integers in int32 → Lua integers, other finite numbers → floats (fengari's integers
 * are 32-bit); strings → UTF-8; arrays → sequences (an empty one marked as array); plain objects
 * → tables with string keys. NaN/±Infinity, functions, symbols, bigints, cycles and nesting
 * deeper than 100 throw `BridgeValueError` naming the path.
 */
export function pushValue(L: unknown, value: unknown, path: string, depth = 0, seen?: unknown[]): void {
  switch (typeof value) {
    case 'undefined':
      lua_pushnil(L);
      return;
    case 'boolean':
      lua_pushboolean(L, value);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) lua_pushinteger(L, value);
      else if (Number.isFinite(value)) lua_pushnumber(L, value);
      else throw new BridgeValueError(path, `is ${value}; NaN and ±Infinity cannot cross the bridge`);
      return;
    case 'string':
      lua_pushstring(L, toLuaString(value));
      return;
    case 'object':
      if (value === null) {
        lua_pushnil(L);
        return;
      }
      pushObject(L, value as object, path, depth, seen);
      return;
    default:
      throw new BridgeValueError(path, `is a ${typeof value}; only JSON-like data crosses the bridge`);
  }
}

function pushObject(
  L: unknown,
  value: object,
  path: string,
  depth: number,
  seen: unknown[] | undefined,
): void {
  if (depth >= MAX_DEPTH) throw new BridgeValueError(path, `is nested deeper than ${MAX_DEPTH} levels`);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    pushValue(L, (value as { toJSON(): unknown }).toJSON(), path, depth, seen);
    return;
  }
  seen = enterHostContainer(value, path, depth, seen);
  if (!lua_checkstack(L, 4)) throw new BridgeValueError(path, 'is too deep for the Lua stack');
  if (Array.isArray(value)) {
    const n = value.length;
    lua_createtable(L, n, 0);
    for (let i = 0; i < n; i++) {
      const item = value[i];
      if (item === null || item === undefined) lua_pushlightuserdata(L, JSON_NULL);
      else pushValue(L, item, `${path}[${i + 1}]`, depth + 1, seen);
      lua_rawseti(L, -2, i + 1);
    }
    if (n === 0) markArray(L, -1);
  } else {
    const keys = Object.keys(value);
    lua_createtable(L, 0, keys.length);
    for (const k of keys) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined || v === null) continue;
      lua_pushstring(L, key(k));
      pushValue(L, v, child(path, k), depth + 1, seen);
      lua_rawset(L, -3);
    }
  }
  seen.pop();
}

/** Gives the table at `idx` the array marker metatable, so `{}` crosses as `[]`. */
export function markArray(L: unknown, idx: number): void {
  const t = lua_absindex(L, idx);
  lua_rawgetp(L, LUA_REGISTRYINDEX, ARRAY_MT_KEY);
  lua_setmetatable(L, t);
}

function isMarkedArray(L: unknown, idx: number): boolean {
  if (!lua_getmetatable(L, idx)) return false;
  lua_rawgetp(L, LUA_REGISTRYINDEX, ARRAY_MT_KEY);
  const marked = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return marked;
}

/**
 * The Lua value at `idx` as a host value. Tables with keys 1..n become arrays, tables with
 * string keys objects, an empty table `{}` unless marked by `JSON.array()`. Integers and floats
 * keep their subtype as JS numbers; strings are decoded from UTF-8 (invalid bytes → U+FFFD).
 * Holes, mixed keys, non-string keys, NaN/±Infinity, functions, userdata, threads, cycles and
 * nesting deeper than 100 throw `BridgeValueError` naming the path (Lua indices, 1-based).
 * Reads tables raw: no metamethod (no script code) runs during a conversion.
 */
export function toValue(L: unknown, idx: number, path: string, depth = 0, seen?: unknown[]): unknown {
  switch (lua_type(L, idx)) {
    case LUA_TNIL:
      return undefined;
    case LUA_TBOOLEAN:
      return lua_toboolean(L, idx);
    case LUA_TNUMBER: {
      if (lua_isinteger(L, idx)) return lua_tointeger(L, idx);
      const n = lua_tonumber(L, idx);
      if (!Number.isFinite(n))
        throw new BridgeValueError(
          path,
          `is ${Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf'}; NaN and ±Infinity cannot cross the bridge`,
        );
      return n;
    }
    case LUA_TSTRING:
      return fromLuaString(lua_tolstring(L, idx));
    case LUA_TTABLE:
      return tableToValue(L, lua_absindex(L, idx), path, depth, seen);
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, idx) === JSON_NULL) return null;
      throw new BridgeValueError(path, 'is a light userdata; only JSON-like data crosses the bridge');
    default: {
      const type = fromLuaString(lua_typename(L, lua_type(L, idx)));
      throw new BridgeValueError(
        path,
        `is a ${type}; only JSON-like data (nil, booleans, numbers, strings, tables) crosses the bridge`,
      );
    }
  }
}

function tableToValue(
  L: unknown,
  t: number,
  path: string,
  depth: number,
  seen: unknown[] | undefined,
): unknown {
  if (depth >= MAX_DEPTH) throw new BridgeValueError(path, `is nested deeper than ${MAX_DEPTH} levels`);
  const ptr = lua_topointer(L, t);
  seen ??= [];
  if (seen.includes(ptr)) throw new BridgeValueError(path, 'is a cycle (it contains itself)');
  seen.push(ptr);
  if (!lua_checkstack(L, 4)) throw new BridgeValueError(path, 'is too deep for the Lua stack');
  let arr: unknown[] | undefined;
  let obj: Record<string, unknown> | undefined;
  let count = 0;
  let max = 0;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    const kt = lua_type(L, -2);
    if (kt === LUA_TSTRING) {
      if (arr !== undefined) mixed(path);
      const k = fromLuaString(lua_tolstring(L, -2));
      obj ??= {};
      // defineProperty, not assignment: a key named "__proto__" stays a plain own field.
      Object.defineProperty(obj, k, {
        value: toValue(L, -1, child(path, k), depth + 1, seen),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else if (kt === LUA_TNUMBER && lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1) {
      if (obj !== undefined) mixed(path);
      const i = lua_tointeger(L, -2);
      arr ??= [];
      arr[i - 1] = toValue(L, -1, `${path}[${i}]`, depth + 1, seen);
      count++;
      if (i > max) max = i;
    } else {
      lua_pushvalue(L, -2);
      const shown =
        kt === LUA_TNUMBER ? String(lua_tonumber(L, -1)) : `a ${fromLuaString(lua_typename(L, kt))}`;
      lua_pop(L, 1);
      throw new BridgeValueError(
        `${path}[${shown}]`,
        'has a key that is neither a string nor an array index 1..n',
      );
    }
    lua_pop(L, 1);
  }
  seen.pop();
  if (arr !== undefined) {
    if (count !== max) {
      let hole = 1;
      while (hole - 1 in arr && hole <= max) hole++;
      throw new BridgeValueError(
        `${path}[${hole}]`,
        'is nil inside an array (arrays cannot have holes; use JSON.null for a null item)',
      );
    }
    return arr;
  }
  if (obj !== undefined) return obj;
  return isMarkedArray(L, t) ? [] : {};
}

function mixed(path: string): never {
  throw new BridgeValueError(path, 'mixes array items (keys 1..n) and named fields; use one or the other');
}

/** Pushes the JSON.null sentinel. */
export function pushJsonNull(L: unknown): void {
  lua_pushlightuserdata(L, JSON_NULL);
}
