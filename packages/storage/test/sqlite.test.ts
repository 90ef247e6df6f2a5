import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  HookspellError,
  SQLITE_SCHEMA_VERSION,
  SqliteStorage,
  type SqliteStorageOptions,
  StorageError,
  StorageErrorCode,
} from '../src/index.js';
import { describeStorageConformance, expectStorageError } from '../src/testing/index.js';

const root = mkdtempSync(join(tmpdir(), 'hookspell-sqlite-'));
let counter = 0;
const freshPath = (name = 'db') => join(root, `${name}-${++counter}`, 'hookspell.db');

afterAll(() => rmSync(root, { recursive: true, force: true }));

describeStorageConformance('sqlite (file)', () => SqliteStorage({ path: freshPath() }));
describeStorageConformance('sqlite (:memory:)', () => new SqliteStorage({ path: ':memory:' }));

/** The error a synchronous factory call throws. */
function openError(options: SqliteStorageOptions): StorageError {
  try {
    const storage = SqliteStorage(options);
    void storage.close();
  } catch (error) {
    expect(error).toBeInstanceOf(StorageError);
    return error as StorageError;
  }
  throw new Error(`SqliteStorage(${JSON.stringify(options)}) opened without an error`);
}

describe('SqliteStorage', () => {
  it('creates missing nested directories', async () => {
    const path = join(root, 'nested', 'a', 'b', 'c', 'store.db');
    expect(existsSync(join(root, 'nested'))).toBe(false);
    const storage = SqliteStorage({ path });
    await storage.set('k', 1);
    await storage.close();
    expect(statSync(path).isFile()).toBe(true);
    expect(storage.driver.path).toBe(path);
  });

  it('keeps data across close and reopen, in WAL mode', async () => {
    const path = freshPath();
    const first = SqliteStorage({ path });
    expect(first.driver.getInstance().pragma('journal_mode', { simple: true })).toBe('wal');
    expect(first.capabilities).toStrictEqual({ atomicBatch: true, durable: true, multiProcess: true });
    await first.batch([
      { type: 'set', key: 'a', value: { n: 1 } },
      { type: 'set', key: 'b\u{1F600}', value: ['x'] },
    ]);
    await first.close();
    const second = SqliteStorage({ path });
    expect(await second.list('')).toStrictEqual([
      { key: 'a', value: { n: 1 } },
      { key: 'b\u{1F600}', value: ['x'] },
    ]);
    await second.close();
  });

  it('uses synchronous NORMAL by default and FULL on request', async () => {
    const normal = SqliteStorage({ path: freshPath() });
    const full = SqliteStorage({ path: freshPath(), synchronous: 'full' });
    // PRAGMA synchronous: 1 = NORMAL, 2 = FULL.
    expect(normal.driver.getInstance().pragma('synchronous', { simple: true })).toBe(1);
    expect(full.driver.getInstance().pragma('synchronous', { simple: true })).toBe(2);
    await Promise.all([normal.close(), full.close()]);
  });

  it('gives HOOKSPELL_STORAGE_OPEN_FAILED when a regular file is used as a directory', () => {
    const file = join(root, `plain-file-${++counter}`);
    writeFileSync(file, 'not a directory');
    for (const path of [join(file, 'store.db'), join(file, 'deeper', 'store.db')]) {
      const error = openError({ path });
      expect(HookspellError.hasCode(error, StorageErrorCode.OPEN_FAILED)).toBe(true);
      expect(error.message).toContain(JSON.stringify(path.slice(0, path.lastIndexOf('/'))));
      expect(error.message).toMatch(/writable directory/);
      expect(error.cause).toBeInstanceOf(Error);
    }
    expect(readFileSync(file, 'utf8')).toBe('not a directory');
  });

  it('gives HOOKSPELL_STORAGE_OPEN_FAILED when the path is a directory', () => {
    const dir = join(root, `a-dir-${++counter}`);
    const storage = SqliteStorage({ path: join(dir, 'inner.db') });
    void storage.close();
    const error = openError({ path: dir });
    expect(error.code).toBe(StorageErrorCode.OPEN_FAILED);
  });

  for (const [label, content] of [
    ['random bytes', randomBytes(16_384)],
    ['a text file', Buffer.from('this is a text file, not a database\n'.repeat(200))],
    [
      'a database header followed by garbage',
      Buffer.concat([Buffer.from('SQLite format 3\0'), randomBytes(8192)]),
    ],
  ] as const) {
    it(`gives HOOKSPELL_STORAGE_CORRUPT for ${label} and leaves the file untouched`, () => {
      const dir = join(root, `corrupt-${++counter}`);
      const path = join(dir, 'store.db');
      mkdirSync(dir);
      writeFileSync(path, content);
      const error = openError({ path });
      expect(error.code).toBe(StorageErrorCode.CORRUPT);
      expect(error.message).toContain(JSON.stringify(path));
      expect(error.message).toMatch(/not a usable SQLite database/);
      expect(Buffer.compare(readFileSync(path), content)).toBe(0);
      expect(readdirSync(dir).filter((name) => name.startsWith('store.db'))).toStrictEqual(['store.db']);
    });
  }

  it('reports damage found after opening as HOOKSPELL_STORAGE_CORRUPT', async () => {
    const path = freshPath();
    const storage = SqliteStorage({ path });
    await storage.batch(
      Array.from({ length: 2000 }, (_, i) => ({
        type: 'set' as const,
        key: `k/${i}`,
        value: 'v'.repeat(100),
      })),
    );
    await storage.close();
    const db = new Database(path);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const bytes = readFileSync(path);
    // Overwrite every page after the first three (schema pages) with garbage.
    for (let offset = pageSize * 3; offset < bytes.length; offset += pageSize) {
      randomBytes(pageSize).copy(bytes, offset);
    }
    writeFileSync(path, bytes);
    const damaged = SqliteStorage({ path });
    await expectStorageError(() => damaged.list('k/'), StorageErrorCode.CORRUPT, [
      /not a usable SQLite database/,
    ]);
    await damaged.close();
  });

  it('works with :memory:, each backend with its own database', async () => {
    const a = SqliteStorage({ path: ':memory:' });
    const b = SqliteStorage({ path: ':memory:' });
    expect(a.driver.path).toBe(':memory:');
    expect(a.capabilities.durable).toBe(false);
    await a.set('k', { in: 'memory' });
    expect(await a.get('k')).toStrictEqual({ in: 'memory' });
    expect(await b.get('k')).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });

  it('rejects a value over maxValueBytes with HOOKSPELL_VALUE_TOO_LARGE and writes nothing', async () => {
    const storage = SqliteStorage({ path: freshPath(), maxValueBytes: 100 });
    const db = storage.driver.getInstance();
    const rows = () => db.prepare('SELECT count(*) FROM hookspell_kv').pluck().get();
    await expectStorageError(() => storage.set('big', 'x'.repeat(99)), StorageErrorCode.VALUE_TOO_LARGE, [
      '101 bytes',
      'limit of 100 bytes',
      'maxValueBytes',
    ]);
    expect(rows()).toBe(0);
    await storage.set('big', 'x'.repeat(98)); // exactly 100 bytes of JSON
    await expectStorageError(() => storage.set('big', 'é'.repeat(50)), StorageErrorCode.VALUE_TOO_LARGE);
    await expectStorageError(
      () =>
        storage.batch([
          { type: 'delete', key: 'big' },
          { type: 'set', key: 'small', value: 1 },
          { type: 'set', key: 'huge', value: { a: 'y'.repeat(200) } },
        ]),
      StorageErrorCode.VALUE_TOO_LARGE,
      ['ops[2].value'],
    );
    expect(rows()).toBe(1);
    expect(await storage.get('big')).toBe('x'.repeat(98));
    await storage.close();
  });

  it('lets two backends on the same file see each other’s writes', async () => {
    const path = freshPath();
    const a = SqliteStorage({ path });
    const b = SqliteStorage({ path });
    await a.set('from-a', 1);
    expect(await b.get('from-a')).toBe(1);
    await b.batch([
      { type: 'set', key: 'from-b', value: [2] },
      { type: 'delete', key: 'from-a' },
    ]);
    expect(await a.list('')).toStrictEqual([{ key: 'from-b', value: [2] }]);
    expect(await a.has('from-a')).toBe(false);
    await a.clear();
    expect(await b.list('')).toStrictEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps tables apart in one file and records each schema version in hookspell_meta', async () => {
    const path = freshPath();
    const one = SqliteStorage({ path });
    const two = SqliteStorage({ path, table: 'other_table' });
    await one.set('k', 'one');
    await two.set('k', 'two');
    expect(await one.get('k')).toBe('one');
    expect(await two.get('k')).toBe('two');
    await two.clear();
    expect(await one.get('k')).toBe('one');
    const meta = one.driver
      .getInstance()
      .prepare('SELECT name, value FROM hookspell_meta ORDER BY name')
      .all();
    expect(meta).toStrictEqual([
      { name: 'schema:hookspell_kv', value: String(SQLITE_SCHEMA_VERSION) },
      { name: 'schema:other_table', value: String(SQLITE_SCHEMA_VERSION) },
    ]);
    await Promise.all([one.close(), two.close()]);
  });

  it('refuses a table written by another schema version with HOOKSPELL_STORAGE_SCHEMA_MISMATCH', async () => {
    const path = freshPath();
    const storage = SqliteStorage({ path });
    await storage.set('k', 1);
    storage.driver
      .getInstance()
      .prepare("UPDATE hookspell_meta SET value = '99' WHERE name = 'schema:hookspell_kv'")
      .run();
    await storage.close();
    const error = openError({ path });
    expect(error.code).toBe(StorageErrorCode.SCHEMA_MISMATCH);
    expect(error.message).toMatch(/schema version 99/);
  });

  it('rejects a table name that is not a plain identifier with HOOKSPELL_INVALID_ARGUMENT', () => {
    for (const table of ['', 'drop table x', 'a-b', '1abc', 'x'.repeat(64), 'kv"; --']) {
      expect(openError({ path: ':memory:', table }).code, table).toBe(StorageErrorCode.INVALID_ARGUMENT);
    }
  });

  it('reports a write blocked by another connection as HOOKSPELL_STORAGE_UNAVAILABLE', async () => {
    const path = freshPath();
    const storage = SqliteStorage({ path, busyTimeoutMs: 50 });
    await storage.set('k', 'before');
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      await expectStorageError(() => storage.set('k', 'blocked'), StorageErrorCode.UNAVAILABLE, [
        /busyTimeoutMs/,
      ]);
      expect(await storage.get('k')).toBe('before'); // readers are not blocked in WAL mode
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await storage.set('k', 'after');
    expect(await storage.get('k')).toBe('after');
    await storage.close();
  });

  it('writes started before close() are on disk after it', async () => {
    const path = freshPath();
    const storage = SqliteStorage({ path });
    const writes = Array.from({ length: 20 }, (_, i) => storage.set(`w/${i}`, i));
    await storage.close();
    await Promise.all(writes);
    const reopened = SqliteStorage({ path });
    expect((await reopened.list('w/')).length).toBe(20);
    await reopened.close();
  });
});
