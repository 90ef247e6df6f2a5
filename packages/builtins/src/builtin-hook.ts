import {
  type AnyHookRegistry,
  type Clock,
  type HookBatch,
  type HookContext,
  HookError,
  HookErrorCode,
  type HookObject,
  type HookPoint,
  type HookReturn,
  type Priority,
  type RegisterOptions,
} from '@hookspell/hooks';

/**
 * A built-in hook: a hook object (register it anywhere yourself) that also knows the points it is
 * meant for and the registration options it needs, so `hook.register(registry)` does the right
 * thing in one call.
 */
export interface BuiltinHook extends HookObject {
  readonly name: string;
  readonly version: string;
  readonly priority: Priority;
  /** The points `register()` uses when given none. */
  readonly points: readonly HookPoint[];
  /** What `register()` passes to the registry (name, priority, version, tags, onFailure…). */
  readonly registerOptions: Readonly<RegisterOptions>;
  execute(ctx: HookContext, signal: AbortSignal): HookReturn | Promise<HookReturn>;
  /**
   * Registers this hook at `points` (default: its own) with its options merged with `options`;
   * returns the batch with one undo.
   *
   * @example
   * ```ts
   * const batch = logging().register(registry, ['BeforeToolExecution', 'AfterToolExecution']);
   * batch.unregister();
   * ```
   */
  register(registry: AnyHookRegistry, points?: readonly HookPoint[], options?: RegisterOptions): HookBatch;
}

/** Options every built-in takes. */
export interface BuiltinOptions {
  /** Registration name (unique per point). @default the built-in's name, e.g. 'caching' */
  name?: string;
  /** @default the built-in's default priority (parity with the original) */
  priority?: Priority;
  /** Points `register()` uses. @default the built-in's own list */
  points?: readonly HookPoint[];
  /** Time source (epoch ms) for metadata stamps, windows, buckets and TTLs. @default systemClock */
  clock?: Clock;
}

/** Builds a built-in from its parts. @internal */
export function defineBuiltin<T extends object>(
  base: {
    name: string;
    priority: Priority;
    points: readonly HookPoint[];
    options: BuiltinOptions;
    registerOptions?: RegisterOptions;
    execute: BuiltinHook['execute'];
  },
  extra: T,
): BuiltinHook & NoInfer<T> {
  const name = base.options.name ?? base.name;
  const priority = base.options.priority ?? base.priority;
  const points = Object.freeze([...(base.options.points ?? base.points)]);
  const registerOptions: RegisterOptions = Object.freeze({
    version: BUILTIN_VERSION,
    tags: ['builtin', base.name],
    ...base.registerOptions,
    name,
    priority,
  });
  const hook: BuiltinHook = {
    name,
    version: BUILTIN_VERSION,
    priority,
    points,
    registerOptions,
    execute: base.execute,
    register(registry, at = points, options = {}) {
      return registry.registerMany(at.map((point) => ({ ...registerOptions, ...options, point, hook })));
    },
  };
  // Descriptors, not Object.assign: getters of `extra` (live counters) must stay getters.
  return Object.defineProperties(hook, Object.getOwnPropertyDescriptors(extra)) as BuiltinHook & T;
}

/** Version of the built-ins, recorded by the journal as `name:version`. */
export const BUILTIN_VERSION = '1.0.0';

/** `clock.now()` as an ISO 8601 string, for the `*_at` metadata keys. */
export function isoAt(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}

/** Throws `HOOKSPELL_INVALID_ARGUMENT` naming the built-in and option unless `ok`. */
export function check(ok: boolean, builtin: string, message: string): void {
  if (!ok) throw new HookError(HookErrorCode.INVALID_ARGUMENT, `${builtin}(): ${message}`);
}

/** A number option that must be > 0 (or ≥ 0), checked. */
export function positiveOption(
  value: number | undefined,
  fallback: number,
  builtin: string,
  name: string,
  zeroOk = false,
): number {
  if (value === undefined) return fallback;
  check(
    typeof value === 'number' && Number.isFinite(value) && (zeroOk ? value >= 0 : value > 0),
    builtin,
    `\`${name}\` must be a finite number ${zeroOk ? '≥ 0' : '> 0'}; got ${JSON.stringify(value)}.`,
  );
  return value;
}

/** Error points: a fire there reports a failure, not a success. */
export const ERROR_POINTS: ReadonlySet<string> = new Set([
  'AgentError',
  'ToolError',
  'WorkflowError',
  'EventHandlerError',
  'SecurityViolation',
  'ResourceLimitExceeded',
]);

/** Before-points paired with their after-points, to time an operation. */
export const AFTER_OF: Readonly<Record<string, string>> = Object.freeze({
  BeforeAgentInit: 'AfterAgentInit',
  BeforeAgentExecution: 'AfterAgentExecution',
  BeforeAgentShutdown: 'AfterAgentShutdown',
  BeforeToolDiscovery: 'AfterToolDiscovery',
  BeforeToolExecution: 'AfterToolExecution',
  BeforeWorkflowStage: 'AfterWorkflowStage',
  BeforeWorkflowStart: 'AfterWorkflowComplete',
  BeforeStateRead: 'AfterStateRead',
  BeforeStateWrite: 'AfterStateWrite',
  BeforeEventEmit: 'AfterEventEmit',
});

/** The operation a point belongs to: both points of a before/after pair map to the before-point. */
export function operationOf(point: string): string {
  return BEFORE_OF[point] ?? point;
}

const BEFORE_OF: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(AFTER_OF).map(([before, after]) => [after, before])),
);
