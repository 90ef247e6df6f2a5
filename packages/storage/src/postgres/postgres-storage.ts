import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Pool, PoolConfig, QueryConfig } from 'pg';
import { type DefinedBackend, defineBackend } from '../define-backend.js';
import { HookspellError } from '../errors/hookspell-error.js';
import { StorageError, StorageErrorCode } from '../errors/storage-error.js';
import { prefixUpperBound } from '../keys.js';
import type { DriverListOptions, EncodedBatchOp, EncodedEntry, StorageDriver } from '../types.js';

const DRIVER_NAME = 'postgres';
/** Version of the table layout this code writes; stored in `hookspell_meta`. */
export const POSTGRES_SCHEMA_VERSION = 1;

/** How to reach PostgreSQL: a connection string (plus any `pg` pool settings) or a pool you own. */
export type PostgresConnection =
  | ({ connectionString: string } & Omit<PoolConfig, 'connectionString'>)
  | { pool: Pool };

export interface PostgresStorageOptions {
  /**
   * Table holding the keys and values; created on first use.
   * @default 'hookspell_kv'
   */
  table?: string;
  /**
   * Largest encoded value in bytes.
   * @default 67108864 (64 MiB)
   */
  maxValueBytes?: number;
}

export interface PostgresDriver extends StorageDriver {
  /** The `pg` pool in use. */
  getInstance(): Pool;
  /** Creates the tables if needed and checks the schema version; every operation awaits it. */
  ready(): Promise<void>;
}

export type PostgresStorage = DefinedBackend<PostgresDriver>;

export interface PostgresStorageFactory {
  (connection: PostgresConnection, options?: PostgresStorageOptions): PostgresStorage;
  new (connection: PostgresConnection, options?: PostgresStorageOptions): PostgresStorage;
}

/**
 * A backend on PostgreSQL through `pg` (a peer dependency): keys are `text COLLATE "C"` so they
 * list in byte order, batches are single statements, the table is created on first use with a
 * schema version. A pool passed in is left open by `close()`; one created here is ended.
 * Callable with or without `new`.
 *
 * @example
 * import { PostgresStorage } from '@hookspell/storage/postgres';
 * const storage = PostgresStorage({ connectionString: 'postgres://127.0.0.1:5432/test' });
 * await storage.set('runs/1', { ok: true });
 * await storage.close();
 */
export const PostgresStorage = function PostgresStorage(
  connection: PostgresConnection,
  options: PostgresStorageOptions = {},
): PostgresStorage {
  return defineBackend(createPostgresDriver(connection, options));
} as unknown as PostgresStorageFactory;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function createPostgresDriver(
  connection: PostgresConnection,
  options: PostgresStorageOptions,
): PostgresDriver {
  const table = options.table ?? 'hookspell_kv';
  if (!IDENTIFIER.test(table)) {
    throw new StorageError(
      DRIVER_NAME,
      StorageErrorCode.INVALID_ARGUMENT,
      `\`table\` must be a plain SQL identifier (letters, digits, _; at most 63), got ${JSON.stringify(table)}.`,
    );
  }
  if (
    !connection ||
    typeof connection !== 'object' ||
    (!('pool' in connection) && typeof connection.connectionString !== 'string')
  ) {
    throw new StorageError(
      DRIVER_NAME,
      StorageErrorCode.INVALID_ARGUMENT,
      'PostgresStorage needs `{ connectionString }` or `{ pool }` as its first argument.',
    );
  }
  const ownsPool = !('pool' in connection);
  const pool: Pool = 'pool' in connection ? connection.pool : new (loadPg().Pool)(connection);
  // An idle client that loses its connection emits 'error' on the pool; without a listener that
  // would crash the host. The next query reports the problem instead.
  if (ownsPool) pool.on('error', () => {});
  const where = describeTarget(connection);
  const t = `"${table}"`;
  const sql = {
    get: `SELECT value FROM ${t} WHERE key = $1`,
    has: `SELECT 1 FROM ${t} WHERE key = $1`,
    set: `INSERT INTO ${t} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    delete: `DELETE FROM ${t} WHERE key = $1`,
    // One statement, so it is atomic without an explicit transaction. Keys are disjoint (see batch).
    batch: `WITH deleted AS (DELETE FROM ${t} WHERE key = ANY($1::text[]))
      INSERT INTO ${t} (key, value) SELECT * FROM unnest($2::text[], $3::text[])
      ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    clearAll: `DELETE FROM ${t}`,
    clearRange: `DELETE FROM ${t} WHERE key >= $1 AND key < $2`,
    clearFrom: `DELETE FROM ${t} WHERE key >= $1`,
  };
  // Prepared-statement names share PostgreSQL's 63-byte limit, and longer ones are cut: two long
  // table names with a common start would then collide on a connection. Long names are hashed.
  const statementId =
    table.length <= 48
      ? table
      : `${table.slice(0, 24)}_${createHash('sha256').update(table).digest('hex').slice(0, 16)}`;
  let readyPromise: Promise<void> | undefined;

  function ready(): Promise<void> {
    readyPromise ??= createSchema(pool, table).catch((error) => {
      readyPromise = undefined; // let a later call retry, e.g. once the server is up
      throw toStorageError(where, error);
    });
    return readyPromise;
  }

  async function query<R extends Record<string, unknown>>(config: QueryConfig | string, values?: unknown[]) {
    await ready();
    try {
      return await pool.query<R>(typeof config === 'string' ? { text: config, values } : config);
    } catch (error) {
      throw toStorageError(where, error);
    }
  }

  return {
    name: DRIVER_NAME,
    capabilities: { atomicBatch: true, durable: true, multiProcess: true },
    maxValueBytes: options.maxValueBytes,
    getInstance: () => pool,
    ready,
    async get(key) {
      const result = await query<{ value: string }>({
        name: `hs-get-${statementId}`,
        text: sql.get,
        values: [key],
      });
      return result.rows[0]?.value;
    },
    async has(key) {
      const result = await query({ name: `hs-has-${statementId}`, text: sql.has, values: [key] });
      return result.rowCount! > 0;
    },
    async set(key, json) {
      await query({ name: `hs-set-${statementId}`, text: sql.set, values: [key, json] });
    },
    async delete(key) {
      const result = await query({ name: `hs-del-${statementId}`, text: sql.delete, values: [key] });
      return result.rowCount! > 0;
    },
    async list(prefix: string, { startAfter, limit, reverse }: DriverListOptions): Promise<EncodedEntry[]> {
      const values: unknown[] = [prefix];
      const conditions = ['key >= $1'];
      const hi = prefix === '' ? undefined : prefixUpperBound(prefix);
      if (hi !== undefined) conditions.push(`key < $${values.push(hi)}`);
      if (startAfter !== undefined) conditions.push(`key ${reverse ? '<' : '>'} $${values.push(startAfter)}`);
      const limitSql = Number.isFinite(limit) ? ` LIMIT $${values.push(limit)}` : '';
      const text = `SELECT key, value AS json FROM ${t} WHERE ${conditions.join(' AND ')} ORDER BY key ${reverse ? 'DESC' : 'ASC'}${limitSql}`;
      const result = await query<{ key: string; json: string }>(text, values);
      return result.rows;
    },
    async batch(ops: EncodedBatchOp[]) {
      // Later operations on a key win, so only the last one per key is sent.
      const last = new Map<string, EncodedBatchOp>();
      for (const op of ops) {
        last.delete(op.key);
        last.set(op.key, op);
      }
      const deleted: string[] = [];
      const keys: string[] = [];
      const jsons: string[] = [];
      for (const op of last.values()) {
        if (op.type === 'set') {
          keys.push(op.key);
          jsons.push(op.json);
        } else deleted.push(op.key);
      }
      await query({ name: `hs-batch-${statementId}`, text: sql.batch, values: [deleted, keys, jsons] });
    },
    async clear(prefix) {
      if (prefix === '') {
        await query(sql.clearAll);
        return;
      }
      const hi = prefixUpperBound(prefix);
      await (hi === undefined ? query(sql.clearFrom, [prefix]) : query(sql.clearRange, [prefix, hi]));
    },
    async close() {
      if (ownsPool) await pool.end();
    },
  };
}

async function createSchema(pool: Pool, table: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Serialises first use across processes: concurrent CREATE TABLE IF NOT EXISTS can conflict.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`hookspell:${table}`]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS hookspell_meta (name text COLLATE "C" PRIMARY KEY, value text NOT NULL)',
    );
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${table}" (key text COLLATE "C" PRIMARY KEY, value text NOT NULL)`,
    );
    await client.query(
      'INSERT INTO hookspell_meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [`schema:${table}`, String(POSTGRES_SCHEMA_VERSION)],
    );
    const { rows } = await client.query<{ value: string }>(
      'SELECT value FROM hookspell_meta WHERE name = $1',
      [`schema:${table}`],
    );
    await client.query('COMMIT');
    const version = Number(rows[0]?.value);
    if (version !== POSTGRES_SCHEMA_VERSION) {
      throw new StorageError(
        DRIVER_NAME,
        StorageErrorCode.SCHEMA_MISMATCH,
        `Table ${table} has schema version ${rows[0]?.value}; this version of @hookspell/storage reads version ${POSTGRES_SCHEMA_VERSION}. Upgrade @hookspell/storage or use another \`table\`.`,
      );
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

function loadPg(): typeof import('pg') {
  try {
    const pg = createRequire(import.meta.url)('pg') as typeof import('pg') & {
      default?: typeof import('pg');
    };
    return pg.default ?? pg;
  } catch (cause) {
    throw new StorageError(
      DRIVER_NAME,
      StorageErrorCode.DEPENDENCY_MISSING,
      'Cannot load `pg`, which PostgresStorage needs. Install it next to @hookspell/storage: `pnpm add pg`.',
      { cause },
    );
  }
}

function describeTarget(connection: PostgresConnection): string {
  if ('pool' in connection) return 'the given pool';
  try {
    const url = new URL(connection.connectionString);
    return `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'the configured server';
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  '57P01',
  '57P03',
  '53300',
]);

function toStorageError(where: string, error: unknown): Error {
  if (HookspellError.isInstance(error)) return error;
  const err = error as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = err.code ?? err.errors?.[0]?.code ?? '';
  const detail = err.message || (err.errors ? `${code}` : String(error));
  if (UNAVAILABLE_CODES.has(code) || /connect|terminat/i.test(detail)) {
    return new StorageError(
      DRIVER_NAME,
      StorageErrorCode.UNAVAILABLE,
      `Cannot reach PostgreSQL at ${where} (${code || detail}). Start the server or fix the connection settings; the operation was not applied.`,
      { cause: error },
    );
  }
  if (code === '54000') {
    return new StorageError(
      DRIVER_NAME,
      StorageErrorCode.VALUE_TOO_LARGE,
      `A value is too large for PostgreSQL (${detail}). Store it in smaller pieces.`,
      { cause: error },
    );
  }
  return new StorageError(
    DRIVER_NAME,
    StorageErrorCode.OPERATION_FAILED,
    `PostgreSQL operation at ${where} failed (${code ? `${code}: ` : ''}${detail}).`,
    { cause: error },
  );
}
