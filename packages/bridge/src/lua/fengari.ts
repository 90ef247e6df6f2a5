import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';

/**
 * fengari, loaded as the bridge's own copy with some of its string functions replaced before its
 * VM, table, parser and API modules take their references to them (they destructure them at load
 * time), because they run inside one VM instruction, where the count hook cannot stop them:
 *
 * - `luaS_bless`, through which every string the VM builds by concatenation (`..`) and every
 *   string a bounded library function returns passes, calls the running script's guard when
 *   the string alone is longer than the script's memory bound, or when the strings built (and
 *   the table keys made of long strings) since the last call add up to twice the bound. Without it, `s = s .. s` doubles past any bound
 *   between two count-hook checks (a check every 200 instructions lets gigabytes through), and
 *   a loop that builds one large string per instruction gets 200 of them in before the heap
 *   meter looks.
 * - `luaS_hash` / `luaS_hashlongstr`, the key of a string in a table and the key fengari
 *   compares strings by (`<`, `<=`). fengari's builds a JS string of the hex digits of every
 *   byte, one `+=` at a time: ~130 ms per MiB inside one instruction (an 8 MiB table key stalls
 *   the host a second), and without padding, so distinct strings collide (`"\5\0"` and `"P"` were
 *   the same table key) and order wrongly (`"\15" < "\16"` was false). Ours is the bytes as a
 *   latin1 string: one code unit per byte, so equal keys are equal strings and JS string order
 *   is Lua's byte order; Node decodes it natively (~1 ms per MiB).
 * - `luaS_eqlngstr` (`==`, `rawequal` of strings): native past 64 bytes.
 * - `luaO_str2num` (`tonumber`, `"1" + 1`, numerals in a chunk), for long strings: see below.
 *
 * The replacements are in place even when other code of the host loaded fengari first: its
 * modules are then moved out of the require cache while the bridge loads its own copy, and put
 * back afterwards (the two copies share nothing; the other code keeps its own, unchanged). When
 * the bridge is first, its copy stays in the cache, as any module would, and code that requires
 * fengari later shares it: the guard only acts while a script's slice runs; the other
 * replacements give the same results as fengari's, faster (and without its key collisions).
 * @internal
 */
const require = createRequire(import.meta.url);

/** Called when a string is built that is over the limit, or when built bytes add up. */
type Guard = (L: unknown, size: number) => void;
let guard: Guard | undefined;
let guardLimit = Number.POSITIVE_INFINITY;
let guardStep = Number.POSITIVE_INFINITY;
let built = 0;

/**
 * Sets the guard for the slice about to run; returns the previous one (slices nest). The guard
 * is called with the size of a string longer than `limit`, and with 0 whenever the strings
 * built since the last call add up to `2 * limit` (time for the heap meter to look). `L` is
 * undefined when the caller does not know the thread (a table key being made).
 */
export function setStringGuard(next: Guard | undefined, limit: number): [Guard | undefined, number] {
  const previous: [Guard | undefined, number] = [guard, guardLimit];
  guard = next;
  guardLimit = next === undefined ? Number.POSITIVE_INFINITY : limit;
  guardStep = guardLimit * 2;
  built = 0;
  return previous;
}

const fengariMain = require.resolve('fengari');
const fengariDir = dirname(fengariMain) + sep;
const ownModules = (): string[] => Object.keys(require.cache).filter((k) => k.startsWith(fengariDir));
const others = new Map(ownModules().map((k) => [k, require.cache[k]]));
for (const k of others.keys()) delete require.cache[k];

const lstring = require('fengari/src/lstring.js');
const bless = lstring.luaS_bless;
lstring.luaS_bless = function luaS_bless(L: unknown, str: Uint8Array) {
  const n = str.length;
  if (n > guardLimit) guard?.(L, n);
  else if ((built += n) > guardStep) {
    built = 0;
    guard?.(L, 0);
  }
  return bless(L, str);
};
// Equal strings compare byte by byte (`==`, `rawequal`): natively past a few bytes (fengari's
// JS loop took ~1 ms per MiB in one instruction).
lstring.luaS_eqlngstr = function luaS_eqlngstr(a: { realstring: Uint8Array }, b: { realstring: Uint8Array }) {
  if (a === b) return true;
  const x = a.realstring;
  const y = b.realstring;
  const n = x.length;
  if (n !== y.length) return false;
  if (n < 64) {
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  return Buffer.from(x.buffer, x.byteOffset, n).equals(Buffer.from(y.buffer, y.byteOffset, n));
};
// Both: the lexer keys its reserved words by `luaS_hash`, everything else by `luaS_hashlongstr`.
const hash = (str: Uint8Array): string => `|${latin1(str)}`;
lstring.luaS_hash = hash;
lstring.luaS_hashlongstr = function luaS_hashlongstr(ts: { hash: string | null; realstring: Uint8Array }) {
  if (ts.hash === null) {
    const n = ts.realstring.length;
    ts.hash = hash(ts.realstring);
    // A long key is a second copy of its string (in the V8 heap): it counts like a built string.
    if (n > 4096 && (built += n) > guardStep) {
      built = 0;
      guard?.(undefined, 0);
    }
  }
  return ts.hash;
};

const fengari = require('fengari');
/** fengari's object model and string modules, for pushing a built string without a copy. */
export const lobject = require('fengari/src/lobject.js');
export { lstring };

// Every string-to-number conversion (`tonumber`, `"1" + 1`, a number argument given as a string,
// a numeral in a chunk) goes through `lobject.luaO_str2num`, called through the module object.
// fengari's decodes a decimal numeral into a JS string one character at a time: ~190 ms and
// ~30 MB per MiB, in one instruction. Long strings are converted here instead, in one native
// decode, with the same rules.
const str2num = lobject.luaO_str2num;
lobject.luaO_str2num = function luaO_str2num(s: Uint8Array, o: NumberSlot): number {
  const wide = s.length <= 200 ? wideHex(s, o) : 0;
  if (wide !== 0) return wide;
  return s.length <= 200 ? str2num(s, o) : longStr2num(s, o, str2num);
};

if (others.size > 0) {
  for (const k of ownModules()) delete require.cache[k];
  for (const [k, m] of others) require.cache[k] = m;
}

const HEX_INT = /^\s*([+-]?)0[xX]([0-9a-fA-F]+)\s*$/;
const INT64 = 2n ** 64n;

/**
 * A hexadecimal integer numeral past 32 bits, read as 64-bit Lua reads it. fengari's integers
 * are 32-bit and its `l_str2int` wraps hexadecimal digits at 32 bits, so `0xFFFFFFFF` was -1;
 * the original's Lua (5.4, 64-bit integers) reads 4294967295. Here the numeral wraps at 64 bits
 * as Lua 5.4 does (`0xFFFFFFFFFFFFFFFF` is -1) and the result becomes a float: exact up to 2^53,
 * rounded past it. Returns 0 (not handled) for anything else, including hex numerals that fit
 * in 32 bits, which fengari reads as integers, as before. Decimal numerals past 32 bits already
 * become exact floats in fengari.
 */
function wideHex(s: Uint8Array, o: NumberSlot): number {
  // `0x` and 7 hex digits or fewer fit in 32 bits: the cheap test first.
  if (s.length < 10) return 0;
  const m = HEX_INT.exec(latin1(s));
  if (m === null) return 0;
  let value = BigInt(`0x${m[2]}`) % INT64;
  if (m[1] === '-') value = (INT64 - value) % INT64;
  if (value >= INT64 / 2n) value -= INT64;
  if (value >= -(2n ** 31n) && value < 2n ** 31n) return 0;
  o.setfltvalue(Number(value));
  return s.length + 1;
}

/** Bytes as a latin1 string (byte i → code unit i). Short keys (the common case) by hand. */
function latin1(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n <= 32) {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('latin1');
}

interface NumberSlot {
  setivalue(n: number): void;
  setfltvalue(n: number): void;
}

const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const INT_MAX = 2 ** 31 - 1;

/**
 * `luaO_str2num` for a string longer than any ordinary numeral: the length of the numeral plus
 * one when all of `s` is one (its value in `o`), else something else (0 when it is none).
 * Hexadecimal numerals go to fengari's own conversion, which reads bytes; decimal ones are
 * read here, with fengari's rules: integers that fit in 32 bits (fengari's integers), else
 * the float `parseFloat` reads, surrounded by whitespace only.
 */
function longStr2num(
  s: Uint8Array,
  o: NumberSlot,
  original: (s: Uint8Array, o: NumberSlot) => number,
): number {
  // The mode is the first of '.', 'x', 'X', 'n', 'N', as in fengari's `l_str2d`.
  let mode = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    // Not a numeral: fengari's answer (0, or a length short of the string's) means the same.
    if (c === 0 || c >= 0x80) return 0;
    if (mode === 0 && (c === 46 || c === 120 || c === 88 || c === 110 || c === 78)) mode = c;
  }
  if (mode === 120 || mode === 88) return original(s, o); // hexadecimal: read as bytes
  if (mode === 110 || mode === 78) return 0; // 'inf' and 'nan' are not numerals
  const text = Buffer.from(s.buffer, s.byteOffset, s.length).toString('latin1');
  const int = /^\s*([+-]?)0*(\d+)\s*$/.exec(text);
  if (int !== null && int[2]!.length <= 10) {
    const value = Number(`${int[1]}${int[2]}`);
    if (value >= -INT_MAX - 1 && value <= INT_MAX) {
      o.setivalue(value | 0);
      return s.length + 1;
    }
  }
  const float = /^\s*[+-]?(?:\d+\.?\d*|\.\d*)(?:[eE][+-]?\d+)?/.exec(text);
  if (float === null) return 0;
  const n = Number.parseFloat(float[0]);
  if (Number.isNaN(n)) return 0;
  let end = float[0].length;
  while (end < s.length && isSpace(s[end]!)) end++;
  if (end !== s.length) return 0;
  o.setfltvalue(n);
  return s.length + 1;
}

export default fengari;
