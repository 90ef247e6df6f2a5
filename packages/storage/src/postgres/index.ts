export {
  POSTGRES_SCHEMA_VERSION,
  type PostgresConnection,
  type PostgresDriver,
  PostgresStorage,
  type PostgresStorageFactory,
  type PostgresStorageOptions,
} from './postgres-storage.js';
