export {
  PostgresStorage,
  POSTGRES_SCHEMA_VERSION,
  type PostgresConnection,
  type PostgresStorageOptions,
  type PostgresDriver,
  type PostgresStorageFactory,
} from './postgres-storage.js';
