import fengari from './fengari.js';
import { Builder, pushBytes, raiseError, SMALL_BYTES, steps } from './lua-budget.js';
import type { LuaInstance } from './lua-engine.js';
import { toLuaString } from './lua-values.js';

const { lua, lauxlib } = fengari;
const {
  LUA_TFUNCTION,
  LUA_TNUMBER,
  LUA_TSTRING,
  LUA_TTABLE,
  lua_call,
  lua_gettable,
  lua_isstring,
  lua_pop,
  lua_pushcclosure,
  lua_pushinteger,
  lua_pushnil,
  lua_pushvalue,
  lua_remove,
  lua_settop,
  lua_toboolean,
  lua_tolstring,
  lua_type,
} = lua;
const { luaL_argcheck, luaL_checklstring, luaL_checkstack, luaL_optinteger, luaL_tolstring, luaL_typename } =
  lauxlib;

/**
 * Lua 5.3's pattern matching (`string.find`, `match`, `gmatch`, `gsub`), ported from lstrlib.c
 * (and fengari's lstrlib.js) with one change: every step counts toward the script's deadline.
 *
 * Why a port and not a check before calling fengari's: a backtracking matcher's cost depends on
 * the pattern *and* the subject in ways no cheap pre-check bounds without refusing ordinary
 * patterns (`string.rep(".-", 12) .. "b"` against 60 bytes is ~10^12 steps; the same pattern
 * against a matching subject is instant), and fengari's matcher is a closed module that never
 * calls back into the VM, so the count hook cannot reach it. Counting steps in the matcher itself
 * bounds every pattern by the deadline at a cost of a decrement per step. Plain searches (no
 * special characters, or `plain`) use Node's native substring search (linear) in windows, with a
 * check between windows, instead of fengari's quadratic one. `gsub` builds its result through a
 * {@link Builder}, so a replacement that multiplies the subject meets the memory bound.
 * @internal
 */

const L_ESC = 37; // '%'
const MAXCCALLS = 200;
const LUA_MAXCAPTURES = 32;
const CAP_UNFINISHED = -1;
const CAP_POSITION = -2;
const SPECIALS = toLuaString('^$*+?.([%-');
/** Bytes of subject searched between two checks by a plain search. */
const PLAIN_WINDOW = 1024 * 1024;

interface Capture {
  init: number;
  len: number;
}

class MatchState {
  L: unknown;
  src: Uint8Array;
  srcEnd: number;
  p: Uint8Array;
  pEnd: number;
  level = 0;
  matchdepth = MAXCCALLS;
  readonly capture: Capture[] = [];
  constructor(
    readonly inst: LuaInstance,
    L: unknown,
    src: Uint8Array,
    p: Uint8Array,
  ) {
    this.L = L;
    this.src = src;
    this.srcEnd = src.length;
    this.p = p;
    this.pEnd = p.length;
    for (let i = 0; i < LUA_MAXCAPTURES; i++) this.capture.push({ init: 0, len: 0 });
  }
}

const isalpha = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isdigit = (c: number) => c >= 48 && c <= 57;
const iscntrl = (c: number) => c <= 0x1f || c === 0x7f;
const isgraph = (c: number) => c >= 33 && c <= 126;
const islower = (c: number) => c >= 97 && c <= 122;
const isupper = (c: number) => c >= 65 && c <= 90;
const isalnum = (c: number) => isalpha(c) || isdigit(c);
const ispunct = (c: number) => isgraph(c) && !isalnum(c);
const isspace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const isxdigit = (c: number) => isdigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

function classEnd(ms: MatchState, p: number): number {
  const c = ms.p[p++];
  if (c === L_ESC) {
    if (p >= ms.pEnd) raiseError(ms.L, "malformed pattern (ends with '%')");
    return p + 1;
  }
  if (c === 91 /* [ */) {
    if (ms.p[p] === 94 /* ^ */) p++;
    do {
      if (p >= ms.pEnd) raiseError(ms.L, "malformed pattern (missing ']')");
      if (ms.p[p++] === L_ESC && p < ms.pEnd) p++;
    } while (ms.p[p] !== 93 /* ] */);
    return p + 1;
  }
  return p;
}

function matchClass(c: number, cl: number): boolean {
  let res: boolean;
  switch (cl | 0x20) {
    case 97 /* a */:
      res = isalpha(c);
      break;
    case 99 /* c */:
      res = iscntrl(c);
      break;
    case 100 /* d */:
      res = isdigit(c);
      break;
    case 103 /* g */:
      res = isgraph(c);
      break;
    case 108 /* l */:
      res = islower(c);
      break;
    case 112 /* p */:
      res = ispunct(c);
      break;
    case 115 /* s */:
      res = isspace(c);
      break;
    case 117 /* u */:
      res = isupper(c);
      break;
    case 119 /* w */:
      res = isalnum(c);
      break;
    case 120 /* x */:
      res = isxdigit(c);
      break;
    case 122 /* z (deprecated) */:
      res = c === 0;
      break;
    default:
      return cl === c;
  }
  return isupper(cl) ? !res : res;
}

/** `p` is at '[', `ec` at the closing ']'. Counts the class's length as steps. */
function matchBracketClass(ms: MatchState, c: number, p: number, ec: number): boolean {
  steps(ms.inst, ms.L, ec - p);
  let sig = true;
  if (ms.p[p + 1] === 94 /* ^ */) {
    sig = false;
    p++;
  }
  while (++p < ec) {
    if (ms.p[p] === L_ESC) {
      p++;
      if (matchClass(c, ms.p[p]!)) return sig;
    } else if (ms.p[p + 1] === 45 /* - */ && p + 2 < ec) {
      p += 2;
      if (ms.p[p - 2]! <= c && c <= ms.p[p]!) return sig;
    } else if (ms.p[p] === c) return sig;
  }
  return !sig;
}

function singleMatch(ms: MatchState, s: number, p: number, ep: number): boolean {
  if (s >= ms.srcEnd) return false;
  const c = ms.src[s]!;
  switch (ms.p[p]) {
    case 46 /* . */:
      return true;
    case L_ESC:
      return matchClass(c, ms.p[p + 1]!);
    case 91 /* [ */:
      return matchBracketClass(ms, c, p, ep - 1);
    default:
      return ms.p[p] === c;
  }
}

function matchBalance(ms: MatchState, s: number, p: number): number {
  if (p >= ms.pEnd - 1) raiseError(ms.L, "malformed pattern (missing arguments to '%b')");
  if (s >= ms.srcEnd || ms.src[s] !== ms.p[p]) return -1;
  const b = ms.p[p];
  const e = ms.p[p + 1];
  let cont = 1;
  const start = s;
  while (++s < ms.srcEnd) {
    const c = ms.src[s];
    if (c === e) {
      if (--cont === 0) {
        steps(ms.inst, ms.L, s - start);
        return s + 1;
      }
    } else if (c === b) cont++;
  }
  steps(ms.inst, ms.L, s - start);
  return -1;
}

function maxExpand(ms: MatchState, s: number, p: number, ep: number): number {
  let i = 0;
  while (singleMatch(ms, s + i, p, ep)) i++;
  steps(ms.inst, ms.L, i);
  while (i >= 0) {
    const res = match(ms, s + i, ep + 1);
    if (res !== -1) return res;
    i--;
  }
  return -1;
}

function minExpand(ms: MatchState, s: number, p: number, ep: number): number {
  for (;;) {
    const res = match(ms, s, ep + 1);
    if (res !== -1) return res;
    if (singleMatch(ms, s, p, ep)) s++;
    else return -1;
  }
}

function startCapture(ms: MatchState, s: number, p: number, what: number): number {
  const level = ms.level;
  if (level >= LUA_MAXCAPTURES) raiseError(ms.L, 'too many captures');
  ms.capture[level]!.init = s;
  ms.capture[level]!.len = what;
  ms.level = level + 1;
  const res = match(ms, s, p);
  if (res === -1) ms.level--;
  return res;
}

function endCapture(ms: MatchState, s: number, p: number): number {
  const l = captureToClose(ms);
  ms.capture[l]!.len = s - ms.capture[l]!.init;
  const res = match(ms, s, p);
  if (res === -1) ms.capture[l]!.len = CAP_UNFINISHED;
  return res;
}

function captureToClose(ms: MatchState): number {
  for (let level = ms.level - 1; level >= 0; level--)
    if (ms.capture[level]!.len === CAP_UNFINISHED) return level;
  return raiseError(ms.L, 'invalid pattern capture');
}

function checkCapture(ms: MatchState, l: number): number {
  l -= 49; /* '1' */
  if (l < 0 || l >= ms.level || ms.capture[l]!.len === CAP_UNFINISHED)
    return raiseError(ms.L, `invalid capture index %${l + 1}`);
  return l;
}

function matchCapture(ms: MatchState, s: number, l: number): number {
  l = checkCapture(ms, l);
  const { init, len } = ms.capture[l]!;
  // A position capture has no text: C Lua's unsigned compare fails it (fengari moved backwards).
  if (len < 0 || ms.srcEnd - s < len) return -1;
  steps(ms.inst, ms.L, len);
  const src = ms.src;
  for (let i = 0; i < len; i++) if (src[init + i] !== src[s + i]) return -1;
  return s + len;
}

/** Matches pattern position `p` at subject position `s`: the end of the match, or -1. */
function match(ms: MatchState, s: number, p: number): number {
  if (ms.matchdepth-- === 0) raiseError(ms.L, 'pattern too complex');
  steps(ms.inst, ms.L, 1);
  for (;;) {
    if (p === ms.pEnd) break;
    let plain = false;
    switch (ms.p[p]) {
      case 40 /* ( */:
        s =
          ms.p[p + 1] === 41 /* ) */
            ? startCapture(ms, s, p + 2, CAP_POSITION)
            : startCapture(ms, s, p + 1, CAP_UNFINISHED);
        break;
      case 41 /* ) */:
        s = endCapture(ms, s, p + 1);
        break;
      case 36 /* $ */:
        if (p + 1 !== ms.pEnd) plain = true;
        else if (s !== ms.srcEnd) s = -1;
        break;
      case L_ESC:
        switch (ms.p[p + 1]) {
          case 98 /* b */:
            s = matchBalance(ms, s, p + 2);
            if (s !== -1) {
              p += 4;
              continue;
            }
            break;
          case 102 /* f */:
            {
              p += 2;
              if (ms.p[p] !== 91 /* [ */) raiseError(ms.L, "missing '[' after '%f' in pattern");
              const ep = classEnd(ms, p);
              const previous = s === 0 ? 0 : ms.src[s - 1]!;
              const current = s === ms.srcEnd ? 0 : ms.src[s]!;
              if (!matchBracketClass(ms, previous, p, ep - 1) && matchBracketClass(ms, current, p, ep - 1)) {
                p = ep;
                continue;
              }
              s = -1;
              break;
            }
          case 48:
          case 49:
          case 50:
          case 51:
          case 52:
          case 53:
          case 54:
          case 55:
          case 56:
          case 57:
            s = matchCapture(ms, s, ms.p[p + 1]!);
            if (s !== -1) {
              p += 2;
              continue;
            }
            break;
          default:
            plain = true;
        }
        break;
      default:
        plain = true;
    }
    if (!plain) break;
    // A single character class, with an optional repetition suffix.
    const ep = classEnd(ms, p);
    const suffix = ms.p[ep];
    if (!singleMatch(ms, s, p, ep)) {
      if (suffix === 42 /* * */ || suffix === 63 /* ? */ || suffix === 45 /* - */) {
        p = ep + 1;
        continue;
      }
      s = -1;
      break;
    }
    if (suffix === 63 /* ? */) {
      const res = match(ms, s + 1, ep + 1);
      if (res !== -1) {
        s = res;
        break;
      }
      p = ep + 1;
      continue;
    }
    if (suffix === 43 /* + */) s = maxExpand(ms, s + 1, p, ep);
    else if (suffix === 42 /* * */) s = maxExpand(ms, s, p, ep);
    else if (suffix === 45 /* - */) s = minExpand(ms, s, p, ep);
    else {
      s++;
      p = ep;
      continue;
    }
    break;
  }
  ms.matchdepth++;
  return s;
}

function pushOneCapture(ms: MatchState, i: number, s: number, e: number): void {
  const L = ms.L;
  if (i >= ms.level) {
    if (i !== 0) raiseError(L, `invalid capture index %${i + 1}`);
    pushBytes(L, ms.src.slice(s, e));
    return;
  }
  const { init, len } = ms.capture[i]!;
  if (len === CAP_UNFINISHED) raiseError(L, 'unfinished capture');
  if (len === CAP_POSITION) lua_pushinteger(L, init + 1);
  else pushBytes(L, ms.src.slice(init, init + len));
}

/** Pushes the captures (or the whole match when there are none and `s` >= 0). */
function pushCaptures(ms: MatchState, s: number, e: number): number {
  const n = ms.level === 0 && s >= 0 ? 1 : ms.level;
  luaL_checkstack(ms.L, n, toLuaString('too many captures'));
  for (let i = 0; i < n; i++) pushOneCapture(ms, i, s, e);
  return n;
}

function posrelat(pos: number, len: number): number {
  if (pos >= 0) return pos;
  if (-pos > len) return 0;
  return len + pos + 1;
}

function noSpecials(p: Uint8Array): boolean {
  for (let i = 0; i < p.length; i++) if (SPECIALS.includes(p[i]!)) return false;
  return true;
}

/**
 * Index of `needle` in `hay` at or after `from`, or -1: Node's native search (linear), run on
 * windows of the subject with a deadline check between them.
 */
function plainFind(inst: LuaInstance, L: unknown, hay: Uint8Array, needle: Uint8Array, from: number): number {
  const m = needle.length;
  if (m === 0) return from;
  const h = Buffer.from(hay.buffer, hay.byteOffset, hay.length);
  const n = Buffer.from(needle.buffer, needle.byteOffset, m);
  const window = Math.max(PLAIN_WINDOW, 4 * m);
  for (let start = from; start + m <= h.length; start += window - m + 1) {
    const end = Math.min(h.length, start + window);
    const i = h.subarray(start, end).indexOf(n);
    if (i >= 0) return start + i;
    steps(inst, L, end - start);
    if (end === h.length) break;
  }
  return -1;
}

function findAux(inst: LuaInstance, L: unknown, find: boolean): number {
  const s: Uint8Array = luaL_checklstring(L, 1);
  const p: Uint8Array = luaL_checklstring(L, 2);
  const ls = s.length;
  let init = posrelat(luaL_optinteger(L, 3, 1), ls);
  if (init < 1) init = 1;
  else if (init > ls + 1) {
    lua_pushnil(L);
    return 1;
  }
  if (find && (lua_toboolean(L, 4) || noSpecials(p))) {
    const f = plainFind(inst, L, s, p, init - 1);
    if (f >= 0) {
      lua_pushinteger(L, f + 1);
      lua_pushinteger(L, f + p.length);
      return 2;
    }
  } else {
    const anchor = p[0] === 94; /* ^ */
    const ms = new MatchState(inst, L, s, anchor ? p.subarray(1) : p);
    let s1 = init - 1;
    do {
      ms.level = 0;
      ms.matchdepth = MAXCCALLS;
      const e = match(ms, s1, 0);
      if (e !== -1) {
        if (find) {
          lua_pushinteger(L, s1 + 1);
          lua_pushinteger(L, e);
          return pushCaptures(ms, -1, 0) + 2;
        }
        return pushCaptures(ms, s1, e);
      }
    } while (s1++ < ms.srcEnd && !anchor);
  }
  lua_pushnil(L);
  return 1;
}

function gmatch(inst: LuaInstance, L: unknown): number {
  const s: Uint8Array = luaL_checklstring(L, 1);
  const p: Uint8Array = luaL_checklstring(L, 2);
  lua_settop(L, 2); // keep both alive as the closure's upvalues
  const ms = new MatchState(inst, L, s, p);
  let src = 0;
  let lastMatch = -1;
  lua_pushcclosure(
    L,
    (L1: unknown) => {
      ms.L = L1;
      for (; src <= ms.srcEnd; src++) {
        ms.level = 0;
        ms.matchdepth = MAXCCALLS;
        const e = match(ms, src, 0);
        if (e !== -1 && e !== lastMatch) {
          const start = src;
          src = lastMatch = e;
          return pushCaptures(ms, start, e);
        }
      }
      return 0;
    },
    2,
  );
  return 1;
}

/** Appends the replacement string (argument 3) with its `%0`–`%9` and `%%`. */
function addString(ms: MatchState, b: Builder, s: number, e: number, news: Uint8Array): void {
  const L = ms.L;
  const l = news.length;
  steps(ms.inst, L, l);
  let i = 0;
  while (i < l) {
    const next = news.indexOf(L_ESC, i);
    const stop = next < 0 ? l : next;
    b.bytes(news, i, stop);
    if (next < 0) return;
    i = next + 1;
    const c = news[i];
    if (c === undefined || !isdigit(c)) {
      if (c !== L_ESC) raiseError(L, "invalid use of '%' in replacement string");
      b.byte(c);
    } else if (c === 48 /* 0 */) b.bytes(ms.src, s, e);
    else {
      pushOneCapture(ms, c - 49, s, e);
      luaL_tolstring(L, -1);
      lua_remove(L, -2);
      b.bytes(lua_tolstring(L, -1));
      lua_pop(L, 1);
    }
    i++;
  }
}

function addValue(
  ms: MatchState,
  b: Builder,
  s: number,
  e: number,
  tr: number,
  news: Uint8Array | null,
): void {
  const L = ms.L;
  if (tr === LUA_TFUNCTION) {
    lua_pushvalue(L, 3);
    const n = pushCaptures(ms, s, e);
    lua_call(L, n, 1);
  } else if (tr === LUA_TTABLE) {
    pushOneCapture(ms, 0, s, e);
    lua_gettable(L, 3);
  } else {
    addString(ms, b, s, e, news!);
    return;
  }
  if (!lua_toboolean(L, -1))
    b.bytes(ms.src, s, e); // nil or false: keep the original text
  else if (!lua_isstring(L, -1))
    raiseError(L, `invalid replacement value (a ${String.fromCharCode(...luaL_typename(L, -1))})`);
  else b.bytes(lua_tolstring(L, -1));
  lua_pop(L, 1);
}

function gsub(inst: LuaInstance, L: unknown): number {
  const src: Uint8Array = luaL_checklstring(L, 1);
  let p: Uint8Array = luaL_checklstring(L, 2);
  const srcl = src.length;
  const tr = lua_type(L, 3);
  const maxS = luaL_optinteger(L, 4, srcl + 1);
  luaL_argcheck(
    L,
    tr === LUA_TNUMBER || tr === LUA_TSTRING || tr === LUA_TFUNCTION || tr === LUA_TTABLE,
    3,
    toLuaString('string/function/table expected'),
  );
  const news: Uint8Array | null = tr === LUA_TNUMBER || tr === LUA_TSTRING ? lua_tolstring(L, 3) : null;
  const anchor = p[0] === 94; /* ^ */
  if (anchor) p = p.subarray(1);
  const ms = new MatchState(inst, L, src, p);
  const b = new Builder(inst, L, 'string.gsub', Math.min(srcl + 16, SMALL_BYTES));
  let s = 0;
  let lastMatch = -1;
  let n = 0;
  while (n < maxS) {
    ms.level = 0;
    ms.matchdepth = MAXCCALLS;
    const e = match(ms, s, 0);
    if (e !== -1 && e !== lastMatch) {
      n++;
      addValue(ms, b, s, e, tr, news);
      s = lastMatch = e;
    } else if (s < ms.srcEnd) b.byte(src[s++]!);
    else break;
    if (anchor) break;
  }
  b.bytes(src, s, ms.srcEnd);
  b.push();
  lua_pushinteger(L, n);
  return 2;
}

/** The bounded `string.find`, `match`, `gmatch` and `gsub` of one script. */
export function patternFunctions(inst: LuaInstance): Record<string, (L: unknown) => number> {
  return {
    find: (L) => findAux(inst, L, true),
    match: (L) => findAux(inst, L, false),
    gmatch: (L) => gmatch(inst, L),
    gsub: (L) => gsub(inst, L),
  };
}
