import type { EventBus, HookspellEvent, Subscription } from '@hookspell/events';
import {
  type HookContext,
  type HookExecutor,
  type HookHandle,
  type HookInfo,
  type HookPoint,
  type HookRegistry,
  type HookResult,
  PRIORITY,
  type RegisterOptions,
} from '@hookspell/hooks';
import type { JsonValue, ScopedState } from '@hookspell/storage';
import { type BuiltinGrants, grantedBuiltin } from './builtin-grants.js';
import { builtinOptions } from './builtin-options.js';
import {
  llmspellHookEntry,
  llmspellHookFilter,
  llmspellLanguage,
  llmspellMatches,
  llmspellPriority,
  llmspellStats,
} from './compat/llmspell.js';
import { invalidArgument, ScriptDisposedError } from './errors.js';
import { callHostFunction, type HostGlobalsPlan, type HostTree } from './host-globals.js';
import { toHookResult } from './results.js';
import { ScriptLogBuffer } from './script-logs.js';
import { checkStateKey, storageScope, typeName } from './state-scopes.js';
import type {
  CompatProfile,
  ScriptHookInfo,
  ScriptLanguage,
  ScriptLimits,
  ScriptLogEntry,
  ScriptLogger,
  ScriptSubscriptionInfo,
} from './types.js';

/** Calls the script function behind a hook or subscription; sync unless the script waits. */
export type ScriptInvoker = (arg: never) => unknown;

/** What an engine knows about a hook it is building the invoker of. */
export interface HookMeta {
  readonly name: string;
  readonly point: string;
  /** How long a call may wait on the host before it is abandoned (the hook's timeout). */
  readonly waitMs: number;
}

/** Queue of events kept for `Event.receive` (a subscription without a callback). */
const RECEIVE_QUEUE = 1000;

interface HookRecord {
  readonly handle: HookHandle;
  readonly release: () => void;
}

interface SubRecord {
  readonly sub: Subscription;
  /** The pattern the script gave (under `compat: 'llmspell'` the bus subscription is `**`). */
  readonly pattern: string;
  /** Events delivered to the script (the bus counts those the compat filter passed over too). */
  readonly matched: { n: number };
  readonly callback: boolean;
  readonly release: (() => void) | undefined;
  readonly queue: HookspellEvent[];
  readonly waiters: Array<(event: HookspellEvent | null) => void>;
}

/** What an engine needs to build a script's globals; all values are plain host values. @internal */
export interface ScriptHostOptions {
  name: string;
  language: ScriptLanguage;
  registry: HookRegistry;
  executor: HookExecutor | undefined;
  builtins: BuiltinGrants | undefined;
  bus: EventBus | undefined;
  state: ScopedState | undefined;
  logger: ScriptLogger | undefined;
  limits: ScriptLimits;
  defaultHookTimeoutMs: number;
  maxLogLines: number;
  nextHookSeq: () => number;
  /** Host functions and tables given to every script (`globals`), checked once. */
  hostGlobals?: HostGlobalsPlan | undefined;
  /** Environment variables `os.getenv` may read; undefined: no `os.getenv`. */
  env?: readonly string[] | undefined;
  /** The compatibility profile (`'llmspell'`), or undefined for hookspell's own rules. */
  compat?: CompatProfile | undefined;
}

let subSeq = 0;

/**
 * The host side of one script's globals (`Hook`, `Event`, `State`, `log`, `print`), in plain host
 * values. Engines bind their globals to it and convert values at the edge, so both languages get
 * exactly the same behaviour. It also owns what the script registered, so `dispose()` undoes all.
 * @internal
 */
export class ScriptHost {
  readonly name: string;
  readonly language: ScriptLanguage;
  readonly limits: ScriptLimits;
  readonly defaultHookTimeoutMs: number;
  readonly #logs: ScriptLogBuffer;
  /** What the script printed and logged, bounded (see ScriptLogBuffer). */
  readonly logs: ScriptLogEntry[];
  disposed = false;
  readonly #o: ScriptHostOptions;
  readonly #hooks = new Map<string, HookRecord>();
  readonly #subs = new Map<string, SubRecord>();

  constructor(options: ScriptHostOptions) {
    this.#o = options;
    this.name = options.name;
    this.language = options.language;
    this.limits = options.limits;
    this.defaultHookTimeoutMs = options.defaultHookTimeoutMs;
    this.#logs = new ScriptLogBuffer(options.limits.printBytes, options.maxLogLines);
    this.logs = this.#logs.entries;
  }

  /** Hooks the script registered and still holds. */
  hookInfos(): ScriptHookInfo[] {
    return [...this.#hooks.values()].map(({ handle }) => ({
      id: handle.id,
      name: handle.name,
      point: handle.point,
    }));
  }

  subscriptionInfos(): ScriptSubscriptionInfo[] {
    return [...this.#subs.entries()].map(([id, r]) => ({ id, pattern: r.pattern, callback: r.callback }));
  }

  // ---- Hook ---------------------------------------------------------------------------------

  /**
   * Registers a script function as a normal hook. `options` is a priority (name or number) or a
   * table `{ name, priority, depends_on, timeout_ms, on_failure, tags, critical, mutates }` (camelCase
   * accepted too). `release` frees the engine's reference when the hook goes away.
   */
  registerHook(
    point: unknown,
    makeInvoke: (meta: HookMeta) => (ctx: HookContext) => unknown,
    options: unknown,
    release: () => void,
  ): HookHandle {
    this.#alive('Hook.register');
    this.#room('Hook.register');
    if (typeof point !== 'string')
      throw invalidArgument('`point` must be a hook point name such as "BeforeToolExecution".');
    const opts = this.#registerOptions(options);
    const meta: HookMeta = {
      name: opts.name!,
      point,
      // A little past the hook's own timeout: the executor records `timeout` first, and the
      // script's callback is abandoned just after.
      waitMs: (opts.timeoutMs ?? this.defaultHookTimeoutMs) + 100,
    };
    const invoke = makeInvoke(meta);
    const script = this.name;
    const toResult = (value: unknown) => toHookResult(value, 'result', script);
    const hook = (ctx: HookContext): HookResult | Promise<HookResult> => {
      const value = invoke(ctx);
      return isThenable(value) ? Promise.resolve(value).then(toResult) : toResult(value);
    };
    const handle = this.#o.registry.register(point as HookPoint, hook, opts);
    this.#hooks.set(handle.id, { handle, release });
    return handle;
  }

  /**
   * `Hook.builtin(name, options)`: registers the built-in the host granted under `name` at its
   * own points (or `options.points`), as the native hook it is, and returns one handle per
   * point. The handles belong to the script like its other hooks: they count toward
   * `limits.registrations`, and `dispose()` unregisters them. `options` may use snake_case;
   * see `builtinOptions` for what a script can and cannot set.
   */
  registerBuiltin(name: unknown, options: unknown): HookHandle[] {
    this.#alive('Hook.builtin');
    const factory = grantedBuiltin(name, this.#o.builtins);
    const opts = builtinOptions(name as string, options, { bus: this.#o.bus, executor: this.#o.executor });
    const builtin = factory(opts as never);
    this.#room('Hook.builtin', builtin.points.length);
    const { handles } = builtin.register(this.#o.registry);
    for (const handle of handles) this.#hooks.set(handle.id, { handle, release: noop });
    return [...handles];
  }

  unregisterHook(id: string): boolean {
    const record = this.#hooks.get(id);
    if (record === undefined) return false;
    this.#hooks.delete(id);
    const removed = record.handle.unregister();
    record.release();
    return removed;
  }

  /**
   * `Hook.list(filter?)`: every hook in the registry (not only this script's), as plain records.
   * Entries carry the original's `hook_point`; JavaScript entries also carry `hookPoint`, since
   * JavaScript gets the API in camelCase.
   */
  listHooks(filter: unknown): Array<Record<string, unknown>> {
    if (this.#o.compat === 'llmspell') return this.#listHooksLlmspell(filter);
    let f: Record<string, unknown> = {};
    if (typeof filter === 'string') f = { point: filter };
    else if (filter !== undefined && filter !== null) {
      if (typeof filter !== 'object') throw invalidArgument('`filter` must be nil, a point name or a table.');
      const t = filter as Record<string, unknown>;
      f = {
        point: t.hook_point ?? t.hookPoint ?? t.point,
        language: t.language,
        priority: t.priority,
        tag: t.tag,
      };
    }
    return this.#o.registry
      .list(Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)))
      .map((info) => ({
        id: info.id,
        name: info.name,
        hook_point: info.point,
        ...(this.language === 'javascript' && { hookPoint: info.point }),
        priority: priorityLabel(info.priority),
        language: info.language,
        version: info.version,
        tags: [...info.tags],
        enabled: info.enabled,
      }));
  }

  /** `Hook.list(filter?)` under `compat: 'llmspell'`: the original's shape and filter rules. */
  #listHooksLlmspell(filter: unknown): Array<Record<string, unknown>> {
    let point: unknown;
    let keep: (info: HookInfo) => boolean = () => true;
    if (typeof filter === 'string') point = filter;
    else if (filter !== undefined && filter !== null) {
      if (typeof filter !== 'object') throw invalidArgument('`filter` must be nil, a point name or a table.');
      const t = filter as Record<string, unknown>;
      point = t.hook_point ?? t.hookPoint ?? t.point;
      keep = llmspellHookFilter(t);
    }
    return this.#o.registry
      .list(point === undefined ? {} : { point: point as HookPoint })
      .filter(keep)
      .map((info) => llmspellHookEntry(info, this.language));
  }

  #registerOptions(options: unknown): RegisterOptions {
    const base: RegisterOptions = {
      language: this.language,
      // The bridge bounds waiting itself; a per-hook AbortController would cost ~2 µs per fire.
      signal: false,
    };
    if (options === undefined || options === null) return { ...base, name: this.#defaultName() };
    if (typeof options === 'string' || typeof options === 'number')
      return { ...base, name: this.#defaultName(), priority: this.#priority(options) };
    if (typeof options !== 'object' || Array.isArray(options))
      throw invalidArgument('the third argument of Hook.register must be a priority or an options table.');
    const o = options as Record<string, unknown>;
    const pick = (snake: string, camel: string) => o[snake] ?? o[camel];
    const out: RegisterOptions = { ...base, name: (o.name as string | undefined) ?? this.#defaultName() };
    if (o.priority !== undefined) out.priority = this.#priority(o.priority);
    const dependsOn = pick('depends_on', 'dependsOn');
    if (dependsOn !== undefined) out.dependsOn = dependsOn as string[];
    const timeout = pick('timeout_ms', 'timeoutMs');
    if (timeout !== undefined) out.timeoutMs = timeout as number;
    const onFailure = pick('on_failure', 'onFailure');
    if (onFailure !== undefined) out.onFailure = onFailure as 'continue' | 'cancel';
    if (o.tags !== undefined) out.tags = o.tags as string[];
    if (o.critical !== undefined) out.critical = o.critical === true;
    if (o.mutates !== undefined) out.mutates = o.mutates === true;
    if (o.enabled !== undefined) out.enabled = o.enabled !== false;
    return out;
  }

  /** Under `compat: 'llmspell'` a priority may also be `"Priority(N)"`, as Hook.list prints it. */
  #priority(value: unknown): RegisterOptions['priority'] {
    return this.#o.compat === 'llmspell'
      ? llmspellPriority(value, 'Hook.register: `priority`')
      : (value as RegisterOptions['priority']);
  }

  #defaultName(): string {
    return `${this.name}#${this.#o.nextHookSeq()}`;
  }

  // ---- Event --------------------------------------------------------------------------------

  #bus(what: string): EventBus {
    this.#alive(what);
    const bus = this.#o.bus;
    if (bus === undefined)
      throw invalidArgument(`${what}: this ScriptRuntime was created without a \`bus\`.`);
    return bus;
  }

  /** `Event.publish(type, data, options)`; options in snake_case or camelCase. */
  publish(type: unknown, data: unknown, options: unknown): Promise<HookspellEvent> {
    const bus = this.#bus('Event.publish');
    if (typeof type !== 'string') throw invalidArgument('`type` of Event.publish must be a string.');
    const o = (options ?? {}) as Record<string, unknown>;
    if (typeof o !== 'object') throw invalidArgument('the options of Event.publish must be a table/object.');
    const opts: Record<string, unknown> = {
      language: o.language ?? this.language,
      source: o.source ?? this.name,
    };
    const map: Array<[string, string, string]> = [
      ['correlation_id', 'correlationId', 'correlationId'],
      ['causation_id', 'causationId', 'causationId'],
      ['ttl_seconds', 'ttlSeconds', 'ttlSeconds'],
      ['target', 'target', 'target'],
      ['tags', 'tags', 'tags'],
      ['priority', 'priority', 'priority'],
    ];
    for (const [snake, camel, key] of map) {
      const v = o[snake] ?? o[camel];
      if (v !== undefined) opts[key] = v;
    }
    if (opts.ttlSeconds === undefined && typeof o.ttl === 'number') opts.ttlSeconds = o.ttl;
    return bus.publish(type, data ?? null, opts);
  }

  /** `Event.subscribe(pattern[, fn])`: with `invoke`, calls it per event; without, queues for receive. */
  subscribe(
    pattern: unknown,
    invoke: ((event: HookspellEvent) => unknown) | undefined,
    release?: () => void,
  ): string {
    const bus = this.#bus('Event.subscribe');
    this.#room('Event.subscribe');
    if (typeof pattern !== 'string') throw invalidArgument('`pattern` of Event.subscribe must be a string.');
    const id = `${this.name}/sub-${++subSeq}`;
    const queue: HookspellEvent[] = [];
    const waiters: Array<(event: HookspellEvent | null) => void> = [];
    const matched = { n: 0 };
    const deliver =
      invoke ??
      ((event: HookspellEvent) => {
        const waiter = waiters.shift();
        if (waiter !== undefined) return waiter(event);
        if (queue.length >= RECEIVE_QUEUE) queue.shift();
        queue.push(event);
      });
    let sub: Subscription;
    if (this.#o.compat === 'llmspell') {
      // The original's pattern rules (see compat/llmspell.ts): every event reaches the filter,
      // which passes on those the original would have routed to this pattern.
      sub = bus.subscribe(
        '**',
        (event: HookspellEvent) => {
          if (!llmspellMatches(pattern, event.type)) return undefined;
          matched.n++;
          return deliver(event);
        },
        { name: `${this.name}:${pattern}` },
      );
    } else {
      sub = bus.subscribe(
        pattern,
        (event: HookspellEvent) => {
          matched.n++;
          return deliver(event);
        },
        { name: `${this.name}:${pattern}` },
      );
    }
    this.#subs.set(id, { sub, pattern, matched, callback: invoke !== undefined, release, queue, waiters });
    return id;
  }

  /**
   * `Event.receive(id, timeout_ms)`: the next queued event, or one that arrives within the
   * timeout, else `null`. Sync when an event is already queued. Unknown ids raise.
   */
  receive(id: unknown, timeoutMs: unknown): HookspellEvent | null | Promise<HookspellEvent | null> {
    this.#alive('Event.receive');
    const record = typeof id === 'string' ? this.#subs.get(id) : undefined;
    if (record === undefined)
      throw invalidArgument(
        `Event.receive: no subscription ${typeof id === 'string' ? JSON.stringify(id) : `id (got ${typeName(id, this.language)})`} in this script.`,
      );
    if (record.callback)
      throw invalidArgument(
        `Event.receive: subscription ${id} delivers to a callback; subscribe without one to receive.`,
      );
    const next = record.queue.shift();
    if (next !== undefined) return next;
    const ms = timeoutMs === undefined || timeoutMs === null ? 5000 : Number(timeoutMs);
    if (!(ms > 0)) return null;
    return new Promise((resolve) => {
      const waiter = (event: HookspellEvent | null) => {
        clearTimeout(timer);
        resolve(event);
      };
      const timer = setTimeout(
        () => {
          const i = record.waiters.indexOf(waiter);
          if (i >= 0) record.waiters.splice(i, 1);
          resolve(null);
        },
        Math.min(ms, 2 ** 31 - 1),
      );
      record.waiters.push(waiter);
    });
  }

  unsubscribe(id: unknown): boolean {
    const record = typeof id === 'string' ? this.#subs.get(id) : undefined;
    if (record === undefined) return false;
    this.#subs.delete(id as string);
    record.sub.unsubscribe();
    for (const w of record.waiters.splice(0)) w(null);
    record.release?.();
    return true;
  }

  listSubscriptions(): Array<Record<string, unknown>> {
    const llmspell = this.#o.compat === 'llmspell';
    return [...this.#subs.entries()].map(([id, r]) => ({
      id,
      pattern: r.pattern,
      // The original lists `language` as Rust's Debug name (`Lua`); hookspell's own spelling otherwise.
      language: llmspell ? llmspellLanguage(this.language) : this.language,
      callback: r.callback,
      queued: r.queue.length,
      received: r.matched.n,
    }));
  }

  /**
   * `Event.get_stats()` / `Event.getStats()`: the bus's counters and this script's subscription
   * count, in each language's own spelling (Lua tables snake_case, JavaScript camelCase). Lua
   * keeps the bus's camelCase names too, as earlier versions returned them.
   */
  stats(): Record<string, unknown> {
    const s = this.#bus(this.language === 'lua' ? 'Event.get_stats' : 'Event.getStats').stats();
    const original =
      this.#o.compat === 'llmspell'
        ? llmspellStats(
            s,
            this.#subs.size,
            [...this.#subs.values()].reduce((n, r) => n + r.queue.length, 0),
            this.language,
          )
        : {};
    if (this.language === 'javascript') return { ...s, scriptSubscriptions: this.#subs.size, ...original };
    const snake: Record<string, unknown> = { ...s };
    for (const [k, v] of Object.entries(s)) snake[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
    return { ...snake, script_subscriptions: this.#subs.size, ...original };
  }

  // ---- State --------------------------------------------------------------------------------

  #state(what: string): ScopedState {
    this.#alive(what);
    const state = this.#o.state;
    if (state === undefined)
      throw invalidArgument(`${what}: this ScriptRuntime was created without a \`state\`.`);
    return state;
  }

  /**
   * `State.save(scope, key, value)`: any string is a scope (see `storageScope`), and a nil or
   * undefined value is stored as null, so a later load gives nil/null, as in the original.
   */
  stateSave(scope: unknown, key: unknown, value: unknown): Promise<void> {
    const state = this.#state('State.save');
    const s = storageScope(scope, this.language, 'State.save');
    const k = checkStateKey(key, this.language, 'State.save');
    return state.save(s, k, (value ?? null) as JsonValue);
  }

  stateLoad(scope: unknown, key: unknown): Promise<unknown> {
    const state = this.#state('State.load');
    const s = storageScope(scope, this.language, 'State.load');
    return state.load(s, checkStateKey(key, this.language, 'State.load'));
  }

  stateDelete(scope: unknown, key: unknown): Promise<boolean> {
    const state = this.#state('State.delete');
    const s = storageScope(scope, this.language, 'State.delete');
    return state.delete(s, checkStateKey(key, this.language, 'State.delete'));
  }

  stateListKeys(scope: unknown): Promise<string[]> {
    const state = this.#state('State.list_keys');
    return state.listKeys(storageScope(scope, this.language, 'State.list_keys'));
  }

  // ---- host globals, sleep, os.getenv -------------------------------------------------------

  /** The host globals to install (see `planHostGlobals`); empty when the host gave none. */
  get hostTree(): Readonly<Record<string, HostTree>> {
    return this.#o.hostGlobals?.tree ?? {};
  }

  get compat(): CompatProfile | undefined {
    return this.#o.compat;
  }

  /** Environment variables granted to `os.getenv`, or undefined when none is. */
  get env(): readonly string[] | undefined {
    return this.#o.env;
  }

  /**
   * Calls host function `id` with already-converted arguments: its value, or a promise of it; a
   * failure is a {@link HostCallError} with the host's code (see `callHostFunction`).
   */
  callHost(id: number, args: unknown[]): unknown {
    this.#alive(this.hostPath(id));
    return callHostFunction(this.#o.hostGlobals, id, args);
  }

  /** The path of host function `id` (`Tool.invoke`), for messages. */
  hostPath(id: number): string {
    return this.#o.hostGlobals?.fns[id]?.path ?? `host function #${id}`;
  }

  /**
   * `sleep(ms)`: resolves after `ms` milliseconds without blocking the host (the documented
   * replacement for the original's `os.execute("sleep …")`). Bounded like every wait: a sleep
   * past `limits.waitMs` (or the hook's timeout) ends the callback with a wait timeout.
   */
  sleep(ms: unknown): Promise<void> {
    this.#alive('sleep');
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
      throw invalidArgument(
        `sleep: \`ms\` must be a number of milliseconds ≥ 0 (got ${describeArg(ms, this.language)}).`,
      );
    return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 2 ** 31 - 1)));
  }

  /** `os.getenv(name)`: the variable when the host granted it (`env`), else nil. */
  getenv(name: unknown): string | undefined {
    if (typeof name !== 'string')
      throw invalidArgument(
        `os.getenv: \`name\` must be a string (got ${describeArg(name, this.language)}).`,
      );
    return this.#o.env?.includes(name) ? process.env[name] : undefined;
  }

  // ---- log / print --------------------------------------------------------------------------

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown): void {
    message = this.#logs.keep(level, message);
    const logger = this.#o.logger;
    if (logger === undefined) return;
    try {
      logger[level](message, {
        script: this.name,
        language: this.language,
        ...(data !== undefined && { data }),
      });
    } catch {
      // A logger that throws must not become the script's problem.
    }
  }

  print(text: string): void {
    this.#logs.keep('print', text);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Unregisters every hook and subscription the script made. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const id of [...this.#hooks.keys()]) this.unregisterHook(id);
    for (const id of [...this.#subs.keys()]) this.unsubscribe(id);
  }

  /** A script holds at most `limits.registrations` hooks and subscriptions together. */
  #room(what: string, adding = 1): void {
    const limit = this.limits.registrations;
    if (this.#hooks.size + this.#subs.size + adding > limit)
      throw invalidArgument(
        `${what}: this script already holds ${limit} hooks and subscriptions (\`limits.registrations\`); unregister some first.`,
      );
  }

  #alive(what: string): void {
    if (this.disposed) throw new ScriptDisposedError(this.name, what);
  }
}

function noop(): void {}

function describeArg(value: unknown, language: ScriptLanguage): string {
  return typeName(value, language);
}

export { HostCallError } from './host-globals.js';

/** The name of a priority when it is one of the five levels, else the number. */
export function priorityLabel(value: number): string | number {
  for (const [name, n] of Object.entries(PRIORITY)) if (n === value) return name;
  return value;
}

/** True for anything with a callable `then`. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function'
  );
}
