import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HookError, HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { MemoryStorage, SqliteStorage, type StorageBackend } from '@hookspell/storage';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ExecutionPrunedError,
  HookJournal,
  type HookJournalOptions,
  type JournalPruneEvent,
  ReplayEngine,
} from '../src/index.js';
import { MAX_PROCESS_MARKS, PruneTally, prunedState } from '../src/prune-record.js';

// Issue 14, item 12: the default preset pruned 1 088 acknowledged entries of a busy run with no
// trace. Pruning is now told (onPrune, a `hook.journal.pruned` event, stats), stored with the
// removal, and a replay of a pruned execution says so.

const dir = mkdtempSync(join(tmpdir(), 'hookspell-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function setup(options: HookJournalOptions = {}, storage: StorageBackend = MemoryStorage()) {
  const registry = new HookRegistry();
  registry.register('BeforeToolExecution', (ctx) => HookResult.modified({ seen: ctx.data.n }), {
    name: 'only',
  });
  const executor = new HookExecutor(registry);
  const events: JournalPruneEvent[] = [];
  const sunk: { type: string; data: Record<string, unknown>; meta: { correlationId: string } }[] = [];
  const journal = new HookJournal(storage, {
    onPrune: (e) => events.push(e),
    sink: { emit: (type, data, meta) => void sunk.push({ type, data, meta }) },
    ...options,
  });
  journal.attach(executor);
  return { registry, executor, journal, events, sunk, storage };
}

async function settle(journal: HookJournal, events: unknown[], expected: number): Promise<void> {
  await journal.flush();
  // Background retention runs after the write that took the journal past 1.1 × maxEntries.
  for (let i = 0; i < 500 && events.length < expected; i++) await new Promise((r) => setTimeout(r, 10));
}

describe('journal retention is visible', () => {
  it("the default preset's 10 000 entries: a busy run's 1 088 extra entries are pruned, told, stored, and a replay says so (SQLite)", async () => {
    const path = join(dir, `busy-${files++}.db`);
    const storage = SqliteStorage({ path });
    const { executor, journal, events, sunk } = setup({}, storage);
    expect(journal.retention).toEqual({ maxAgeMs: 7 * 86_400_000, maxEntries: 10_000, minKeep: 100 });
    const ids: string[] = [];
    for (let n = 0; n < 11_088; n++) {
      const out = await executor.fire('BeforeToolExecution', { data: { n } });
      ids.push(out.records[0]!.executionId);
    }
    await settle(journal, events, 1);
    expect(events).toHaveLength(1);
    const [event] = events;
    const oldest = (await journal.query({ limit: 1 })).entries[0]!;
    expect(oldest.context.data.n).toBe(1088);
    expect(event).toEqual({
      entries: 1088,
      segments: 2, // the first 1 000-entry segment whole, 88 lines of the second
      oldestKept: { seq: oldest.seq, recordedAt: oldest.recordedAt },
      newestRemoved: { seq: expect.any(Number), recordedAt: expect.any(Number) },
      reason: 'maxEntries',
      byCount: 1088,
      byAge: 0,
      remaining: 10_000,
      retention: journal.retention,
      trigger: 'background',
      prefix: 'journal/',
      at: expect.any(Number),
    });
    expect(event!.newestRemoved.seq).toBeLessThan(oldest.seq);
    expect(journal.stats().pruned).toBe(1088);
    expect(sunk).toEqual([
      { type: 'hook.journal.pruned', data: { ...event }, meta: { correlationId: expect.any(String) } },
    ]);
    await journal.close();
    await storage.close();

    // Later, another process (the CLI) opens the same file with other settings and replays.
    const reopened = SqliteStorage({ path });
    const reader = new HookJournal(reopened, { retention: 'long' });
    const replays = new ReplayEngine(reader, executor);
    expect(await reader.pruneInfo()).toEqual({
      entries: 1088,
      through: event!.newestRemoved,
      lastRunAt: event!.at,
      retention: { maxAgeMs: 7 * 86_400_000, maxEntries: 10_000, minKeep: 100 },
    });
    for (const id of [ids[0]!, ids[1087]!]) {
      expect(await reader.lookup(id)).toMatchObject({ state: 'pruned', pruned: { entries: 1088 } });
      const error = await replays.replay(id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExecutionPrunedError);
      expect(HookError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'HOOKSPELL_EXECUTION_PRUNED',
        executionId: id,
        pruned: { entries: 1088 },
      });
      expect((error as Error).message).toContain(`execution '${id}' was removed by the journal's retention`);
      expect((error as Error).message).toContain('maxEntries 10000, maxAgeMs 604800000 (7 d), minKeep 100');
      expect((error as Error).message).toMatch(/`retention` option of HookJournal/);
    }
    expect((await reader.lookup(ids[1088]!)).state).toBe('recorded');
    expect((await replays.replay(ids[1088]!)).comparison.identical).toBe(true);
    // Never recorded: a later fire number of the same process, and an id hookspell did not make.
    const [processId, last] = [ids[11_087]!.slice(0, ids[11_087]!.lastIndexOf('-')), 11_088 + 5_000];
    const future = `${processId}-${last.toString(36)}.0`;
    expect(await reader.lookup(future)).toMatchObject({ state: 'not-found', pruned: { entries: 1088 } });
    const notFound = await replays.replay(future).catch((e: unknown) => e);
    expect(notFound).toMatchObject({ code: 'HOOKSPELL_EXECUTION_NOT_FOUND' });
    expect((notFound as Error).message).toMatch(
      /never recorded, filtered out, or removed by retention \(retention maxEntries 10000/,
    );
    expect(await reader.lookup('custom_id.0')).toMatchObject({ state: 'maybe-pruned' }); // not an id hookspell makes
    await reopened.close();
  }, 120_000);

  it('reports why: maxAgeMs, maxEntries, or both; prune() is trigger "prune"; nothing reported when nothing goes', async () => {
    const t0 = 1_700_000_000_000;
    let now = t0;
    // 11 entries stay within 1.1 × maxEntries: no background run, only the prune() calls below.
    const { executor, journal, events } = setup({
      retention: { maxAgeMs: 10_000, maxEntries: 10, minKeep: 0 },
      clock: () => now,
    });
    for (let n = 0; n < 11; n++) {
      await executor.fire('BeforeToolExecution', { data: { n } });
      await journal.flush(); // a segment per fire, recorded at t0 + n s
      now += 1_000;
    }
    expect(await journal.prune()).toBe(1);
    expect(events).toEqual([
      expect.objectContaining({
        entries: 1,
        segments: 1,
        reason: 'maxEntries',
        byCount: 1,
        byAge: 0,
        trigger: 'prune',
        remaining: 10,
        at: now,
      }),
    ]);
    expect(await journal.prune()).toBe(0);
    expect(events).toHaveLength(1);
    now = t0 + 13_500; // the entries of t0 + 1 s … 3 s are now older than 10 s
    expect(await journal.prune()).toBe(3);
    expect(events.at(-1)).toMatchObject({
      entries: 3,
      segments: 3,
      reason: 'maxAgeMs',
      byCount: 0,
      byAge: 3,
      remaining: 7,
    });
    expect(events.at(-1)!.oldestKept?.recordedAt).toBe(t0 + 4_000);
    for (let n = 11; n < 15; n++) await executor.fire('BeforeToolExecution', { data: { n } });
    await journal.flush();
    now += 60_000;
    // 11 entries: 1 over the count goes first, then the other 10 by age (minKeep 0): none left.
    expect(await journal.prune()).toBe(11);
    expect(events.at(-1)).toMatchObject({
      entries: 11,
      reason: 'maxEntries+maxAgeMs',
      byCount: 1,
      byAge: 10,
      remaining: 0,
      oldestKept: undefined,
    });
    expect(await journal.pruneInfo()).toMatchObject({ entries: 15, lastRunAt: now });
    await journal.close();
  });

  it('a listener or sink that throws does not stop retention', async () => {
    const { executor, journal } = setup({
      retention: { maxEntries: 1, minKeep: 0 },
      onPrune: () => {
        throw new Error('listener bug');
      },
      sink: {
        emit: () => {
          throw new Error('sink bug');
        },
      },
    });
    for (let n = 0; n < 3; n++) await executor.fire('BeforeToolExecution', { data: { n } });
    await journal.flush();
    await journal.prune();
    expect(await journal.size()).toBe(1);
    expect(journal.stats().pruned).toBe(2);
    await journal.close();
  });

  it('what earlier pages removed is told even when a later page of the same run fails', async () => {
    const storage = MemoryStorage();
    let batches = 0;
    let failFrom = Number.POSITIVE_INFINITY;
    const flaky: StorageBackend = {
      ...storage,
      batch: (ops) => (++batches >= failFrom ? Promise.reject(new Error('disk full')) : storage.batch(ops)),
    };
    // The writer keeps everything; another journal on the same storage prunes.
    const { executor, journal: writer } = setup({ retention: {} }, flaky);
    for (let n = 0; n < 20; n++) {
      await executor.fire('BeforeToolExecution', { data: { n } });
      await writer.flush(); // 20 one-entry segments: retention reads them 16 at a time
    }
    const events: JournalPruneEvent[] = [];
    const journal = new HookJournal(flaky, {
      retention: { maxEntries: 1, minKeep: 0 },
      onPrune: (e) => events.push(e),
    });
    failFrom = batches + 2; // the first page's batch succeeds, the second fails
    await expect(journal.prune()).rejects.toThrow(/disk full/);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ entries: 16, segments: 16, remaining: 4, trigger: 'prune' });
    expect(await journal.pruneInfo()).toMatchObject({ entries: 16 });
    failFrom = Number.POSITIVE_INFINITY;
    expect(await journal.prune()).toBe(3);
    expect(await journal.pruneInfo()).toMatchObject({ entries: 19 });
    await journal.close();
  });

  it('replayCorrelation says when the journal has pruned (fires from before may be missing)', async () => {
    const { executor, journal, storage } = setup({ retention: {} });
    const replays = new ReplayEngine(journal, executor);
    for (let n = 0; n < 4; n++) {
      await executor.fire('BeforeToolExecution', { data: { n } }, { correlationId: 'run-1' });
    }
    expect((await replays.replayCorrelation('run-1', { mode: 'simulate' })).pruned).toBeUndefined();
    // Another process prunes the same storage.
    expect(await new HookJournal(storage, { retention: { maxEntries: 2, minKeep: 0 } }).prune()).toBe(2);
    const run = await replays.replayCorrelation('run-1', { mode: 'simulate' });
    expect(run.pruned).toMatchObject({ entries: 2, retention: { maxEntries: 2, minKeep: 0 } });
    await journal.close();
  });

  it('a journal that never pruned says so: not found, nothing pruned', async () => {
    const { executor, journal } = setup();
    const replays = new ReplayEngine(journal, executor);
    expect(await journal.pruneInfo()).toBeUndefined();
    expect(await journal.lookup('abc-1.0')).toEqual({ state: 'not-found', pruned: undefined });
    await expect(replays.replay('abc-1.0')).rejects.toThrow(
      /never recorded, or filtered out; the journal has pruned nothing/,
    );
    await journal.close();
  });
});

describe('the stored prune record', () => {
  it('keeps the highest fire removed per process, newest processes last, at most MAX_PROCESS_MARKS', () => {
    const line = (off: number, id: string, at: number) => `[${off},0,"${id}",0,0,0,{},{},"ok",0,0,1,1,${at}]`;
    const tally = new PruneTally();
    tally.removed(
      [line(0, 'aa-1.0', 10), line(1, 'aa-3.1', 11), line(2, 'bb-z.0', 12), line(3, 'cc-9.0', 13)],
      3,
      100,
    );
    const record = tally.record(undefined, 3, 50, { maxEntries: 5, maxAgeMs: undefined });
    expect(record).toMatchObject({
      through: 102,
      throughAt: 12,
      fires: [
        ['aa', 3],
        ['bb', 35],
      ],
      truncated: false,
    });
    expect(record.retention).toEqual({ maxEntries: 5 }); // JSON only: no undefined
    expect(prunedState(record, 'aa-2.4')).toBe('pruned');
    expect(prunedState(record, 'aa-3.0')).toBe('pruned');
    expect(prunedState(record, 'aa-4.0')).toBe('not-pruned');
    expect(prunedState(record, 'cc-9.0')).toBe('not-pruned');
    expect(prunedState(record, 'no dash')).toBe('unknown');
    expect(prunedState(undefined, 'aa-1.0')).toBe('not-pruned');
    const many = new PruneTally();
    const lines = Array.from({ length: MAX_PROCESS_MARKS + 10 }, (_, i) => line(i, `p${i}-1.0`, i));
    many.removed(lines, lines.length, 0);
    const big = many.record(record, lines.length, 60, {});
    expect(big.fires).toHaveLength(MAX_PROCESS_MARKS);
    expect(big.truncated).toBe(true);
    expect(big.fires.at(-1)).toEqual([`p${MAX_PROCESS_MARKS + 9}`, 1]);
    expect(prunedState(big, 'aa-1.0')).toBe('unknown'); // its mark was dropped
    expect(big.entries).toBe(3 + lines.length);
  });
});
