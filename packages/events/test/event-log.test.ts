import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStorage, SqliteStorage, type StorageBackend } from '@hookspell/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus, EventLog, type HookspellEvent } from '../src/index.js';
import { postgresBackends } from './helpers/postgres-backend.js';

const dir = mkdtempSync(join(tmpdir(), 'hookspell-events-log-'));
let n = 0;
const backends: [string, () => StorageBackend][] = [
  ['memory', () => MemoryStorage()],
  ['sqlite', () => SqliteStorage({ path: join(dir, `log-${n++}.db`) })],
];
const postgres = await postgresBackends('event-log.test.ts');
if (postgres !== undefined) backends.push(['postgres', postgres]);

describe.each(backends)('EventLog on %s', (_name, create) => {
  const open: StorageBackend[] = [];
  const setup = (options: ConstructorParameters<typeof EventLog>[1] = {}) => {
    const storage = create();
    open.push(storage);
    const log = new EventLog(storage, options);
    return { storage, log, bus: new EventBus({ log }) };
  };
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  it('persists with group commit and resolves durable publishes once committed', async () => {
    const { log, bus, storage } = setup();
    for (let i = 0; i < 99; i++) bus.emit('tool.started', { i });
    const last = await bus.publish('tool.done', { i: 99 }, { durable: true });
    // Committed means readable by another reader of the same store.
    expect(
      (await new EventLog(storage).query({ afterSequence: last.sequence - 1 })).map((e) => e.id),
    ).toEqual([last.id]);
    expect(log.stats().committed).toBe(100);
    expect(log.stats().batches).toBeLessThanOrEqual(2);
    expect(await log.size()).toBe(100);
  });

  it('queries in sequence order by pattern, correlation and time, and pages without gap or repeat', async () => {
    let now = Date.now();
    const { log } = setup();
    const bus = new EventBus({ log, clock: () => now });
    const published: HookspellEvent[] = [];
    for (let i = 0; i < 250; i++) {
      now += 1;
      const type = ['tool.started', 'tool.error', 'agent.step', 'agent.run.done'][i % 4]!;
      published.push(bus.emit(type, { i }, { correlationId: i % 2 === 0 ? 'even' : 'odd' }));
    }
    await bus.flush();
    const seqs = (events: HookspellEvent[]) => events.map((e) => e.sequence);
    const all = await log.query({ limit: 10_000 });
    expect(seqs(all)).toEqual(seqs(published));
    expect(seqs(await log.query({ pattern: '*.error' }))).toEqual(
      seqs(published.filter((e) => e.type === 'tool.error')),
    );
    expect(seqs(await log.query({ pattern: 'agent.**' }))).toEqual(
      seqs(published.filter((e) => e.type.startsWith('agent'))),
    );
    expect(seqs(await log.query({ correlationId: 'odd', pattern: 'tool.*' }))).toEqual(
      seqs(published.filter((e) => e.metadata.correlationId === 'odd' && e.type.startsWith('tool.'))),
    );
    const from = published[100]!.timestamp;
    const to = published[120]!.timestamp;
    expect(seqs(await log.query({ from, to }))).toEqual(seqs(published.slice(100, 121)));
    expect(seqs(await log.query({ reverse: true, limit: 3 }))).toEqual(seqs(published.slice(-3).reverse()));
    for (const [query, expected] of [
      [{}, published],
      [{ pattern: 'tool.*' }, published.filter((e) => e.type.startsWith('tool.'))],
      [{ correlationId: 'even' }, published.filter((e) => e.metadata.correlationId === 'even')],
    ] as const) {
      const paged: HookspellEvent[] = [];
      let afterSequence: number | undefined;
      for (;;) {
        const page = await log.query({ ...query, afterSequence, limit: 7 });
        paged.push(...page);
        if (page.length < 7) break;
        afterSequence = page[page.length - 1]!.sequence;
      }
      expect(seqs(paged)).toEqual(seqs([...expected]));
    }
  });

  it('stores the event exactly as published', async () => {
    const { log, bus } = setup();
    const event = await bus.publish(
      'x.y',
      { nested: [1, 'two', { three: null }] },
      { tags: ['a'], source: 's', ttlSeconds: 60, durable: true },
    );
    const [stored] = await log.query({ pattern: 'x.y' });
    expect(stored).toEqual(JSON.parse(JSON.stringify(event)));
  });

  it('persists events published without data and reads them back as the subscribers saw them', async () => {
    const { log, bus, storage } = setup();
    const seen: HookspellEvent[] = [];
    const notices: HookspellEvent[] = [];
    bus.subscribe('job.**', (e) => void seen.push(e));
    bus.subscribe('$bus.**', (e) => void notices.push(e));
    const started = await bus.publish('job.started', undefined, { durable: true });
    await bus.publish('job.step', undefined, { durable: true, correlationId: 'c-1', tags: ['t'] });
    bus.emit('job.done');
    await bus.publish('job.null', null, { durable: true }); // null is a value of its own
    await bus.flush();
    expect(started.data).toBeUndefined();
    expect('data' in started && started.data === undefined).toBe(true);
    expect(notices).toEqual([]);
    expect(log.stats()).toMatchObject({ committed: 4, failed: 0 });
    expect(bus.stats()).toMatchObject({ persisted: 4, persistErrors: 0 });
    for (const reader of [log, new EventLog(storage)]) {
      const stored = await reader.query({ pattern: 'job.**' });
      expect(stored).toStrictEqual(seen);
      expect(stored.map((e) => e.data)).toStrictEqual([undefined, undefined, undefined, null]);
      expect(await reader.query({ correlationId: started.id })).toStrictEqual([started]);
      expect(await reader.query({ correlationId: 'c-1' })).toStrictEqual([seen[1]]);
    }
  });

  it('reports events it cannot persist without losing the others', async () => {
    const errors: unknown[] = [];
    const { bus, log } = setup({ onError: (e) => errors.push(e) });
    await expect(bus.publish('bad', { f: () => 1 } as never, { durable: true })).rejects.toMatchObject({
      code: 'HOOKSPELL_INVALID_ARGUMENT',
    });
    await bus.publish('good', { ok: true }, { durable: true });
    expect(errors).toHaveLength(1);
    expect((await log.query({})).map((e) => e.type)).toEqual(['good']);
  });

  it('prunes by count and by age', async () => {
    let now = Date.now();
    const { log } = setup({ retention: { maxEvents: 50 }, clock: () => now });
    const bus = new EventBus({ log, clock: () => now });
    for (let i = 0; i < 120; i++) {
      now += 10;
      bus.emit('e', { i });
    }
    await bus.flush();
    await log.prune();
    const left = await log.query({ limit: 1000 });
    expect(left).toHaveLength(50);
    expect((left[0]!.data as { i: number }).i).toBe(70);
    expect(await log.query({ correlationId: left[0]!.metadata.correlationId })).toHaveLength(1);
    const aged = setup({ retention: { maxAgeMs: 100 }, clock: () => now });
    const bus2 = new EventBus({ log: aged.log, clock: () => now });
    for (let i = 0; i < 30; i++) {
      now += 10;
      bus2.emit('e', { i });
    }
    await bus2.flush();
    expect(await aged.log.prune()).toBe(19); // age > 100 ms: events 0..18
    expect(await aged.log.size()).toBe(11);
  });

  it('takes maxEvents and maxAgeMs as shorthands for their retention rules', async () => {
    const { log, bus } = setup({ maxEvents: 5, retention: { intervalMs: 60_000 } });
    for (let i = 0; i < 12; i++) bus.emit('e', { i });
    await bus.flush();
    await log.prune(); // (may already have run in the background)
    expect((await log.query({})).map((e) => (e.data as { i: number }).i)).toEqual([7, 8, 9, 10, 11]);
    expect(log.stats().pruned).toBe(7);
    expect(() => setup({ maxEvents: 5, retention: { maxEvents: 6 } })).toThrow(/given twice/);
    expect(() => setup({ maxAgeMs: Number.NaN })).toThrow(
      /retention\.maxAgeMs. must be a non-negative number/,
    );
  });

  it('persists event types that could not be storage keys as they are, and finds them again', async () => {
    const { log, bus, storage } = setup({ retention: { maxEvents: 6 } });
    // Valid event types, but as a key part they would break key rules (`//`, `\\`, NFC): each
    // used to fail its whole group commit, taking the ordinary events of that commit with it.
    const odd = ['a//b', 'x\\y', 'ab/', '/lead', 'e\u0301.done'];
    for (const type of odd) bus.emit(type, { type });
    bus.emit('ok.a', { type: 'ok.a' });
    await bus.flush();
    expect(log.stats().failed).toBe(0);
    const fresh = new EventLog(storage); // a reader that knows the types only from the store
    for (const reader of [log, fresh]) {
      expect((await reader.query({})).map((e) => e.type)).toEqual([...odd, 'ok.a']);
      for (const type of odd)
        expect((await reader.query({ pattern: type })).map((e) => e.data)).toEqual([{ type }]);
      expect((await reader.query({ pattern: 'e\u0301.*' })).map((e) => e.type)).toEqual(['e\u0301.done']);
    }
    // Retention finds their index rows too.
    bus.emit('ok.b', {});
    await bus.flush();
    await log.prune(); // (may already have run in the background)
    expect(await log.size()).toBe(6);
    expect(await fresh.query({ pattern: 'a//b' })).toEqual([]);
    expect((await fresh.query({ pattern: 'x\\y' })).map((e) => e.type)).toEqual(['x\\y']);
  });

  it('runs retention in the background', async () => {
    const { log, bus } = setup({ retention: { maxEvents: 10, intervalMs: 20 } });
    for (let i = 0; i < 40; i++) bus.emit('e', { i });
    await bus.flush();
    const deadline = Date.now() + 5000;
    while ((await log.size()) > 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await log.size()).toBe(10);
    expect(log.stats().pruned).toBe(30);
    await log.close();
  });

  it('builds a timeline of causality chains, concurrent groups, roots and leaves', async () => {
    const { log, bus } = setup();
    const root = await bus.publish('run.start', {}, { correlationId: 'c1' });
    const a = await bus.publish('step.a', {}, { correlationId: 'c1', causationId: root.id });
    const b = await bus.publish('step.b', {}, { correlationId: 'c1', causationId: root.id });
    const a1 = await bus.publish('step.a.done', {}, { correlationId: 'c1', causationId: a.id });
    await bus.publish('other', {}, { correlationId: 'c2' });
    await bus.flush();
    const t = await log.timeline('c1');
    expect(t.events.map((e) => e.id)).toEqual([root.id, a.id, b.id, a1.id]);
    expect(t.roots.map((r) => r.event.id)).toEqual([root.id]);
    expect(t.leaves.sort()).toEqual([a1.id, b.id].sort());
    expect(t.chains).toEqual([
      [root.id, a.id, a1.id],
      [root.id, b.id],
    ]);
    expect(t.concurrentGroups).toEqual([{ causationId: root.id, eventIds: [a.id, b.id] }]);
  });
});

it.each([
  ['memory', () => MemoryStorage({ maxValueBytes: 4000 })],
  ['sqlite', () => SqliteStorage({ path: join(dir, `small-${n++}.db`), maxValueBytes: 4000 })],
])('a commit that failed on %s does not hide its event types from later readers', async (_name, create) => {
  const storage = create();
  const errors: unknown[] = [];
  const log = new EventLog(storage, { onError: (error) => errors.push(error) });
  const bus = new EventBus({ log });
  bus.emit('big.x', { pad: 'x'.repeat(5000) }); // over the backend's value limit: the commit fails
  await bus.flush();
  expect(errors).toHaveLength(1);
  await bus.publish('big.x', { small: true }, { durable: true });
  // A new reader (another process, the CLI) learns the types from the store.
  expect((await new EventLog(storage).query({ pattern: 'big.*' })).map((e) => e.data)).toEqual([
    { small: true },
  ]);
  await storage.close();
});

it('a reopened SQLite log continues and answers queries', async () => {
  const path = join(dir, 'reopen.db');
  const first = SqliteStorage({ path });
  const bus = new EventBus({ log: new EventLog(first) });
  await bus.publish('a', { n: 1 }, { durable: true });
  await first.close();
  const second = SqliteStorage({ path });
  const log = new EventLog(second);
  const bus2 = new EventBus({ log });
  await bus2.publish('a', { n: 2 }, { durable: true });
  expect((await log.query({ pattern: 'a' })).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
  expect(await log.size()).toBe(2);
  await second.close();
});
