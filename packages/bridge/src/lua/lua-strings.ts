import fengari from './fengari.js';
import { after, Builder, pushBytes, raiseError, SLOT_BYTES, SMALL_BYTES, steps } from './lua-budget.js';
import type { LuaInstance } from './lua-engine.js';
import { toLuaString } from './lua-values.js';

const { lua, lauxlib } = fengari;
const {
  LUA_TBOOLEAN,
  LUA_TNIL,
  LUA_TNUMBER,
  LUA_TSTRING,
  lua_call,
  lua_gettop,
  lua_pop,
  lua_pushcfunction,
  lua_pushvalue,
  lua_rawlen,
  lua_tolstring,
  lua_type,
} = lua;
const {
  luaL_argerror,
  luaL_checkinteger,
  luaL_checklstring,
  luaL_checknumber,
  luaL_optinteger,
  luaL_optlstring,
  luaL_tolstring,
} = lauxlib;

type CFunction = (L: unknown) => number;

/** Largest string fengari's `string.rep` would build (its MAXSIZE). */
const MAXSIZE = 2 ** 31 - 1;
const EMPTY = new Uint8Array(0);
/** A format string up to this long, with items of known size, goes straight to fengari's. */
const QUICK_FORMAT = 4096;
/** Largest output of one numeric item: `%99.99f` of -1e308 is 99 + 3 + 309 bytes. */
const ITEM_BYTES = 512;
const FLAGS = toLuaString('-+ #0');

const isdigit = (c: number | undefined) => c !== undefined && c >= 48 && c <= 57;

/**
 * `string.rep`, built by doubling copies (native `copyWithin`) instead of fengari's one copy per
 * repetition — `string.rep("", 2^31 - 1)` was two billion empty copies (23–39 s) — after
 * checking the size against the memory bound.
 */
function rep(inst: LuaInstance, L: unknown): number {
  const s: Uint8Array = luaL_checklstring(L, 1);
  const n = luaL_checkinteger(L, 2);
  const sep: Uint8Array = luaL_optlstring(L, 3, EMPTY);
  const total = n <= 0 ? 0 : s.length * n + sep.length * (n - 1);
  if (total === 0) {
    pushBytes(L, new Uint8Array(0));
    return 1;
  }
  if (total > SMALL_BYTES) inst.reserve(L, total, 'string.rep');
  if (total > MAXSIZE) raiseError(L, 'resulting string too large');
  const out = new Uint8Array(total);
  out.set(s, 0);
  if (sep.length > 0 && total > s.length) out.set(sep.subarray(0, total - s.length), s.length);
  // Everything written so far is one period (s .. sep); doubling keeps the copy a whole number
  // of periods long, so the pattern continues.
  let filled = Math.min(s.length + sep.length, total);
  while (filled < total) {
    const k = Math.min(filled, total - filled);
    out.copyWithin(filled, 0, k);
    filled += k;
  }
  pushBytes(L, out);
  after(inst, L, total);
  return 1;
}

/** Skips flags, width and precision of a format item, as fengari's `scanformat`; returns the conversion's index. */
function scanFormat(L: unknown, f: Uint8Array, i: number): number {
  let p = i;
  while (p < f.length && FLAGS.includes(f[p]!)) p++;
  if (p - i >= FLAGS.length) raiseError(L, 'invalid format (repeated flags)');
  if (isdigit(f[p])) p++;
  if (isdigit(f[p])) p++;
  if (f[p] === 46 /* . */) {
    p++;
    if (isdigit(f[p])) p++;
    if (isdigit(f[p])) p++;
  }
  if (isdigit(f[p])) raiseError(L, 'invalid format (width or precision too long)');
  return p;
}

/**
 * `string.format`. A first pass checks every item the way fengari's does (same errors, same
 * argument numbers) and adds up an upper bound of the result, which must fit in the memory
 * bound. A short format whose items all have a known size then goes to fengari's own format.
 * Otherwise (a long format, `%s` of a value with `__tostring`, `%q` of a long string) the result
 * is built here: literal runs copied natively, each item formatted by fengari's format alone,
 * with the deadline checked as it goes and the size checked as it grows.
 */
function format(inst: LuaInstance, original: CFunction, L: unknown): number {
  const top = lua_gettop(L);
  const fmt: Uint8Array = luaL_checklstring(L, 1);
  const len = fmt.length;
  let quick = len <= QUICK_FORMAT;
  let size = 0;
  let arg = 1;
  for (let i = 0; i < len; ) {
    if (fmt[i] !== 37 /* % */) {
      i++;
      size++;
      continue;
    }
    if (fmt[i + 1] === 37) {
      i += 2;
      size++;
      continue;
    }
    if (++arg > top) luaL_argerror(L, arg, toLuaString('no value'));
    i = scanFormat(L, fmt, i + 1);
    const conv = fmt[i++];
    switch (conv) {
      case 99 /* c */:
        luaL_checkinteger(L, arg);
        size += 1;
        break;
      case 100 /* d */:
      case 105 /* i */:
      case 111 /* o */:
      case 117 /* u */:
      case 120 /* x */:
      case 88 /* X */:
        luaL_checkinteger(L, arg);
        size += ITEM_BYTES;
        break;
      case 97 /* a */:
      case 65 /* A */:
      case 101 /* e */:
      case 69 /* E */:
      case 102 /* f */:
      case 103 /* g */:
      case 71 /* G */:
        luaL_checknumber(L, arg);
        size += ITEM_BYTES;
        break;
      case 113 /* q */:
        {
          const t = lua_type(L, arg);
          if (t === LUA_TSTRING) {
            const l = lua_rawlen(L, arg);
            size += 2 + 4 * l; // every byte escaped as \ddd at worst
            if (l > QUICK_FORMAT) quick = false;
          } else if (t === LUA_TNUMBER || t === LUA_TNIL || t === LUA_TBOOLEAN) size += ITEM_BYTES;
          else luaL_argerror(L, arg, toLuaString('value has no literal form'));
          break;
        }
      case 115 /* s */:
        {
          const t = lua_type(L, arg);
          if (t === LUA_TSTRING) size += lua_rawlen(L, arg) + 100;
          else if (t === LUA_TNUMBER) size += ITEM_BYTES;
          else quick = false; // __tostring decides the size: measured as it is built
          break;
        }
      default:
        raiseError(L, `invalid option '%${conv === undefined ? '' : String.fromCharCode(conv)}' to 'format'`);
    }
  }
  if (size > SMALL_BYTES) inst.reserve(L, size, 'string.format');
  if (quick) return original(L);

  const b = new Builder(inst, L, 'string.format', Math.min(size, SMALL_BYTES));
  arg = 1;
  for (let i = 0; i < len; ) {
    const next = fmt.indexOf(37, i);
    const stop = next < 0 ? len : next;
    b.bytes(fmt, i, stop);
    steps(inst, L, (stop - i) >> 4);
    if (next < 0) break;
    if (fmt[next + 1] === 37) {
      b.byte(37);
      i = next + 2;
      continue;
    }
    ++arg;
    const end = scanFormat(L, fmt, next + 1) + 1;
    const tostring = fmt[end - 1] === 115; /* s */
    if (tostring) luaL_tolstring(L, arg);
    if (tostring && end === next + 2) {
      // A plain %s: the string itself, without fengari's two copies.
      const item: Uint8Array = lua_tolstring(L, -1);
      b.bytes(item);
      steps(inst, L, 1 + (item.length >> 4));
      lua_pop(L, 1);
      i = end;
      continue;
    }
    lua_pushcfunction(L, original);
    pushBytes(L, fmt.slice(next, end));
    lua_pushvalue(L, tostring ? -3 : arg);
    lua_call(L, 2, 1);
    const item: Uint8Array = lua_tolstring(L, -1);
    b.bytes(item);
    steps(inst, L, 1 + (item.length >> 4));
    lua_pop(L, tostring ? 2 : 1);
    i = end;
  }
  b.push();
  return 1;
}

/**
 * `string.pack`: an upper bound of the result (fixed sizes, `c` sizes, the lengths of the
 * strings to pack, alignment) must fit in the memory bound before fengari's builds it.
 * `string.pack("c200000000", "")` built 200 MB.
 */
function pack(inst: LuaInstance, original: CFunction, L: unknown): number {
  const fmt: Uint8Array = luaL_checklstring(L, 1);
  const top = lua_gettop(L);
  // Every argument is packed at most once: the strings' lengths (and numbers written as
  // strings) bound what `s` and `z` add, whichever options take them.
  let size = 0;
  for (let a = 2; a <= top; a++) size += lua_type(L, a) === LUA_TSTRING ? lua_rawlen(L, a) + 16 : 48;
  const num = (i: number, dflt: number): [number, number] => {
    if (!isdigit(fmt[i])) return [dflt, i];
    let a = 0;
    do a = a * 10 + (fmt[i++]! - 48);
    while (isdigit(fmt[i]) && a <= (MAXSIZE - 9) / 10);
    return [a, i];
  };
  for (let i = 0; i < fmt.length; ) {
    let n = 0;
    switch (fmt[i++]) {
      case 99 /* c */:
      case 105 /* i */:
      case 73 /* I */:
      case 115 /* s */:
      case 33 /* ! */:
        [n, i] = num(i, 8);
        break;
      default:
        n = 8; // every other option is at most 8 bytes (or none)
    }
    size += n + 16; // + alignment padding (at most 16)
  }
  if (size > SMALL_BYTES) inst.reserve(L, size, 'string.pack');
  const results = original(L);
  after(inst, L, size);
  return results;
}

/** `string.byte`, `utf8.codepoint`: values pushed on the stack cost memory too. */
export function pushesValues(inst: LuaInstance, original: CFunction, what: string, L: unknown): number {
  const s: Uint8Array = luaL_checklstring(L, 1);
  if (s.length * SLOT_BYTES <= SMALL_BYTES) return original(L);
  const l = s.length;
  let posi = posrelat(luaL_optinteger(L, 2, 1), l);
  let pose = posrelat(luaL_optinteger(L, 3, posi), l);
  if (posi < 1) posi = 1;
  if (pose > l) pose = l;
  const n = pose - posi + 1;
  if (n * SLOT_BYTES > SMALL_BYTES) inst.reserve(L, n * SLOT_BYTES, what, `${n} values`);
  const results = original(L);
  after(inst, L, n * SLOT_BYTES);
  return results;
}

export function posrelat(pos: number, len: number): number {
  if (pos >= 0) return pos;
  if (-pos > len) return 0;
  return len + pos + 1;
}

/** `string.lower`, `upper`, `reverse`, `sub`, `unpack`, `packsize`: one pass over the string. */
function linear(inst: LuaInstance, original: CFunction, what: string, copies: boolean): CFunction {
  return (L) => {
    const s: Uint8Array = luaL_checklstring(L, 1);
    if (s.length <= SMALL_BYTES) return original(L);
    if (copies) inst.reserve(L, s.length, what);
    const results = original(L);
    after(inst, L, s.length);
    return results;
  };
}

/** The bounded string functions of one script, given fengari's originals by name. */
export function stringFunctions(
  inst: LuaInstance,
  original: (name: string) => CFunction,
): Record<string, CFunction> {
  const fmt = original('format');
  const pk = original('pack');
  const byte = original('byte');
  const unpack = original('unpack');
  const char = original('char');
  return {
    rep: (L) => rep(inst, L),
    format: (L) => format(inst, fmt, L),
    pack: (L) => pack(inst, pk, L),
    byte: (L) => pushesValues(inst, byte, 'string.byte', L),
    lower: linear(inst, original('lower'), 'string.lower', true),
    upper: linear(inst, original('upper'), 'string.upper', true),
    reverse: linear(inst, original('reverse'), 'string.reverse', true),
    // What `sub` copies is at most the string; a short slice of a long string is common, so
    // only the pass is bounded (the heap meter sees the copy).
    sub: linear(inst, original('sub'), 'string.sub', false),
    packsize: linear(inst, original('packsize'), 'string.packsize', false),
    unpack: (L) => {
      const fmtLength = luaL_checklstring(L, 1).length;
      if (fmtLength * SLOT_BYTES > SMALL_BYTES)
        inst.reserve(L, fmtLength * SLOT_BYTES, 'string.unpack', `up to ${fmtLength} values`);
      const results = unpack(L);
      after(inst, L, fmtLength * SLOT_BYTES);
      return results;
    },
    char: (L) => {
      const n = lua_gettop(L);
      const results = char(L);
      after(inst, L, n * 16);
      return results;
    },
  };
}
