import { performance } from 'node:perf_hooks';

/**
 * Time source of an executor: milliseconds, monotonic. It times hooks, stamps contexts and
 * drives circuit breakers; inject a fake one in tests to move breaker windows by hand.
 * Timeouts always run on real time (a fake clock can't fire a timer).
 */
export interface Clock {
  now(): number;
}

// Taken from node:perf_hooks, not the global: on Node 20 `globalThis.performance` is a lazy
// getter, and reading it on every clock reading showed up in profiles of the fire hot path.
const origin = performance.timeOrigin;

/**
 * The default clock: `performance.timeOrigin + performance.now()`, i.e. epoch milliseconds with
 * sub-millisecond precision that never go backwards. One reading times a hook and stamps a
 * context, so a fire reads the clock once per hook plus once.
 */
export const systemClock: Clock = Object.freeze({
  now: (): number => origin + performance.now(),
});
