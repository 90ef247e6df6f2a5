import type { HookFunction } from '@hookspell/hooks';

/**
 * Which hooks are running right now, for the progress line. Hooks registered by the CLI are
 * wrapped by `track()`; the wrapper keeps the hook's arity, so the executor still hands a
 * per-hook AbortSignal to exactly the hooks that declared one.
 */
export class RunningHooks {
  readonly #running = new Map<string, number>();

  /** Names of the hooks running now, in the order they started. */
  names(): string[] {
    return [...this.#running.keys()];
  }

  track(name: string, fn: HookFunction): HookFunction {
    const start = () => this.#running.set(name, (this.#running.get(name) ?? 0) + 1);
    const end = () => {
      const n = (this.#running.get(name) ?? 1) - 1;
      if (n <= 0) this.#running.delete(name);
      else this.#running.set(name, n);
    };
    const call = (ctx: Parameters<HookFunction>[0], signal: AbortSignal) => {
      start();
      let value: ReturnType<HookFunction>;
      try {
        value = fn(ctx, signal);
      } catch (error) {
        end();
        throw error;
      }
      if (
        value !== null &&
        typeof value === 'object' &&
        typeof (value as PromiseLike<unknown>).then === 'function'
      ) {
        return (value as Promise<unknown>).finally(end) as ReturnType<HookFunction>;
      }
      end();
      return value;
    };
    return fn.length >= 2 ? call : (ctx) => call(ctx, undefined as unknown as AbortSignal);
  }
}
