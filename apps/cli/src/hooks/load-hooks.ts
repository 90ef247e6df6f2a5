import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  BridgeError,
  BridgeErrorCode,
  builtinOptions,
  type ScriptRuntime,
  type WiredOptions,
} from '@hookspell/bridge';
import type { ClaudeCodeEvent, ClaudeSettings } from '@hookspell/bridge/claude-code';
import { commandHook } from '@hookspell/bridge/command';
import type { BUILTINS, BuiltinHook } from '@hookspell/builtins';
import type {
  Hook,
  HookFunction,
  HookHandle,
  HookObject,
  HookPoint,
  HookRegistration,
  HookRegistry,
  RegisterOptions,
} from '@hookspell/hooks';
import { display } from '../config/find.js';
import type { ClaudeCodeEntry, ResolvedConfig, ResolvedHook } from '../config/types.js';
import { CliError, CliErrorCode, errorLine } from '../errors.js';
import type { RunningHooks } from './running-hooks.js';

/** A hook registration a script made while its file was being loaded for a config entry. */
interface Captured {
  point: string;
  hook: Hook;
  options: RegisterOptions;
  handle: DeferredHandle;
}

/** One config hook ready for the batch (a built-in: one entry per point). */
export interface BatchEntry {
  hook: ResolvedHook;
  point: HookPoint;
  name: string;
  fn: Hook;
  options: RegisterOptions;
  handle?: DeferredHandle;
}

/** The handle a script gets back: it works once the config's batch is registered. */
interface DeferredHandle extends HookHandle {
  name: string;
  real: HookHandle | undefined;
  removed: boolean;
}

/**
 * Stands between the script runtime and the real registry. While a `lua:`/`js:` hook file of
 * the config loads, its `Hook.register` calls are captured (the config entry's options then
 * apply to them, and they join the config's batch, so `dependsOn` works in any order and ties
 * keep the config's order); at any other time registrations pass straight through. Everything
 * else (`list`, …) is the real registry's.
 */
export class RegistryGate {
  readonly registry: HookRegistry;
  /** Where hooks registered by scripts came from (`name@point` → `script:path`), for listings. */
  readonly sources = new Map<string, string>();
  readonly #tracker: RunningHooks;
  #capturing: Captured[] | undefined;
  #source: string | undefined;

  constructor(registry: HookRegistry, tracker: RunningHooks) {
    this.registry = registry;
    this.#tracker = tracker;
  }

  /** What to give `new ScriptRuntime({ registry })`. */
  view(): HookRegistry {
    const real = this.registry;
    return new Proxy(real, {
      get: (target, prop) => {
        if (prop === 'register')
          return (point: HookPoint, hook: Hook, options?: RegisterOptions) =>
            this.#register(point, hook, options ?? {});
        // What Hook.builtin registers with (a built-in's register()).
        if (prop === 'registerMany')
          return (registrations: readonly HookRegistration[]) => this.#registerMany(registrations);
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Runs `load` (a script's load and top level); what it registers is listed as from `source`. */
  async from<T>(source: string, load: () => Promise<T>): Promise<T> {
    this.#source = source;
    try {
      return await load();
    } finally {
      this.#source = undefined;
    }
  }

  /** Runs `load` with registrations captured; returns what was captured. */
  async capture(load: () => Promise<void>): Promise<Captured[]> {
    const captured: Captured[] = [];
    this.#capturing = captured;
    try {
      await load();
    } finally {
      this.#capturing = undefined;
    }
    return captured;
  }

  #register(point: HookPoint, hook: Hook, options: RegisterOptions): HookHandle {
    if (this.#capturing === undefined) {
      const name = options.name ?? (typeof hook === 'function' ? hook.name : hook.name) ?? 'hook';
      const handle = this.registry.register(point, this.#wrap(name, hook), options);
      if (this.#source !== undefined) this.sources.set(`${handle.name}@${handle.point}`, this.#source);
      return handle;
    }
    const handle: DeferredHandle = {
      id: `pending:${options.name ?? 'hook'}@${point}#${this.#capturing.length}`,
      name: options.name ?? 'hook',
      point,
      real: undefined,
      removed: false,
      unregister() {
        if (this.removed) return false;
        this.removed = true;
        return this.real?.unregister() ?? true;
      },
    };
    this.#capturing.push({ point, hook, options, handle });
    return handle;
  }

  #registerMany(registrations: readonly HookRegistration[]) {
    // Thrown into the script (as Hook.builtin's error), which fails; the config entry names the line.
    if (this.#capturing !== undefined) throw hookFileBuiltinError();
    const batch = this.registry.registerMany(
      registrations.map((r) => ({ ...r, hook: this.#wrap(r.name ?? 'hook', r.hook) })),
    );
    if (this.#source !== undefined)
      for (const h of batch.handles) this.sources.set(`${h.name}@${h.point}`, this.#source);
    return batch;
  }

  #wrap(name: string, hook: Hook): Hook {
    if (typeof hook === 'function') return this.#tracker.track(name, hook);
    return { ...hook, execute: this.#tracker.track(name, hook.execute.bind(hook)) };
  }

  /** Registers the config's hooks as one batch (all or nothing). */
  registerBatch(entries: readonly BatchEntry[]): void {
    const registrations: HookRegistration[] = entries.map(({ point, name, fn, options }) => ({
      ...options,
      name,
      point,
      hook: this.#wrap(name, fn),
    }));
    let handles: readonly HookHandle[];
    try {
      handles = this.registry.registerMany(registrations).handles;
    } catch (error) {
      // Say which entry: the registry names the hook, the config knows its line.
      const message = errorLine(error);
      const named = (name: string) =>
        new RegExp(`(^|[^\\w-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w-]|$)`).test(message);
      const entry = entries.find(({ point, name }) => message.includes(point) && named(name));
      throw new CliError(CliErrorCode.CONFIG_INVALID, `${entry ? `${entry.hook.where}: ` : ''}${message}`, {
        cause: error,
      });
    }
    handles.forEach((real, i) => {
      this.sources.set(`${real.name}@${real.point}`, entries[i]!.hook.spec);
      const deferred = entries[i]!.handle;
      if (deferred === undefined) return;
      deferred.real = real;
      if (deferred.removed) real.unregister();
    });
  }
}

/** What a lua:/js: hook file that calls Hook.builtin is told. */
export function hookFileBuiltinError(): BridgeError {
  return new BridgeError(
    BridgeErrorCode.INVALID_ARGUMENT,
    'a lua:/js: hook file registers exactly one hook with Hook.register; name a built-in in the config instead (`builtin: rateLimit`), or call Hook.builtin from a file listed under `scripts`',
  );
}

/** Options of the registry taken from a config entry (only those it sets). */
export function entryOptions(hook: ResolvedHook): RegisterOptions {
  const out: RegisterOptions = {};
  if (hook.name !== undefined) out.name = hook.name;
  if (hook.priority !== undefined) out.priority = hook.priority;
  if (hook.dependsOn !== undefined) out.dependsOn = hook.dependsOn;
  if (hook.timeoutMs !== undefined) out.timeoutMs = hook.timeoutMs;
  if (hook.onFailure !== undefined) out.onFailure = hook.onFailure;
  if (hook.critical !== undefined) out.critical = hook.critical;
  if (hook.mutates !== undefined) out.mutates = hook.mutates;
  if (hook.breaker !== undefined) out.breaker = hook.breaker;
  if (hook.tags !== undefined) out.tags = hook.tags;
  if (hook.enabled !== undefined) out.enabled = hook.enabled;
  if (hook.version !== undefined) out.version = hook.version;
  return out;
}

/**
 * Registers every hook of the config: command hooks through `commandHook`, `lua:`/`js:` hook
 * files by loading and running them through the script runtime — a hook file's top level must
 * call `Hook.register` exactly once, at the entry's point; the entry's name, priority,
 * dependsOn, timeoutMs, onFailure, critical, mutates, breaker, tags, enabled and version
 * override what the script passed.
 */
export async function registerConfigHooks(
  config: ResolvedConfig,
  gate: RegistryGate,
  scripts: () => ScriptRuntime,
  host: WiredOptions & { builtins?: typeof BUILTINS; warn?: (message: string) => void } = {},
): Promise<void> {
  const batch: BatchEntry[] = [];
  for (const hook of config.hooks) {
    const base = entryOptions(hook);
    const source = hook.source;
    if (source.kind === 'builtin') {
      batch.push(...builtinEntries(hook, source.name, source.options, base, host));
      continue;
    }
    const name = hook.name!;
    const point = hook.point!;
    if (source.kind === 'command') {
      let fn: HookFunction;
      try {
        fn = commandHook({
          command: source.command,
          shell: source.shell,
          cwd: resolve(config.dir, hook.cwd ?? '.'),
          ...(hook.env !== undefined && { env: hook.env }),
          ...(hook.maxOutputBytes !== undefined && { maxOutputBytes: hook.maxOutputBytes }),
        });
      } catch (error) {
        throw new CliError(
          CliErrorCode.CONFIG_INVALID,
          `${hook.where}: hook '${hook.name}': ${errorLine(error)}`,
          { cause: error },
        );
      }
      batch.push({ hook, point, name, fn, options: { ...base, language: 'command', signal: true } });
      continue;
    }
    if (source.kind === 'claude-code') {
      batch.push(await claudeCodeEntry(config, hook, point, name, base));
      continue;
    }
    if (!existsSync(source.path)) {
      throw new CliError(
        CliErrorCode.FILE_NOT_FOUND,
        `${hook.sourceWhere}: hook '${hook.name}': script file not found: ${source.path}`,
      );
    }
    const captured = await gate.capture(async () => {
      try {
        const script = await scripts().loadFile(source.path);
        await script.run();
      } catch (error) {
        throw new CliError(
          CliErrorCode.CONFIG_INVALID,
          `${hook.where}: hook '${hook.name}' (${hook.spec}): ${errorLine(error)}`,
          {
            cause: error,
          },
        );
      }
    });
    const here = captured.filter((c) => c.point === hook.point);
    const elsewhere = captured.filter((c) => c.point !== hook.point);
    if (elsewhere.length > 0 || here.length !== 1) {
      const what =
        captured.length === 0
          ? 'registered no hook'
          : `registered ${captured.map((c) => `a hook at ${c.point}`).join(' and ')}`;
      throw new CliError(
        CliErrorCode.CONFIG_INVALID,
        `${hook.where}: hook '${hook.name}' (${hook.spec}) ${what}; a hook file's top level must call Hook.register('${hook.point}', fn) exactly once (list files that register several hooks under \`scripts\`)`,
      );
    }
    const { hook: fn, options, handle } = here[0]!;
    handle.name = name;
    batch.push({ hook, point, name, fn, options: { ...options, ...base }, handle });
  }
  if (batch.length > 0) gate.registerBatch(batch);
  if (config.claudeSettings.length > 0) await registerSettingsFiles(config, gate, host.warn);
}

/**
 * A `claudeCode` entry as a batch entry: `claudeCodeHook` with the entry's fields, run in the
 * config's directory (or its `cwd`), registered as a command hook with Claude Code's timeout
 * for its event (the entry's `timeoutMs` when it gives one instead). `async: true` makes it an
 * observer, as registerClaudeSettings does: started, not awaited, its answer ignored.
 */
async function claudeCodeEntry(
  config: ResolvedConfig,
  hook: ResolvedHook,
  point: HookPoint,
  name: string,
  base: RegisterOptions,
): Promise<BatchEntry> {
  const { claudeCodeHook, claudeCodeTimeoutMs, eventForPoint } = await claudeCode();
  const entry = (hook.source as { entry: ClaudeCodeEntry }).entry;
  let fn: Hook;
  let timeoutMs: number;
  try {
    const made = claudeCodeHook({
      command: entry.command,
      name,
      cwd: resolve(config.dir, hook.cwd ?? '.'),
      ...(entry.event !== undefined && { event: entry.event as ClaudeCodeEvent }),
      ...(entry.args !== undefined && { args: entry.args }),
      ...(entry.shell !== undefined && { shell: entry.shell }),
      ...(entry.timeout !== undefined && { timeout: entry.timeout }),
      ...(entry.matcher !== undefined && { matcher: entry.matcher }),
      ...(entry.if !== undefined && { if: entry.if }),
      ...(entry.pluginRoot !== undefined && { pluginRoot: entry.pluginRoot }),
      ...(entry.pluginData !== undefined && { pluginData: entry.pluginData }),
      ...(hook.env !== undefined && { env: hook.env }),
      ...(hook.maxOutputBytes !== undefined && { maxOutputBytes: hook.maxOutputBytes }),
    });
    timeoutMs = claudeCodeTimeoutMs(made, eventForPoint(point));
    fn = entry.async ? observer(made) : made;
  } catch (error) {
    throw new CliError(
      CliErrorCode.CONFIG_INVALID,
      `${hook.sourceWhere}: hook '${name}': ${errorLine(error)}`,
      { cause: error },
    );
  }
  return {
    hook,
    point,
    name,
    fn,
    options: {
      timeoutMs,
      ...base,
      language: 'command',
      tags: ['claude-code', ...(entry.event ? [entry.event] : []), ...(base.tags ?? [])],
      ...(entry.async && base.onFailure === undefined && { onFailure: 'continue' as const }),
    },
  };
}

/** An `async: true` handler: started and not awaited, so the fire goes on at once. */
function observer(hook: HookObject): HookObject {
  return {
    ...hook,
    execute(ctx, signal) {
      void Promise.resolve(hook.execute(ctx, signal)).catch(() => {});
      return undefined;
    },
  };
}

/**
 * The config's `claudeSettings` files, registered with `registerClaudeSettings` after the config's
 * own hooks (so at equal priority they run after them), with each point keeping the config's
 * `points` settings (`mode: 'keep'`): an ordered chain unless the config says `parallel`. Their
 * warnings (handler types hookspell does not run, duplicates, timeouts in milliseconds…) go to
 * `warn`, never dropped. Each hook is listed with the entry of the file it came from.
 */
async function registerSettingsFiles(
  config: ResolvedConfig,
  gate: RegistryGate,
  warn: ((message: string) => void) | undefined,
): Promise<void> {
  const { readClaudeSettings, registerClaudeSettings } = await claudeCode();
  const files: ClaudeSettings[] = [];
  for (const { path, where } of config.claudeSettings) {
    try {
      files.push(readClaudeSettings(path));
    } catch (error) {
      const missing = !existsSync(path);
      throw new CliError(
        missing ? CliErrorCode.FILE_NOT_FOUND : CliErrorCode.CONFIG_INVALID,
        `${where}: claudeSettings: ${missing ? `file not found: ${path}` : errorLine(error)}`,
        { cause: error },
      );
    }
  }
  let batch: ReturnType<typeof registerClaudeSettings>;
  try {
    batch = registerClaudeSettings(gate.view(), files, {
      mode: 'keep',
      projectDir: process.env.CLAUDE_PROJECT_DIR ?? config.dir,
    });
  } catch (error) {
    throw new CliError(
      CliErrorCode.CONFIG_INVALID,
      `${config.claudeSettings[0]!.where}: claudeSettings: ${errorLine(error)}`,
      { cause: error },
    );
  }
  // Messages name files as given (absolute): shown relative to the working directory, as elsewhere.
  for (const message of batch.warnings) {
    const file = config.claudeSettings.find((c) => message.startsWith(c.path));
    warn?.(
      file === undefined ? message : `${display(process.cwd(), file.path)}${message.slice(file.path.length)}`,
    );
  }
  // Which entry each handle came from: the files' handlers in order, less those the batch
  // reports as registered once (`<source>: the same handler as …`).
  const dropped = new Set(
    batch.warnings
      .filter((w) => w.includes(': the same handler as '))
      .map((w) => w.split(': the same handler as ')[0]),
  );
  const kept = files.flatMap((f) => f.hooks).filter((h) => !dropped.has(h.source));
  const exact = kept.length === batch.handles.length;
  batch.handles.forEach((handle, i) => {
    const source = exact ? kept[i]!.source : undefined;
    gate.sources.set(
      `${handle.name}@${handle.point}`,
      `claudeSettings: ${source === undefined ? config.claudeSettings.map((c) => c.path).join(', ') : shown(source)}`,
    );
  });
}

/** A settings entry's source (`/abs/.claude/settings.json#/hooks/…`) relative to the working directory. */
function shown(source: string): string {
  const hash = source.indexOf('#');
  const file = hash < 0 ? source : source.slice(0, hash);
  return `${display(process.cwd(), file)}${hash < 0 ? '' : source.slice(hash)}`;
}

/** `@hookspell/bridge/claude-code`, imported when a config uses it. */
async function claudeCode() {
  const module = await import('@hookspell/bridge/claude-code');
  return {
    ...module,
    /** The event fired at `point` when nothing else says (the first that maps to it). */
    eventForPoint(point: HookPoint): ClaudeCodeEvent | undefined {
      return module.CLAUDE_CODE_EVENTS.find((e) => module.CLAUDE_CODE_EVENT_INFO[e].point === point);
    },
  };
}

/**
 * A `builtin:` entry as batch entries: the built-in made with the entry's options (and the
 * runtime's bus and executor for the built-ins that publish or fire), one entry per point —
 * the entry's `point`, else the built-in's own. The entry's registration options override the
 * built-in's; its tags are added to the built-in's.
 */
function builtinEntries(
  hook: ResolvedHook,
  name: string,
  options: Record<string, unknown>,
  base: RegisterOptions,
  host: WiredOptions & { builtins?: typeof BUILTINS },
): BatchEntry[] {
  let builtin: BuiltinHook;
  try {
    const factory = host.builtins?.[name as keyof typeof BUILTINS];
    if (factory === undefined) throw new Error('the built-ins were not loaded');
    builtin = factory(builtinOptions(name, options, host) as never);
  } catch (error) {
    throw new CliError(
      CliErrorCode.CONFIG_INVALID,
      `${hook.sourceWhere}: builtin '${name}': ${errorLine(error)}`,
      {
        cause: error,
      },
    );
  }
  const tags = [...(builtin.registerOptions.tags ?? []), ...(hook.tags ?? [])];
  const registerOptions = { ...builtin.registerOptions, ...base, tags };
  return (hook.point === undefined ? builtin.points : [hook.point]).map((point) => ({
    hook,
    point,
    name: registerOptions.name ?? builtin.name,
    fn: builtin,
    options: registerOptions,
  }));
}
