import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { SqliteStorage, type StorageBackend } from '@hookspell/storage';
import { PostgresStorage } from '@hookspell/storage/postgres';
import {
  dropPostgresTables,
  PG_URL,
  postgresSkipReason,
  uniqueTableBase,
} from '@hookspell/storage/testing/postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { HookJournal, ReplayEngine } from '../src/index.js';
// @ts-expect-error: a plain .mjs fixture, shared with the child process
import { registerHooks } from './fixtures/journal-hooks.mjs';

const writer = new URL('./fixtures/journal-writer.mjs', import.meta.url).pathname;

/** Records in a child process that exits; returns the execution ids it printed. */
function recordInChild(args: string[]): string[] {
  const child = spawnSync(process.execPath, [writer, ...args], {
    cwd: new URL('..', import.meta.url).pathname,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`journal writer failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as string[];
}

/** After the restart: read the journal from a fresh process state, replay it against the same hooks. */
async function replayAfterRestart(storage: StorageBackend, ids: string[]): Promise<void> {
  const registry = new HookRegistry();
  registerHooks(registry, HookResult);
  const executor = new HookExecutor(registry);
  const journal = new HookJournal(storage);
  const replays = new ReplayEngine(journal, executor);
  try {
    const entries = await journal.byCorrelation('restart-1');
    expect(entries.map((e) => e.executionId)).toEqual(ids);
    expect(entries.map((e) => `${e.hookId} ${e.status} ${e.result?.type}`)).toEqual([
      'guard:1.2.0 ok modified',
      'double:1.0.0 ok modified',
      'fixer:1.0.0 ok replace',
      'guard:1.2.0 ok cancel',
      'double:1.0.0 skipped skipped',
    ]);
    expect(entries[1]!.context).toEqual({ data: { cmd: 'ls -la', length: 6 }, metadata: { user_id: 'ann' } });
    // exact replay of each execution that ran: identical to what was recorded
    for (const e of entries.filter((x) => x.status === 'ok')) {
      const r = await replays.replay(e.executionId);
      expect(r.comparison, e.executionId).toEqual({ identical: true, similarity: 1, differences: [] });
    }
    // modified: a different user and command
    const modified = await replays.replay(ids[0]!, {
      changes: { 'data.cmd': 'rm x', 'metadata.user_id': 'bob' },
    });
    expect(modified.replayed.result).toEqual(HookResult.cancel('no rm for bob'));
    expect(modified.comparison.identical).toBe(false);
    // simulate, and the whole correlation re-fired in order
    expect((await replays.replay(ids[2]!, { mode: 'simulate' })).replayed.result).toEqual(
      HookResult.replace('fixed'),
    );
    const run = await replays.replayCorrelation('restart-1');
    expect(run.fires.map((f) => f.point)).toEqual([
      'BeforeToolExecution',
      'AfterToolExecution',
      'BeforeToolExecution',
    ]);
    expect(run.identical).toBe(true);
    // by hook, point, status and time, on the reopened store
    expect((await journal.query({ hook: 'guard' })).entries).toHaveLength(2);
    expect((await journal.query({ point: 'AfterToolExecution', status: 'ok' })).entries).toHaveLength(1);
    expect((await journal.query({ from: Date.now() - 3_600_000, to: Date.now() })).entries).toHaveLength(5);
  } finally {
    await journal.close();
  }
}

const skipReason = await postgresSkipReason('journal-restart.test.ts');
const table = `${uniqueTableBase()}_journal`;

describe('journal + replay across a process restart', () => {
  it('SQLite', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hookspell-journal-')), 'journal.db');
    const ids = recordInChild(['sqlite', path]);
    expect(ids).toHaveLength(5);
    const storage = SqliteStorage({ path });
    try {
      await replayAfterRestart(storage, ids);
    } finally {
      await storage.close();
    }
  });

  afterAll(async () => {
    if (skipReason !== undefined) return;
    await dropPostgresTables([table]);
  });

  it.skipIf(skipReason !== undefined)('PostgreSQL', async () => {
    const ids = recordInChild(['postgres', PG_URL, table]);
    const storage = PostgresStorage({ connectionString: PG_URL, max: 2 }, { table });
    try {
      await replayAfterRestart(storage, ids);
    } finally {
      await storage.close();
    }
  });
});
