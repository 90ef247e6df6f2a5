import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import type { EngineInstance, ScriptEngine } from '../engine.js';
import type { ScriptHost } from '../script-host.js';
import { QuickJSInstance } from './quickjs-instance.js';

let modulePromise: Promise<QuickJSWASMModule> | undefined;

/** After a failed free the wasm module is aborted: the next script loads a fresh one. */
export function discardModule(): void {
  modulePromise = undefined;
}

async function loadModule(): Promise<QuickJSWASMModule> {
  const [core, variant] = await Promise.all([
    import('quickjs-emscripten-core'),
    import('@jitl/quickjs-wasmfile-release-sync'),
  ]);
  return core.newQuickJSWASMModuleFromVariant(
    ((variant as { default?: unknown }).default ?? variant) as Parameters<
      typeof core.newQuickJSWASMModuleFromVariant
    >[0],
  );
}

/**
 * Bytes of the QuickJS wasm memory now (0 before the engine is loaded). Wasm memory only grows,
 * so this is what QuickJS scripts have cost the process at most; tests use it to check bounds.
 * @internal
 */
export async function wasmMemoryBytes(): Promise<number> {
  if (modulePromise === undefined) return 0;
  return (await modulePromise).getWasmMemory().buffer.byteLength;
}

/** The JavaScript engine: QuickJS (quickjs-emscripten, release-sync wasm shipped in its package). */
export function createQuickJSEngine(): ScriptEngine {
  return {
    language: 'javascript',
    async instantiate(host: ScriptHost, source: string): Promise<EngineInstance> {
      modulePromise ??= loadModule();
      const mod = await modulePromise;
      const instance = new QuickJSInstance(mod, host, source, discardModule);
      try {
        instance.compile();
      } catch (error) {
        instance.dispose();
        throw error;
      }
      return instance;
    },
  };
}
