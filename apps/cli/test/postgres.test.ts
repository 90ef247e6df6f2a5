import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookspell, json, project } from './helpers.js';

const URL = process.env.HOOKSPELL_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const table = `hs_cli_${process.pid}_${Date.now() % 100000}`;

function installed(): boolean {
  try {
    execFileSync(
      'sh',
      ['-c', 'command -v postgres || command -v pg_ctlcluster || ls /usr/lib/postgresql/*/bin/postgres'],
      { stdio: 'ignore' },
    );
    return true;
  } catch {
    return false;
  }
}

const present = installed();
if (!present)
  console.warn(
    '[hookspell cli] PostgreSQL is not installed here: the PostgreSQL CLI test is skipped (.ci/run installs it).',
  );

describe.skipIf(!present)('hookspell on PostgreSQL', () => {
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
