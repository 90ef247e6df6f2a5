import { TYPE_CACHE_SIZE } from './limits.js';
import type { SubscriptionImpl } from './subscription.js';

/**
 * Finds the subscriptions whose pattern matches an event type, in subscription order.
 * Patterns are compiled once at subscribe time; the answer for a type is cached until the set of
 * subscriptions changes, so a publish of a type seen before costs one Map lookup. Arrays handed
 * out are never mutated afterwards (copy on write): a dispatch iterates a stable snapshot.
 */
export class SubscriptionIndex {
  private readonly exact = new Map<string, SubscriptionImpl[]>();
  private wildcard: SubscriptionImpl[] = [];
  private cache = new Map<string, SubscriptionImpl[]>();
  private count = 0;
  // One-entry memo in front of the cache: hosts mostly publish runs of the same type.
  private lastType: string | undefined;
  private lastMatch: readonly SubscriptionImpl[] = [];

  get size(): number {
    return this.count;
  }

  add(sub: SubscriptionImpl): void {
    if (sub.compiled.exact) {
      const list = this.exact.get(sub.pattern);
      this.exact.set(sub.pattern, list ? [...list, sub] : [sub]);
    } else {
      this.wildcard = [...this.wildcard, sub];
    }
    this.count++;
    this.invalidate();
  }

  remove(sub: SubscriptionImpl): void {
    if (sub.compiled.exact) {
      const list = this.exact.get(sub.pattern)?.filter((s) => s !== sub) ?? [];
      if (list.length === 0) this.exact.delete(sub.pattern);
      else this.exact.set(sub.pattern, list);
    } else {
      this.wildcard = this.wildcard.filter((s) => s !== sub);
    }
    this.count--;
    this.invalidate();
  }

  /** Subscriptions matching `type`, in the order they were made. Do not mutate the result. */
  match(type: string): readonly SubscriptionImpl[] {
    if (type === this.lastType) return this.lastMatch;
    let found = this.cache.get(type);
    if (found === undefined) {
      found = this.compute(type);
      if (this.cache.size >= TYPE_CACHE_SIZE) this.cache = new Map();
      this.cache.set(type, found);
    }
    this.lastType = type;
    this.lastMatch = found;
    return found;
  }

  private invalidate(): void {
    this.cache = new Map();
    this.lastType = undefined;
  }

  all(): SubscriptionImpl[] {
    return [...this.exact.values(), this.wildcard].flat().sort((a, b) => a.order - b.order);
  }

  private compute(type: string): SubscriptionImpl[] {
    const exact = this.exact.get(type);
    const wild = this.wildcard.length === 0 ? [] : this.wildcard.filter((s) => s.compiled.matches(type));
    if (!exact) return wild;
    if (wild.length === 0) return exact;
    return [...exact, ...wild].sort((a, b) => a.order - b.order);
  }
}
