import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  BridgeError,
  BridgeErrorCode,
  builtinOptions,
  type ScriptRuntime,
  type WiredOptions,
} from '@hookspell/bridge';
import type { TranscriptSource } from '@hookspell/bridge/claude-code';
import { commandHook } from '@hookspell/bridge/command';
import type { BUILTINS, BuiltinHook } from '@hookspell/builtins';
import type {
  Hook,
  HookFunction,
  HookHandle,
  HookPoint,
  HookRegistration,
  HookRegistry,
  RegisterOptions,
} from '@hookspell/hooks';
import type { ResolvedConfig, ResolvedHook } from '../config/types.js';
import { CliError, CliErrorCode, errorLine } from '../errors.js';
import { claudeCodeEntry, registerSettingsFiles } from './claude-code-entries.js';
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
  host: WiredOptions & {
    builtins?: typeof BUILTINS;
    warn?: (message: string) => void;
    /** Claude Code entries build `transcript_path` from it (when the fire's data has none). */
    journal?: TranscriptSource;
  } = {},
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
      batch.push(await claudeCodeEntry(config, hook, point, name, base, host.journal));
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
