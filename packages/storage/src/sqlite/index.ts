export {
  SqliteStorage,
  SQLITE_SCHEMA_VERSION,
  type SqliteStorageOptions,
  type SqliteDriver,
  type SqliteStorageFactory,
} from './sqlite-storage.js';
