import { type HookError, HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import {
  defineBackend,
  MemoryStorage,
  SortedKeys,
  SqliteStorage,
  type StorageBackend,
} from '@hookspell/storage';
import { PostgresStorage } from '@hookspell/storage/postgres';
import {
  dropPostgresTables,
  PG_URL,
  postgresSkipReason,
  uniqueTableBase,
} from '@hookspell/storage/testing/postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { HookJournal, type HookJournalOptions, RETENTION_PRESETS } from '../src/index.js';
import { pushOffset, SegmentIndex, unpackOffsets } from '../src/journal-index.js';
import { hashId, ID_BUCKETS, pad } from '../src/journal-keys.js';
import { type StoredSegment, segmentEntries } from '../src/journal-segment.js';
import { sleep } from './helpers.js';

/** A minimal third-party adapter: the journal must work through the interface alone. */
function customAdapter(): StorageBackend {
  const values = new Map<string, string>();
  const order = new SortedKeys();
  return defineBackend({
    name: 'custom',
    get: (key) => values.get(key),
    set(key, json) {
      order.add(key);
      values.set(key, json);
    },
    delete: (key) => values.delete(key) && order.remove(key),
    list: (prefix, options) => order.range(prefix, options).map((key) => ({ key, json: values.get(key)! })),
  });
}

function setup(options: HookJournalOptions = {}, storage: StorageBackend = MemoryStorage()) {
  const registry = new HookRegistry();
  registry.register('BeforeToolExecution', (ctx) => HookResult.modified({ seen: ctx.data.cmd }), {
    name: 'first',
    version: '2.1.0',
  });
  registry.register(
    'BeforeToolExecution',
    (ctx) => {
      ctx.metadata.checked = 'yes';
      if (ctx.data.cmd === 'boom') throw new Error('kaboom');
    },
    { name: 'second' },
  );
  registry.register('AfterToolExecution', () => {}, { name: 'after' });
  const executor = new HookExecutor(registry);
  let now = 1_700_000_000_000;
  const clock = Object.assign(() => now, { advance: (ms: number) => (now += ms) });
  const journal = new HookJournal(storage, { clock, ...options });
  const detach = journal.attach(executor);
  return { registry, executor, journal, detach, clock, storage };
}

/**
 * Checks the index rows against the segments: every index row belongs to a segment that lists it,
 * and holds what the segment's entries make (no orphan, stale or missing row).
 */
async function expectIndexMatchesSegments(storage: StorageBackend): Promise<void> {
  const rows = await storage.list('journal/');
  const indexKeys = rows.map((r) => r.key).filter((k) => /^journal\/[ihps]\//.test(k));
  const expected = new Map<string, unknown>();
  for (const row of rows.filter((r) => r.key.startsWith('journal/g/'))) {
    const segment = row.value as StoredSegment;
    const index = new SegmentIndex();
    const { entries, from } = segmentEntries(segment, row.key);
    for (let o = 0; o < entries.length; o++) index.add(from + o, entries[o]!);
    const rebuilt = index.rows();
    expect(segment.rows.sort()).toEqual([...rebuilt.keys()].sort());
    for (const [key, value] of rebuilt) expected.set(`journal/${key}${pad(segment.last)}`, value);
  }
  expect(indexKeys.sort()).toEqual([...expected.keys()].sort());
  for (const key of indexKeys) expect(await storage.get(key), key).toEqual(expected.get(key));
}

const pgSkip = await postgresSkipReason('hook-journal.test.ts');
const pgTables: string[] = [];
const pgStorages: StorageBackend[] = [];

/** A PostgreSQL backend on a table of its own (each test expects an empty store). */
function postgres(): StorageBackend {
  const table = `${uniqueTableBase()}_journal`;
  const storage = PostgresStorage({ connectionString: PG_URL, max: 2 }, { table });
  pgTables.push(table);
  pgStorages.push(storage);
  return storage;
}

afterAll(async () => {
  for (const storage of pgStorages) await storage.close();
  await dropPostgresTables(pgTables);
});

const backends: [string, () => StorageBackend][] = [
  ['MemoryStorage', () => MemoryStorage()],
  ['SQLite', () => SqliteStorage({ path: ':memory:' })],
  ['a custom adapter', customAdapter],
];
// Left out only where PostgreSQL is not installed (postgresSkipReason says so).
if (pgSkip === undefined) backends.push(['PostgreSQL', postgres]);

describe.each(backends)('HookJournal on %s', (_name, make) => {
  it('records every execution: ids, point, the context as the hook saw it, result, status, times', async () => {
    const { executor, journal } = setup({}, make());
    const out = await executor.fire(
      'BeforeToolExecution',
      { component: { type: 'tool', name: 'shell' }, data: { cmd: 'ls' }, metadata: { user_id: 'u' } },
      { correlationId: 'req-1' },
    );
    const { entries, cursor } = await journal.query({ correlationId: 'req-1' });
    expect(cursor).toBeUndefined();
    expect(entries).toHaveLength(2);
    const [first, second] = entries;
    expect(first).toMatchObject({
      hookId: 'first:2.1.0',
      hook: 'first',
      version: '2.1.0',
      executionId: out.records[0]!.executionId,
      fireId: out.records[0]!.executionId.replace(/\.0$/, ''),
      index: 0,
      correlationId: 'req-1',
      point: 'BeforeToolExecution',
      mode: 'sequential',
      component: { type: 'tool', name: 'shell' },
      language: 'native',
      context: { data: { cmd: 'ls' }, metadata: { user_id: 'u' } },
      status: 'ok',
      result: { type: 'modified', data: { seen: 'ls' } },
      recordedAt: 1_700_000_000_000,
    });
    expect(first!.startedAt).toBeCloseTo(out.records[0]!.startedAt, 2);
    expect(first!.durationMs).toBeGreaterThanOrEqual(0);
    // the second hook saw the first one's modification, and metadata as it was before it wrote
    expect(second).toMatchObject({
      hookId: 'second:1.0.0',
      index: 1,
      context: { data: { cmd: 'ls', seen: 'ls' }, metadata: { user_id: 'u' } },
      result: { type: 'continue' },
    });
    expect(second!.seq).toBeGreaterThan(first!.seq);
  });

  it('records errors, skips and parallel fires', async () => {
    const { executor, journal, registry } = setup({}, make());
    await executor.fire('BeforeToolExecution', { data: { cmd: 'boom' } }, { correlationId: 'e' });
    registry.register('BeforeToolExecution', {
      name: 'never',
      execute: () => {},
      shouldExecute: () => false,
    });
    await executor.fire(
      'BeforeToolExecution',
      { data: { cmd: 'x' } },
      { correlationId: 's', mode: 'parallel' },
    );
    const errors = await journal.query({ status: 'error' });
    expect(errors.entries).toHaveLength(1);
    expect(errors.entries[0]).toMatchObject({ hook: 'second', error: { name: 'Error', message: 'kaboom' } });
    expect(errors.entries[0]).not.toHaveProperty('result');
    const parallel = await journal.query({ correlationId: 's' });
    expect(parallel.entries.map((e) => [e.hook, e.status, e.mode])).toEqual([
      ['first', 'ok', 'parallel'],
      ['second', 'ok', 'parallel'],
      ['never', 'skipped', 'parallel'],
    ]);
    expect(parallel.entries[2]!.result).toEqual(
      HookResult.skipped('not applicable (shouldExecute returned false)'),
    );
  });

  it('queries by hook, hookId, point, status, execution id and time range, with cursor paging both ways', async () => {
    const { executor, journal, clock } = setup({ maxBatch: 7 }, make());
    for (let i = 0; i < 30; i++) {
      clock.advance(1000);
      await executor.fire(
        i % 3 === 0 ? 'AfterToolExecution' : 'BeforeToolExecution',
        { data: { cmd: `c${i}` } },
        { correlationId: `r${i % 4}` },
      );
      if (i % 5 === 0) await journal.flush(); // several segments of different sizes
    }
    expect(await journal.size()).toBe(50);
    expect((await journal.query({ hook: 'after', limit: 100 })).entries).toHaveLength(10);
    expect((await journal.query({ hookId: 'first:2.1.0', limit: 100 })).entries).toHaveLength(20);
    expect((await journal.query({ hookId: 'first:9.9.9' })).entries).toHaveLength(0);
    expect((await journal.query({ point: 'AfterToolExecution', limit: 100 })).entries).toHaveLength(10);
    expect((await journal.query({ status: ['ok', 'error'], limit: 100 })).entries).toHaveLength(50);
    const r1 = await journal.query({ correlationId: 'r1', limit: 100 });
    expect(r1.entries.map((e) => e.context.data.cmd)).toEqual([
      'c1',
      'c1',
      'c5',
      'c5',
      'c9',
      'c13',
      'c13',
      'c17',
      'c17',
      'c21',
      'c25',
      'c25',
      'c29',
      'c29',
    ]);
    const one = r1.entries[5]!;
    expect(await journal.get(one.executionId)).toEqual(one);
    expect(await journal.get('nope.0')).toBeUndefined();
    // time range: fires 10..14 happened at +11 s .. +15 s
    const start = 1_700_000_000_000;
    const ranged = await journal.query({ from: start + 11_000, to: new Date(start + 15_000), limit: 100 });
    expect([...new Set(ranged.entries.map((e) => e.context.data.cmd))]).toEqual([
      'c10',
      'c11',
      'c12',
      'c13',
      'c14',
    ]);
    // paging forward and backward, combined with a filter: no gap, no repeat
    for (const reverse of [false, true]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await journal.query({ point: 'BeforeToolExecution', limit: 3, cursor, reverse });
        seen.push(...page.entries.map((e) => e.executionId));
        cursor = page.cursor;
        pages++;
      } while (cursor !== undefined);
      expect(seen).toHaveLength(40);
      expect(new Set(seen).size).toBe(40);
      expect(pages).toBeGreaterThanOrEqual(14);
      const all = (await journal.query({ point: 'BeforeToolExecution', limit: 1000 })).entries.map(
        (e) => e.executionId,
      );
      expect(seen).toEqual(reverse ? [...all].reverse() : all);
    }
    const lastPage = await journal.query({
      correlationId: 'r2',
      reverse: true,
      limit: 2,
      to: start + 12_000,
    });
    expect(lastPage.entries.map((e) => e.context.data.cmd)).toEqual(['c10', 'c10']);
    await expect(journal.query({ cursor: 'x' })).rejects.toThrow(/cursor/);
    await expect(journal.query({ limit: 0 })).rejects.toThrow(/limit/);
  });

  it('retention presets prune by count (keeping the newest), by age, never below minKeep', async () => {
    const { executor, journal, clock } = setup({ retention: { maxEntries: 5 }, maxBatch: 4 }, make());
    for (let i = 0; i < 5; i++) {
      clock.advance(1);
      await executor.fire('BeforeToolExecution', { data: { cmd: `c${i}` } });
    }
    expect(await journal.size()).toBe(10);
    expect(await journal.prune()).toBe(5);
    expect(await journal.size()).toBe(5);
    const left = (await journal.query({ limit: 100 })).entries;
    expect(left.map((e) => `${e.context.data.cmd}/${e.hook}`)).toEqual([
      'c2/second',
      'c3/first',
      'c3/second',
      'c4/first',
      'c4/second',
    ]);
    // every index follows: nothing pruned is found, what is left is
    expect((await journal.query({ hook: 'first', limit: 100 })).entries).toHaveLength(2);
    expect(journal.stats().pruned).toBe(5);

    const aged = setup({ retention: { maxAgeMs: 100_000, minKeep: 3 } }, make());
    for (let i = 0; i < 4; i++) {
      await aged.executor.fire('BeforeToolExecution', { data: { cmd: `a${i}` } });
      aged.clock.advance(40_000);
    }
    expect(await aged.journal.prune()).toBe(4); // older than 100 s at +160 s: the fires at +0 s and +40 s
    expect(await aged.journal.size()).toBe(4);
    aged.clock.advance(1_000_000);
    expect(await aged.journal.prune()).toBe(1); // all old now, but minKeep 3
    expect(await aged.journal.size()).toBe(3);
  });

  it('finds executions and correlations through one id index, whatever shares a bucket or a hash', async () => {
    const { executor, journal } = setup({}, make());
    const cmds = async (q: Parameters<HookJournal['query']>[0]) =>
      (await journal.query(q)).entries.map((e) => e.context.data.cmd);
    // Without a correlation scope a fire's correlation id is its own id; a nested fire inherits
    // it, so one id is then a fire id and another fire's correlation id.
    const plain = await executor.fire('AfterToolExecution', { data: { cmd: 'plain' } });
    const plainId = plain.records[0]!.executionId;
    const plainFire = plainId.slice(0, plainId.lastIndexOf('.'));
    const nested = await executor.fire(
      'BeforeToolExecution',
      { data: { cmd: 'nested' } },
      { correlationId: plainFire },
    );
    // Two correlation ids with the same 32-bit hash (found by search), and three more sharing a bucket.
    const [a, b] = ['c801319/48', 'c214352/30'];
    expect(hashId(a)).toBe(hashId(b));
    const bucket = (id: string) => hashId(id) % ID_BUCKETS;
    const peers = Array.from({ length: 100 }, (_, i) => `r${i}`)
      .filter((id) => bucket(id) === bucket(a))
      .slice(0, 3);
    expect(peers).toHaveLength(3);
    const fired = [plain, nested];
    for (const id of [a, b, ...peers]) {
      fired.push(await executor.fire('BeforeToolExecution', { data: { cmd: id } }, { correlationId: id }));
    }
    expect(await cmds({ correlationId: plainFire })).toEqual(['plain', 'nested', 'nested']);
    expect(await cmds({ executionId: plainId })).toEqual(['plain']);
    for (const id of [a, b, ...peers])
      expect(await cmds({ correlationId: id, reverse: true })).toEqual([id, id]);
    for (const out of fired) {
      for (const r of out.records)
        expect((await journal.get(r.executionId))?.executionId).toBe(r.executionId);
    }
    expect(await journal.get(`${a}.0`)).toBeUndefined(); // a correlation id is not a fire id
    expect(await cmds({ correlationId: 'c801319/4' })).toEqual([]);
  });

  it('retention deletes and rebuilds the index rows with their segments: no orphan row', async () => {
    const storage = make();
    const { executor, journal, clock } = setup({}, storage);
    for (let i = 0; i < 3; i++) {
      clock.advance(1);
      // one segment per round: [after, first, second]
      await executor.fire('AfterToolExecution', { data: { cmd: `a${i}` } }, { correlationId: `r${i}` });
      await executor.fire('BeforeToolExecution', { data: { cmd: `b${i}` } });
      await journal.flush();
    }
    await expectIndexMatchesSegments(storage);
    expect((await journal.query({ hook: 'second' })).entries).toHaveLength(3); // cached by this reader
    // Another journal on the store prunes 9 → 4: the first segment goes, the second keeps only
    // its `second` entry.
    const pruner = new HookJournal(storage, { retention: { maxEntries: 4, minKeep: 0 } });
    expect(await pruner.prune()).toBe(5);
    await expectIndexMatchesSegments(storage);
    expect(await storage.list('journal/g/')).toHaveLength(2);
    const listed = async (j: HookJournal, q: Parameters<HookJournal['query']>[0]) =>
      (await j.query(q)).entries.map((e) => `${e.context.data.cmd}/${e.hook}`);
    expect(await listed(pruner, { limit: 10 })).toEqual(['b1/second', 'a2/after', 'b2/first', 'b2/second']);
    expect(await listed(pruner, { hook: 'after' })).toEqual(['a2/after']);
    expect(await listed(pruner, { correlationId: 'r1' })).toEqual([]);
    expect(await listed(pruner, { correlationId: 'r2' })).toEqual(['a2/after']);
    // The first reader's cache still holds the untrimmed segment: the kept entry is still found.
    expect(await listed(journal, { hook: 'second' })).toEqual(['b1/second', 'b2/second']);
    expect(await listed(journal, { limit: 10 })).toEqual(await listed(pruner, { limit: 10 }));
    // Down to one entry: the second segment goes whole, the third keeps its last entry.
    const strict = new HookJournal(storage, { retention: { maxEntries: 1, minKeep: 0 } });
    expect(await strict.prune()).toBe(3);
    await expectIndexMatchesSegments(storage);
    const [left] = (await strict.query()).entries;
    expect(`${left!.context.data.cmd}/${left!.hook}`).toBe('b2/second');
    const last = pad(left!.seq);
    expect((await storage.list('journal/')).map((r) => r.key)).toEqual([
      `journal/g/${last}`,
      `journal/h/second/${last}`,
      `journal/i/${(hashId(left!.fireId) % ID_BUCKETS).toString(16)}/${last}`,
      'journal/meta',
      `journal/p/BeforeToolExecution/${last}`,
      // What retention removed, stored with the removal (prune-record.ts).
      'journal/pruned',
      `journal/s/ok/${last}`,
    ]);
    for (const j of [journal, pruner, strict]) await j.close();
  });

  it('filters what it records (function or lists)', async () => {
    const a = setup({ filter: (e) => e.hook !== 'second' }, make());
    await a.executor.fire('BeforeToolExecution', { data: { cmd: 'x' } });
    expect((await a.journal.query()).entries.map((e) => e.hook)).toEqual(['first']);
    expect(a.journal.stats()).toMatchObject({ recorded: 1, filtered: 1 });
    const b = setup(
      { filter: { points: ['AfterToolExecution'], statuses: ['ok'], hooks: ['after'] } },
      make(),
    );
    await b.executor.fire('BeforeToolExecution', { data: { cmd: 'x' } });
    await b.executor.fire('AfterToolExecution', { data: {} });
    expect((await b.journal.query()).entries.map((e) => e.hook)).toEqual(['after']);
  });
});

describe('HookJournal batching and failures', () => {
  it('writes on its own within the batching latency; fires never wait for it', async () => {
    const storage = MemoryStorage();
    const { executor, journal } = setup({ flushIntervalMs: 20 }, storage);
    await executor.fire('BeforeToolExecution', { data: { cmd: 'x' } });
    expect(journal.stats().pending).toBe(2);
    expect(await storage.list('journal/g/')).toHaveLength(0);
    await sleep(60);
    expect(journal.stats()).toMatchObject({ pending: 0, committed: 2, batches: 1 });
    expect(await storage.list('journal/g/')).toHaveLength(1);
  });

  it('a full batch is written at the next turn of the event loop', async () => {
    const storage = MemoryStorage();
    const { executor, journal } = setup({ flushIntervalMs: 60_000, maxBatch: 4 }, storage);
    for (let i = 0; i < 2; i++) await executor.fire('BeforeToolExecution', { data: { cmd: `${i}` } });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(journal.stats().committed).toBe(4);
  });

  it('a storage failure is reported to onError and never thrown into a fire; the journal recovers', async () => {
    const storage = MemoryStorage();
    let fail = true;
    const flaky: StorageBackend = {
      ...storage,
      batch: (ops) => (fail ? Promise.reject(new Error('disk on fire')) : storage.batch(ops)),
    };
    const errors: [HookError, number][] = [];
    const { executor, journal } = setup({ onError: (e, lost) => errors.push([e, lost]) }, flaky);
    const out = await executor.fire('BeforeToolExecution', { data: { cmd: 'x' } });
    expect(out.records.every((r) => r.status === 'ok')).toBe(true);
    await journal.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]![0]).toMatchObject({ code: 'HOOKSPELL_JOURNAL_WRITE_FAILED' });
    expect(errors[0]![0].message).toMatch(/2 journal entries were not written: disk on fire/);
    expect((errors[0]![0].cause as Error).message).toBe('disk on fire');
    expect(errors[0]![1]).toBe(2);
    fail = false;
    await executor.fire('BeforeToolExecution', { data: { cmd: 'y' } });
    expect((await journal.query()).entries.map((e) => e.context.data.cmd)).toEqual(['y', 'y']);
    expect(journal.stats()).toMatchObject({ failed: 2, committed: 2 });
  });

  it('a failed background retention run is reported to onError too (nothing lost), never thrown', async () => {
    const storage = MemoryStorage();
    let failList = true;
    const flaky: StorageBackend = {
      ...storage,
      list: (prefix, options) =>
        failList && prefix === 'journal/g/'
          ? Promise.reject(new Error('list timed out'))
          : storage.list(prefix, options),
    };
    const errors: [HookError, number][] = [];
    const { executor, journal } = setup(
      { retention: { maxEntries: 1, minKeep: 0 }, onError: (e, lost) => errors.push([e, lost]) },
      flaky,
    );
    // 2 entries > 1.1 × maxEntries: the write is followed by a retention run nobody awaits
    await executor.fire('BeforeToolExecution', { data: { cmd: 'x' } });
    await journal.flush();
    await sleep(20);
    expect(errors).toHaveLength(1);
    expect(errors[0]![0]).toMatchObject({ code: 'HOOKSPELL_JOURNAL_WRITE_FAILED' });
    expect(errors[0]![0].message).toMatch(/retention could not prune: list timed out/);
    expect(errors[0]![1]).toBe(0);
    expect(await journal.size()).toBe(2);
    failList = false;
    expect(await journal.prune()).toBe(1);
    await journal.close();
  });

  it('drops and reports entries past maxPending (backpressure)', async () => {
    const errors: HookError[] = [];
    const { executor, journal } = setup({ maxPending: 3, onError: (e) => errors.push(e) });
    for (let i = 0; i < 3; i++) await executor.fire('BeforeToolExecution', { data: { cmd: `${i}` } });
    expect(journal.stats()).toMatchObject({ pending: 2, dropped: 4 });
    expect(errors.map((e) => e.code)).toEqual(['HOOKSPELL_JOURNAL_BACKPRESSURE']);
    await journal.flush();
    expect(await journal.size()).toBe(2);
  });

  it('attach/detach; one journal per executor; a detached executor is not recorded', async () => {
    const { executor, journal, detach } = setup();
    const other = new HookJournal(MemoryStorage());
    expect(() => other.attach(executor)).toThrow(
      expect.objectContaining({ code: 'HOOKSPELL_JOURNAL_ATTACHED' }),
    );
    detach();
    await executor.fire('BeforeToolExecution', { data: { cmd: 'x' } });
    expect(journal.stats().pending).toBe(0);
    const detachOther = other.attach(executor);
    await executor.fire('BeforeToolExecution', { data: { cmd: 'x' } });
    expect(await other.size()).toBe(2);
    detachOther();
    await other.close();
  });

  it('a second journal on the same storage continues where the first left off', async () => {
    const storage = MemoryStorage();
    const first = setup({}, storage);
    await first.executor.fire('BeforeToolExecution', { data: { cmd: 'x' } });
    await first.journal.close();
    const lastSeq = (await first.journal.query({ reverse: true, limit: 1 })).entries[0]!.seq;
    const second = setup({ clock: () => 1_000 }, storage); // a clock far behind: sequences still grow
    await second.executor.fire('BeforeToolExecution', { data: { cmd: 'y' } });
    const all = (await second.journal.query({ limit: 10 })).entries;
    expect(all.map((e) => e.context.data.cmd)).toEqual(['x', 'x', 'y', 'y']);
    expect(all[2]!.seq).toBe(lastSeq + 1);
    expect(await second.journal.size()).toBe(4);
  });

  it('keeps values JSON cannot hold as { unserializable, type, reason }, and Error data as name/message', async () => {
    const { executor, journal } = setup();
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    await executor.fire('AfterToolExecution', {
      data: { cyclic, error: Object.assign(new TypeError('bad'), { code: 'E_BAD', status: 503 }) },
    });
    const [entry] = (await journal.query()).entries;
    expect(entry!.context.data).toEqual({
      cyclic: {
        n: { unserializable: true, type: 'bigint', reason: 'a BigInt (1n); JSON has no BigInt' },
        self: {
          unserializable: true,
          type: 'circular',
          reason: 'a reference to an object it is inside of (JSON cannot hold a cycle)',
        },
      },
      error: { name: 'TypeError', message: 'bad', code: 'E_BAD', status: 503 },
    });
  });

  it('checks its options', () => {
    expect(() => new HookJournal({} as never)).toThrow(/StorageBackend/);
    expect(() => new HookJournal(MemoryStorage(), { retention: 'forever' as never })).toThrow(/retention/);
    expect(() => new HookJournal(MemoryStorage(), { prefix: 'j' })).toThrow(/prefix/);
    expect(() => new HookJournal(MemoryStorage(), { maxBatch: 0 })).toThrow(/maxBatch/);
    expect(RETENTION_PRESETS).toEqual({
      default: { maxAgeMs: 7 * 86_400_000, maxEntries: 10_000, minKeep: 100 },
      short: { maxAgeMs: 86_400_000, maxEntries: 1_000, minKeep: 100 },
      long: { maxAgeMs: 30 * 86_400_000, maxEntries: 100_000, minKeep: 100 },
    });
    expect(new HookJournal(MemoryStorage(), { retention: 'short' }).retention).toBe(RETENTION_PRESETS.short);
  });
});

describe('journal layout', () => {
  it('refuses a journal written in another layout version, saying where and what to do', async () => {
    const expectRefusal = (error: unknown, key: string, version: number) => {
      expect((error as HookError).code).toBe('HOOKSPELL_JOURNAL_LAYOUT');
      expect((error as HookError).message).toContain(
        `"${key}" is in journal layout version ${version}; this version of @hookspell/hooks reads version 2 only`,
      );
      expect((error as HookError).message).toMatch(/another `prefix` or storage.*storage\.clear\(prefix\)/);
    };
    // The layout before this one: no version in `meta`, version 1 in its segments.
    const old = MemoryStorage();
    await old.set(`journal/g/${pad(5)}`, { v: 1, first: 5, last: 5, entries: '{"seq":5}' });
    await old.set('journal/meta', { count: 1, lastSeq: 5 });
    const errors: HookError[] = [];
    const { executor, journal } = setup(
      { retention: { maxEntries: 0, minKeep: 0 }, onError: (e) => errors.push(e) },
      old,
    );
    // an id lookup reads no segment; the layout is checked before anything is read
    for (const attempt of [journal.query({ correlationId: 'r1' }), journal.prune(), journal.size()]) {
      expectRefusal(await attempt.catch((e: unknown) => e), 'journal/meta', 1);
    }
    await executor.fire('BeforeToolExecution', { data: { cmd: 'x' } });
    await journal.flush();
    expect(errors.map((e) => e.code)).toEqual(['HOOKSPELL_JOURNAL_WRITE_FAILED']);
    expectRefusal(errors[0]!.cause, 'journal/meta', 1);
    expect(await old.list('journal/g/')).toHaveLength(1); // nothing was added to it
    // A segment of an unknown version in a journal of this one.
    const mixed = setup({}, MemoryStorage());
    await mixed.executor.fire('BeforeToolExecution', { data: { cmd: 'y' } });
    await mixed.journal.flush();
    const key = `journal/g/${pad(1)}`;
    await mixed.storage.set(key, { v: 3, last: 1, entries: '' });
    expectRefusal(await mixed.journal.query().catch((e: unknown) => e), key, 3);
    await journal.close();
  });

  it('packs runs of offsets and unpacks them as they were', () => {
    for (const offsets of [[0], [0, 1, 2, 3], [1, 3, 5], [0, 1, 3, 4, 5, 9], [5, 6], [0, 2, 3], [7]]) {
      const list: number[] = [];
      for (const o of offsets) pushOffset(list, o);
      expect(unpackOffsets(list)).toEqual(offsets);
    }
    const all: number[] = [];
    for (let o = 0; o < 1000; o++) pushOffset(all, o);
    expect(all).toEqual([0, -999]);
  });
});
