import { type DefinedBackend, defineBackend } from '../define-backend.js';
import { SortedKeys } from '../sorted-keys.js';
import type { StorageDriver } from '../types.js';

export interface MemoryStorageOptions {
  /**
   * Largest encoded value in bytes.
   * @default 67108864 (64 MiB)
   */
  maxValueBytes?: number;
}

export interface MemoryDriver extends StorageDriver {
  /** The underlying map of key → JSON text (read-only use, for debugging). */
  getInstance(): ReadonlyMap<string, string>;
}

export type MemoryStorage = DefinedBackend<MemoryDriver>;

export interface MemoryStorageFactory {
  (options?: MemoryStorageOptions): MemoryStorage;
  new (options?: MemoryStorageOptions): MemoryStorage;
}

/**
 * A backend that keeps everything in this process's memory. Values are stored as JSON text, so
 * changing an object after `set` never changes what is stored. Fast and not durable: for tests,
 * caches and short-lived runs. Callable with or without `new`.
 *
 * @example
 * const storage = MemoryStorage();
 * await storage.set('greeting', { text: 'hello' });
 * await storage.get('greeting'); // { text: 'hello' }
 */
export const MemoryStorage = function MemoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  return defineBackend(createMemoryDriver(options));
} as unknown as MemoryStorageFactory;

function createMemoryDriver(options: MemoryStorageOptions): MemoryDriver {
  const values = new Map<string, string>();
  const order = new SortedKeys();
  return {
    name: 'memory',
    capabilities: { atomicBatch: true, durable: false, multiProcess: false },
    maxValueBytes: options.maxValueBytes,
    getInstance: () => values,
    get: (key) => values.get(key),
    has: (key) => values.has(key),
    set(key, json) {
      if (!values.has(key)) order.add(key);
      values.set(key, json);
    },
    delete(key) {
      if (!values.delete(key)) return false;
      order.remove(key);
      return true;
    },
    list(prefix, options) {
      return order.range(prefix, options).map((key) => ({ key, json: values.get(key)! }));
    },
    // Synchronous and validated beforehand, so nothing can fail half-way.
    batch(ops) {
      for (const op of ops) {
        if (op.type === 'set') this.set(op.key, op.json);
        else this.delete(op.key);
      }
    },
    clear(prefix) {
      if (prefix === '') {
        values.clear();
        order.clear();
        return;
      }
      for (const key of order.range(prefix, { limit: Number.POSITIVE_INFINITY, reverse: false })) {
        this.delete(key);
      }
    },
    close() {
      values.clear();
      order.clear();
    },
  };
}
