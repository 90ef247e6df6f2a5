export type {
  BatchOp,
  DriverListOptions,
  EncodedBatchOp,
  EncodedEntry,
  JsonObject,
  JsonPrimitive,
  JsonValue,
  ListEntry,
  ListOptions,
  MaybePromise,
  StorageBackend,
  StorageCapabilities,
  StorageDriver,
} from './types.js';
export { HookspellError, type HookspellErrorOptions } from './errors/hookspell-error.js';
export { StorageError, StorageErrorCode } from './errors/storage-error.js';
export { defineBackend, DEFAULT_MAX_VALUE_BYTES, type DefinedBackend } from './define-backend.js';
export { keyProblem, assertValidKey, compareKeys, prefixUpperBound, MAX_KEY_LENGTH } from './keys.js';
export { jsonValueProblem, encodeJsonValue, decodeJsonValue } from './json-value.js';
export { SortedKeys } from './sorted-keys.js';
export { MemoryStorage, type MemoryStorageOptions, type MemoryDriver, type MemoryStorageFactory } from './memory/index.js';
export {
  SqliteStorage,
  SQLITE_SCHEMA_VERSION,
  type SqliteStorageOptions,
  type SqliteDriver,
  type SqliteStorageFactory,
} from './sqlite/index.js';
export { ScopedState, parseScope, type Scope, type ScopeKind, type ScopedStateOptions } from './scoped-state.js';
