import { type BridgeError, BridgeValueError, ScriptError, ScriptTimeoutError } from '../errors.js';
import { returnValue } from '../return-value.js';
import fengari from './fengari.js';
import type { LuaInstance } from './lua-engine.js';
import { heapInUse } from './lua-heap.js';
import { toValue } from './lua-values.js';

const { LUA_OK, LUA_YIELD, lua_gettop } = fengari.lua;

/** How a host promise settled, for the continuation that resumes the script. @internal */
export type Settled =
  | { ok: true; value: unknown; push: (L: unknown, value: unknown) => number }
  | { ok: false; error: unknown };

/**
 * One call into a Lua script (top level, hook or subscriber), run as a coroutine. It resumes
 * the coroutine, and when a host function yielded on a promise it waits for the promise (without
 * blocking the event loop) and resumes again. CPU time is summed over the slices and checked
 * against `budgetMs` by the instance's count hook; waiting is bounded by `waitMs`.
 * @internal
 */
export class LuaRun {
  /** Set once the run must die (deadline, memory); rethrown at every protected boundary. */
  killed: BridgeError | undefined;
  /** performance.now() after which the current slice is past the budget. */
  sliceDeadline = 0;
  /** Heap in use when the slice began (host allocations made for the script are added back). */
  heapBase = -1;
  /** The promise a host function yielded on, and how to push its value. */
  pending: PromiseLike<unknown> | undefined;
  pendingPush: ((L: unknown, value: unknown) => number) | undefined;
  settled: Settled | undefined;
  #used = 0;
  #sliceStart = 0;

  constructor(
    readonly instance: LuaInstance,
    readonly thread: unknown,
    readonly budgetMs: number,
    readonly what: string,
    readonly waitMs: number,
    /** True for the top level: every value the chunk returned, as an array (`script.run()`). */
    readonly all = false,
  ) {}

  beginSlice(): void {
    this.#sliceStart = performance.now();
    this.sliceDeadline = this.#sliceStart + (this.budgetMs - this.#used);
    this.heapBase = heapInUse();
  }

  endSlice(): void {
    this.#used += performance.now() - this.#sliceStart;
  }

  /** Runs until the script returns (value), fails (throws) or waits (promise of either). */
  start(nargs: number): unknown {
    const { instance, thread } = this;
    const status = instance.resume(this, thread, nargs);
    if (this.killed !== undefined) throw this.killed;
    if (status === LUA_OK) {
      let value: unknown;
      try {
        if (this.all) {
          const n = lua_gettop(thread);
          const values: unknown[] = [];
          for (let i = 1; i <= n; i++)
            values.push(returnValue(() => toValue(thread, i, `return value #${i}`)));
          value = values;
        } else value = lua_gettop(thread) > 0 ? toValue(thread, 1, 'result') : undefined;
      } catch (error) {
        throw BridgeValueError.isInstance(error) && error instanceof BridgeValueError
          ? error.withLocation(instance.locate(thread))
          : error;
      }
      instance.recycle(thread);
      return value;
    }
    if (status === LUA_YIELD) return this.#wait();
    throw instance.errorFrom(thread, this.what);
  }

  #wait(): Promise<unknown> {
    const pending = this.pending;
    const push = this.pendingPush;
    this.pending = undefined;
    this.pendingPush = undefined;
    if (pending === undefined || push === undefined) {
      return Promise.reject(
        new ScriptError(
          `${this.what} yielded outside a coroutine it created (coroutine.yield at the top of a callback)`,
          {
            script: this.instance.host.name,
          },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(new ScriptTimeoutError(this.waitMs, this.what, this.instance.locate(this.thread), 'wait'));
      }, this.waitMs);
      const next = (settled: Settled) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (this.instance.disposed) {
          reject(
            new ScriptError(`${this.what} was abandoned: the script was disposed while it waited`, {
              script: this.instance.host.name,
            }),
          );
          return;
        }
        this.settled = settled;
        try {
          resolve(this.start(0));
        } catch (error) {
          reject(error);
        }
      };
      pending.then(
        (value) => next({ ok: true, value, push }),
        (error: unknown) => next({ ok: false, error }),
      );
    });
  }
}
