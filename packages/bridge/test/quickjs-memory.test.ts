import variant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, type QuickJSDeferredPromise } from 'quickjs-emscripten-core';
import { describe, expect, it } from 'vitest';
import { enterGrowthBudget, guardMemoryGrowth } from '../src/quickjs/quickjs-memory-guard.js';
import { followMemoryGrowth } from '../src/quickjs/quickjs-memory-views.js';

/** A wasm module of its own (a fresh 16 MiB memory), so that a job's allocation must grow it. */
async function freshModule() {
  return newQuickJSWASMModuleFromVariant(
    variant as unknown as Parameters<typeof newQuickJSWASMModuleFromVariant>[0],
  );
}

describe('QuickJS memory workarounds', () => {
  // quickjs-emscripten#240/#269: when a promise job grows the wasm memory, executePendingJobs
  // misreads the job's context and makes a context nobody frees; freeing the runtime then fails
  // QuickJS's leak check, which aborts the whole module.
  it('a promise job that grows the wasm memory leaves a runtime that frees cleanly', async () => {
    const mod = await freshModule();
    const wasm = mod.getWasmMemory();
    const rt = mod.newRuntime();
    followMemoryGrowth(rt, wasm);
    const vm = rt.newContext();
    followMemoryGrowth(vm, wasm);
    const before = wasm.buffer.byteLength;
    vm.unwrapResult(
      vm.evalCode(
        'Promise.resolve().then(() => { const a = []; for (let i = 0; i < 200000; i++) a.push({ i }); globalThis.n = a.length; });',
      ),
    ).dispose();
    const jobs = rt.executePendingJobs();
    expect(jobs.error).toBeUndefined();
    jobs.dispose();
    expect(wasm.buffer.byteLength).toBeGreaterThan(before);
    const n = vm.getProp(vm.global, 'n');
    expect(vm.getNumber(n)).toBe(200000);
    n.dispose();
    vm.dispose();
    expect(() => rt.dispose()).not.toThrow();
  });

  it('a deferred made while the memory grows keeps its resolving functions', async () => {
    const mod = await freshModule();
    const wasm = mod.getWasmMemory();
    const rt = mod.newRuntime();
    const vm = rt.newContext();
    followMemoryGrowth(vm, wasm);
    // Make deferreds (and keep them) until making one grows the memory.
    const kept: QuickJSDeferredPromise[] = [];
    let grew: QuickJSDeferredPromise | undefined;
    for (let i = 0; i < 300_000 && grew === undefined; i++) {
      const buffer = wasm.buffer;
      kept.push(vm.newPromise());
      if (wasm.buffer !== buffer) grew = kept.at(-1);
    }
    expect(grew).toBeDefined();
    const one = vm.newNumber(1);
    grew!.resolve(one);
    one.dispose();
    for (const d of kept) d.dispose();
    rt.executePendingJobs().dispose();
    vm.dispose();
    expect(() => rt.dispose()).not.toThrow();
  });

  it('the memory refuses to grow past the running script’s bound, and always grows for the host', async () => {
    const mod = await freshModule();
    const wasm = mod.getWasmMemory();
    expect(guardMemoryGrowth((mod as unknown as { module: unknown }).module, wasm)).toBe(true);
    const rt = mod.newRuntime();
    const vm = rt.newContext();
    let exceeded = 0;
    const budget = { base: wasm.buffer.byteLength, limitBytes: 4 * 1024 * 1024, exceeded: () => exceeded++ };
    const outer = enterGrowthBudget(budget);
    try {
      const r = vm.evalCode('const a = []; for (;;) a.push(new Uint8Array(1 << 20));');
      expect(r.error).toBeDefined();
      expect(vm.dump(r.error!)).toMatchObject({ message: 'out of memory' });
      r.error!.dispose();
      expect(exceeded).toBeGreaterThan(0);
      expect(wasm.buffer.byteLength - budget.base).toBeLessThanOrEqual(budget.limitBytes);
      // The bridge's own allocations through _malloc (strings it passes in) are never refused.
      const em = (mod as unknown as { module: { _malloc(n: number): number; _free(p: number): void } })
        .module;
      const pointer = em._malloc(64 * 1024 * 1024);
      expect(pointer).toBeGreaterThan(0);
      em._free(pointer);
    } finally {
      enterGrowthBudget(outer);
    }
    vm.dispose();
    rt.dispose();
  });
});
