import type { EventBus } from '@hookspell/events';
import type { HookExecutor, HookRegistry } from '@hookspell/hooks';
import type { ScopedState } from '@hookspell/storage';
import type { BuiltinGrants } from './builtin-grants.js';
import type { HostGlobals } from './host-globals.js';

/**
 * A compatibility profile: `'llmspell'` gives the observable behaviour of the original
 * rs-llmspell where it differs from hookspell's (its event patterns, `Hook.list()` and
 * `Event.get_stats()` shapes, priority strings). See docs/from-rs-llmspell.md.
 */
export type CompatProfile = 'llmspell';

/** The languages a script can be written in. */
export type ScriptLanguage = 'lua' | 'javascript';

/** Per-script limits. Every script gets its own engine instance, so limits are per script. */
export interface ScriptLimits {
  /** CPU time one callback (a hook call, an event delivery) may use, summed over its slices. @default 50 */
  callbackMs: number;
  /** CPU time the top level (`script.run()`) may use. @default 1000 */
  scriptMs: number;
  /**
   * Memory bound. QuickJS: the runtime's allocator limit. Lua: the growth of the host heap
   * (V8 heap + external memory) while the script runs, checked every 1000 instructions, plus
   * size checks in `string.rep` and friends (see the README). @default 32 MiB
   */
  memoryBytes: number;
  /** QuickJS stack limit in bytes. @default 256 KiB (more can overflow Node's own stack first) */
  stackBytes: number;
  /**
   * Wall-clock time a callback may spend waiting on the host (Event.receive, State.*) before it
   * is abandoned. Hooks use their own `timeout_ms` when given. @default 30000
   */
  waitMs: number;
  /** Hooks plus subscriptions one script may hold at once (a built-in counts once per point). @default 1000 */
  registrations: number;
  /**
   * Bytes (UTF-8) of `print` and `log.*` output one script keeps in `script.logs`, across its
   * calls: the oldest lines are dropped first, a longer line keeps its head, and a first entry
   * says how much was dropped. Lines given to the host `logger` are cut to this size too.
   * @default 1 MiB
   */
  printBytes: number;
}

/** Where `log.*` in a script goes. Each call carries the script's name. Console-compatible. */
export interface ScriptLogger {
  debug(message: string, meta: ScriptLogMeta): void;
  info(message: string, meta: ScriptLogMeta): void;
  warn(message: string, meta: ScriptLogMeta): void;
  error(message: string, meta: ScriptLogMeta): void;
}

/** What the host logger receives besides the message. */
export interface ScriptLogMeta {
  script: string;
  language: ScriptLanguage;
  /** The value the script passed as the second argument, converted, if any. */
  data?: unknown;
}

/** One line a script printed or logged, as kept in `script.logs`. */
export interface ScriptLogEntry {
  readonly level: 'print' | 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly timestamp: number;
}

/** Options of `new ScriptRuntime()`. */
export interface ScriptRuntimeOptions {
  /** Where script hooks are registered. */
  registry: HookRegistry;
  /** Used for hook timeouts (its `defaultTimeoutMs`); scripts do not fire points themselves. */
  executor?: HookExecutor;
  /** Needed for the `Event` global; without it, `Event.*` raises a clear error. */
  bus?: EventBus;
  /** Needed for the `State` global; without it, `State.*` raises a clear error. */
  state?: ScopedState;
  limits?: Partial<ScriptLimits>;
  /** @default a logger that drops everything (scripts' lines are still in `script.logs`) */
  logger?: ScriptLogger;
  /** Lines kept per script in `script.logs` (oldest dropped first). @default 1000 */
  maxLogLines?: number;
  /**
   * Built-in hooks scripts may register with `Hook.builtin(name, options)`, by name: `BUILTINS`
   * from '@hookspell/builtins' for all eight, or a subset (`{ rateLimit, security }`), or
   * factories of your own. A capability: without it, `Hook.builtin` raises a clear error, and
   * the bridge never loads the built-ins (or pino, cockatiel, limiter) itself.
   * @default none
   */
  builtins?: BuiltinGrants;
  /**
   * Globals of the host's own, given to every script in both languages: functions, tables of
   * functions (plain objects) and data, e.g. `{ Tool: { invoke: async (name, args) => … } }`.
   * Arguments and results cross by the bridge's value rules; an async function is awaited by the
   * script without blocking the host (Lua: the coroutine yields; JavaScript: a promise), bounded
   * by `limits.waitMs`; a throw or rejection becomes an error the script can catch, with the
   * error's `code` (else `HOOKSPELL_HOST_ERROR`). Names must not be the bridge's own globals.
   */
  globals?: HostGlobals;
  /** Environment variables Lua's `os.getenv` may read; any other name gives nil. @default none (no `os.getenv`) */
  env?: readonly string[];
  /** `'llmspell'`: the original rs-llmspell's observable behaviour (see `CompatProfile`). */
  compat?: CompatProfile;
}

/** Options of `runtime.load()`. */
export interface LoadOptions {
  /** Shown in errors, logs and default hook names. @default 'script-<n>' */
  name?: string;
  /** @default from the name's extension (`.lua`, `.js`, `.mjs`), else an error */
  language?: ScriptLanguage;
}

/** What `script.hooks` lists: one entry per hook the script registered and has not unregistered. */
export interface ScriptHookInfo {
  readonly id: string;
  readonly name: string;
  readonly point: string;
}

/** What `script.subscriptions` lists. */
export interface ScriptSubscriptionInfo {
  readonly id: string;
  readonly pattern: string;
  /** True when events go to a callback, false when they are queued for `Event.receive`. */
  readonly callback: boolean;
}

export const DEFAULT_LIMITS: Readonly<ScriptLimits> = Object.freeze({
  callbackMs: 50,
  scriptMs: 1_000,
  memoryBytes: 32 * 1024 * 1024,
  stackBytes: 256 * 1024,
  waitMs: 30_000,
  registrations: 1_000,
  printBytes: 1024 * 1024,
});
