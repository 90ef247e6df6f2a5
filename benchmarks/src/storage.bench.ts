/**
 * @hookspell/storage against the raw drivers doing the same work in the same process:
 * set / get / list / batch on SQLite (better-sqlite3, WAL, synchronous=NORMAL), memory, and
 * PostgreSQL (pg). Each raw case also encodes/decodes JSON, as the backends do.
 *
 *   pnpm bench storage
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BatchOp, MemoryStorage, SqliteStorage } from '@hookspell/storage';
import { PostgresStorage } from '@hookspell/storage/postgres';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type BenchCase, compare } from './harness.js';

const KEYS = 10_000;
const value = { tool: 'calc', args: { a: 1, b: 2 }, tags: ['x', 'y'], ok: true };
const keyOf = (i: number) => `bench/${String(i % KEYS).padStart(6, '0')}`;

const dir = mkdtempSync(join(tmpdir(), 'hookspell-bench-'));
const raw = new Database(join(dir, 'raw.db'));
raw.pragma('journal_mode = WAL');
raw.pragma('synchronous = NORMAL');
raw.exec('CREATE TABLE kv (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID');
const rawSet = raw.prepare(
  'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
);
const rawGet = raw.prepare('SELECT value FROM kv WHERE key = ?').pluck();
const rawList = raw
  .prepare('SELECT key, value FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT 100')
  .raw(true);
const rawBatch = raw.transaction((base: number) => {
  for (const op of opsFor(base)) rawSet.run(op.key, JSON.stringify(value));
});

const sqlite = SqliteStorage({ path: join(dir, 'hookspell.db') });
const memory = MemoryStorage();

const batchOps = (base: number): BatchOp[] =>
  Array.from({ length: 1000 }, (_, i) => ({ type: 'set', key: keyOf(base + i), value }));
// Built before timing, so the batch cases time the storage call, not building the argument.
const preparedOps = Array.from({ length: KEYS / 1000 }, (_, b) => batchOps(b * 1000));
const opsFor = (base: number) => preparedOps[Math.floor(base / 1000) % preparedOps.length]!;

// Fill every store with the same keys so get and list read real rows.
for (let b = 0; b < KEYS; b += 1000) {
  rawBatch(b);
  await sqlite.batch(batchOps(b));
  await memory.batch(batchOps(b));
}

let n = 0;
const sqliteCases = (op: string): BenchCase[] => {
  switch (op) {
    case 'set':
      return [
        {
          name: 'raw better-sqlite3 prepared upsert',
          fn: () => rawSet.run(keyOf(n++), JSON.stringify(value)),
        },
        { name: 'SqliteStorage.set', fn: () => sqlite.set(keyOf(n++), value) },
        { name: 'MemoryStorage.set', fn: () => memory.set(keyOf(n++), value) },
      ];
    case 'get':
      return [
        { name: 'raw better-sqlite3 get', fn: () => JSON.parse(rawGet.get(keyOf(n++)) as string) },
        { name: 'SqliteStorage.get', fn: () => sqlite.get(keyOf(n++)) },
        { name: 'MemoryStorage.get', fn: () => memory.get(keyOf(n++)) },
      ];
    case 'list':
      return [
        {
          name: 'raw better-sqlite3 range of 100',
          opsPerCall: 100,
          fn: () =>
            (rawList.all('bench/001', 'bench/002') as [string, string][]).map(([k, v]) => ({
              key: k,
              value: JSON.parse(v),
            })),
        },
        {
          name: 'SqliteStorage.list 100',
          opsPerCall: 100,
          fn: () => sqlite.list('bench/001', { limit: 100 }),
        },
        {
          name: 'MemoryStorage.list 100',
          opsPerCall: 100,
          fn: () => memory.list('bench/001', { limit: 100 }),
        },
      ];
    default:
      return [
        { name: 'raw better-sqlite3 transaction of 1000', opsPerCall: 1000, fn: () => rawBatch((n += 1000)) },
        {
          name: 'SqliteStorage.batch of 1000',
          opsPerCall: 1000,
          fn: () => sqlite.batch(opsFor((n += 1000))),
        },
        {
          name: 'MemoryStorage.batch of 1000',
          opsPerCall: 1000,
          fn: () => memory.batch(opsFor((n += 1000))),
        },
      ];
  }
};

for (const op of (process.env.OPS ?? 'set,get,list,batch').split(',')) {
  await compare(`SQLite / memory: ${op} (rows/s)`, sqliteCases(op), { anchor: sqliteCases(op)[0]!.name });
}
await sqlite.close();
raw.close();
rmSync(dir, { recursive: true, force: true });

// PostgreSQL, when a server is reachable.
const url = process.env.HOOKSPELL_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pool = new pg.Pool({ connectionString: url, max: 4 });
try {
  await pool.query('SELECT 1');
} catch (error) {
  console.log(
    `PostgreSQL at ${url} is not reachable (${(error as Error).message}); PostgreSQL cases not run.`,
  );
  await pool.end();
  process.exit(0);
}
await pool.query('DROP TABLE IF EXISTS bench_raw_kv; DROP TABLE IF EXISTS bench_hs_kv');
await pool.query('CREATE TABLE bench_raw_kv (key text COLLATE "C" PRIMARY KEY, value text NOT NULL)');
const postgres = PostgresStorage({ pool }, { table: 'bench_hs_kv' });
const pgUpsert =
  'INSERT INTO bench_raw_kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value';
const pgBatch = (base: number) => {
  const keys: string[] = [];
  const values: string[] = [];
  for (const op of opsFor(base)) {
    keys.push(op.key);
    values.push(JSON.stringify(value));
  }
  return pool.query({
    name: 'raw-batch',
    text: 'INSERT INTO bench_raw_kv (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
    values: [keys, values],
  });
};
for (let b = 0; b < KEYS; b += 1000) {
  await pgBatch(b);
  await postgres.batch(batchOps(b));
}
const pgOpts = { anchor: '', samples: 5, sampleMs: 400 };
await compare(
  'PostgreSQL: set (rows/s, one awaited call at a time)',
  [
    {
      name: 'raw pg prepared upsert',
      fn: () => pool.query({ name: 'raw-set', text: pgUpsert, values: [keyOf(n++), JSON.stringify(value)] }),
    },
    { name: 'PostgresStorage.set', fn: () => postgres.set(keyOf(n++), value) },
  ],
  { ...pgOpts, anchor: 'raw pg prepared upsert' },
);
await compare(
  'PostgreSQL: get (rows/s)',
  [
    {
      name: 'raw pg prepared select',
      fn: async () => {
        const r = await pool.query({
          name: 'raw-get',
          text: 'SELECT value FROM bench_raw_kv WHERE key = $1',
          values: [keyOf(n++)],
        });
        return JSON.parse(r.rows[0].value);
      },
    },
    { name: 'PostgresStorage.get', fn: () => postgres.get(keyOf(n++)) },
  ],
  { ...pgOpts, anchor: 'raw pg prepared select' },
);
await compare(
  'PostgreSQL: batch of 1000 (rows/s)',
  [
    { name: 'raw pg 1000-row unnest upsert', opsPerCall: 1000, fn: () => pgBatch((n += 1000)) },
    {
      name: 'PostgresStorage.batch of 1000',
      opsPerCall: 1000,
      fn: () => postgres.batch(opsFor((n += 1000))),
    },
  ],
  { ...pgOpts, anchor: 'raw pg 1000-row unnest upsert' },
);
await compare(
  'PostgreSQL: list 100 (rows/s)',
  [
    {
      name: 'raw pg range of 100',
      opsPerCall: 100,
      fn: async () => {
        const r = await pool.query({
          name: 'raw-list',
          text: 'SELECT key, value FROM bench_raw_kv WHERE key >= $1 AND key < $2 ORDER BY key LIMIT 100',
          values: ['bench/001', 'bench/002'],
        });
        return r.rows.map((row) => ({ key: row.key, value: JSON.parse(row.value) }));
      },
    },
    {
      name: 'PostgresStorage.list 100',
      opsPerCall: 100,
      fn: () => postgres.list('bench/001', { limit: 100 }),
    },
  ],
  { ...pgOpts, anchor: 'raw pg range of 100' },
);
await postgres.close();
await pool.query('DROP TABLE IF EXISTS bench_raw_kv; DROP TABLE IF EXISTS bench_hs_kv');
await pool.end();
