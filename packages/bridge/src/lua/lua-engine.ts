import type { EngineInstance, ScriptEngine } from '../engine.js';
import {
  BridgeError,
  ScriptDisposedError,
  ScriptError,
  type ScriptLocation,
  ScriptMemoryError,
  ScriptTimeoutError,
} from '../errors.js';
import type { ScriptHost } from '../script-host.js';
import fengari, { setStringGuard } from './fengari.js';
import { installGlobals } from './lua-globals.js';
import { heapInUse, heapInUseAfterCollection } from './lua-heap.js';
import { installHostGlobals } from './lua-host-globals.js';
import { LuaRun } from './lua-run.js';
import { openSandbox } from './lua-sandbox.js';
import { fromLuaString, toLuaString, toValue } from './lua-values.js';

const { lua, lauxlib } = fengari;
const {
  LUA_OK,
  LUA_YIELD,
  LUA_MASKCOUNT,
  LUA_REGISTRYINDEX,
  LUA_TSTRING,
  LUA_TNUMBER,
  lua_newthread,
  lua_pop,
  lua_resume,
  lua_gettop,
  lua_settop,
  lua_sethook,
  lua_rawgeti,
  lua_type,
  lua_tolstring,
  lua_getinfo,
  lua_getstack,
  lua_atnativeerror,
  lua_touserdata,
} = lua;
const { luaL_newstate, luaL_loadbufferx, luaL_traceback, luaL_unref } = lauxlib;

/**
 * Instructions between two checks of the deadline and the memory meter. A check costs ~0.7 µs;
 * 200 instructions take ~4 µs in fengari, and some builtins (string.rep, gsub) are slow, so a
 * smaller interval keeps the overshoot of a deadline small at a few percent of speed.
 */
const CHECK_EVERY = 200;
/** Runs of one script nested inside each other (a callback that publishes to its own script). */
const MAX_NESTING = 16;
/** Lines of a script traceback kept in errors. */
const MAX_TRACE_LINES = 24;
/** What an error keeps of a value the script raised: an 8 MiB error string is not a message. */
const MAX_ERROR_BYTES = 4096;

/** Pushes a callback's arguments; returns how many. */
export type ArgPusher = (L: unknown) => number;

/**
 * One script in its own fengari `lua_State`. Every call into the script (top level, hook,
 * subscriber) runs as a coroutine driven by {@link LuaRun}, so a host function that must wait
 * yields to the host and the callback resumes when the promise settles. A count hook enforces
 * the CPU deadline and the memory bound by throwing a host exception, which Lua code cannot catch.
 * @internal
 */
export class LuaInstance implements EngineInstance {
  readonly L: unknown;
  readonly host: ScriptHost;
  /** The run whose slice is executing now (runs nest when a callback publishes to the same script). */
  current: LuaRun | undefined;
  /** A finished coroutine kept for the next call: making a thread costs more than reusing one. */
  #idle: unknown;
  #disposed = false;
  #depth = 0;
  readonly #chunkName: Uint8Array;
  readonly #source: string;

  constructor(host: ScriptHost, source: string) {
    this.host = host;
    this.#source = source;
    this.#chunkName = toLuaString(`@${host.name}`);
    const L = luaL_newstate();
    this.L = L;
    openSandbox(L, this);
    installGlobals(L, this);
    installHostGlobals(L, this);
    // A JS exception inside fengari (an allocation that failed, a bug) ends the callback: it
    // must never become a Lua error the script could catch and retry.
    lua_atnativeerror(L, (L1: unknown) => {
      const error = lua_touserdata(L1, 1);
      const run = this.current;
      if (run !== undefined && run.killed === undefined) run.killed = this.nativeFailure(error, L1);
      throw run?.killed ?? error;
    });
    lua_sethook(L, (L1: unknown) => this.#check(L1), LUA_MASKCOUNT, CHECK_EVERY);
  }

  /** Compiles the source; a syntax error rejects with `ScriptError` naming the line. */
  compile(): void {
    const L = this.L;
    let src = this.#source;
    // A `#!` first line is skipped, as the standalone interpreter does (kept as an empty line
    // so line numbers stay right).
    if (src.startsWith('#!')) src = src.replace(/^#![^\n]*/, '');
    const status = luaL_loadbufferx(L, toLuaString(src), null, this.#chunkName, toLuaString('t'));
    if (status !== LUA_OK) {
      const message = fromLuaString(lua_tolstring(L, -1));
      lua_pop(L, 1);
      throw new ScriptError(`cannot compile: ${message}`, { script: this.host.name, line: lineOf(message) });
    }
    // Keep the compiled chunk in the registry until run() takes it.
    this.#chunkRef = lauxlib.luaL_ref(L, LUA_REGISTRYINDEX);
  }

  #chunkRef = -1;

  async run(): Promise<unknown[]> {
    const ref = this.#chunkRef;
    if (ref < 0) throw new ScriptError('run() called twice or before compile()', { script: this.host.name });
    this.#chunkRef = -1;
    try {
      return (await this.call(
        ref,
        undefined,
        this.host.limits.scriptMs,
        'the top level',
        this.host.limits.waitMs,
        true,
      )) as unknown[];
    } finally {
      if (!this.#disposed) luaL_unref(this.L, LUA_REGISTRYINDEX, ref);
    }
  }

  /**
   * Calls the function kept under registry `ref` with the arguments `push` pushes, as a
   * coroutine with `budgetMs` of CPU time. Returns the first result as a host value (`all`: every
   * result, as an array) — at once when the script did not wait, else as a promise.
   */
  call(
    ref: number,
    push: ArgPusher | undefined,
    budgetMs: number,
    what: string,
    waitMs: number,
    all = false,
  ): unknown {
    if (this.#disposed) throw new ScriptDisposedError(this.host.name, `${what} called`);
    if (this.#depth >= MAX_NESTING)
      throw new ScriptError(
        `${what}: callbacks nested more than ${MAX_NESTING} deep (a subscriber that publishes what it subscribes to?)`,
        { script: this.host.name },
      );
    const L = this.L;
    let T = this.#idle;
    this.#idle = undefined;
    if (T === undefined) {
      T = lua_newthread(L);
      lua_pop(L, 1); // fengari threads live as long as JS holds them
    }
    lua_rawgeti(T, LUA_REGISTRYINDEX, ref);
    const nargs = push === undefined ? 0 : push(T);
    const run = new LuaRun(this, T, budgetMs, what, waitMs, all);
    return run.start(nargs);
  }

  /** A run finished normally: its thread may serve the next call. */
  recycle(T: unknown): void {
    lua_settop(T, 0);
    if (this.#idle === undefined) this.#idle = T;
  }

  /** Resumes `T` as part of `run`, keeping `current` right when runs nest. */
  resume(run: LuaRun, T: unknown, nargs: number): number {
    const outer = this.current;
    this.current = run;
    this.#depth++;
    const [guard, limit] = setStringGuard(this.#stringGuard, this.host.limits.memoryBytes);
    run.beginSlice();
    try {
      return lua_resume(T, null, nargs);
    } catch (error) {
      // fengari 0.1.5 fails an assertion in lua_resume (instead of returning an error status)
      // when a host exception — our deadline or memory kill — hits code that runs after a
      // `pcall` recovered an error. The run is over either way: report why, never the assertion.
      throw run.killed ?? (run.killed = this.nativeFailure(error, T));
    } finally {
      run.endSlice();
      setStringGuard(guard, limit);
      this.#depth--;
      this.current = outer;
    }
  }

  /** See fengari.ts: a string over the bound (`size`), or strings adding up to 2× the bound (0). */
  readonly #stringGuard = (L1: unknown, size: number): void => {
    if (size === 0) {
      this.#check(L1 ?? this.current?.thread);
      return;
    }
    this.memoryExceeded(
      L1,
      `${this.current?.what ?? 'the script'} built a string of ${size} bytes, over its memory bound of ${this.host.limits.memoryBytes} bytes`,
    );
  };

  /** The same check as the count hook, for library functions that run many steps in one instruction. */
  checkpoint(L1: unknown): void {
    this.#check(L1);
  }

  /**
   * Checks, before a library function builds something of `bytes` bytes, that it fits in what is
   * left of the memory bound (the bound minus what the slice has grown so far); else ends the
   * callback with `ScriptMemoryError`. `what` names the function (`string.format`), `thing` what
   * it would build.
   */
  reserve(L1: unknown, bytes: number, what: string, thing = `a string of ${bytes} bytes`): void {
    const run = this.current;
    if (run === undefined) return;
    const limit = this.host.limits.memoryBytes;
    if (bytes > limit)
      this.memoryExceeded(L1, `${what} would build ${thing}, over the memory bound of ${limit} bytes`);
    let grown = heapInUse() - run.heapBase;
    if (bytes + grown > limit) grown = heapInUseAfterCollection(run.heapBase, limit - bytes) - run.heapBase;
    if (bytes + grown > limit)
      this.memoryExceeded(
        L1,
        `${what} would build ${thing} with ${Math.round(grown / 1024)} KiB already in use, over the memory bound of ${limit} bytes`,
      );
  }

  /** Called every CHECK_EVERY instructions on every thread of this state. */
  #check(L1: unknown): void {
    const run = this.current;
    if (run === undefined) return;
    if (run.killed !== undefined) throw run.killed;
    let heap = heapInUse();
    // Over the bound by the cheap reading: collect the garbage and read again before killing.
    if (heap - run.heapBase > this.host.limits.memoryBytes)
      heap = heapInUseAfterCollection(run.heapBase, this.host.limits.memoryBytes);
    if (heap - run.heapBase > this.host.limits.memoryBytes) {
      const limit = this.host.limits.memoryBytes;
      run.killed = new ScriptMemoryError(
        limit,
        `${run.what} allocated more than its memory bound of ${limit} bytes (${Math.round((heap - run.heapBase) / 1024)} KiB)`,
        this.locate(L1),
      );
      throw run.killed;
    }
    if (performance.now() > run.sliceDeadline) {
      run.killed = new ScriptTimeoutError(run.budgetMs, run.what, this.locate(L1));
      throw run.killed;
    }
  }

  /** Kills the running callback for going over the memory bound (string.rep and friends). */
  memoryExceeded(L1: unknown, detail: string): never {
    const run = this.current;
    const error = new ScriptMemoryError(this.host.limits.memoryBytes, detail, this.locate(L1));
    if (run !== undefined) run.killed ??= error;
    throw run?.killed ?? error;
  }

  /** Classifies a JS exception raised inside fengari while a run was going. */
  nativeFailure(error: unknown, L1: unknown): BridgeError {
    if (BridgeError.isInstance(error)) return error;
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (error instanceof RangeError)
      return new ScriptMemoryError(
        this.host.limits.memoryBytes,
        `the engine could not allocate (${text})`,
        this.locate(L1),
        error,
      );
    return new ScriptError(`host exception inside the Lua engine: ${text}`, this.locate(L1), {
      cause: error,
    });
  }

  /** The script's traceback and current line on thread `L1` (at the innermost Lua frame). */
  locate(L1: unknown, message?: string): ScriptLocation {
    const L = this.L;
    let trace = '';
    let line: number | undefined;
    // The traceback builds strings: the string guard must not fire again (and replace the error
    // being reported) while it does.
    const [guard, limit] = setStringGuard(undefined, 0);
    try {
      luaL_traceback(L, L1, message === undefined ? null : toLuaString(message), 0);
      trace = fromLuaString(lua_tolstring(L, -1));
      lua_pop(L, 1);
      const ar = new lua.lua_Debug();
      for (let level = 0; lua_getstack(L1, level, ar); level++) {
        lua_getinfo(L1, toLuaString('Sl'), ar);
        if (ar.currentline > 0) {
          line = ar.currentline;
          break;
        }
      }
    } catch {
      // A broken stack must not hide the original error.
    } finally {
      setStringGuard(guard, limit);
    }
    if (line === undefined && message !== undefined) line = lineOf(message);
    return { script: this.host.name, scriptStack: trimTrace(trace), line };
  }

  /** Turns the error value on top of dead thread `T` into a `ScriptError`. */
  errorFrom(T: unknown, what: string): ScriptError {
    let message: string;
    let thrown: unknown;
    const t = lua_type(T, -1);
    if (lua_gettop(T) === 0) message = 'unknown error';
    else if (t === LUA_TSTRING || t === LUA_TNUMBER) {
      const bytes: Uint8Array = lua_tolstring(T, -1);
      message =
        bytes.length > MAX_ERROR_BYTES
          ? `${fromLuaString(bytes.subarray(0, MAX_ERROR_BYTES))}… (${bytes.length - MAX_ERROR_BYTES} more bytes)`
          : fromLuaString(bytes);
      thrown = message;
    } else {
      try {
        thrown = toValue(T, -1, 'error');
        const json = JSON.stringify(thrown);
        if (json.length > MAX_ERROR_BYTES) {
          // Kept out of the error (and the journal): say how big it was instead.
          message = `error object ${json.slice(0, MAX_ERROR_BYTES)}… (${json.length - MAX_ERROR_BYTES} more characters)`;
          thrown = undefined;
        } else message = `error object ${json}`;
      } catch {
        message = `a ${fromLuaString(lua.lua_typename(T, t))} value was raised as an error`;
      }
    }
    return new ScriptError(`${what} failed: ${message}`, this.locate(T, message), { thrown });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#idle = undefined;
    // Any run still waiting stops at its next resume; lua_close lets JS reclaim the state.
    lua_sethook(this.L, null, 0, 0);
    lua.lua_close(this.L);
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  static readonly OK = LUA_OK;
  static readonly YIELD = LUA_YIELD;
}

function lineOf(message: string): number | undefined {
  const m = /:(\d+):/.exec(message);
  return m ? Number(m[1]) : undefined;
}

function trimTrace(trace: string): string {
  const lines = trace.split('\n');
  return lines.length > MAX_TRACE_LINES ? [...lines.slice(0, MAX_TRACE_LINES), '\t…'].join('\n') : trace;
}

/** The Lua engine (fengari 0.1.x). */
export const luaEngine: ScriptEngine = {
  language: 'lua',
  async instantiate(host: ScriptHost, source: string): Promise<EngineInstance> {
    const instance = new LuaInstance(host, source);
    instance.compile();
    return instance;
  },
};
