import {
  type BuiltinFactory,
  type BuiltinGrants,
  type HostGlobals,
  type ScriptLogger,
  ScriptRuntime,
} from '@hookspell/bridge';
import type { BUILTINS } from '@hookspell/builtins';
import { EventBus, EventLog } from '@hookspell/events';
import { HookExecutor, type HookPoint, HookRegistry } from '@hookspell/hooks';
import { HookJournal } from '@hookspell/journal';
import { ScopedState, type StorageBackend } from '@hookspell/storage';
import { display } from './config/find.js';
import type { ResolvedConfig } from './config/types.js';
import { CliError, CliErrorCode, errorLine } from './errors.js';
import { hookFileBuiltinError, RegistryGate, registerConfigHooks } from './hooks/load-hooks.js';
import { RunningHooks } from './hooks/running-hooks.js';
import { loadHostGlobals } from './host-globals.js';
import { breakerWarning, type CliWarning } from './render/breaker-warning.js';
import { printedLines, ScriptFailedError } from './script-failure.js';
import { openStorage } from './storage.js';

/** The built-ins' names, known without importing them (their module loads pino & co.). */
const BUILTIN_NAMES = [
  'logging',
  'metrics',
  'caching',
  'rateLimit',
  'retry',
  'costTracking',
  'security',
  'debugging',
] as const satisfies readonly (keyof typeof BUILTINS)[];
// Every built-in is named above (a compile error here names the one missing).
const _allNamed: Exclude<keyof typeof BUILTINS, (typeof BUILTIN_NAMES)[number]> extends never ? true : never =
  true;

export interface RuntimeOptions {
  /** Also print `log.info`/`log.debug` lines of scripts (warnings and errors always go to stderr). */
  verbose?: boolean;
  /** Where script log lines go. @default stderr */
  logLine?: (line: string) => void;
  /** Where warning lines go as they happen (a breaker opened…). @default stderr, `hookspell: warning: …` */
  warningLine?: (line: string) => void;
  /** Compatibility profile of scripts, over the config's `compat` (`hookspell run --compat`). */
  compat?: 'llmspell';
}

/**
 * Everything a command needs, wired as a host would wire it: storage → event log → bus (which
 * persists the `persist` patterns and is the executor's lifecycle sink, so hook.* events are
 * stored with their correlation) → registry/executor (config hooks and `scripts`) → hook
 * journal → script runtime. `close()` waits for subscribers, writes what is pending and closes
 * the storage.
 */
export class Runtime {
  readonly config: ResolvedConfig;
  readonly storage: StorageBackend;
  readonly log: EventLog;
  readonly bus: EventBus;
  readonly registry: HookRegistry;
  readonly executor: HookExecutor;
  readonly journal: HookJournal | undefined;
  readonly state: ScopedState;
  readonly running = new RunningHooks();
  readonly gate: RegistryGate;
  /** Warnings so far (a hook's breaker opened…), oldest first; each was also written as a line. */
  readonly warnings: CliWarning[] = [];
  readonly #options: RuntimeOptions;
  #scripts: ScriptRuntime | undefined;
  /** The host globals of the config's `globals` module, loaded by `open()`. */
  #hostGlobals: HostGlobals | undefined;
  /** The built-ins, imported only when the config or a script may use them (pino & co. cost ~70 ms to load). */
  #builtins: typeof BUILTINS | undefined;
  #closed = false;
  /** Journal write failures, reported once at close. */
  #journalErrors: string[] = [];

  private constructor(config: ResolvedConfig, storage: StorageBackend, options: RuntimeOptions) {
    this.config = config;
    this.storage = storage;
    this.#options = options;
    this.log = new EventLog(storage);
    this.registry = new HookRegistry();
    for (const [point, { stopBlockCap: _, ...settings }] of Object.entries(config.points)) {
      this.registry.configurePoint(point as HookPoint, settings);
    }
    this.gate = new RegistryGate(this.registry, this.running);
    // The bus fires BeforeEventEmit/AfterEventEmit/EventHandlerError through the executor, and
    // the executor reports hook.* lifecycle events to the bus: the firer is bound lazily.
    const firer = { fire: ((...args) => this.executor.fire(...args)) as HookExecutor['fire'] };
    this.bus = new EventBus({
      log: this.log,
      persist: config.persist,
      executor: firer,
      source: 'hookspell.cli',
    });
    this.executor = new HookExecutor(this.registry, {
      defaultTimeoutMs: config.defaultTimeoutMs,
      sink: this.bus.hookSink(),
    });
    // A breaker that opens changes what a hook decides from now on (skipped, or cancel at a
    // fail-closed hook): said as it happens, since a guard that stops checking must not be silent.
    // A sync handler on an idle subscription runs inside the executor's emit, before the fire settles.
    this.bus.subscribe('hook.breaker.opened', (event) => this.#warn(breakerWarning(event.data)));
    this.journal = config.journal.enabled
      ? new HookJournal(storage, {
          retention: config.journal.retention,
          onError: (error) => this.#journalErrors.push(errorLine(error)),
        })
      : undefined;
    this.journal?.attach(this.executor);
    this.state = new ScopedState(storage);
  }

  /**
   * Opens the storage and, with `hooks`, registers the config's hooks and loads its `scripts`.
   * Fails with a `CliError` naming the config line of a bad hook.
   */
  static async open(
    config: ResolvedConfig,
    options: RuntimeOptions & { hooks?: boolean } = {},
  ): Promise<Runtime> {
    const storage = await openStorage(config, 'write');
    const runtime = new Runtime(config, storage, options);
    try {
      if (config.globals !== undefined) {
        runtime.#hostGlobals = await loadHostGlobals(config.globals);
        try {
          void runtime.scripts; // checks the globals now, with the config line
        } catch (error) {
          throw new CliError(CliErrorCode.CONFIG_INVALID, `${config.globals.where}: ${errorLine(error)}`, {
            cause: error,
          });
        }
      }
    } catch (error) {
      await runtime.close().catch(() => {});
      throw error;
    }
    if (options.hooks === false) return runtime;
    try {
      // Scripts may call Hook.builtin; hook files may not (the gate says so), so they need none.
      if (config.scripts.length > 0 || config.hooks.some((h) => h.source.kind === 'builtin'))
        await runtime.#loadBuiltins();
      await registerConfigHooks(config, runtime.gate, () => runtime.scripts, {
        bus: runtime.bus,
        executor: runtime.executor,
        builtins: runtime.#builtins,
        ...(runtime.journal !== undefined && { journal: runtime.journal }),
        warn: (message) => runtime.#warn({ kind: 'claude-settings', message }),
      });
      for (const script of config.scripts) await runtime.loadScript(script.path, script.where);
    } catch (error) {
      await runtime.close().catch(() => {});
      throw error;
    }
    return runtime;
  }

  async #loadBuiltins(): Promise<void> {
    this.#builtins ??= (await import('@hookspell/builtins')).BUILTINS;
  }

  /**
   * The built-ins granted to scripts, by name, resolved when called: the script runtime is made
   * once, possibly before the built-ins are loaded (a config of hook files only), and every
   * script that may call Hook.builtin is run after `#loadBuiltins()`. A hook file that calls it
   * meets the gate's message (it registers one hook with Hook.register).
   */
  #grants(): BuiltinGrants {
    return Object.fromEntries(
      BUILTIN_NAMES.map((name) => [
        name,
        (options?: never) => {
          const factory = this.#builtins?.[name] as BuiltinFactory | undefined;
          if (factory === undefined) throw hookFileBuiltinError();
          return factory(options);
        },
      ]),
    );
  }

  /**
   * The script runtime (engines load on first use). Scripts may call `Hook.builtin` for any of
   * the eight built-ins; they are granted once loaded (`open()` and `loadScript()` load them).
   */
  get scripts(): ScriptRuntime {
    this.#scripts ??= new ScriptRuntime({
      registry: this.gate.view(),
      executor: this.executor,
      builtins: this.#grants(),
      bus: this.bus,
      state: this.state,
      limits: this.config.limits,
      logger: this.#logger(),
      ...(this.#hostGlobals !== undefined && { globals: this.#hostGlobals }),
      ...(this.config.env !== undefined && { env: this.config.env }),
      ...((this.#options.compat ?? this.config.compat) !== undefined && {
        compat: this.#options.compat ?? this.config.compat,
      }),
    });
    return this.#scripts;
  }

  /**
   * Loads and runs a script file's top level; `where` prefixes errors (config line or the
   * argument). A failing top level throws a `ScriptFailedError` carrying what it printed.
   */
  async loadScript(path: string, where: string, failure: 'config' | 'runtime' = 'config') {
    await this.#loadBuiltins();
    return this.gate.from(`script:${display(process.cwd(), path)}`, async () => {
      let script: Awaited<ReturnType<ScriptRuntime['loadFile']>>;
      try {
        script = await this.scripts.loadFile(path);
      } catch (error) {
        const missing = (error as { code?: string }).code === 'ENOENT';
        throw new CliError(
          missing ? CliErrorCode.FILE_NOT_FOUND : CliErrorCode.CONFIG_INVALID,
          `${where}: ${missing ? `script file not found: ${path}` : errorLine(error)}`,
          { cause: error },
        );
      }
      try {
        await script.run();
      } catch (error) {
        const code = failure === 'config' ? CliErrorCode.CONFIG_INVALID : CliErrorCode.RUNTIME;
        throw new ScriptFailedError(code, `${where}: ${errorLine(error)}`, {
          cause: error,
          printed: printedLines(script),
        });
      }
      return script;
    });
  }

  #warn(warning: CliWarning): void {
    this.warnings.push(warning);
    const write =
      this.#options.warningLine ?? ((line: string) => process.stderr.write(`hookspell: warning: ${line}\n`));
    write(warning.message);
  }

  #logger(): ScriptLogger {
    const write = this.#options.logLine ?? ((line: string) => process.stderr.write(`${line}\n`));
    const line =
      (level: string, quiet: boolean) => (message: string, meta: { script: string; data?: unknown }) => {
        if (quiet && !this.#options.verbose) return;
        write(
          `[${meta.script}] ${level}: ${message}${meta.data !== undefined ? ` ${JSON.stringify(meta.data)}` : ''}`,
        );
      };
    return {
      debug: line('debug', true),
      info: line('info', true),
      warn: line('warn', false),
      error: line('error', false),
    };
  }

  /** Waits for subscribers, writes pending events and journal entries, disposes scripts, closes storage. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    let failure: unknown;
    const step = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (error) {
        failure ??= error;
      }
    };
    await step(() => this.bus.idle());
    await step(async () => this.#scripts?.dispose());
    await step(() => this.bus.flush());
    await step(async () => this.journal?.close());
    await step(() => this.bus.close());
    await step(() => this.log.close());
    await step(() => this.storage.close());
    if (failure !== undefined) throw failure;
    if (this.#journalErrors.length > 0) {
      throw new CliError(
        CliErrorCode.RUNTIME,
        `the hook journal could not be written: ${this.#journalErrors[0]}`,
      );
    }
  }
}
