import type { BreakerConfig, BreakerPreset, BreakerSnapshot } from './circuit-breaker.js';
import type { Clock } from './clock.js';
import type { HookPoint } from './hook-points.js';
import type { HookResult } from './hook-result.js';
import type { HookData } from './point-data.js';
import type { Priority } from './priority.js';

/** Where a hook's code comes from. Script and command hooks are run by `@hookspell/bridge`. */
export type HookLanguage = 'native' | 'lua' | 'javascript' | 'command';

/** The kind of component a point is fired for. */
export type ComponentType = 'agent' | 'tool' | 'workflow' | 'system' | 'custom';

/** Which component a point is fired for. */
export interface ComponentRef {
  id?: string;
  type: ComponentType;
  name: string;
}

/** The operation being guarded, when there is one. */
export interface Operation {
  type: string;
  id: string;
  parameters?: Record<string, unknown>;
  result?: unknown;
  error?: unknown;
}

/** What the host passes to `fire()`; the executor builds the {@link HookContext} from it. */
export interface HookInput<D extends object = HookData> {
  /** @default { type: 'system', name: 'host' } */
  component?: ComponentRef;
  /** @default {} */
  data?: D;
  /** @default {} */
  metadata?: Record<string, string>;
  /** @default 'native' */
  language?: HookLanguage;
  operation?: Operation;
  parent?: HookContext;
  /** Used when `FireOptions.correlationId` is not given (a context from `ctx.child()` has one). */
  correlationId?: string;
}

/**
 * What a hook sees. In a sequential chain every hook gets the same context, whose `data` has the
 * earlier hooks' `modified` results merged in; in parallel mode each hook gets its own, with its
 * prerequisites' modifications merged in. Writing to `data`/`metadata` directly is visible to
 * later hooks of a sequential chain; returning `modified` is the portable way.
 */
export interface HookContext<D extends object = HookData> {
  readonly point: HookPoint;
  readonly component: ComponentRef;
  /** Typed by the registry's point map (`new HookRegistry<Points>()`), else {@link HookData}. */
  data: D;
  metadata: Record<string, string>;
  readonly language: HookLanguage;
  readonly correlationId: string;
  /** When the fire started, epoch ms (the executor's clock). */
  readonly timestamp: number;
  readonly operation?: Operation | undefined;
  readonly parent?: HookContext | undefined;
  /**
   * A context for a nested point: same component, language, correlation id and a copy of the
   * metadata, empty data, `parent` set to this context. Pass it as the input of the nested fire.
   */
  child(point: HookPoint): HookContext;
}

/** A hook as a function. Returning nothing (or a promise of nothing) means `continue`. */
export type HookFunction<D extends object = HookData> = (
  ctx: HookContext<D>,
  signal: AbortSignal,
) => HookReturn | Promise<HookReturn>;

/** What a hook function may return; `void` lets `() => {}` and `async () => {}` be hooks. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing means `continue`
export type HookReturn = HookResult | undefined | void;

/** A hook as an object; `shouldExecute` returning false gives a `skipped` record. */
export interface HookObject<D extends object = HookData> {
  name?: string;
  /** Used when the registration gives no version; part of the journal's hook id `name:version`. */
  version?: string;
  /** Used when the registration gives no priority; read by composites' `by-priority` voting. */
  priority?: Priority;
  /**
   * Used when the registration gives no `timeoutMs`: a hook made with its own deadline (a remote
   * hook) carries it, and the executor's timeout then governs it like any other.
   */
  timeoutMs?: number;
  execute: HookFunction<D>;
  shouldExecute?(ctx: HookContext<D>): boolean;
}

/** Either form of hook. */
export type Hook<D extends object = HookData> = HookFunction<D> | HookObject<D>;

/** How a point runs its hooks. */
export type ExecutionMode = 'sequential' | 'parallel';

/** Options of `registry.register()`. */
export interface RegisterOptions {
  /** Unique per point. @default the function's name plus a counter, e.g. `denyShell#3` */
  name?: string;
  /**
   * Version of the hook's code; the journal records executions under `name:version`, and a replay
   * says when the hook registered now is not the version that was recorded.
   * @default the hook object's `version`, else '1.0.0'
   */
  version?: string;
  /** @default 'normal' (0); lower runs first, ties keep registration order */
  priority?: Priority;
  /** @default 'native' */
  language?: HookLanguage;
  tags?: readonly string[];
  /** Names of hooks at the same point that must finish first (and whose modifications this one sees). */
  dependsOn?: readonly string[];
  /** Per-hook timeout. @default the fire's `timeoutMs`, else the executor's `defaultTimeoutMs` */
  timeoutMs?: number;
  /**
   * `'cancel'` makes the hook fail-closed: its failure (timeout, error, invalid result, launch
   * failure) or an open breaker cancels the fire, naming the hook and the cause. `'continue'`
   * keeps it fail-open even at a `failClosed` point.
   * @default the point's `failClosed` ('cancel' when set), else 'continue'
   */
  onFailure?: 'continue' | 'cancel';
  /** A failure skips every hook not yet started (both modes). @default false */
  critical?: boolean;
  /** Hooks marked `mutates` never run at the same time as each other in parallel mode. @default false */
  mutates?: boolean;
  /** Circuit breaker preset or config; `false` for none. @default 'default' */
  breaker?: BreakerPreset | Partial<BreakerConfig> | false;
  /** @default true */
  enabled?: boolean;
  /**
   * Give the hook its own AbortSignal, aborted on its timeout. Building one costs ~2 µs, so by
   * default only hooks that declare a second parameter (`fn.length >= 2`) get one; others are
   * passed the fire's signal (or a signal that never aborts).
   * @default fn.length >= 2
   */
  signal?: boolean;
}

/** What `registry.register()` returns. */
export interface HookHandle {
  readonly id: string;
  readonly name: string;
  readonly point: HookPoint;
  /** Removes exactly this hook; true if it was still registered. */
  unregister(): boolean;
}

/** One hook of a batch given to `registry.registerMany()`. */
export interface HookRegistration extends RegisterOptions {
  point: HookPoint;
  hook: Hook;
}

/** What `registry.registerMany()` returns: the handles and one undo for the batch. */
export interface HookBatch {
  readonly handles: readonly HookHandle[];
  unregister(): number;
}

/** Per-point execution settings (`registry.configurePoint`). */
export interface PointConfig {
  /** @default 'sequential' */
  mode?: ExecutionMode;
  /** Parallel mode only. @default Infinity */
  maxParallel?: number;
  /** Parallel mode: abort the signals of running siblings when a critical hook fails. @default false */
  abortOnCritical?: boolean;
  /**
   * Every hook at this point fails closed — a timeout, a throw, an invalid result, a launch
   * failure or an open breaker makes the decision `cancel` naming the hook and the cause — unless
   * the hook was registered with `onFailure: 'continue'` itself. Set it on points that guard an
   * action (e.g. `BeforeToolExecution`). @default false
   */
  failClosed?: boolean;
}

/** Filter of `registry.list()`. */
export interface HookFilter {
  point?: HookPoint;
  language?: HookLanguage;
  priority?: Priority;
  tag?: string;
}

/** What `registry.list()` tells about a hook. */
export interface HookInfo {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly point: HookPoint;
  readonly priority: number;
  readonly language: HookLanguage;
  readonly tags: readonly string[];
  readonly dependsOn: readonly string[];
  readonly enabled: boolean;
  readonly critical: boolean;
  readonly mutates: boolean;
  /** What a failure of this hook does (its own setting, else its point's, else 'continue'). */
  readonly onFailure: 'continue' | 'cancel';
  /** Where `onFailure` comes from: the hook's registration, its point's `failClosed`, or the default. */
  readonly onFailureSource: 'hook' | 'point' | 'default';
  readonly timeoutMs: number | undefined;
  readonly breaker: BreakerSnapshot | undefined;
}

/** Progress of a fire: hooks started, hooks finished (incl. skipped), hooks planned. */
export type ProgressCallback = (started: number, completed: number, total: number) => void;

/** Options of `executor.fire()`. */
export interface FireOptions {
  /** @default the point's configured mode, else 'sequential' */
  mode?: ExecutionMode;
  /** @default the point's configured maxParallel, else Infinity */
  maxParallel?: number;
  /** Timeout of hooks that have none of their own. @default the executor's `defaultTimeoutMs` */
  timeoutMs?: number;
  /** Aborting it skips hooks not yet started, aborts running ones, and the decision is `cancel`. */
  signal?: AbortSignal;
  /** @default the input's, else the current correlation scope's, else a new id */
  correlationId?: string;
  onProgress?: ProgressCallback;
  /** Parallel mode: abort running siblings when a critical hook fails. @default the point's setting */
  abortOnCritical?: boolean;
}

/** Status of one hook in one fire. */
export type ExecutionStatus = 'ok' | 'error' | 'timeout' | 'skipped';

/** What happened to one planned hook in one fire. Exactly one per planned hook. */
export interface HookExecutionRecord {
  readonly hookId: string;
  readonly name: string;
  readonly executionId: string;
  readonly status: ExecutionStatus;
  /** The hook's result (`ok`), the reason (`skipped`), undefined for `error`/`timeout`. */
  readonly result: HookResult | undefined;
  /** The thrown value (`error`) or the timeout error (`timeout`). */
  readonly error: unknown;
  /** Executor clock, 0 for a hook that never started. */
  readonly startedAt: number;
  readonly durationMs: number;
}

/** Several hooks wrote one key with no `dependsOn` order between them. */
export interface DataConflict {
  readonly key: string;
  /** The writers in merge order; the last one's value is in the outcome. */
  readonly hooks: readonly string[];
  readonly winner: string;
}

/** What `executor.fire()` resolves to. It never rejects because a hook failed. */
export interface HookOutcome<D extends object = HookData> {
  readonly point: HookPoint;
  /** The aggregate: cancel > replace > redirect > retry > cache > fork > modified > continue. */
  readonly decision: HookResult;
  /** The input data with every `modified` result merged in. */
  readonly data: D;
  /**
   * The fire's metadata after every hook ran: `input.metadata` itself (hooks write into the
   * object the host passed, e.g. rateLimit's `X-RateLimit-*` headers), or a new object if none was.
   */
  readonly metadata: Record<string, string>;
  /** One per planned hook, in plan order (priority, then registration, dependencies first). */
  readonly records: readonly HookExecutionRecord[];
  /** Every non-continue, non-skipped result, in plan order (what `wrap()` acts on). */
  readonly directives: readonly HookResult[];
  readonly correlationId: string;
  readonly durationMs: number;
  readonly conflicts: readonly DataConflict[];
}

/** Lifecycle event types the executor emits to its sink. */
export type HookLifecycleEventType =
  | 'hook.fire.started'
  | 'hook.execution.completed'
  | 'hook.execution.failed'
  | 'hook.execution.timeout'
  | 'hook.execution.skipped'
  | 'hook.fire.completed'
  | 'hook.breaker.opened'
  | 'hook.breaker.half_open'
  | 'hook.breaker.closed';

/** Correlation metadata of a lifecycle event. */
export interface LifecycleMeta {
  correlationId: string;
  causationId?: string;
}

/**
 * Where the executor reports its lifecycle (the event bus provides one). Without a sink no event
 * object is ever built. A sink that throws is ignored.
 */
export interface LifecycleSink {
  emit(type: HookLifecycleEventType, data: Record<string, unknown>, meta: LifecycleMeta): void;
}

/** Options of `new HookExecutor()`. */
export interface ExecutorOptions {
  /** @default 5000 */
  defaultTimeoutMs?: number;
  sink?: LifecycleSink;
  /** Enter an AsyncLocalStorage scope around each hook. @default true when a sink is given */
  correlation?: boolean;
  /** @default systemClock */
  clock?: Clock;
  /** Keep per-hook metrics. @default true */
  metrics?: boolean;
}
