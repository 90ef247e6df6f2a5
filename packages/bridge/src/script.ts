import type { EngineInstance } from './engine.js';
import { ScriptDisposedError } from './errors.js';
import type { ScriptHost } from './script-host.js';
import type { ScriptHookInfo, ScriptLanguage, ScriptLogEntry, ScriptSubscriptionInfo } from './types.js';

/**
 * A loaded script: its own engine instance, what it registered and what it printed. Made by
 * `ScriptRuntime.load()`/`loadFile()`; `run()` executes the top level once.
 *
 * @example
 * ```ts
 * const script = await runtime.loadFile('policies/deny-shell.lua');
 * await script.run();
 * console.log(script.hooks);  // [{ id, name: 'deny-shell.lua#1', point: 'BeforeToolExecution' }]
 * await script.dispose();     // unregisters its hooks and subscriptions, frees the engine
 * ```
 */
export class Script {
  readonly name: string;
  readonly language: ScriptLanguage;
  readonly #host: ScriptHost;
  readonly #instance: EngineInstance;
  readonly #onDispose: (script: Script) => void;
  #ran: Promise<unknown[]> | undefined;
  #disposed = false;

  /** @internal */
  constructor(host: ScriptHost, instance: EngineInstance, onDispose: (script: Script) => void) {
    this.name = host.name;
    this.language = host.language;
    this.#host = host;
    this.#instance = instance;
    this.#onDispose = onDispose;
  }

  /** The hooks this script registered and has not unregistered. */
  get hooks(): ScriptHookInfo[] {
    return this.#host.hookInfos();
  }

  /** The subscriptions this script made and has not cancelled. */
  get subscriptions(): ScriptSubscriptionInfo[] {
    return this.#host.subscriptionInfos();
  }

  /** What the script printed (`print`) and logged (`log.*`), oldest first, bounded. */
  get logs(): readonly ScriptLogEntry[] {
    return this.#host.logs;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Runs the top level (registers hooks, subscribes) under the `scriptMs` deadline, and resolves
   * with what it returned, converted by the usual value rules: a Lua chunk's return values
   * (`return true, "ok"` → `[true, 'ok']`), a module's (`.mjs`) default export as `[value]`, and
   * `[]` for a classic `.js` script (it cannot `return`). A value that cannot cross (a function, a
   * module table of functions: `return M`) is `{ unconvertible: true, reason }` in its place — the
   * script still loads. Runs once: later calls return the first call's promise. If the top level
   * fails, the script is disposed (nothing it registered stays) and the promise rejects with a
   * `BridgeError` carrying the script's stack and line.
   *
   * @example
   * ```ts
   * const [ok] = await script.run(); // a self-checking script's `return all_passed`
   * ```
   */
  run(): Promise<unknown[]> {
    if (this.#disposed) return Promise.reject(new ScriptDisposedError(this.name, 'run()'));
    this.#ran ??= this.#instance.run().catch(async (error: unknown) => {
      await this.dispose();
      throw error;
    });
    return this.#ran;
  }

  /**
   * Unregisters every hook and subscription the script made and frees its engine. Callbacks
   * already waiting are abandoned; later calls into the script raise `ScriptDisposedError`.
   *
   * @example
   * ```ts
   * await script.dispose();
   * ```
   */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#host.dispose();
    this.#instance.dispose();
    this.#onDispose(this);
  }
}
