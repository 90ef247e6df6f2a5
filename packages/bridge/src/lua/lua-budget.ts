import fengari, { lobject, lstring } from './fengari.js';
import type { LuaInstance } from './lua-engine.js';
import { toLuaString } from './lua-values.js';

const { luaL_error } = fengari.lauxlib;

/**
 * How library functions stay inside a script's deadline and memory bound. fengari runs its
 * library functions (pattern matching, `string.format`, `table.concat`, …) in JS: the count hook,
 * which checks the deadline and the heap meter, never fires inside them, so a single call could
 * loop for minutes or build hundreds of MiB. The bounded versions in lua-strings.ts,
 * lua-patterns.ts and lua-library.ts therefore
 *
 * - count their steps ({@link steps}) and run the count hook's check every {@link CHECK_STEPS}
 *   of them, so a loop ends with `ScriptTimeoutError` a few hundred µs after the deadline;
 * - check the size of what they build before they build it ({@link LuaInstance.reserve}), and
 *   grow their output through a {@link Builder} that checks again at every doubling, so they end
 *   with `ScriptMemoryError` instead of allocating past the bound;
 * - run the check once more after a call that did a lot of work in one go ({@link after}), so
 *   a loop of such calls meets the deadline after one call, not after the 200 instructions the
 *   count hook waits for.
 * @internal
 */

/** Steps between two checks: a check costs ~1 µs, a step 10–50 ns, so this costs under 1 %. */
export const CHECK_STEPS = 4096;
/** Below this many bytes, building is not checked (the count hook bounds small work). */
export const SMALL_BYTES = 64 * 1024;
/** What one value pushed on a Lua stack costs the host (a TValue and its slot), roughly. */
export const SLOT_BYTES = 48;

let left = CHECK_STEPS;

/** Counts `n` steps of a library loop; every CHECK_STEPS, checks the deadline and the heap. */
export function steps(inst: LuaInstance, L: unknown, n: number): void {
  if ((left -= n) <= 0) {
    left = CHECK_STEPS;
    inst.checkpoint(L);
  }
}

/** After a call that did `work` bytes or steps at once: check now if it was a lot. */
export function after(inst: LuaInstance, L: unknown, work: number): void {
  if (work > SMALL_BYTES) {
    left = CHECK_STEPS;
    inst.checkpoint(L);
  }
}

/**
 * A growing byte string for a library function's result. Growth is checked against what is
 * left of the memory bound once past {@link SMALL_BYTES}.
 */
export class Builder {
  buf: Uint8Array;
  n = 0;
  constructor(
    readonly inst: LuaInstance,
    readonly L: unknown,
    readonly what: string,
    size = 64,
  ) {
    this.buf = new Uint8Array(size);
  }

  byte(b: number): void {
    if (this.n === this.buf.length) this.grow(1);
    this.buf[this.n++] = b;
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const len = end - start;
    if (len <= 0) return;
    if (this.n + len > this.buf.length) this.grow(len);
    if (len < 16) for (let i = start; i < end; i++) this.buf[this.n++] = src[i]!;
    else {
      this.buf.set(src.subarray(start, end), this.n);
      this.n += len;
    }
  }

  grow(extra: number): void {
    const need = this.n + extra;
    const size = Math.max(need, this.buf.length * 2);
    if (size > SMALL_BYTES) {
      this.inst.reserve(this.L, need, this.what, `a string of more than ${need} bytes`);
      this.inst.checkpoint(this.L);
    }
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  /** Pushes the result as a Lua string (without another copy when the buffer is close to full). */
  push(): void {
    const { buf, n } = this;
    pushBytes(this.L, buf.length - n > 4096 ? buf.slice(0, n) : buf.subarray(0, n));
  }
}

/**
 * Pushes bytes the caller built as a Lua string, without the copy `lua_pushlstring` makes (it
 * copies element by element). The bytes now belong to Lua: the caller must not change them. The
 * string still passes the script's string guard (see fengari.ts).
 */
export function pushBytes(L: unknown, bytes: Uint8Array): void {
  lobject.pushsvalue2s(L, lstring.luaS_bless(L, bytes));
}

/** Raises a Lua error with this exact message (no `%` formatting, no position: as C functions do). */
export function raiseError(L: unknown, message: string): never {
  luaL_error(L, toLuaString('%s'), toLuaString(message));
  throw new Error('unreachable: luaL_error returned');
}
