import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { EventBus } from '@hookspell/events';
import type { HookExecutor, HookRegistry } from '@hookspell/hooks';
import type { ScopedState } from '@hookspell/storage';
import type { BuiltinGrants } from './builtin-grants.js';
import { loadEngine } from './engine.js';
import { invalidArgument } from './errors.js';
import { type HostGlobalsPlan, planHostGlobals } from './host-globals.js';
import { Script } from './script.js';
import { ScriptHost } from './script-host.js';
import {
  type CompatProfile,
  DEFAULT_LIMITS,
  type LoadOptions,
  type ScriptLanguage,
  type ScriptLimits,
  type ScriptLogger,
  type ScriptRuntimeOptions,
} from './types.js';

const EXTENSIONS: Record<string, ScriptLanguage> = {
  '.lua': 'lua',
  '.js': 'javascript',
  '.mjs': 'javascript',
};

/**
 * Loads Lua (fengari) and JavaScript (QuickJS) scripts whose `Hook.register` makes real hooks in
 * `registry`, whose `Event.*` uses `bus` and whose `State.*` uses `state`. Each script gets its
 * own engine instance, CPU deadlines and memory bound; a misbehaving script gets a clear error
 * and never crashes the host. Engines are imported on first use.
 *
 * @example
 * ```ts
 * const runtime = new ScriptRuntime({ registry, executor, bus, state,
 *   limits: { callbackMs: 50, scriptMs: 1_000, memoryBytes: 32 * 1024 * 1024 } });
 * const script = await runtime.loadFile('policies/deny-shell.lua');
 * await script.run();
 * const outcome = await executor.fire('BeforeToolExecution', { component: { type: 'tool', name: 'shell' } });
 * outcome.decision; // { type: 'cancel', reason: 'shell is not allowed' }
 * ```
 */
export class ScriptRuntime {
  readonly limits: Readonly<ScriptLimits>;
  readonly #registry: HookRegistry;
  readonly #executor: HookExecutor | undefined;
  readonly #builtins: BuiltinGrants | undefined;
  readonly #bus: EventBus | undefined;
  readonly #state: ScopedState | undefined;
  readonly #logger: ScriptLogger | undefined;
  readonly #maxLogLines: number;
  readonly #hostGlobals: HostGlobalsPlan | undefined;
  readonly #env: readonly string[] | undefined;
  /** The compatibility profile scripts run under, or undefined for hookspell's own rules. */
  readonly compat: CompatProfile | undefined;
  readonly #scripts = new Set<Script>();
  #seq = 0;
  #hookSeq = 0;

  constructor(options: ScriptRuntimeOptions) {
    if (!options || typeof options.registry?.register !== 'function')
      throw invalidArgument('`registry` must be a HookRegistry from @hookspell/hooks.');
    const limits = { ...DEFAULT_LIMITS };
    for (const [k, v] of Object.entries(options.limits ?? {})) {
      if (!(k in DEFAULT_LIMITS))
        throw invalidArgument(`unknown limit \`${k}\`; known: ${Object.keys(DEFAULT_LIMITS).join(', ')}.`);
      if (v === undefined) continue;
      if (typeof v !== 'number' || !(v > 0))
        throw invalidArgument(`\`limits.${k}\` must be a number > 0; got ${v}.`);
      (limits as Record<string, number>)[k] = v;
    }
    this.limits = Object.freeze(limits);
    this.#registry = options.registry;
    this.#executor = options.executor;
    if (options.builtins !== undefined && (typeof options.builtins !== 'object' || options.builtins === null))
      throw invalidArgument(
        "`builtins` must be an object of built-in factories by name, e.g. BUILTINS from '@hookspell/builtins'.",
      );
    this.#builtins = options.builtins;
    this.#bus = options.bus;
    this.#state = options.state;
    this.#logger = options.logger;
    this.#maxLogLines = options.maxLogLines ?? 1000;
    this.#hostGlobals = planHostGlobals(options.globals);
    if (
      options.env !== undefined &&
      (!Array.isArray(options.env) || options.env.some((n) => typeof n !== 'string' || n === ''))
    )
      throw invalidArgument("`env` must be an array of environment variable names, e.g. ['HOME'].");
    this.#env = options.env === undefined ? undefined : Object.freeze([...options.env]);
    if (options.compat !== undefined && options.compat !== 'llmspell')
      throw invalidArgument(
        `\`compat\` must be 'llmspell' (the original rs-llmspell's behaviour) or left out; got ${JSON.stringify(options.compat)}.`,
      );
    this.compat = options.compat;
  }

  /** Scripts loaded and not disposed. */
  get scripts(): readonly Script[] {
    return [...this.#scripts];
  }

  /**
   * Compiles `source` in a fresh engine instance. Syntax errors reject with `ScriptError`
   * (`HOOKSPELL_SCRIPT_ERROR`) naming the line. Call `run()` on the result to execute it.
   *
   * @example
   * ```ts
   * const script = await runtime.load('Hook.register("SystemStartup", function() print("up") end)', {
   *   name: 'hello.lua',
   * });
   * await script.run();
   * ```
   */
  async load(source: string, options: LoadOptions = {}): Promise<Script> {
    if (typeof source !== 'string') throw invalidArgument('`source` must be a string.');
    const name = options.name ?? `script-${++this.#seq}`;
    const language = options.language ?? EXTENSIONS[extname(name).toLowerCase()];
    if (language !== 'lua' && language !== 'javascript') {
      throw invalidArgument(
        options.language === undefined
          ? `cannot tell the language of ${JSON.stringify(name)}: pass \`language: 'lua' | 'javascript'\` or a name ending in .lua, .js or .mjs.`
          : `\`language\` must be 'lua' or 'javascript'; got ${JSON.stringify(options.language)}.`,
      );
    }
    const engine = await loadEngine(language);
    const host = new ScriptHost({
      name,
      language,
      registry: this.#registry,
      executor: this.#executor,
      builtins: this.#builtins,
      bus: this.#bus,
      state: this.#state,
      logger: this.#logger,
      limits: this.limits,
      defaultHookTimeoutMs: this.#executor?.defaultTimeoutMs ?? 5_000,
      maxLogLines: this.#maxLogLines,
      nextHookSeq: () => ++this.#hookSeq,
      hostGlobals: this.#hostGlobals,
      env: this.#env,
      compat: this.compat,
    });
    const instance = await engine.instantiate(host, source);
    const script = new Script(host, instance, (s) => this.#scripts.delete(s));
    this.#scripts.add(script);
    return script;
  }

  /**
   * Reads and compiles a script file; the language follows the extension (`.lua`, `.js`,
   * `.mjs`) unless given; the script's name is the file's base name.
   *
   * @example
   * ```ts
   * const script = await runtime.loadFile('examples/js-hooks/redact-email.js');
   * ```
   */
  async loadFile(path: string, options: LoadOptions = {}): Promise<Script> {
    const source = await readFile(path, 'utf8');
    return this.load(source, {
      name: options.name ?? basename(path),
      ...(options.language && { language: options.language }),
    });
  }

  /** Disposes every script this runtime loaded. */
  async dispose(): Promise<void> {
    await Promise.all([...this.#scripts].map((s) => s.dispose()));
  }
}
