import { invalidArgument } from './errors.js';
import type { ScriptHost } from './script-host.js';
import type { ScriptLanguage } from './types.js';

/**
 * One running script inside an engine (a fengari `lua_State` or a QuickJS context). It owns its
 * globals, its function references and its limits; nothing is shared between instances.
 */
export interface EngineInstance {
  /**
   * Runs the script's top level under the `scriptMs` deadline; resolves with what it returned
   * (Lua: the chunk's return values; JavaScript: see `Script.run`). Rejects with a `BridgeError`.
   */
  run(): Promise<unknown[]>;
  /** Frees the engine. Callbacks that arrive later raise `ScriptDisposedError`. */
  dispose(): void;
}

/**
 * What a script engine provides: compile a source against a host and give back an instance.
 * Engines are loaded lazily (`loadEngine`), so a host that only runs Lua never loads QuickJS.
 */
export interface ScriptEngine {
  readonly language: ScriptLanguage;
  /** Compiles `source` (syntax errors reject with `ScriptError`) and installs the globals. */
  instantiate(host: ScriptHost, source: string): Promise<EngineInstance>;
}

const engines = new Map<ScriptLanguage, Promise<ScriptEngine>>();

/**
 * The engine for `language`, imported on first use and shared afterwards.
 *
 * @example
 * ```ts
 * const lua = await loadEngine('lua'); // imports fengari now, never QuickJS
 * ```
 */
export function loadEngine(language: ScriptLanguage): Promise<ScriptEngine> {
  let engine = engines.get(language);
  if (engine === undefined) {
    if (language === 'lua') engine = import('./lua/lua-engine.js').then((m) => m.luaEngine);
    else if (language === 'javascript')
      engine = import('./quickjs/quickjs-engine.js').then((m) => m.createQuickJSEngine());
    else
      return Promise.reject(
        invalidArgument(`\`language\` must be 'lua' or 'javascript'; got ${JSON.stringify(language)}.`),
      );
    engines.set(language, engine);
    // A failed import (say, a missing optional file) should be retried by the next load.
    engine.catch(() => engines.delete(language));
  }
  return engine;
}
