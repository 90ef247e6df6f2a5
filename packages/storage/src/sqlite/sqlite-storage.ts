import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { type DefinedBackend, defineBackend } from '../define-backend.js';
import { StorageError, StorageErrorCode } from '../errors/storage-error.js';
import { prefixUpperBound } from '../keys.js';
import type { DriverListOptions, EncodedBatchOp, EncodedEntry, StorageDriver } from '../types.js';

const DRIVER_NAME = 'sqlite';
/** Version of the table layout this code writes; stored in `hookspell_meta`. */
export const SQLITE_SCHEMA_VERSION = 1;

export interface SqliteStorageOptions {
  /**
   * Database file. Missing directories are created. `':memory:'` keeps the database in memory.
   * @default '.hookspell/hookspell.db'
   */
  path?: string;
  /**
   * Table holding the keys and values.
   * @default 'hookspell_kv'
   */
  table?: string;
  /**
   * `'normal'` survives a crash of the process (WAL); `'full'` also survives power loss, slower.
   * @default 'normal'
   */
  synchronous?: 'normal' | 'full';
  /**
   * How long a write waits for another process holding the lock, in milliseconds.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * Largest encoded value in bytes.
   * @default 67108864 (64 MiB)
   */
  maxValueBytes?: number;
  /** The better-sqlite3 constructor to use, if you want to pass your own build. */
  Database?: typeof BetterSqlite3;
}

export interface SqliteDriver extends StorageDriver {
  /** The open better-sqlite3 database. */
  getInstance(): BetterSqlite3.Database;
  /** Resolved file path (or `':memory:'`). */
  readonly path: string;
}

export type SqliteStorage = DefinedBackend<SqliteDriver>;

export interface SqliteStorageFactory {
  (options?: SqliteStorageOptions): SqliteStorage;
  new (options?: SqliteStorageOptions): SqliteStorage;
}

/**
 * The embedded default backend: one SQLite file in WAL mode through better-sqlite3, with prepared
 * statements and batches in one transaction. An acknowledged write survives a kill of the process.
 * Callable with or without `new`.
 *
 * @example
 * const storage = SqliteStorage({ path: '.hookspell/hookspell.db' });
 * await storage.batch([
 *   { type: 'set', key: 'run/1', value: { ok: true } },
 *   { type: 'delete', key: 'run/0' },
 * ]);
 * await storage.close();
 */
export const SqliteStorage = function SqliteStorage(options: SqliteStorageOptions = {}): SqliteStorage {
  return defineBackend(createSqliteDriver(options));
} as unknown as SqliteStorageFactory;

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function createSqliteDriver(options: SqliteStorageOptions): SqliteDriver {
  const table = options.table ?? 'hookspell_kv';
  if (!TABLE_NAME.test(table)) {
    throw new StorageError(
      DRIVER_NAME,
      StorageErrorCode.INVALID_ARGUMENT,
      `\`table\` must be a plain SQL identifier (letters, digits, _), got ${JSON.stringify(table)}.`,
    );
  }
  const path = options.path === ':memory:' ? ':memory:' : resolve(options.path ?? '.hookspell/hookspell.db');
  const db = openDatabase(path, options);
  const sql = prepareStatements(db, table);
  const listStatements = new Map<string, BetterSqlite3.Statement>();

  function listStatement(shape: string): BetterSqlite3.Statement {
    let statement = listStatements.get(shape);
    if (!statement) {
      const [direction, bounded, cursor] = shape.split(':');
      const where = ['key >= @lo'];
      if (bounded === 'b') where.push('key < @hi');
      if (cursor === 'c') where.push(direction === 'desc' ? 'key < @after' : 'key > @after');
      statement = db
        .prepare(
          `SELECT key, value FROM ${table} WHERE ${where.join(' AND ')} ORDER BY key ${direction === 'desc' ? 'DESC' : 'ASC'} LIMIT @limit`,
        )
        .raw(true);
      listStatements.set(shape, statement);
    }
    return statement;
  }

  const applyBatch = db.transaction((ops: EncodedBatchOp[]) => {
    for (const op of ops) {
      if (op.type === 'set') sql.set.run(op.key, op.json);
      else sql.delete.run(op.key);
    }
  });

  return {
    name: DRIVER_NAME,
    capabilities: { atomicBatch: true, durable: path !== ':memory:', multiProcess: path !== ':memory:' },
    maxValueBytes: options.maxValueBytes,
    path,
    getInstance: () => db,
    get: (key) => guard(path, () => sql.get.get(key) as string | undefined),
    has: (key) => guard(path, () => sql.has.get(key) !== undefined),
    set: (key, json) => void guard(path, () => sql.set.run(key, json)),
    delete: (key) => guard(path, () => sql.delete.run(key).changes > 0),
    list(prefix: string, { startAfter, limit, reverse }: DriverListOptions): EncodedEntry[] {
      const hi = prefix === '' ? undefined : prefixUpperBound(prefix);
      const shape = `${reverse ? 'desc' : 'asc'}:${hi === undefined ? 'u' : 'b'}:${startAfter === undefined ? 'n' : 'c'}`;
      const params: Record<string, unknown> = { lo: prefix, limit: Number.isFinite(limit) ? limit : -1 };
      if (hi !== undefined) params.hi = hi;
      if (startAfter !== undefined) params.after = startAfter;
      const rows = guard(path, () => listStatement(shape).all(params) as [string, string][]);
      const entries: EncodedEntry[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) entries[i] = { key: rows[i]![0], json: rows[i]![1] };
      return entries;
    },
    batch: (ops) => guard(path, () => applyBatch(ops)),
    clear(prefix) {
      const hi = prefix === '' ? undefined : prefixUpperBound(prefix);
      guard(path, () => (hi === undefined ? sql.clearFrom.run(prefix) : sql.clearRange.run(prefix, hi)));
    },
    close() {
      if (db.open) db.close();
    },
  };
}

function openDatabase(path: string, options: SqliteStorageOptions): BetterSqlite3.Database {
  const Database = options.Database ?? loadBetterSqlite3();
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (cause) {
      throw new StorageError(
        DRIVER_NAME,
        StorageErrorCode.OPEN_FAILED,
        `Cannot create the directory ${JSON.stringify(dirname(path))} for the SQLite database (${(cause as Error).message}). Choose a \`path\` in a writable directory.`,
        { cause },
      );
    }
  }
  let db: BetterSqlite3.Database;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
  } catch (cause) {
    throw new StorageError(
      DRIVER_NAME,
      StorageErrorCode.OPEN_FAILED,
      `Cannot open the SQLite database ${JSON.stringify(path)} (${(cause as Error).message}). Check that the file and its directory are writable.`,
      { cause },
    );
  }
  try {
    if (path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    return db;
  } catch (cause) {
    db.close();
    throw toStorageError(path, cause);
  }
}

function prepareStatements(db: BetterSqlite3.Database, table: string) {
  try {
    db.exec(`
      CREATE TABLE IF NOT EXISTS hookspell_meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
      INSERT OR IGNORE INTO hookspell_meta (name, value) VALUES ('schema:${table}', '${SQLITE_SCHEMA_VERSION}');
    `);
  } catch (cause) {
    db.close();
    throw toStorageError(db.name, cause);
  }
  const version = Number(
    db.prepare('SELECT value FROM hookspell_meta WHERE name = ?').pluck().get(`schema:${table}`),
  );
  if (version !== SQLITE_SCHEMA_VERSION) {
    db.close();
    throw new StorageError(
      DRIVER_NAME,
      StorageErrorCode.SCHEMA_MISMATCH,
      `Table ${table} in ${JSON.stringify(db.name)} has schema version ${version}; this version of @hookspell/storage reads version ${SQLITE_SCHEMA_VERSION}. Upgrade @hookspell/storage or use another file.`,
    );
  }
  return {
    get: db.prepare(`SELECT value FROM ${table} WHERE key = ?`).pluck(),
    has: db.prepare(`SELECT 1 FROM ${table} WHERE key = ?`).pluck(),
    set: db.prepare(
      `INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ),
    delete: db.prepare(`DELETE FROM ${table} WHERE key = ?`),
    clearFrom: db.prepare(`DELETE FROM ${table} WHERE key >= ?`),
    clearRange: db.prepare(`DELETE FROM ${table} WHERE key >= ? AND key < ?`),
  };
}

function loadBetterSqlite3(): typeof BetterSqlite3 {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  } catch (cause) {
    throw new StorageError(
      DRIVER_NAME,
      StorageErrorCode.DEPENDENCY_MISSING,
      'Cannot load better-sqlite3, which SqliteStorage needs. Install it (`pnpm add better-sqlite3`); if it is installed, its native build failed: reinstall it with build tools (python3, make, g++) present.',
      { cause },
    );
  }
}

// Runs a synchronous database call and turns SQLite's error codes into storage errors.
function guard<T>(path: string, call: () => T): T {
  try {
    return call();
  } catch (cause) {
    throw toStorageError(path, cause);
  }
}

function toStorageError(path: string, cause: unknown): StorageError {
  if (cause instanceof StorageError) return cause;
  const code = (cause as { code?: string }).code ?? '';
  const detail = (cause as Error).message ?? String(cause);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new StorageError(
      DRIVER_NAME,
      StorageErrorCode.CORRUPT,
      `${JSON.stringify(path)} is not a usable SQLite database (${detail}). Move the file aside (hookspell creates a new one) or restore it from a backup.`,
      { cause },
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StorageError(
      DRIVER_NAME,
      StorageErrorCode.UNAVAILABLE,
      `The SQLite database ${JSON.stringify(path)} is locked by another connection (${detail}). Retry, or raise \`busyTimeoutMs\`.`,
      { cause },
    );
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_PERM')
  ) {
    return new StorageError(
      DRIVER_NAME,
      StorageErrorCode.OPEN_FAILED,
      `Cannot write the SQLite database ${JSON.stringify(path)} (${detail}). Check that the file and its directory are writable.`,
      { cause },
    );
  }
  if (code === 'SQLITE_TOOBIG') {
    return new StorageError(
      DRIVER_NAME,
      StorageErrorCode.VALUE_TOO_LARGE,
      `A value is too large for SQLite (${detail}). Store it in smaller pieces.`,
      { cause },
    );
  }
  return new StorageError(
    DRIVER_NAME,
    StorageErrorCode.OPERATION_FAILED,
    `SQLite operation on ${JSON.stringify(path)} failed (${code || 'error'}: ${detail}).`,
    { cause },
  );
}
