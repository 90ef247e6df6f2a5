// The correlation scope lives in @hookspell/hooks (the executor enters it around every hook);
// the bus reads it at publish and enters it around subscribers, so causality flows by itself.
import {
  type Correlation,
  correlationStorageCreated,
  currentCorrelation,
  withCorrelation,
} from '@hookspell/hooks';

export { type Correlation, currentCorrelation, withCorrelation };

/** Whether any correlation scope exists in this process (false: no AsyncLocalStorage cost to pay). */
export const isCorrelationActive: () => boolean = correlationStorageCreated;

/** Runs `handler(event)` inside `scope`. */
export function runInCorrelationScope<A, R>(scope: Correlation, handler: (arg: A) => R, arg: A): R {
  return withCorrelation(scope, () => handler(arg));
}
