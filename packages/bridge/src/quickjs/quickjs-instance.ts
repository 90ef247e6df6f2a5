import type {
  QuickJSContext,
  QuickJSDeferredPromise,
  QuickJSHandle,
  QuickJSRuntime,
  QuickJSWASMModule,
} from 'quickjs-emscripten-core';

import type { EngineInstance } from '../engine.js';
import {
  BridgeError,
  BridgeValueError,
  invalidArgument,
  ScriptDisposedError,
  ScriptError,
  ScriptMemoryError,
  ScriptTimeoutError,
} from '../errors.js';
import { returnValue } from '../return-value.js';
import type { ScriptHost } from '../script-host.js';
import { MAX_SCRIPT_NESTING, scriptNesting } from '../script-nesting.js';
import { guestError, guestStack } from './quickjs-errors.js';
import { hostObject } from './quickjs-host.js';
import { enterGrowthBudget, type GrowthBudget, guardMemoryGrowth } from './quickjs-memory-guard.js';
import { followMemoryGrowth } from './quickjs-memory-views.js';
import { PRELUDE_SOURCE } from './quickjs-prelude.js';
import { type GuestHelpers, TO_HOST_SOURCE, toHandle } from './quickjs-values.js';

/**
 * Calls into one script nested inside each other (a subscriber that publishes what it subscribes
 * to), as in Lua: each level nests the wasm and the bus on Node's stack, which must not overflow.
 */
const MAX_NESTING = 16;
/**
 * Promise jobs run per `executePendingJobs` call. QuickJS turns an interrupt inside a job into a
 * rejection of that job's promise and goes on with the next job, so between two batches the
 * bridge checks the deadline itself: endless promise chains end at the deadline too.
 */
const JOB_BATCH = 64;
/** Wall-clock bound of dropping the jobs left by an overrun; past it the engine is discarded. */
const DROP_JOBS_MS = 2000;

/** How a settled value becomes a host value: converted, ignored, or a module's default export. */
type Convert = boolean | 'exports';

/** A call whose guest promise is still pending. */
interface Waiter {
  promise: QuickJSHandle;
  what: string;
  /** False for a classic top level, whose value is not a result; 'exports' for a module's. */
  convert: Convert;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One script in its own QuickJS runtime and context (the runtime carries the memory and stack
 * limits and the interrupt handler, so limits are per script). Host promises become guest
 * promises; after every call and every settled host promise the pending jobs run, and a call's
 * promise is followed until it settles, is proven never to settle, or waits too long.
 * @internal
 */
export class QuickJSInstance implements EngineInstance {
  readonly host: ScriptHost;
  readonly rt: QuickJSRuntime;
  readonly vm: QuickJSContext;
  readonly #helpers: GuestHelpers;
  readonly #fns = new Map<number, QuickJSHandle>();
  readonly #waiters = new Set<Waiter>();
  readonly #source: string;
  readonly #module: boolean;
  readonly #errorContext = {
    vm: undefined as unknown as QuickJSContext,
    script: '',
    limits: undefined as unknown as ScriptHost['limits'],
    toHost: (h: QuickJSHandle, path: string) => this.toHost(h, path),
  };
  #nextFn = 1;
  #deadline = Number.POSITIVE_INFINITY;
  #interrupted = false;
  /** Host promises handed to the guest and not yet settled (their resolvers are guest handles). */
  readonly #deferreds = new Set<QuickJSDeferredPromise>();
  #disposed = false;
  #ran = false;
  readonly #wasm: { readonly buffer: ArrayBufferLike };
  /** How much the wasm memory may grow during this script's slice (see quickjs-memory-guard.ts). */
  readonly #growth: GrowthBudget;
  #outOfMemory = false;
  /** Set when the runtime can no longer be trusted (see #nativeFailure). */
  #broken: BridgeError | undefined;
  /** Calls of this script now on the stack (see MAX_NESTING). */
  #depth = 0;
  /** True while the jobs left by an overrun are dropped (see #dropJobs). */
  #dropping = false;

  constructor(
    mod: QuickJSWASMModule,
    host: ScriptHost,
    source: string,
    private readonly onModuleAborted: () => void,
  ) {
    this.host = host;
    this.#source = source.startsWith('#!') ? source.replace(/^#![^\n]*/, '') : source;
    this.#module = /\.mjs$/i.test(host.name);
    this.rt = mod.newRuntime();
    this.rt.setMemoryLimit(host.limits.memoryBytes);
    this.rt.setMaxStackSize(host.limits.stackBytes);
    const wasm = mod.getWasmMemory();
    this.#wasm = wasm;
    guardMemoryGrowth((mod as unknown as { module?: unknown }).module, wasm);
    this.#growth = {
      base: 0,
      limitBytes: host.limits.memoryBytes,
      exceeded: () => {
        this.#outOfMemory = true;
      },
    };
    followMemoryGrowth(this.rt, wasm);
    this.rt.setInterruptHandler(() => {
      if (this.#dropping || this.#outOfMemory) return true;
      if (performance.now() > this.#deadline) {
        this.#interrupted = true;
        return true;
      }
      // The allocator limit alone is not enough: this wasm build has no malloc_usable_size, so
      // QuickJS counts big blocks (array storage) as 8 bytes. The linear memory only grows when
      // the heap really needs pages, so its growth during this script's slice is a true bound.
      if (
        this.#deadline !== Number.POSITIVE_INFINITY &&
        this.#wasm.buffer.byteLength - this.#growth.base > this.host.limits.memoryBytes
      ) {
        this.#outOfMemory = true;
        return true;
      }
      return false;
    });
    this.vm = this.rt.newContext();
    const vm = this.vm;
    followMemoryGrowth(vm, wasm);
    Object.assign(this.#errorContext, { vm, script: host.name, limits: host.limits });
    const json = vm.getProp(vm.global, 'JSON');
    this.#helpers = {
      toHost: vm.unwrapResult(vm.evalCode(TO_HOST_SOURCE, '<bridge>')),
      jsonParse: vm.getProp(json, 'parse'),
    };
    json.dispose();
    const taken = Object.keys(host.hostTree).find((name) => {
      const existing = vm.getProp(vm.global, name);
      const type = vm.typeof(existing);
      existing.dispose();
      return type !== 'undefined';
    });
    if (taken !== undefined) {
      this.dispose();
      throw invalidArgument(
        `\`globals.${taken}\`: JavaScript scripts already have a global ${taken} (a standard built-in); pick another name.`,
      );
    }
    const prelude = vm.unwrapResult(vm.evalCode(PRELUDE_SOURCE, '<bridge>'));
    const hostObj = hostObject(this);
    const tree = this.toGuest(host.hostTree, 'globals');
    vm.unwrapResult(vm.callFunction(prelude, vm.undefined, hostObj, tree)).dispose();
    tree.dispose();
    hostObj.dispose();
    prelude.dispose();
  }

  /**
   * Checks the syntax now, so a broken script fails at load like a Lua one. Modules (`.mjs`) are
   * checked when they run: QuickJS 0.32's compile-only mode is unreliable for modules with
   * top-level await.
   */
  compile(): void {
    if (this.#module) return;
    const r = this.#slice(this.host.limits.scriptMs, () =>
      this.vm.evalCode(this.#source, this.host.name, {
        type: 'global',
        compileOnly: true,
      }),
    );
    if (r.error) {
      const error = this.errorFrom(r.error, 'compiling', this.host.limits.scriptMs);
      r.error.dispose();
      throw error;
    }
    r.value.dispose();
  }

  /**
   * Runs the top level. A module (`.mjs`) resolves with `[default export]` when it has one, else
   * `[]`; a classic script cannot `return`, so it resolves with `[]` (its completion value, often
   * a handle from the last call, is not a result).
   */
  async run(): Promise<unknown[]> {
    if (this.#ran) throw new ScriptError('run() called twice', { script: this.host.name });
    this.#ran = true;
    const budget = this.host.limits.scriptMs;
    let deadline = 0;
    const r = this.#slice(budget, () => {
      deadline = this.#deadline;
      return this.vm.evalCode(this.#source, this.host.name, { type: this.#module ? 'module' : 'global' });
    });
    const out = await this.#settle(
      r,
      'the top level',
      budget,
      deadline,
      this.host.limits.waitMs,
      false,
      this.#module ? 'exports' : false,
    );
    return this.#module ? (out as unknown[]) : [];
  }

  /** Keeps a guest function for later calls; returns its id. */
  keep(fn: QuickJSHandle): number {
    const id = this.#nextFn++;
    this.#fns.set(id, fn.dup());
    return id;
  }

  release(id: number): void {
    const fn = this.#fns.get(id);
    if (fn === undefined) return;
    this.#fns.delete(id);
    if (!this.#disposed) fn.dispose();
  }

  /**
   * Calls kept function `id` with `arg` (a host value) under a `budgetMs` deadline. Returns the
   * result as a host value, or a promise of it when the function returned a pending promise.
   */
  call(id: number, arg: unknown, argPath: string, budgetMs: number, what: string, waitMs: number): unknown {
    if (this.#disposed) throw new ScriptDisposedError(this.host.name, `${what} called`);
    const fn = this.#fns.get(id);
    if (fn === undefined)
      throw new ScriptDisposedError(this.host.name, `${what} called after it was removed`);
    if (this.#depth >= MAX_NESTING || scriptNesting.depth >= MAX_SCRIPT_NESTING) this.#tooDeep(what);
    // Nested in a call of this script that is already past its deadline: fail before entering
    // the engine, so a fan-out of nested calls (a thousand subscribers that each publish) ends
    // at the outer deadline instead of running each nested call up to the next interrupt poll.
    if (this.#deadline !== Number.POSITIVE_INFINITY && performance.now() > this.#deadline)
      throw new ScriptTimeoutError(budgetMs, `${what}, nested in a call of the same script that`, {
        script: this.host.name,
      });
    const vm = this.vm;
    const argHandle = toHandle(vm, this.#helpers, arg, argPath);
    let r: ReturnType<QuickJSContext['callFunction']>;
    /** The call's deadline, which its promise jobs share. */
    let deadline = 0;
    this.#depth++;
    scriptNesting.depth++;
    try {
      r = this.#slice(budgetMs, () => {
        deadline = this.#deadline;
        return vm.callFunction(fn, vm.undefined, argHandle);
      });
      if (this.#broken === undefined) argHandle.dispose();
      return this.#settle(r, what, budgetMs, deadline, waitMs, true);
    } finally {
      this.#depth--;
      scriptNesting.depth--;
    }
  }

  /**
   * For host functions that fan out (Event.publish delivers to every subscriber, nested): once
   * the running call of this script is past its deadline it is going to be interrupted anyway,
   * so the host refuses at once instead of delivering to subscribers that would each fail.
   */
  refuseIfPastDeadline(what: string): void {
    if (this.#deadline === Number.POSITIVE_INFINITY || performance.now() <= this.#deadline) return;
    this.#interrupted = true;
    throw new ScriptTimeoutError(this.host.limits.callbackMs, `${what} in a call that`, {
      script: this.host.name,
    });
  }

  #tooDeep(what: string): never {
    throw new ScriptError(
      this.#depth >= MAX_NESTING
        ? `${what}: callbacks nested more than ${MAX_NESTING} deep (a subscriber that publishes what it subscribes to?)`
        : `${what}: script callbacks nested more than ${MAX_SCRIPT_NESTING} deep across scripts (subscribers that publish to each other in a ring?)`,
      { script: this.host.name },
    );
  }

  /**
   * A call's outcome: value now, a rejection now, or a promise that follows the guest promise.
   * The promise jobs the call queued run first, under the call's own deadline.
   */
  #settle(
    r: ReturnType<QuickJSContext['callFunction']>,
    what: string,
    budgetMs: number,
    deadline: number,
    waitMs: number,
    sync: boolean,
    convert: Convert = sync,
  ): unknown {
    if (r.error) {
      const error = this.errorFrom(r.error, what, budgetMs);
      r.error.dispose();
      this.#runJobs(what, budgetMs, deadline);
      if (sync) throw error;
      return Promise.reject(error);
    }
    const value = r.value;
    const jobsFailed = this.#runJobs(what, budgetMs, deadline);
    if (jobsFailed !== undefined) {
      value.dispose();
      if (sync) throw jobsFailed;
      return Promise.reject(jobsFailed);
    }
    if (this.vm.typeof(value) === 'undefined') return sync ? undefined : Promise.resolve();
    const state = this.vm.getPromiseState(value);
    if (state.type === 'fulfilled' && state.notAPromise) {
      try {
        // The top level's completion value (say, a handle from Hook.register) is not a result.
        const out = this.#convert(value, convert);
        return sync ? out : Promise.resolve(out);
      } finally {
        value.dispose();
      }
    }
    if (state.type !== 'pending') {
      value.dispose();
      return this.#finish(state, what, budgetMs, sync, convert);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        promise: value,
        what,
        convert,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#drop(waiter);
          reject(new ScriptTimeoutError(waitMs, what, { script: this.host.name }, 'wait'));
        }, waitMs),
      };
      this.#waiters.add(waiter);
      this.#checkWaiters();
    });
  }

  #finish(
    state: { type: 'fulfilled'; value: QuickJSHandle } | { type: 'rejected'; error: QuickJSHandle },
    what: string,
    budgetMs: number,
    sync: boolean,
    convert: Convert,
  ): unknown {
    if (state.type === 'fulfilled') {
      try {
        const out = this.#convert(state.value, convert);
        return sync ? out : Promise.resolve(out);
      } catch (error) {
        if (sync) throw error;
        return Promise.reject(error);
      } finally {
        state.value.dispose();
      }
    }
    const error = this.errorFrom(state.error, what, budgetMs);
    state.error.dispose();
    if (sync) throw error;
    return Promise.reject(error);
  }

  /** A settled value as a host value, following `convert`. */
  #convert(value: QuickJSHandle, convert: Convert): unknown {
    if (convert === false) return undefined;
    if (convert === true) return this.toHost(value, 'result');
    if (this.vm.typeof(value) !== 'object') return [];
    const def = this.vm.getProp(value, 'default');
    try {
      return this.vm.typeof(def) === 'undefined'
        ? []
        : [returnValue(() => this.toHost(def, 'the default export'))];
    } finally {
      def.dispose();
    }
  }

  /** Settles the waiters whose promise settled; rejects those that can never settle. */
  #checkWaiters(): void {
    for (const w of [...this.#waiters]) {
      if (this.#disposed) return;
      const state = this.vm.getPromiseState(w.promise);
      if (state.type === 'pending') {
        if (this.#deferreds.size === 0 && !this.rt.hasPendingJob()) {
          this.#drop(w);
          w.reject(
            new ScriptError(
              `${w.what} returned a promise that can never settle (nothing it waits on is pending in the host)`,
              { script: this.host.name },
            ),
          );
        }
        continue;
      }
      this.#drop(w);
      try {
        w.resolve(this.#finish(state, w.what, this.host.limits.callbackMs, false, w.convert));
      } catch (error) {
        w.reject(error);
      }
    }
  }

  #drop(w: Waiter): void {
    if (!this.#waiters.delete(w)) return;
    clearTimeout(w.timer);
    if (!this.#disposed) w.promise.dispose();
  }

  /**
   * Runs the pending promise jobs until none is left or `deadline` passes. An overrun (the
   * deadline, the memory bound, a job that failed) drops every job still pending and fails every
   * waiting call of this script with the overrun's error, which is returned.
   */
  #runJobs(what: string, budgetMs: number, deadline: number): BridgeError | undefined {
    const rt = this.rt;
    if (this.#disposed || this.#broken !== undefined || !rt.hasPendingJob()) return undefined;
    const failed = this.#slice(deadline - performance.now(), () => {
      while (rt.hasPendingJob()) {
        if (this.#outOfMemory || performance.now() > this.#deadline) return undefined;
        const r = rt.executePendingJobs(JOB_BATCH);
        if (r.error) return r.error;
      }
      return null;
    });
    if (failed === null) return undefined;
    let error: BridgeError;
    if (failed !== undefined) {
      error = this.errorFrom(failed, what, budgetMs);
      failed.dispose();
    } else if (this.#outOfMemory) {
      const limit = this.host.limits.memoryBytes;
      error = new ScriptMemoryError(limit, `${what} allocated more than its memory bound of ${limit} bytes`, {
        script: this.host.name,
      });
    } else error = new ScriptTimeoutError(budgetMs, what, { script: this.host.name });
    this.#interrupted = false;
    this.#outOfMemory = false;
    this.#dropJobs();
    this.#failWaiters(error);
    return error;
  }

  /** Rejects every call of this script that waits on its guest promise. */
  #failWaiters(error: BridgeError): void {
    for (const w of [...this.#waiters]) {
      this.#drop(w);
      w.reject(error);
    }
  }

  /**
   * Drops every pending job (QuickJS has no call for it): they run with the allocator limit at 1
   * byte and the interrupt handler always true, so no job can queue another (queueing allocates),
   * a job that allocates fails at once and one that loops is interrupted; host functions do
   * nothing meanwhile (see `dropping`). The queue empties in one pass; should it not within
   * DROP_JOBS_MS, the engine is discarded like after a native failure.
   */
  #dropJobs(): void {
    const rt = this.rt;
    const until = performance.now() + DROP_JOBS_MS;
    this.#dropping = true;
    rt.setMemoryLimit(1);
    try {
      while (rt.hasPendingJob()) {
        if (performance.now() > until) {
          this.#discard(
            new ScriptTimeoutError(this.host.limits.callbackMs, 'dropping the promise jobs of an overrun', {
              script: this.host.name,
            }),
          );
          return;
        }
        rt.executePendingJobs(JOB_BATCH).error?.dispose();
      }
    } catch (error) {
      this.#nativeFailure(error);
    } finally {
      this.#dropping = false;
      this.#interrupted = false;
      this.#outOfMemory = false;
      if (this.#broken === undefined) rt.setMemoryLimit(this.host.limits.memoryBytes);
    }
  }

  /** True while the jobs of an overrun are dropped: host functions then do nothing. */
  get dropping(): boolean {
    return this.#dropping;
  }

  /** A host promise as a guest promise; its settlement runs the pending jobs. */
  promise(p: Promise<unknown>, path: string): QuickJSHandle {
    const vm = this.vm;
    // QTS_NewPromiseCapability leaves the resolving functions uninitialised when an allocation
    // fails (freeing them later would corrupt the heap): the few bytes of a promise are
    // allocated past the script's memory bounds.
    const growth = enterGrowthBudget(undefined);
    this.rt.setMemoryLimit(-1);
    const deferred = vm.newPromise();
    this.rt.setMemoryLimit(this.host.limits.memoryBytes);
    enterGrowthBudget(growth);
    this.#deferreds.add(deferred);
    const settle = (ok: boolean, value: unknown) => {
      if (this.#disposed || this.#broken !== undefined) return;
      this.#deferreds.delete(deferred);
      try {
        let handle: QuickJSHandle;
        try {
          handle = ok ? toHandle(vm, this.#helpers, value, path) : this.#guestError(value);
        } catch (error) {
          ok = false;
          handle = this.#guestError(error);
        }
        if (ok) deferred.resolve(handle);
        else deferred.reject(handle);
        handle.dispose();
        deferred.dispose();
        const budget = this.host.limits.callbackMs;
        this.#runJobs(
          "the script's promise jobs (after a host call settled)",
          budget,
          performance.now() + budget,
        );
        this.#checkWaiters();
      } catch (error) {
        // Only an engine that just failed natively gets here (see #nativeFailure): its waiters
        // learn why, and nothing escapes into this promise callback as an unhandled rejection.
        this.#failWaiters(
          BridgeError.isInstance(error)
            ? error
            : new ScriptError('the engine failed', { script: this.host.name }, { cause: error }),
        );
      }
    };
    p.then(
      (v) => settle(true, v),
      (e: unknown) => settle(false, e),
    );
    return deferred.handle;
  }

  #guestError(error: unknown): QuickJSHandle {
    return this.guestError(error);
  }

  /**
   * A host error as a guest `Error` with the same name and message, and its `code` when it has
   * a string one (a host function's failure, a storage or bus error), for `catch (e) { e.code }`.
   */
  guestError(error: unknown): QuickJSHandle {
    const e = error instanceof Error ? error : new Error(String(error));
    const handle = this.vm.newError({ name: e.name, message: e.message });
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      const c = this.vm.newString(code);
      this.vm.setProp(handle, 'code', c);
      c.dispose();
    }
    return handle;
  }

  /** A guest value as a host value (see quickjs-values.ts for the rules). */
  toHost(handle: QuickJSHandle, path: string): unknown {
    const vm = this.vm;
    switch (vm.typeof(handle)) {
      case 'undefined':
        return undefined;
      case 'string':
        // getString goes through UTF-8: a lone surrogate would become U+FFFD, JSON keeps it.
        break;
      case 'boolean':
        return vm.dump(handle);
      case 'number': {
        const n = vm.getNumber(handle);
        if (!Number.isFinite(n))
          throw new BridgeValueError(path, `is ${n}; NaN and ±Infinity cannot cross the bridge`, {
            script: this.host.name,
          });
        return n;
      }
    }
    const pathHandle = vm.newString(path);
    // The guest half may run script code (getters, toJSON, proxies): it gets a deadline too.
    const r = this.#slice(this.host.limits.callbackMs, () =>
      vm.callFunction(this.#helpers.toHost, vm.undefined, handle, pathHandle),
    );
    pathHandle.dispose();
    if (r.error) {
      const error = this.errorFrom(r.error, 'converting a value', this.host.limits.callbackMs);
      r.error.dispose();
      throw error;
    }
    const text = vm.typeof(r.value) === 'string' ? vm.getString(r.value) : undefined;
    r.value.dispose();
    return text === undefined ? undefined : JSON.parse(text);
  }

  /** A host value as a guest handle; errors name the path and the script. */
  toGuest(value: unknown, path: string): QuickJSHandle {
    try {
      return toHandle(this.vm, this.#helpers, value, path);
    } catch (error) {
      if (error instanceof BridgeValueError) throw error.withLocation({ script: this.host.name });
      throw error;
    }
  }

  /** Turns a guest exception into the right `BridgeError`. */
  errorFrom(handle: QuickJSHandle, what: string, budgetMs: number): BridgeError {
    const interrupted = this.#interrupted;
    const outOfMemory = this.#outOfMemory;
    // Inside a call of this script (a host function converting its arguments), the overrun is
    // the call's too: the flags stay for the call's own error, and the next call resets them.
    if (this.#deadline === Number.POSITIVE_INFINITY) {
      this.#interrupted = false;
      this.#outOfMemory = false;
    }
    if (outOfMemory) {
      const limit = this.host.limits.memoryBytes;
      return new ScriptMemoryError(limit, `${what} allocated more than its memory bound of ${limit} bytes`, {
        script: this.host.name,
        ...this.#slice(this.host.limits.callbackMs, () => guestStack(this.vm, handle, this.host.name)),
      });
    }
    // Reading a thrown object may run its getters: that gets a deadline too.
    return this.#slice(this.host.limits.callbackMs, () =>
      guestError(this.#errorContext, handle, what, budgetMs, interrupted),
    );
  }

  /** Runs `fn` with the interrupt deadline set `budgetMs` from now (restored after: calls nest). */
  #slice<T>(budgetMs: number, fn: () => T): T {
    if (this.#broken !== undefined) throw this.#broken;
    const outer = this.#deadline;
    this.#deadline = Math.min(outer, performance.now() + budgetMs);
    if (outer === Number.POSITIVE_INFINITY) {
      this.#interrupted = false;
      this.#outOfMemory = false;
      this.#growth.base = this.#wasm.buffer.byteLength;
    }
    const outerGrowth = enterGrowthBudget(this.#growth);
    try {
      return fn();
    } catch (error) {
      throw this.#nativeFailure(error);
    } finally {
      this.#deadline = outer;
      enterGrowthBudget(outerGrowth);
    }
  }

  /**
   * A host exception out of the wasm (the native stack overflowed before QuickJS's own stack
   * check, e.g. JSON.stringify of something nested thousands deep) leaves this runtime
   * half-unwound: it is never used again, and never freed (freeing it would abort the shared
   * wasm module for every script). The script is stopped; the host and other scripts go on.
   */
  #nativeFailure(error: unknown): unknown {
    if (BridgeError.isInstance(error)) return error;
    if (!(error instanceof Error)) return error;
    const text = `${error.name}: ${error.message}`;
    return this.#discard(
      /call stack/i.test(error.message)
        ? new ScriptMemoryError(
            0,
            `the script overflowed the engine's native stack (${text}); its engine was discarded`,
            { script: this.host.name },
            error,
          )
        : new ScriptError(
            `the engine failed (${text}); its engine was discarded`,
            { script: this.host.name },
            { cause: error },
          ),
    );
  }

  /**
   * Stops using this runtime for good: every later call fails with `reason`, the script's hooks
   * and subscriptions go away, and the runtime is never freed (see `dispose`).
   */
  #discard(reason: BridgeError): BridgeError {
    this.#broken ??= reason;
    queueMicrotask(() => this.host.dispose());
    return this.#broken;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** QuickJS's memory report for this script's runtime (objects, strings, bytes). */
  memoryUsage(): string {
    return this.rt.dumpMemoryUsage();
  }

  /**
   * Frees the runtime, and never throws. A runtime that failed natively is dropped instead (its
   * wasm memory stays allocated): freeing a half-unwound runtime would abort the shared wasm
   * module. Should QuickJS's leak check still fail on free, the module is discarded (the next
   * script loads a fresh one) and the failure is logged as the bridge bug it is.
   */
  dispose(): void {
    if (this.#disposed) return;
    for (const w of [...this.#waiters]) {
      this.#drop(w);
      w.reject(new ScriptDisposedError(this.host.name, `${w.what}: abandoned`));
    }
    this.#disposed = true;
    if (this.#broken !== undefined) return;
    try {
      for (const fn of this.#fns.values()) fn.dispose();
      this.#fns.clear();
      for (const d of this.#deferreds) d.dispose();
      this.#deferreds.clear();
      this.#helpers.toHost.dispose();
      this.#helpers.jsonParse.dispose();
      this.#disposeStrayContexts();
      this.vm.dispose();
      this.rt.dispose();
    } catch (error) {
      this.onModuleAborted();
      this.host.log(
        'error',
        `[hookspell] [bridge] QuickJS could not free the script ${this.host.name} (a bridge bug; its wasm module was discarded): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * Contexts of this runtime other than the script's own: only quickjs-emscripten's
   * executePendingJobs makes one, when it misreads a job's context (see quickjs-memory-views.ts).
   * Freeing them keeps the leak check of the runtime's free from aborting the module.
   */
  #disposeStrayContexts(): void {
    const contexts = (this.rt as unknown as { contextMap?: Map<unknown, QuickJSContext> }).contextMap;
    if (contexts === undefined) return;
    for (const context of [...contexts.values()]) if (context !== this.vm && context.alive) context.dispose();
  }
}
