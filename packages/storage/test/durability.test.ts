import { spawn } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStorage, type StorageBackend } from '../src/index.js';
import { PostgresStorage } from '../src/postgres/index.js';
import { PG_URL, postgresSkipReason, uniqueTableBase } from '../src/testing/postgres.js';

const here = dirname(fileURLToPath(import.meta.url));
const WRITER = join(here, 'fixtures', 'durability-writer.mjs');
const BUILT = [join(here, '..', 'dist', 'index.js'), join(here, '..', 'dist', 'postgres.js')];
const ROUNDS = 5;

/** Kill points spread over 50–2000 acknowledged writes, random on every run (printed to reproduce). */
function killPoints(): number[] {
  const edges = [50, 300, 700, 1100, 1500, 2000];
  return Array.from({ length: ROUNDS }, (_, i) => randomInt(edges[i]!, edges[i + 1]! + 1));
}

interface WriterRun {
  /** key → sha256 of the JSON of the acknowledged value. */
  acked: Map<string, string>;
  /** Highest group written to the counter key and acknowledged. */
  counter: number;
  signal: NodeJS.Signals | null;
}

/** Runs the writer until `killAfter` acknowledged writes, then SIGKILLs it; collects every ack it printed. */
function runWriterAndKill(config: Record<string, unknown>, killAfter: number): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<string, string>();
    let counter = 0;
    let pending = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the writer made only ${acked.size} acknowledged writes in 20 s; stderr:\n${stderr}`));
    }, 20_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!; // an unfinished line (cut by the kill) is not an acknowledgement
      for (const line of lines) {
        const [kind, a, b] = line.split(' ');
        if (kind === 'ack') acked.set(a!, b!);
        else if (kind === 'counter') counter = Math.max(counter, Number(a));
      }
      if (!killed && acked.size >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!killed) {
        reject(new Error(`the writer exited by itself (code ${code}, signal ${signal}); stderr:\n${stderr}`));
        return;
      }
      resolve({ acked, counter, signal });
    });
  });
}

const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

type Written = { group: number; index: number; size: number };

/** Every acknowledged write is there and intact; batches are all-or-nothing; the counter did not go back. */
async function checkAfterKill(backend: StorageBackend, prefix: string, run: WriterRun, killAfter: number) {
  expect(run.signal).toBe('SIGKILL');
  expect(run.acked.size).toBeGreaterThanOrEqual(killAfter);
  const stored = new Map(
    (await backend.list<Written>(`${prefix}g/`)).map((entry) => [entry.key, entry.value]),
  );
  const missing: string[] = [];
  const damaged: string[] = [];
  for (const [key, hash] of run.acked) {
    const value = stored.get(key);
    if (value === undefined) missing.push(key);
    else if (sha(value) !== hash) damaged.push(key);
  }
  expect(missing, 'acknowledged writes missing after the kill').toStrictEqual([]);
  expect(damaged, 'acknowledged writes changed after the kill').toStrictEqual([]);
  const groups = new Map<number, { size: number; count: number }>();
  for (const value of stored.values()) {
    const group = groups.get(value.group) ?? { size: value.size, count: 0 };
    group.count++;
    groups.set(value.group, group);
  }
  for (const [group, { size, count }] of groups) expect(count, `keys of batch ${group}`).toBe(size);
  const counter = await backend.get<{ group: number }>(`${prefix}counter`);
  if (run.counter > 0) expect(counter?.group).toBeGreaterThanOrEqual(run.counter);
  console.info(
    `[durability] ${backend.name}: ${run.acked.size} writes acknowledged before the kill, ${stored.size} found, batches whole`,
  );
}

beforeAll(() => {
  for (const file of BUILT) {
    if (!existsSync(file)) {
      throw new Error(
        `${file} is missing: build the package first (pnpm --filter @hookspell/storage build).`,
      );
    }
  }
});

describe('durability under kill -9: SqliteStorage', () => {
  const root = mkdtempSync(join(tmpdir(), 'hookspell-durability-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const points = killPoints();
  console.info(`[durability] SQLite kill points (acknowledged writes): ${points.join(', ')}`);

  for (const [round, killAfter] of points.entries()) {
    it(`round ${round + 1}: every write acknowledged before a SIGKILL after ${killAfter} acks is there`, async () => {
      const path = join(root, `round-${round}`, 'store.db');
      const prefix = `r${round}/`;
      const run = await runWriterAndKill(
        { kind: 'sqlite', path, prefix, seed: randomInt(2 ** 31) },
        killAfter,
      );
      // Killed without closing: the write-ahead log is still there and must be recovered.
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
      const backend = SqliteStorage({ path });
      try {
        const db = backend.driver.getInstance();
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        await checkAfterKill(backend, prefix, run, killAfter);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        // Still writable after recovery.
        await backend.set(`${prefix}after`, { recovered: true });
        expect(await backend.get(`${prefix}after`)).toStrictEqual({ recovered: true });
      } finally {
        await backend.close();
      }
    }, 30_000);
  }
});

const pgSkip = await postgresSkipReason('durability.test.ts');

describe.skipIf(pgSkip !== undefined)('durability under kill -9: PostgresStorage', () => {
  const table = `${uniqueTableBase()}_durability`;
  const points = killPoints();
  console.info(`[durability] PostgreSQL kill points (acknowledged writes): ${points.join(', ')}`);

  afterAll(async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    try {
      await pool.query(`DROP TABLE IF EXISTS "${table}"`);
      await pool.query('DELETE FROM hookspell_meta WHERE name = $1', [`schema:${table}`]);
    } finally {
      await pool.end();
    }
  });

  for (const [round, killAfter] of points.entries()) {
    it(`round ${round + 1}: every write acknowledged before a SIGKILL after ${killAfter} acks is there`, async () => {
      const prefix = `r${round}/`;
      const run = await runWriterAndKill(
        { kind: 'postgres', url: PG_URL, table, prefix, seed: randomInt(2 ** 31) },
        killAfter,
      );
      const backend = PostgresStorage({ connectionString: PG_URL, max: 2 }, { table });
      try {
        await checkAfterKill(backend, prefix, run, killAfter);
      } finally {
        await backend.close();
      }
    }, 30_000);
  }
});
