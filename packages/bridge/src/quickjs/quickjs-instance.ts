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
  ScriptDisposedError,
  ScriptError,
  ScriptMemoryError,
  ScriptTimeoutError,
} from '../errors.js';
import type { ScriptHost } from '../script-host.js';
import { guestError, guestStack } from './quickjs-errors.js';
import { hostObject } from './quickjs-host.js';
import { PRELUDE_SOURCE } from './quickjs-prelude.js';
import { type GuestHelpers, TO_HOST_SOURCE, toHandle } from './quickjs-values.js';

/** A call whose guest promise is still pending. */
interface Waiter {
  promise: QuickJSHandle;
  what: string;
  /** False for the top level, whose value is not a result. */
  convert: boolean;
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
  /** Size of the wasm memory when the outermost slice began. */
  #wasmBase = 0;
  #outOfMemory = false;
  /** Set when the runtime can no longer be trusted (see #nativeFailure). */
  #broken: BridgeError | undefined;

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
    this.#wasm = mod.getWasmMemory();
    this.rt.setInterruptHandler(() => {
      if (performance.now() > this.#deadline) {
        this.#interrupted = true;
        return true;
      }
      // The allocator limit alone is not enough: this wasm build has no malloc_usable_size, so
      // QuickJS counts big blocks (array storage) as 8 bytes. The linear memory only grows when
      // the heap really needs pages, so its growth during this script's slice is a true bound.
      if (
        this.#deadline !== Number.POSITIVE_INFINITY &&
        this.#wasm.buffer.byteLength - this.#wasmBase > this.host.limits.memoryBytes
      ) {
        this.#outOfMemory = true;
        return true;
      }
      return false;
    });
    this.vm = this.rt.newContext();
    const vm = this.vm;
    Object.assign(this.#errorContext, { vm, script: host.name, limits: host.limits });
    const json = vm.getProp(vm.global, 'JSON');
    this.#helpers = {
      toHost: vm.unwrapResult(vm.evalCode(TO_HOST_SOURCE, '<bridge>')),
      jsonParse: vm.getProp(json, 'parse'),
    };
    json.dispose();
    const prelude = vm.unwrapResult(vm.evalCode(PRELUDE_SOURCE, '<bridge>'));
    const hostObj = hostObject(this);
    vm.unwrapResult(vm.callFunction(prelude, vm.undefined, hostObj)).dispose();
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

  async run(): Promise<void> {
    if (this.#ran) throw new ScriptError('run() called twice', { script: this.host.name });
    this.#ran = true;
    const budget = this.host.limits.scriptMs;
    const r = this.#slice(budget, () =>
      this.vm.evalCode(this.#source, this.host.name, { type: this.#module ? 'module' : 'global' }),
    );
    await this.#settle(r, 'the top level', budget, this.host.limits.waitMs, false);
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
    const vm = this.vm;
    const argHandle = toHandle(vm, this.#helpers, arg, argPath);
    let r: ReturnType<QuickJSContext['callFunction']>;
    try {
      r = this.#slice(budgetMs, () => vm.callFunction(fn, vm.undefined, argHandle));
    } finally {
      if (this.#broken === undefined) argHandle.dispose();
    }
    return this.#settle(r, what, budgetMs, waitMs, true);
  }

  /** A call's outcome: value now, a rejection now, or a promise that follows the guest promise. */
  #settle(
    r: ReturnType<QuickJSContext['callFunction']>,
    what: string,
    budgetMs: number,
    waitMs: number,
    sync: boolean,
  ): unknown {
    if (r.error) {
      const error = this.errorFrom(r.error, what, budgetMs);
      r.error.dispose();
      if (sync) throw error;
      return Promise.reject(error);
    }
    const value = r.value;
    if (this.vm.typeof(value) === 'undefined') {
      this.#runJobs();
      return sync ? undefined : Promise.resolve();
    }
    this.#runJobs();
    const state = this.vm.getPromiseState(value);
    if (state.type === 'fulfilled' && state.notAPromise) {
      try {
        // The top level's completion value (say, a handle from Hook.register) is not a result.
        const out = sync ? this.toHost(value, 'result') : undefined;
        return sync ? out : Promise.resolve(out);
      } finally {
        value.dispose();
      }
    }
    if (state.type !== 'pending') {
      value.dispose();
      return this.#finish(state, what, budgetMs, sync, sync);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        promise: value,
        what,
        convert: sync,
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
    convert: boolean,
  ): unknown {
    if (state.type === 'fulfilled') {
      try {
        const out = convert ? this.toHost(state.value, 'result') : undefined;
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

  /** Runs pending promise jobs, each batch under the callback deadline. */
  #runJobs(): void {
    for (let round = 0; round < 1000 && !this.#disposed && this.rt.hasPendingJob(); round++) {
      const r = this.#slice(this.host.limits.callbackMs, () => this.rt.executePendingJobs());
      if (r.error) {
        // A job that was interrupted or ran out of memory: the promises it would have settled
        // never will; the waiters of this script learn it from the error.
        const error = this.errorFrom(r.error, 'a promise job', this.host.limits.callbackMs);
        r.error.dispose();
        for (const w of [...this.#waiters]) {
          this.#drop(w);
          w.reject(error);
        }
      }
    }
  }

  /** A host promise as a guest promise; its settlement runs the pending jobs. */
  promise(p: Promise<unknown>, path: string): QuickJSHandle {
    const vm = this.vm;
    const deferred = vm.newPromise();
    this.#deferreds.add(deferred);
    const settle = (ok: boolean, value: unknown) => {
      if (this.#disposed) return;
      this.#deferreds.delete(deferred);
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
      this.#runJobs();
      this.#checkWaiters();
    };
    p.then(
      (v) => settle(true, v),
      (e: unknown) => settle(false, e),
    );
    return deferred.handle;
  }

  #guestError(error: unknown): QuickJSHandle {
    const e = error instanceof Error ? error : new Error(String(error));
    return this.vm.newError({ name: e.name, message: e.message });
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
    this.#interrupted = false;
    this.#outOfMemory = false;
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
    const outer = this.#deadline;
    this.#deadline = Math.min(outer, performance.now() + budgetMs);
    if (outer === Number.POSITIVE_INFINITY) {
      this.#interrupted = false;
      this.#outOfMemory = false;
      this.#wasmBase = this.#wasm.buffer.byteLength;
    }
    if (this.#broken !== undefined) throw this.#broken;
    try {
      return fn();
    } catch (error) {
      throw this.#nativeFailure(error);
    } finally {
      this.#deadline = outer;
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
    this.#broken = /call stack/i.test(error.message)
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
        );
    const broken = this.#broken;
    queueMicrotask(() => this.host.dispose());
    return broken;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** QuickJS's memory report for this script's runtime (objects, strings, bytes). */
  memoryUsage(): string {
    return this.rt.dumpMemoryUsage();
  }

  dispose(): void {
    if (this.#disposed) return;
    for (const w of [...this.#waiters]) {
      this.#drop(w);
      w.reject(new ScriptDisposedError(this.host.name, `${w.what}: abandoned`));
    }
    this.#disposed = true;
    if (this.#broken !== undefined) return;
    for (const fn of this.#fns.values()) fn.dispose();
    this.#fns.clear();
    for (const d of this.#deferreds) d.dispose();
    this.#deferreds.clear();
    this.#helpers.toHost.dispose();
    this.#helpers.jsonParse.dispose();
    this.vm.dispose();
    // QuickJS checks on free that no object is left (the leak check). A failure aborts the wasm
    // module, so the next script gets a fresh one; the error is a bridge bug worth seeing.
    try {
      this.rt.dispose();
    } catch (error) {
      this.onModuleAborted();
      throw new ScriptError(
        'QuickJS found objects still alive when freeing the script (a bridge bug)',
        { script: this.host.name },
        { cause: error },
      );
    }
  }
}
