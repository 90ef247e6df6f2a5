import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

// Shared by every package's PostgreSQL tests (and usable by adapter authors' own): where the
// server is, how to start it, and the rule for skipping — only when PostgreSQL is not installed.

/** Where the PostgreSQL tests connect: trust auth, database `test`; override with HOOKSPELL_PG_URL. */
export const PG_URL = process.env.HOOKSPELL_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const PG_START_HINT = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/** A table name no other test run uses, e.g. `hs_test_1a2b3c4d`. */
export function uniqueTableBase(): string {
  return `hs_test_${randomBytes(4).toString('hex')}`;
}

function serverAddress(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 5432) };
}

/** True when something accepts a TCP connection at host:port within `timeoutMs` (a service test's probe). */
export function tcpReachable(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function postgresInstalled(): boolean {
  return (
    spawnSync('sh', ['-c', 'command -v pg_ctlcluster || command -v postgres'], { stdio: 'ignore' }).status ===
    0
  );
}

/**
 * Decides whether the PostgreSQL tests run. When the server is not reachable it prints how to start
 * it. The tests are skipped (with a warning) only when PostgreSQL is not installed here at all;
 * when it is installed but not running they run and fail, so a stopped server is never mistaken
 * for a pass.
 */
export async function postgresSkipReason(what: string): Promise<string | undefined> {
  const { host, port } = serverAddress(PG_URL);
  if (await tcpReachable(host, port)) return undefined;
  console.warn(
    `[${what}] PostgreSQL is not reachable at ${host}:${port} (${PG_URL}). Start it with:\n  ${PG_START_HINT}\nor point HOOKSPELL_PG_URL at a running server.`,
  );
  if (postgresInstalled()) {
    console.warn(
      `[${what}] PostgreSQL is installed, so the tests run anyway and will fail until it is started.`,
    );
    return undefined;
  }
  const reason = `[${what}] skipped: PostgreSQL is not installed here (no pg_ctlcluster or postgres binary on PATH) and nothing listens at ${host}:${port}.`;
  console.warn(reason);
  return reason;
}

/**
 * Drops tables a test made (and their schema rows in `hookspell_meta`), for an `afterAll`. `pg` is
 * imported only when this runs, so the testing kit never requires it of memory-only adapters.
 *
 * @example
 * afterAll(() => dropPostgresTables(tables));
 */
export async function dropPostgresTables(tables: readonly string[], url: string = PG_URL): Promise<void> {
  if (tables.length === 0) return;
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    for (const table of tables) {
      await pool.query(`DROP TABLE IF EXISTS "${table.replaceAll('"', '""')}"`);
      // No hookspell_meta yet: no PostgresStorage ever ran here, so there is no row to delete.
      await pool
        .query("DELETE FROM hookspell_meta WHERE name = 'schema:' || $1", [table])
        .catch((error: { code?: string }) => {
          if (error.code !== '42P01') throw error;
        });
    }
  } finally {
    await pool.end();
  }
}
