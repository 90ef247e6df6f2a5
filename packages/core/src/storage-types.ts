/** A value that may or may not be a promise: drivers choose sync or async per method. */
export type MaybePromise<T> = T | Promise<T>;

/** What storage accepts and returns: plain JSON. */
export type JsonPrimitive = null | boolean | number | string;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** One entry returned by `list`. */
export interface ListEntry<T extends JsonValue = JsonValue> {
  key: string;
  value: T;
}

/** Options of `list(prefix, options)`. Keys are always ordered by the bytes of their UTF-8 form. */
export interface ListOptions {
  /** Return only keys strictly after this one in the listing direction (cursor paging). */
  startAfter?: string;
  /** At most this many entries (a non-negative integer). Default: all. */
  limit?: number;
  /** List from the greatest key down. Default `false`. */
  reverse?: boolean;
}

/** One operation of an atomic `batch`. */
export type BatchOp = { type: 'set'; key: string; value: JsonValue } | { type: 'delete'; key: string };

/** What a backend guarantees beyond the interface. */
export interface StorageCapabilities {
  /** `batch` is all-or-nothing even if the process dies in the middle of it. */
  atomicBatch: boolean;
  /** Acknowledged writes survive a kill of the writing process. */
  durable: boolean;
  /** Several processes may use the same store at once. */
  multiProcess: boolean;
}

/**
 * The one interface storage adapters provide. Everything hookspell persists (the event log, the
 * hook journal, scoped state) is built on these methods alone, so an adapter that passes
 * `describeStorageConformance` from `@hookspell/storage/testing` gets all of it.
 *
 * Most adapters are written as a {@link StorageDriver} and turned into a `StorageBackend` by
 * `defineBackend`, which adds key and value validation, the JSON codec, fallbacks and the
 * closed-state checks.
 */
export interface StorageBackend {
  /** Version of this interface the backend implements; lets hookspell check third-party adapters. */
  readonly specificationVersion: 'v1';
  /** Short name used in error messages (`memory`, `sqlite`, `postgres`, …). */
  readonly name: string;
  readonly capabilities: StorageCapabilities;
  /** The stored value, or `undefined` when the key is absent. */
  get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined>;
  set(key: string, value: JsonValue): Promise<void>;
  /** Removes the key; resolves `true` when it existed. */
  delete(key: string): Promise<boolean>;
  has(key: string): Promise<boolean>;
  /** Entries whose key starts with `prefix`, in UTF-8 byte order of keys. */
  list<T extends JsonValue = JsonValue>(prefix: string, options?: ListOptions): Promise<ListEntry<T>[]>;
  /** Applies every operation or none. Later operations on the same key win. */
  batch(ops: readonly BatchOp[]): Promise<void>;
  /** Removes every key starting with `prefix` (all keys when omitted). */
  clear(prefix?: string): Promise<void>;
  /** Releases resources; later calls reject with `HOOKSPELL_STORAGE_CLOSED`. Idempotent. */
  close(): Promise<void>;
}

/** A batch operation as a driver receives it: values already validated and encoded to JSON text. */
export type EncodedBatchOp = { type: 'set'; key: string; json: string } | { type: 'delete'; key: string };

/** A listed entry as a driver returns it. */
export interface EncodedEntry {
  key: string;
  json: string;
}

/** Options a driver's `list` receives: `limit` is always set (Infinity for "all"). */
export interface DriverListOptions {
  startAfter?: string;
  limit: number;
  reverse: boolean;
}

/**
 * The small contract an adapter author writes: an ordered map from string keys to JSON text.
 * Keys and values are validated, and values encoded, before a driver sees them.
 * Methods may be synchronous or return promises.
 */
export interface StorageDriver {
  /** Short name used in error messages, e.g. `json-file`. */
  name: string;
  capabilities?: Partial<StorageCapabilities>;
  get(key: string): MaybePromise<string | undefined>;
  set(key: string, json: string): MaybePromise<void>;
  delete(key: string): MaybePromise<boolean>;
  /** Entries with keys starting with `prefix`, in UTF-8 byte order (see `compareKeys`). */
  list(prefix: string, options: DriverListOptions): MaybePromise<EncodedEntry[]>;
  /** Optional; defaults to `get(key) !== undefined`. */
  has?(key: string): MaybePromise<boolean>;
  /** Optional but recommended: apply all operations atomically. Without it the host applies them
   * one by one and restores the previous values if one fails (not crash-safe). */
  batch?(ops: EncodedBatchOp[]): MaybePromise<void>;
  /** Optional; defaults to listing the prefix and deleting in one batch. */
  clear?(prefix: string): MaybePromise<void>;
  close?(): MaybePromise<void>;
  /** Largest encoded value in bytes the driver accepts. */
  maxValueBytes?: number;
}
