import { AsyncLocalStorage } from 'node:async_hooks';

/** What flows through async calls while a hook runs or inside `withCorrelation`. */
export interface Correlation {
  readonly correlationId: string;
  /** Execution id of the hook that is running, when there is one. */
  readonly causationId?: string | undefined;
}

// Created on first use, never at module load: on Node 20 an AsyncLocalStorage in use turns on
// promise hooks for every promise in the process (DESIGN.md, "The price of AsyncLocalStorage"),
// so merely importing this package must not pay it.
let storage: AsyncLocalStorage<Correlation> | undefined;

/**
 * The part of the `AsyncLocalStorage` hookspell uses. Declared here, not imported from
 * `node:async_hooks`, so the published types do not need `@types/node` to compile.
 */
export interface CorrelationStorage {
  run<R, A extends unknown[]>(store: Correlation, fn: (...args: A) => R, ...args: A): R;
  getStore(): Correlation | undefined;
}

/** The storage, created on first call. Used by the executor when propagation is on. */
export function correlationStorage(): CorrelationStorage {
  storage ??= new AsyncLocalStorage<Correlation>();
  return storage;
}

/**
 * True once anything in this process has entered a correlation scope. A bare executor
 * (no sink, no `correlation: true`) never makes this true.
 */
export function correlationStorageCreated(): boolean {
  return storage !== undefined;
}

/**
 * Runs `fn` inside a correlation scope: events published and hooks fired inside it (across
 * awaits and timers) carry `id`. Works whether or not any executor propagates correlation.
 *
 * @example
 * ```ts
 * await withCorrelation('req-42', async () => {
 *   await executor.fire('BeforeAgentExecution', input); // outcome.correlationId === 'req-42'
 * });
 * ```
 */
export function withCorrelation<T>(id: string | Correlation, fn: () => T): T {
  const scope: Correlation = typeof id === 'string' ? { correlationId: id, causationId: undefined } : id;
  return correlationStorage().run(scope, fn);
}

/**
 * The correlation of the code that is running: inside `withCorrelation`, or inside a hook run
 * by an executor with correlation on, `{ correlationId, causationId }`; otherwise undefined.
 * Never creates the storage.
 *
 * @example
 * ```ts
 * registry.register('AfterToolExecution', () => {
 *   console.log(currentCorrelation()); // { correlationId: '…', causationId: '<execution id>' }
 * });
 * ```
 */
export function currentCorrelation(): Correlation | undefined {
  return storage === undefined ? undefined : storage.getStore();
}
