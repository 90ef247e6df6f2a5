/** An operation a `fork` result asks the host to start beside the main one. */
export interface ForkOperation {
  id: string;
  type: string;
  parameters?: Record<string, unknown>;
}

export interface ContinueResult {
  readonly type: 'continue';
}
export interface ModifiedResult {
  readonly type: 'modified';
  /** Shallow-merged into `ctx.data` for later hooks and into the outcome's `data`. */
  readonly data: Record<string, unknown>;
}
export interface CancelResult {
  readonly type: 'cancel';
  readonly reason: string;
}
export interface RedirectResult {
  readonly type: 'redirect';
  readonly target: string;
}
export interface ReplaceResult {
  readonly type: 'replace';
  readonly value: unknown;
}
export interface RetryResult {
  readonly type: 'retry';
  readonly delayMs: number;
  readonly maxAttempts: number;
}
export interface ForkResult {
  readonly type: 'fork';
  readonly operations: readonly ForkOperation[];
}
export interface CacheResult {
  readonly type: 'cache';
  readonly key: string;
  readonly ttlMs: number;
}
export interface SkippedResult {
  readonly type: 'skipped';
  readonly reason: string;
}

/**
 * What a hook answers: a union discriminated on `type`. Returning nothing means `continue`.
 */
export type HookResult =
  | ContinueResult
  | ModifiedResult
  | CancelResult
  | RedirectResult
  | ReplaceResult
  | RetryResult
  | ForkResult
  | CacheResult
  | SkippedResult;

export type HookResultType = HookResult['type'];

const CONTINUE: ContinueResult = Object.freeze({ type: 'continue' });

/**
 * How restrictive each result is, for the deterministic aggregate: the most restrictive wins
 * (cancel > replace > redirect > retry > cache > fork > modified > continue). `skipped` is
 * reported, never acted on, so it ranks below `continue`.
 */
export const RESULT_RANK: Readonly<Record<HookResultType, number>> = Object.freeze({
  skipped: -1,
  continue: 0,
  modified: 1,
  fork: 2,
  cache: 3,
  retry: 4,
  redirect: 5,
  replace: 6,
  cancel: 7,
});

/**
 * Constructors for the 9 result variants, plus a type guard.
 *
 * @example
 * ```ts
 * registry.register('BeforeToolExecution', (ctx) =>
 *   ctx.component.name === 'shell' ? HookResult.cancel('shell is not allowed') : HookResult.continue(),
 * );
 * ```
 */
export const HookResult = Object.freeze({
  /** Go on. The same frozen object every time: no allocation. */
  continue(): ContinueResult {
    return CONTINUE;
  },
  /** Shallow-merge `data` into the context data seen by later hooks and into the outcome. */
  modified(data: Record<string, unknown>): ModifiedResult {
    return { type: 'modified', data };
  },
  /** Stop: the guarded action must not happen. */
  cancel(reason: string): CancelResult {
    return { type: 'cancel', reason };
  },
  /** Do the action somewhere else (`wrap()` hands `target` to its `redirect` resolver). */
  redirect(target: string): RedirectResult {
    return { type: 'redirect', target };
  },
  /** Use `value` instead of doing the action (before) or instead of its result (after). */
  replace(value: unknown): ReplaceResult {
    return { type: 'replace', value };
  },
  /**
   * Run the action again after `delayMs`, `maxAttempts` attempts in all.
   * @param delayMs @default 1000
   * @param maxAttempts @default 3
   */
  retry(delayMs = 1000, maxAttempts = 3): RetryResult {
    return { type: 'retry', delayMs, maxAttempts };
  },
  /** Start these operations beside the action (`wrap()` runs them through its `fork` handler). */
  fork(operations: readonly ForkOperation[]): ForkResult {
    return { type: 'fork', operations };
  },
  /** Keep the action's result under `key` for `ttlMs` and serve later calls with that key from it. */
  cache(key: string, ttlMs: number): CacheResult {
    return { type: 'cache', key, ttlMs };
  },
  /** This hook did not act; reported, never acted on. */
  skipped(reason: string): SkippedResult {
    return { type: 'skipped', reason };
  },
  /** True for a well-formed result object of one of the 9 types. */
  is(value: unknown): value is HookResult {
    return resultProblem(value) === undefined;
  },
});

/**
 * Why `value` is not a valid result, or undefined when it is. Checked on every hook return, so it
 * switches on `type` and reads only the fields that variant needs.
 */
export function resultProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return `${describe(value)} is not a HookResult`;
  const r = value as Record<string, unknown>;
  switch (r.type) {
    case 'continue':
      return undefined;
    case 'modified':
      return typeof r.data === 'object' && r.data !== null && !Array.isArray(r.data)
        ? undefined
        : '`modified` needs a `data` object';
    case 'cancel':
    case 'skipped':
      return typeof r.reason === 'string' ? undefined : `\`${r.type}\` needs a string \`reason\``;
    case 'redirect':
      return typeof r.target === 'string' ? undefined : '`redirect` needs a string `target`';
    case 'replace':
      return 'value' in r ? undefined : '`replace` needs a `value`';
    case 'retry':
      return typeof r.delayMs === 'number' &&
        r.delayMs >= 0 &&
        Number.isInteger(r.maxAttempts) &&
        (r.maxAttempts as number) >= 1
        ? undefined
        : '`retry` needs `delayMs` ≥ 0 and an integer `maxAttempts` ≥ 1';
    case 'fork':
      return Array.isArray(r.operations) ? undefined : '`fork` needs an `operations` array';
    case 'cache':
      return typeof r.key === 'string' && typeof r.ttlMs === 'number' && r.ttlMs > 0
        ? undefined
        : '`cache` needs a string `key` and `ttlMs` > 0';
    default:
      return `${describe(value)} is not a HookResult (unknown type ${JSON.stringify(r.type)})`;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value).slice(0, 80);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}
