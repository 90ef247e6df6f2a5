import { CircuitBreaker } from './circuit-breaker.js';
import type { DeadlineList } from './deadline-queue.js';
import { HookError, HookErrorCode } from './errors/hook-error.js';
import type { HookPoint } from './hook-points.js';
import type { LatencyMetrics } from './metrics.js';
import { priorityValue } from './priority.js';
import type {
  Hook,
  HookContext,
  HookFunction,
  HookInfo,
  HookLanguage,
  HookObject,
  RegisterOptions,
} from './types.js';

/** Version of a hook registered without one (the original system's default). */
export const DEFAULT_VERSION = '1.0.0';

const LANGUAGES: ReadonlySet<string> = new Set(['native', 'lua', 'javascript', 'command']);

/**
 * A registered hook, normalised once at registration so the executor reads plain fields and
 * never re-checks options on the hot path.
 * @internal
 */
export class HookEntry {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly point: HookPoint;
  /** Registration order within the registry; breaks priority ties. */
  readonly seq: number;
  readonly priority: number;
  readonly language: HookLanguage;
  readonly tags: readonly string[];
  readonly dependsOn: readonly string[];
  readonly timeoutMs: number | undefined;
  /** The hook's own `onFailure`; undefined follows its point (`failClosed`), else fail-open. */
  readonly onFailure: 'continue' | 'cancel' | undefined;
  readonly critical: boolean;
  readonly mutates: boolean;
  readonly breaker: CircuitBreaker | null;
  /** The function to call, and the `this` to call it with (the hook object, if any). */
  readonly fn: HookFunction;
  readonly self: HookObject | undefined;
  readonly shouldExecute: ((ctx: HookContext) => boolean) | undefined;
  readonly wantsSignal: boolean;
  readonly once: boolean;
  enabled: boolean;
  registered = true;
  /** A `once` hook that has started; later fires (even ones already in flight) skip it. */
  spent = false;
  /** Deadline list of `timeoutMs`, looked up once. */
  deadlines: DeadlineList | undefined;
  /** Per-executor metrics, indexed by the executor's slot. */
  readonly metrics: (LatencyMetrics | undefined)[] = [];

  constructor(
    id: string,
    name: string,
    point: HookPoint,
    seq: number,
    hook: Hook,
    opts: RegisterOptions,
    once: boolean,
  ) {
    this.id = id;
    this.name = name;
    this.point = point;
    this.seq = seq;
    const object = typeof hook === 'function' ? undefined : hook;
    this.fn = typeof hook === 'function' ? hook : hook.execute;
    this.self = object;
    this.shouldExecute = object?.shouldExecute?.bind(object);
    this.priority = priorityValue(opts.priority ?? object?.priority);
    this.version = opts.version ?? object?.version ?? DEFAULT_VERSION;
    if (typeof this.version !== 'string' || this.version.length === 0) {
      throw invalid(`\`version\` must be a non-empty string; got ${JSON.stringify(this.version)}.`);
    }
    this.language = opts.language ?? 'native';
    if (!LANGUAGES.has(this.language)) {
      throw invalid(
        `\`language\` must be 'native', 'lua', 'javascript' or 'command'; got ${JSON.stringify(this.language)}.`,
      );
    }
    this.tags = Object.freeze([...(opts.tags ?? [])]);
    this.dependsOn = Object.freeze([...new Set(opts.dependsOn ?? [])]);
    const timeoutMs = opts.timeoutMs ?? object?.timeoutMs;
    if (timeoutMs !== undefined && !(timeoutMs > 0)) {
      throw invalid(`\`timeoutMs\` must be a number > 0; got ${timeoutMs}.`);
    }
    this.timeoutMs = timeoutMs;
    if (opts.onFailure !== undefined && opts.onFailure !== 'continue' && opts.onFailure !== 'cancel') {
      throw invalid(`\`onFailure\` must be 'continue' or 'cancel'; got ${JSON.stringify(opts.onFailure)}.`);
    }
    this.onFailure = opts.onFailure;
    this.critical = opts.critical === true;
    this.mutates = opts.mutates === true;
    this.breaker = opts.breaker === false ? null : new CircuitBreaker(opts.breaker ?? 'default');
    this.enabled = opts.enabled !== false;
    this.wantsSignal = opts.signal ?? this.fn.length >= 2;
    this.once = once;
  }

  /** Whether a failure of this hook cancels, given its point's `failClosed` setting. */
  failsClosed(pointFailClosed: boolean): boolean {
    return this.onFailure === undefined ? pointFailClosed : this.onFailure === 'cancel';
  }

  info(pointFailClosed = false): HookInfo {
    return {
      id: this.id,
      name: this.name,
      version: this.version,
      point: this.point,
      priority: this.priority,
      language: this.language,
      tags: this.tags,
      dependsOn: this.dependsOn,
      enabled: this.enabled,
      critical: this.critical,
      mutates: this.mutates,
      onFailure: this.failsClosed(pointFailClosed) ? 'cancel' : 'continue',
      onFailureSource: this.onFailure !== undefined ? 'hook' : pointFailClosed ? 'point' : 'default',
      timeoutMs: this.timeoutMs,
      breaker: this.breaker?.snapshot(),
    };
  }
}

/** Checks the hook argument itself; throws `HOOKSPELL_INVALID_ARGUMENT` naming what is wrong. */
export function assertHook(hook: unknown): asserts hook is Hook {
  if (typeof hook === 'function') return;
  if (typeof hook === 'object' && hook !== null && typeof (hook as HookObject).execute === 'function') {
    const should = (hook as HookObject).shouldExecute;
    if (should !== undefined && typeof should !== 'function')
      throw invalid('`hook.shouldExecute` must be a function.');
    return;
  }
  throw invalid(
    '`hook` must be a function `(ctx, signal) => result` or an object with an `execute(ctx, signal)` method.',
  );
}

function invalid(message: string): HookError {
  return new HookError(HookErrorCode.INVALID_ARGUMENT, message);
}
