import { compareKeys, prefixUpperBound } from './keys.js';
import type { DriverListOptions } from './types.js';

/**
 * A sorted array of distinct keys in UTF-8 byte order, with the range scan every ordered driver
 * needs. Exported so that custom in-memory or file drivers need not rewrite it.
 */
export class SortedKeys {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Inserts `key`; returns false when it was already present. */
  add(key: string): boolean {
    const at = this.lowerBound(key);
    if (this.keys[at] === key) return false;
    if (at === this.keys.length) this.keys.push(key);
    else this.keys.splice(at, 0, key);
    return true;
  }

  /** Removes `key`; returns false when it was absent. */
  remove(key: string): boolean {
    const at = this.lowerBound(key);
    if (this.keys[at] !== key) return false;
    this.keys.splice(at, 1);
    return true;
  }

  clear(): void {
    this.keys.length = 0;
  }

  /** Keys starting with `prefix`, after `startAfter` in the listing direction, at most `limit`. */
  range(prefix: string, { startAfter, limit, reverse }: DriverListOptions): string[] {
    const upper = prefix === '' ? undefined : prefixUpperBound(prefix);
    let from = this.lowerBound(prefix);
    let to = upper === undefined ? this.keys.length : this.lowerBound(upper);
    if (startAfter !== undefined) {
      if (reverse) to = Math.min(to, this.lowerBound(startAfter));
      else from = Math.max(from, this.upperBound(startAfter));
    }
    if (from >= to) return [];
    const count = Math.min(to - from, limit);
    return reverse ? this.keys.slice(to - count, to).reverse() : this.keys.slice(from, from + count);
  }

  // First index whose key is >= `key`.
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.keys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // First index whose key is > `key`.
  private upperBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.keys[mid]!, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
