import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageError, StorageErrorCode } from '../src/index.js';
import {
  POSTGRES_SCHEMA_VERSION,
  PostgresStorage,
  type PostgresStorageOptions,
} from '../src/postgres/index.js';
import { describeStorageConformance, expectStorageError } from '../src/testing/index.js';
import { PG_URL, postgresSkipReason, uniqueTableBase } from '../src/testing/postgres.js';

const skipReason = await postgresSkipReason('postgres.test.ts');
const base = uniqueTableBase();
let tables = 0;
const freshTable = () => `${base}_${++tables}`;

function storage(options: PostgresStorageOptions = {}) {
  return PostgresStorage(
    { connectionString: PG_URL, max: 4 },
    { table: options.table ?? freshTable(), ...options },
  );
}

async function withPool<T>(use: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
  try {
    return await use(pool);
  } finally {
    await pool.end();
  }
}

describe.skipIf(skipReason !== undefined)('PostgresStorage', () => {
  afterAll(async () => {
    await withPool(async (pool) => {
      const { rows } = await pool.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1 || '\\_%'",
        [base],
      );
      for (const { tablename } of rows) await pool.query(`DROP TABLE IF EXISTS "${tablename}"`);
      await pool.query("DELETE FROM hookspell_meta WHERE name LIKE 'schema:' || $1 || '\\_%'", [base]);
    });
  });

  const conformanceTable = freshTable();
  describeStorageConformance('postgres', () => storage({ table: conformanceTable }));

  it('reports refused connections as HOOKSPELL_STORAGE_UNAVAILABLE telling to start the server', async () => {
    const refused = PostgresStorage({ connectionString: 'postgres://postgres@127.0.0.1:1/test' });
    await expectStorageError(() => refused.get('k'), StorageErrorCode.UNAVAILABLE, [
      '127.0.0.1:1/test',
      /Start the server/,
      /not applied/,
    ]);
    // Not cached: a second call tries again and fails the same way.
    const error = await expectStorageError(() => refused.set('k', 1), StorageErrorCode.UNAVAILABLE);
    expect(error.cause).toBeDefined();
    await refused.close();
  });

  it('leaves a pool passed in open after close()', async () => {
    await withPool(async (pool) => {
      const table = freshTable();
      const own = PostgresStorage({ pool }, { table });
      await own.set('k', { mine: true });
      expect(own.driver.getInstance()).toBe(pool);
      await own.close();
      expect(pool.ended).toBe(false);
      const { rows } = await pool.query(`SELECT value FROM "${table}" WHERE key = 'k'`);
      expect(rows).toStrictEqual([{ value: '{"mine":true}' }]);
      await expectStorageError(() => own.get('k'), StorageErrorCode.CLOSED);
    });
  });

  it('ends a pool it created itself on close()', async () => {
    const owned = storage();
    await owned.set('k', 1);
    await owned.close();
    expect(owned.driver.getInstance().ended).toBe(true);
  });

  it('records the schema version in hookspell_meta and orders keys with COLLATE "C"', async () => {
    const table = freshTable();
    const s = storage({ table });
    await s.driver.ready();
    await withPool(async (pool) => {
      const meta = await pool.query('SELECT value FROM hookspell_meta WHERE name = $1', [`schema:${table}`]);
      expect(meta.rows).toStrictEqual([{ value: String(POSTGRES_SCHEMA_VERSION) }]);
      const column = await pool.query(
        "SELECT collation_name FROM information_schema.columns WHERE table_name = $1 AND column_name = 'key'",
        [table],
      );
      expect(column.rows).toStrictEqual([{ collation_name: 'C' }]);
    });
    await s.close();
  });

  it('refuses a table of another schema version with HOOKSPELL_STORAGE_SCHEMA_MISMATCH', async () => {
    const table = freshTable();
    const first = storage({ table });
    await first.set('k', 1);
    await first.close();
    await withPool((pool) =>
      pool.query("UPDATE hookspell_meta SET value = '99' WHERE name = $1", [`schema:${table}`]),
    );
    const second = storage({ table });
    await expectStorageError(() => second.get('k'), StorageErrorCode.SCHEMA_MISMATCH, [/schema version 99/]);
    await expectStorageError(() => second.set('k', 2), StorageErrorCode.SCHEMA_MISMATCH);
    await second.close();
  });

  it('lets two backends (two pools) see each other’s writes', async () => {
    const table = freshTable();
    const a = storage({ table });
    const b = storage({ table });
    await a.set('from-a', 1);
    expect(await b.get('from-a')).toBe(1);
    await b.batch([
      { type: 'set', key: 'from-b', value: [2] },
      { type: 'delete', key: 'from-a' },
    ]);
    expect(await a.list('')).toStrictEqual([{ key: 'from-b', value: [2] }]);
    await Promise.all([a.close(), b.close()]);
  });

  it('creates a new table safely when several backends start at once', async () => {
    const table = freshTable();
    const backends = Array.from({ length: 5 }, () => storage({ table }));
    await Promise.all(backends.map((b, i) => b.set(`k/${i}`, i)));
    expect((await backends[0]!.list('k/')).map((entry) => entry.value)).toStrictEqual([0, 1, 2, 3, 4]);
    await Promise.all(backends.map((b) => b.close()));
  });

  it('keeps two 63-character tables with a long common prefix apart on one connection', async () => {
    // Prepared-statement names are limited to 63 bytes too; both backends share the one client.
    const long = `${base}_${'p'.repeat(63 - base.length - 6)}`;
    const [t1, t2] = [`${long}_aaaa`, `${long}_bbbb`];
    expect(t1.length).toBe(63);
    await withPool(async (pool) => {
      const a = PostgresStorage({ pool }, { table: t1 });
      const b = PostgresStorage({ pool }, { table: t2 });
      for (const [s, name] of [
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        await s.set('k', name);
        await s.batch([{ type: 'set', key: 'j', value: name }]);
      }
      expect([await a.get('k'), await a.has('j'), await b.get('k'), await b.get('j')]).toStrictEqual([
        'a',
        true,
        'b',
        'b',
      ]);
      expect(await a.delete('k')).toBe(true);
      expect(await b.get('k')).toBe('b');
    });
  });

  it('keeps tables apart', async () => {
    const a = storage();
    const b = storage();
    await a.set('k', 'a');
    await b.set('k', 'b');
    await b.clear();
    expect(await a.get('k')).toBe('a');
    await Promise.all([a.close(), b.close()]);
  });

  it('rejects bad construction arguments with HOOKSPELL_INVALID_ARGUMENT', () => {
    for (const table of ['', 'a-b', 'x'.repeat(64), 'kv"; DROP TABLE x; --']) {
      expect(() => PostgresStorage({ connectionString: PG_URL }, { table })).toThrow(StorageError);
      try {
        PostgresStorage({ connectionString: PG_URL }, { table });
      } catch (error) {
        expect((error as StorageError).code).toBe(StorageErrorCode.INVALID_ARGUMENT);
      }
    }
    for (const connection of [undefined, null, {}, { connectionString: 5 }, 'postgres://x']) {
      expect(() => PostgresStorage(connection as never)).toThrow(/connectionString/);
    }
  });

  it('declares durable, multi-process, atomic capabilities', async () => {
    const s = storage();
    expect(s.capabilities).toStrictEqual({ atomicBatch: true, durable: true, multiProcess: true });
    expect(s.name).toBe('postgres');
    await s.close();
  });
});
