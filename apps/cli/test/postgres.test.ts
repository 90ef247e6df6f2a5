import { PG_URL, postgresSkipReason } from '@hookspell/storage/testing/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookspell, json, project } from './helpers.js';

const URL = PG_URL;
const table = `hs_cli_${process.pid}_${Date.now() % 100000}`;
// Skipped only when PostgreSQL is not installed; a stopped server fails the test (with the hint).
const skip = await postgresSkipReason('hookspell cli');

describe.skipIf(skip !== undefined)('hookspell on PostgreSQL', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: URL });
    await client.connect().catch((error: Error) => {
      throw new Error(
        `PostgreSQL is installed but not reachable at ${URL} (${error.message}); start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
      );
    });
  });
  afterAll(async () => {
    await client?.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await client?.end().catch(() => {});
  });

  it('fires, stores and queries through a postgres storage config', async () => {
    const cwd = project({
      'hookspell.config.yaml': `storage:\n  type: postgres\n  connectionString: \${HS_PG}\n  table: ${table}\nhooks:\n  - { name: n, point: SystemStartup, command: [node, -e, ''] }\n`,
    });
    const env = { HS_PG: URL };
    const fired = json(
      await hookspell(['fire', 'SystemStartup', '--json', '--correlation', 'pg-1'], { cwd, env }),
    );
    expect(fired.records[0].status).toBe('ok');
    const events = json(
      await hookspell(['events', 'query', '--correlation', 'pg-1', '--json'], { cwd, env }),
    );
    expect(events.map((e: any) => e.type)).toEqual([
      'hook.fire.started',
      'hook.execution.completed',
      'hook.fire.completed',
    ]);
    const replay = json(await hookspell(['replay', fired.records[0].executionId, '--json'], { cwd, env }));
    expect(replay.comparison.identical).toBe(true);
  });
});
