import { defineBackend, MemoryStorage, SortedKeys, type StorageBackend } from '@hookspell/storage';
import { describe, expect, it } from 'vitest';
import {
  type HookError,
  HookExecutor,
  HookJournal,
  type HookJournalOptions,
  HookRegistry,
  HookResult,
  RETENTION_PRESETS,
} from '../src/index.js';
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

describe.each([
  ['MemoryStorage', () => MemoryStorage()],
  ['a custom adapter', customAdapter],
])('HookJournal on %s', (_name, make) => {
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

  it('keeps values JSON cannot hold as markers, and Error data as name/message', async () => {
    const { executor, journal } = setup();
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    await executor.fire('AfterToolExecution', {
      data: { cyclic, error: Object.assign(new TypeError('bad'), { code: 'E_BAD', status: 503 }) },
    });
    const [entry] = (await journal.query()).entries;
    expect(entry!.context.data).toEqual({
      cyclic: { n: '[BigInt 1]', self: '[Circular]' },
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
