import { HookError, HookErrorCode } from '../errors/hook-error.js';
import { HookResult, resultProblem } from '../hook-result.js';
import { describeThrown } from '../thrown-value.js';
import type { Hook, HookContext, HookObject } from '../types.js';

/** Options every composite takes. */
export interface CompositeOptions {
  /** Name of the composite hook. @default e.g. `sequential(a,b,c)` */
  name?: string;
  /**
   * Called for a child that throws or returns something that is not a result. Such a child
   * abstains (fail-open, like hooks at a point); if every child fails, the composite throws an
   * `AggregateError`, so the executor records an `error` for it.
   */
  onChildError?: (error: unknown, index: number) => void;
}

/** What one child did: a result, or it failed / did not apply. */
export type ChildOutcome = { ok: true; result: HookResult } | { ok: false; error: unknown };

/** Runs one child hook, normalising its return (nothing → continue). */
export async function runChild(hook: Hook, ctx: HookContext, signal: AbortSignal): Promise<ChildOutcome> {
  try {
    let value: unknown;
    if (typeof hook === 'function') value = await hook(ctx, signal);
    else {
      if (hook.shouldExecute !== undefined && !hook.shouldExecute(ctx)) {
        return { ok: true, result: HookResult.skipped('not applicable (shouldExecute returned false)') };
      }
      value = await hook.execute(ctx, signal);
    }
    if (value === undefined || value === null) return { ok: true, result: HookResult.continue() };
    const problem = resultProblem(value);
    if (problem !== undefined)
      return {
        ok: false,
        error: new HookError(
          HookErrorCode.INVALID_ARGUMENT,
          `composite child returned something that is not a HookResult: ${problem}. Return a HookResult.*() value or nothing.`,
        ),
      };
    return { ok: true, result: value as HookResult };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A view of `ctx` with its own `data`, so a child's changes don't leak before the composite decides. */
export function viewWithData(ctx: HookContext, data: Record<string, unknown>): HookContext {
  const view = Object.create(ctx) as HookContext;
  Object.defineProperty(view, 'data', { value: data, writable: true, enumerable: true, configurable: true });
  return view;
}

/** Reports a failed child and throws once every child has failed. */
export class ChildFailures {
  private count = 0;
  private readonly errors: unknown[] = [];

  constructor(
    private readonly label: string,
    private readonly options: CompositeOptions,
  ) {}

  add(error: unknown, index: number): void {
    this.count++;
    this.errors.push(error);
    try {
      this.options.onChildError?.(error, index);
    } catch {
      // reporting must not change the composite's result
    }
  }

  /** Throws when all `total` children failed (there was nothing to decide from). */
  check(total: number): void {
    if (total > 0 && this.count === total) {
      // Coded like every hookspell error; each child's own error stays in `cause.errors`.
      throw new HookError(
        HookErrorCode.COMPOSITE_FAILED,
        `${this.label}: every child hook failed (${total}); the first: ${describeThrown(this.errors[0]).message}`,
        { cause: new AggregateError(this.errors, `${this.label}: every child hook failed`) },
      );
    }
  }
}

/** Default name of a composite: `kind(child names)`. */
export function compositeName(kind: string, hooks: readonly Hook[], options: CompositeOptions): string {
  if (options.name !== undefined) return options.name;
  const names = hooks.map((h, i) => (typeof h === 'function' ? h.name : (h as HookObject).name) || `#${i}`);
  return `${kind}(${names.join(',')})`;
}
