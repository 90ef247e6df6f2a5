export { DEFAULT_MAX_VALUE_BYTES, type DefinedBackend, defineBackend } from './define-backend.js';
export { HookspellError, type HookspellErrorOptions } from './errors/hookspell-error.js';
export { StorageError, StorageErrorCode } from './errors/storage-error.js';
export { decodeJsonValue, encodeJsonValue, jsonValueProblem } from './json-value.js';
export { assertValidKey, compareKeys, keyProblem, MAX_KEY_LENGTH, prefixUpperBound } from './keys.js';
export {
  type MemoryDriver,
  MemoryStorage,
  type MemoryStorageFactory,
  type MemoryStorageOptions,
} from './memory/index.js';
export {
  parseScope,
  type Scope,
  ScopedState,
  type ScopedStateOptions,
  type ScopeKind,
} from './scoped-state.js';
export { SortedKeys } from './sorted-keys.js';
export {
  SQLITE_SCHEMA_VERSION,
  type SqliteDriver,
  SqliteStorage,
  type SqliteStorageFactory,
  type SqliteStorageOptions,
} from './sqlite/index.js';
// The StorageBackend contract (from @hookspell/core, see types.ts).
export type * from './types.js';
