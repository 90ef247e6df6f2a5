import type { WrapCacheStore } from '@hookspell/hooks';
import { LRUCache } from 'lru-cache';

/**
 * The default store of `cache` results: the same LRU (lru-cache, 1000 entries, per-entry TTL) that
 * `executor.wrap()` uses, one per integration instance.
 */
export function defaultCacheStore(): WrapCacheStore {
  const lru = new LRUCache<string, { value: unknown }>({ max: 1000, ttlResolution: 0 });
  return {
    get: (key) => lru.get(key),
    set: (key, entry, ttlMs) => void lru.set(key, entry, { ttl: ttlMs }),
  };
}
