export {
  SQLITE_SCHEMA_VERSION,
  type SqliteDriver,
  SqliteStorage,
  type SqliteStorageFactory,
  type SqliteStorageOptions,
} from './sqlite-storage.js';
