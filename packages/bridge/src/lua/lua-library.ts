import fengari from './fengari.js';
import { after, Builder, pushBytes, raiseError, SLOT_BYTES, SMALL_BYTES, steps } from './lua-budget.js';
import type { LuaInstance } from './lua-engine.js';
import { patternFunctions } from './lua-patterns.js';
import { posrelat, pushesValues, stringFunctions } from './lua-strings.js';
import { key, toLuaString } from './lua-values.js';

const { lua, lauxlib } = fengari;
const {
  LUA_OPEQ,
  LUA_OPLT,
  LUA_TFUNCTION,
  LUA_TNIL,
  LUA_TSTRING,
  LUA_TTABLE,
  lua_call,
  lua_checkstack,
  lua_compare,
  lua_getfield,
  lua_geti,
  lua_getglobal,
  lua_getmetatable,
  lua_gettop,
  lua_isnil,
  lua_isnoneornil,
  lua_isstring,
  lua_pop,
  lua_pushcfunction,
  lua_pushinteger,
  lua_pushnil,
  lua_pushstring,
  lua_pushvalue,
  lua_rawget,
  lua_rawlen,
  lua_setfield,
  lua_seti,
  lua_settop,
  lua_tocfunction,
  lua_toboolean,
  lua_tolstring,
  lua_type,
} = lua;
const {
  luaL_argcheck,
  luaL_checkinteger,
  luaL_checklstring,
  luaL_checktype,
  luaL_len,
  luaL_optinteger,
  luaL_optlstring,
  luaL_typename,
} = lauxlib;

type CFunction = (L: unknown) => number;

/**
 * The library functions of fengari that loop or allocate, replaced by bounded versions (see
 * lua-budget.ts for how). Ported, with steps counted: `table.concat`, `insert`, `remove`, `move`,
 * `unpack`, `sort` (whose loop counts come from `#t`, which `__len` sets to anything, and run no
 * Lua code when the table has no metamethods), `utf8.char` and `utf8.len`. Wrapped, with sizes
 * checked before and the deadline after: the rest of `string`, `table.pack`, `utf8.codepoint`,
 * `utf8.offset`, `tostring`, `tonumber`. `os.date` formats a long format in pieces. Pattern
 * matching is in lua-patterns.ts, `string.format`/`rep`/`pack` in lua-strings.ts, `load` in
 * lua-sandbox.ts. Functions that only look at their arguments (`string.len`, `math.*`,
 * `select`, …) are left alone: the count hook bounds the loops that call them.
 * @internal
 */
export function installBoundedLibraries(L: unknown, inst: LuaInstance): void {
  const replace = (
    lib: string,
    make: (original: (name: string) => CFunction) => Record<string, CFunction>,
  ) => {
    lua_getglobal(L, key(lib));
    const original = (name: string): CFunction => {
      lua_getfield(L, -1, key(name));
      const fn = lua_tocfunction(L, -1);
      lua_pop(L, 1);
      return fn;
    };
    for (const [name, fn] of Object.entries(make(original))) {
      lua_pushcfunction(L, fn);
      lua_setfield(L, -2, key(name));
    }
    lua_pop(L, 1);
  };
  replace('string', (original) => ({ ...stringFunctions(inst, original), ...patternFunctions(inst) }));
  replace('table', (original) => tableFunctions(inst, original));
  replace('utf8', (original) => utf8Functions(inst, original));
  replace('os', (original) => ({ date: boundedDate(inst, original('date')) }));
  replace('_G', (original) => ({
    tostring: afterPass(inst, original('tostring')),
    tonumber: afterPass(inst, original('tonumber')),
  }));
}

/** A function that makes one pass over its string argument: check the deadline after a long one. */
function afterPass(inst: LuaInstance, original: CFunction): CFunction {
  return (L) => {
    const results = original(L);
    if (lua_type(L, 1) === LUA_TSTRING) after(inst, L, lua_rawlen(L, 1));
    return results;
  };
}

// ---- table ---------------------------------------------------------------------------------

const TAB_R = 1;
const TAB_W = 2;
const TAB_L = 4;
const TAB_RW = TAB_R | TAB_W;
const EMPTY = new Uint8Array(0);

/** ltablib's `checktab`: a table, or a value whose metatable has the needed metamethods. */
function checkTab(L: unknown, arg: number, what: number): void {
  if (lua_type(L, arg) === LUA_TTABLE) return;
  let n = 1;
  const field = (name: string) => {
    lua_pushstring(L, key(name));
    return lua_rawget(L, -++n) !== LUA_TNIL;
  };
  if (
    lua_getmetatable(L, arg) &&
    (!(what & TAB_R) || field('__index')) &&
    (!(what & TAB_W) || field('__newindex')) &&
    (!(what & TAB_L) || field('__len'))
  )
    lua_pop(L, n);
  else luaL_checktype(L, arg, LUA_TTABLE);
}

function auxGetn(L: unknown, arg: number, what: number): number {
  checkTab(L, arg, what | TAB_L);
  return luaL_len(L, arg);
}

function tableFunctions(inst: LuaInstance, original: (name: string) => CFunction): Record<string, CFunction> {
  const pack = original('pack');
  return {
    concat: (L) => concat(inst, L),
    insert: (L) => insert(inst, L),
    remove: (L) => remove(inst, L),
    move: (L) => move(inst, L),
    unpack: (L) => unpack(inst, L),
    sort: (L) => sort(inst, L),
    pack: (L) => {
      const n = lua_gettop(L);
      if (n * 2 * SLOT_BYTES > SMALL_BYTES)
        inst.reserve(L, n * 2 * SLOT_BYTES, 'table.pack', `a table of ${n} values`);
      const results = pack(L);
      after(inst, L, n * SLOT_BYTES);
      return results;
    },
  };
}

function concat(inst: LuaInstance, L: unknown): number {
  let last = auxGetn(L, 1, TAB_R);
  const sep: Uint8Array = luaL_optlstring(L, 2, EMPTY);
  let i = luaL_optinteger(L, 3, 1);
  last = luaL_optinteger(L, 4, last);
  const b = new Builder(inst, L, 'table.concat');
  for (; i <= last; i++) {
    lua_geti(L, 1, i);
    if (!lua_isstring(L, -1))
      raiseError(
        L,
        `invalid value (${String.fromCharCode(...luaL_typename(L, -1))}) at index ${i} in table for 'concat'`,
      );
    b.bytes(lua_tolstring(L, -1));
    lua_pop(L, 1);
    if (i < last) b.bytes(sep);
    steps(inst, L, 1);
  }
  b.push();
  return 1;
}

function insert(inst: LuaInstance, L: unknown): number {
  const e = auxGetn(L, 1, TAB_RW) + 1; // first empty element
  let pos: number;
  switch (lua_gettop(L)) {
    case 2:
      pos = e;
      break;
    case 3:
      pos = luaL_checkinteger(L, 2);
      luaL_argcheck(L, 1 <= pos && pos <= e, 2, toLuaString('position out of bounds'));
      for (let i = e; i > pos; i--) {
        lua_geti(L, 1, i - 1);
        lua_seti(L, 1, i);
        steps(inst, L, 1);
      }
      break;
    default:
      return raiseError(L, "wrong number of arguments to 'insert'");
  }
  lua_seti(L, 1, pos);
  return 0;
}

function remove(inst: LuaInstance, L: unknown): number {
  const size = auxGetn(L, 1, TAB_RW);
  let pos = luaL_optinteger(L, 2, size);
  if (pos !== size) luaL_argcheck(L, 1 <= pos && pos <= size + 1, 1, toLuaString('position out of bounds'));
  lua_geti(L, 1, pos);
  for (; pos < size; pos++) {
    lua_geti(L, 1, pos + 1);
    lua_seti(L, 1, pos);
    steps(inst, L, 1);
  }
  lua_pushnil(L);
  lua_seti(L, 1, pos);
  return 1;
}

const MAXINTEGER = 2 ** 31 - 1;

function move(inst: LuaInstance, L: unknown): number {
  const f = luaL_checkinteger(L, 2);
  const e = luaL_checkinteger(L, 3);
  const t = luaL_checkinteger(L, 4);
  const tt = lua_isnoneornil(L, 5) ? 1 : 5;
  checkTab(L, 1, TAB_R);
  checkTab(L, tt, TAB_W);
  if (e >= f) {
    luaL_argcheck(L, f > 0 || e < MAXINTEGER + f, 3, toLuaString('too many elements to move'));
    const n = e - f + 1;
    luaL_argcheck(L, t <= MAXINTEGER - n + 1, 4, toLuaString('destination wrap around'));
    if (t > e || t <= f || (tt !== 1 && !lua_compare(L, 1, tt, LUA_OPEQ))) {
      for (let i = 0; i < n; i++) {
        lua_geti(L, 1, f + i);
        lua_seti(L, tt, t + i);
        steps(inst, L, 1);
      }
    } else {
      for (let i = n - 1; i >= 0; i--) {
        lua_geti(L, 1, f + i);
        lua_seti(L, tt, t + i);
        steps(inst, L, 1);
      }
    }
  }
  lua_pushvalue(L, tt);
  return 1;
}

function unpack(inst: LuaInstance, L: unknown): number {
  let i = luaL_optinteger(L, 2, 1);
  const e = lua_isnoneornil(L, 3) ? luaL_len(L, 1) : luaL_checkinteger(L, 3);
  if (i > e) return 0;
  const n = e - i + 1;
  if (n >= Number.MAX_SAFE_INTEGER || !lua_checkstack(L, n)) raiseError(L, 'too many results to unpack');
  if (n * SLOT_BYTES > SMALL_BYTES) inst.reserve(L, n * SLOT_BYTES, 'table.unpack', `${n} values`);
  for (; i < e; i++) {
    lua_geti(L, 1, i);
    steps(inst, L, 1);
  }
  lua_geti(L, 1, e);
  return n;
}

/** ltablib's `sort` (quicksort with a randomised pivot on bad partitions), one step per comparison. */
function sort(inst: LuaInstance, L: unknown): number {
  const n = auxGetn(L, 1, TAB_RW);
  if (n > 1) {
    luaL_argcheck(L, n < MAXINTEGER, 1, toLuaString('array too big'));
    if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_settop(L, 2);
    auxSort(inst, L, 1, n, 0);
  }
  return 0;
}

function sortComp(inst: LuaInstance, L: unknown, a: number, b: number): boolean {
  steps(inst, L, 1);
  if (lua_isnil(L, 2)) return !!lua_compare(L, a, b, LUA_OPLT);
  lua_pushvalue(L, 2);
  lua_pushvalue(L, a - 1);
  lua_pushvalue(L, b - 2);
  lua_call(L, 2, 1);
  const res = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return res;
}

function set2(L: unknown, i: number, j: number): void {
  lua_seti(L, 1, i);
  lua_seti(L, 1, j);
}

function partition(inst: LuaInstance, L: unknown, lo: number, up: number): number {
  let i = lo;
  let j = up - 1;
  for (;;) {
    // Repeat ++i while a[i] < P, then --j while P < a[j] (each loop leaves its last a[] pushed).
    for (;;) {
      lua_geti(L, 1, ++i);
      if (!sortComp(inst, L, -1, -2)) break;
      if (i === up - 1) raiseError(L, 'invalid order function for sorting');
      lua_pop(L, 1);
    }
    for (;;) {
      lua_geti(L, 1, --j);
      if (!sortComp(inst, L, -3, -1)) break;
      if (j < i) raiseError(L, 'invalid order function for sorting');
      lua_pop(L, 1);
    }
    if (j < i) {
      lua_pop(L, 1);
      set2(L, up - 1, i);
      return i;
    }
    set2(L, i, j);
  }
}

function auxSort(inst: LuaInstance, L: unknown, lo: number, up: number, rnd: number): void {
  while (lo < up) {
    lua_geti(L, 1, lo);
    lua_geti(L, 1, up);
    if (sortComp(inst, L, -1, -2)) set2(L, lo, up);
    else lua_pop(L, 2);
    if (up - lo === 1) return;
    let p =
      up - lo < 100 || rnd === 0
        ? Math.floor((lo + up) / 2)
        : (rnd % (Math.floor((up - lo) / 4) * 2)) + lo + Math.floor((up - lo) / 4);
    lua_geti(L, 1, p);
    lua_geti(L, 1, lo);
    if (sortComp(inst, L, -2, -1)) set2(L, p, lo);
    else {
      lua_pop(L, 1);
      lua_geti(L, 1, up);
      if (sortComp(inst, L, -1, -2)) set2(L, p, up);
      else lua_pop(L, 2);
    }
    if (up - lo === 2) return;
    lua_geti(L, 1, p);
    lua_pushvalue(L, -1);
    lua_geti(L, 1, up - 1);
    set2(L, p, up - 1);
    p = partition(inst, L, lo, up);
    let n: number;
    if (p - lo < up - p) {
      auxSort(inst, L, lo, p - 1, rnd);
      n = p - lo;
      lo = p + 1;
    } else {
      auxSort(inst, L, p + 1, up, rnd);
      n = up - p;
      up = p - 1;
    }
    if ((up - lo) / 128 > n) rnd = Math.floor(Math.random() * 0x100000000);
  }
}

// ---- os.date -------------------------------------------------------------------------------

/** Conversions (`%c`, `%Y`, …) formatted by one call of fengari's `os.date`: ~3 ms at most. */
const DATE_PIECE = 256;

/**
 * `os.date` with a long format: fengari's formats `%c` and friends at ~13 µs each, so a 200 KB
 * format ran ~2 s in one call. A format of more than DATE_PIECE conversions is formatted in
 * pieces of DATE_PIECE (at the same instant), with the deadline checked and the size counted
 * between them.
 */
function boundedDate(inst: LuaInstance, original: CFunction): CFunction {
  return (L) => {
    const fmt: Uint8Array = luaL_optlstring(L, 1, DEFAULT_DATE);
    if (fmt.length <= 2 * DATE_PIECE) return original(L);
    const t = fmt[0] === 33 /* ! */ ? 1 : 0;
    if (fmt[t] === 42 /* * */ && fmt[t + 1] === 116 /* t */) return original(L);
    // One instant for every piece (argument 2).
    if (lua_isnoneornil(L, 2)) {
      lua_settop(L, 1);
      lua_pushinteger(L, Math.floor(Date.now() / 1000));
    }
    const b = new Builder(inst, L, 'os.date');
    for (let start = 0; start < fmt.length; ) {
      let end = start;
      for (let n = 0; end < fmt.length && n < DATE_PIECE; n++) end += fmt[end] === 37 ? 2 : 1;
      // fengari reads a leading '!' or '*t' of a format as options (and prints the '!'): the
      // next piece must not start with either, so they stay literal text of this one.
      while (end < fmt.length && (fmt[end] === 33 || fmt[end] === 42)) end++;
      end = Math.min(end, fmt.length);
      lua_pushcfunction(L, original);
      pushBytes(L, fmt.slice(start, end));
      lua_pushvalue(L, 2);
      lua_call(L, 2, 1);
      b.bytes(lua_tolstring(L, -1));
      lua_pop(L, 1);
      inst.checkpoint(L);
      start = end;
    }
    b.push();
    return 1;
  };
}

const DEFAULT_DATE = toLuaString('%c');

// ---- utf8 ----------------------------------------------------------------------------------

const MAXUNICODE = 0x10ffff;

function utf8Functions(inst: LuaInstance, original: (name: string) => CFunction): Record<string, CFunction> {
  const codepoint = original('codepoint');
  const offset = original('offset');
  return {
    char: (L) => utf8Char(inst, L),
    len: (L) => utf8Len(inst, L),
    codepoint: (L) => pushesValues(inst, codepoint, 'utf8.codepoint', L),
    offset: (L) => {
      const results = offset(L);
      after(inst, L, luaL_checklstring(L, 1).length);
      return results;
    },
  };
}

/** `utf8.char(...)`: encoded here (fengari formats each code point through `%U`). */
function utf8Char(inst: LuaInstance, L: unknown): number {
  const n = lua_gettop(L);
  const b = new Builder(inst, L, 'utf8.char', Math.min(4 * n, SMALL_BYTES) || 4);
  for (let i = 1; i <= n; i++) {
    const code = luaL_checkinteger(L, i);
    luaL_argcheck(L, 0 <= code && code <= MAXUNICODE, i, toLuaString('value out of range'));
    if (code < 0x80) b.byte(code);
    else if (code < 0x800) {
      b.byte(0xc0 | (code >> 6));
      b.byte(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      b.byte(0xe0 | (code >> 12));
      b.byte(0x80 | ((code >> 6) & 0x3f));
      b.byte(0x80 | (code & 0x3f));
    } else {
      b.byte(0xf0 | (code >> 18));
      b.byte(0x80 | ((code >> 12) & 0x3f));
      b.byte(0x80 | ((code >> 6) & 0x3f));
      b.byte(0x80 | (code & 0x3f));
    }
    steps(inst, L, 1);
  }
  b.push();
  return 1;
}

const LIMITS = [0xff, 0x7f, 0x7ff, 0xffff];

/** lutf8lib's `utf8_decode`: the position after the sequence at `pos`, or -1 if invalid. */
function decode(s: Uint8Array, pos: number): number {
  let c = s[pos]!;
  if (c < 0x80) return pos + 1;
  let res = 0;
  let count = 0;
  while (c & 0x40) {
    const cc = s[pos + ++count];
    if (cc === undefined || (cc & 0xc0) !== 0x80) return -1;
    res = (res << 6) | (cc & 0x3f);
    c <<= 1;
  }
  res |= (c & 0x7f) << (count * 5);
  if (count > 3 || res > MAXUNICODE || res <= LIMITS[count]!) return -1;
  return pos + count + 1;
}

/** `utf8.len`, without an object per character, steps counted. */
function utf8Len(inst: LuaInstance, L: unknown): number {
  const s: Uint8Array = luaL_checklstring(L, 1);
  const len = s.length;
  let posi = posrelat(luaL_optinteger(L, 2, 1), len);
  let posj = posrelat(luaL_optinteger(L, 3, -1), len);
  luaL_argcheck(L, 1 <= posi && --posi <= len, 2, toLuaString('initial position out of string'));
  luaL_argcheck(L, --posj < len, 3, toLuaString('final position out of string'));
  let n = 0;
  while (posi <= posj) {
    const next = decode(s, posi);
    if (next < 0) {
      lua_pushnil(L);
      lua_pushinteger(L, posi + 1);
      return 2;
    }
    posi = next;
    n++;
    if ((n & 1023) === 0) steps(inst, L, 64);
  }
  lua_pushinteger(L, n);
  return 1;
}
