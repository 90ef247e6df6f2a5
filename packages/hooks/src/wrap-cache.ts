import type { Clock } from '@hookspell/core';

/**
 * `wrap()`'s default store for `cache` directives: least recently used out past `max` entries,
 * each entry expiring `ttlMs` after it was set (on the executor's clock, so tests can move time).
 * A Map keeps insertion order, so re-inserting on a hit makes its first key the least recently
 * used: no library needed for this (lru-cache was a third of the hooks bundle), and the hot path
 * of a wrapped call without a `cache` directive never touches it.
 * @internal
 */
export class WrapCache {
  readonly #max: number;
  readonly #clock: Clock;
  readonly #entries = new Map<string, { value: unknown; expiresAt: number }>();

  constructor(max: number, clock: Clock) {
    this.#max = max;
    this.#clock = clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): { value: unknown } | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#clock.now()) return undefined;
    this.#entries.set(key, entry);
    return { value: entry.value };
  }

  /** `ttlMs` ≤ 0 or not finite: kept until evicted. */
  set(key: string, entry: { value: unknown }, ttlMs: number): void {
    const expiresAt = ttlMs > 0 && Number.isFinite(ttlMs) ? this.#clock.now() + ttlMs : Infinity;
    this.#entries.delete(key);
    this.#entries.set(key, { value: entry.value, expiresAt });
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
