import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type JsonValue,
  type ListOptions,
  MemoryStorage,
  SqliteStorage,
  type StorageBackend,
} from '@hookspell/storage';
import { describe, expect, it } from 'vitest';
import { EventBus, EventLog, type HookspellEvent } from '../src/index.js';
import { closingAfterEach } from './helpers/closing-storages.js';
import { page } from './helpers/log-paging.js';
import { postgresBackends } from './helpers/postgres-backend.js';

// A group commit is one segment row; when the events of one commit add up to more than the
// backend stores in one value, the commit is split into several segments, and an event that no
// row can hold fails alone. Real backends with a small `maxValueBytes`.

const LIMIT = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'hookspell-events-split-'));
let n = 0;
const backends: [string, () => StorageBackend][] = [
  ['memory', () => MemoryStorage({ maxValueBytes: LIMIT })],
  ['sqlite', () => SqliteStorage({ path: join(dir, `split-${n++}.db`), maxValueBytes: LIMIT })],
];
const postgres = await postgresBackends('event-log-split.test.ts', { maxValueBytes: LIMIT });
if (postgres !== undefined) backends.push(['postgres', postgres]);

const seqs = (events: readonly HookspellEvent[]) => events.map((e) => e.sequence);
const pad = (bytes: number) => 'x'.repeat(bytes);

// The segment rows as stored, with the size of each one's JSON.
async function segmentRows(
  storage: StorageBackend,
): Promise<{ key: string; bytes: number; count: number }[]> {
  return (await storage.list<{ events: JsonValue[] } & Record<string, JsonValue>>('events/seg/')).map(
    ({ key, value }) => ({
      key,
      bytes: Buffer.byteLength(JSON.stringify(value)),
      count: value.events.length,
    }),
  );
}

describe.each(backends)('EventLog commits too large for one row on %s', (_name, create) => {
  const storage = closingAfterEach(create);

  it('stores a commit too large for one row across several segments and reads it back in order', async () => {
    const store = storage();
    const errors: unknown[] = [];
    const log = new EventLog(store, { onError: (error) => errors.push(error) });
    const bus = new EventBus({ log });
    const published: HookspellEvent[] = [];
    // 10 × 2 KB in one turn of the event loop: one commit of ~22 KB under a 10 KB limit.
    for (let i = 0; i < 10; i++) {
      published.push(
        bus.emit(
          i % 2 === 0 ? 'tool.output' : 'agent.note',
          { i, pad: pad(2000) },
          { correlationId: 'run-1' },
        ),
      );
    }
    const last = await bus.publish('tool.done', { i: 10 }, { durable: true, correlationId: 'run-1' });
    published.push(last);
    await bus.flush();
    expect(errors).toEqual([]);
    expect(log.stats()).toMatchObject({ committed: 11, failed: 0 });
    const rows = await segmentRows(store);
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) expect(row.bytes).toBeLessThanOrEqual(LIMIT);
    expect(rows.reduce((sum, row) => sum + row.count, 0)).toBe(11);
    // The writer and a fresh reader of the same store see the same thing.
    for (const reader of [log, new EventLog(store)]) {
      expect(await reader.query({})).toEqual(published);
      expect(await reader.size()).toBe(11);
      expect(seqs(await reader.query({ reverse: true }))).toEqual(seqs(published).reverse());
      expect(seqs(await reader.query({ pattern: 'tool.*' }))).toEqual(
        seqs(published.filter((e) => e.type.startsWith('tool.'))),
      );
      expect(seqs(await reader.query({ correlationId: 'run-1' }))).toEqual(seqs(published));
      expect(seqs(await page(reader, {}, 3))).toEqual(seqs(published));
      expect(seqs(await page(reader, { pattern: 'agent.*' }, 2))).toEqual(
        seqs(published.filter((e) => e.type === 'agent.note')),
      );
      expect(seqs(await page(reader, { correlationId: 'run-1', reverse: true }, 4))).toEqual(
        seqs(published).reverse(),
      );
    }
  });

  it('fails an event too large for any row alone, with a clear error, and stores its neighbours', async () => {
    const store = storage();
    const reports: { error: unknown; events: readonly HookspellEvent[] }[] = [];
    const log = new EventLog(store, { onError: (error, events) => reports.push({ error, events }) });
    const bus = new EventBus({ log });
    const published: Promise<HookspellEvent>[] = [];
    for (let i = 0; i < 5; i++) published.push(bus.publish('job.step', { i }, { durable: true }));
    published.push(bus.publish('job.blob', { pad: pad(12_000) }, { durable: true }));
    for (let i = 5; i < 10; i++) published.push(bus.publish('job.step', { i }, { durable: true }));
    const outcomes = await Promise.allSettled(published);
    // Each durable publish learns its own outcome: only the blob's rejects.
    expect(outcomes.map((o) => o.status)).toEqual([
      ...Array(5).fill('fulfilled'),
      'rejected',
      ...Array(5).fill('fulfilled'),
    ]);
    const error = (outcomes[5] as PromiseRejectedResult).reason as Error & { code: string };
    expect(error.code).toBe('HOOKSPELL_VALUE_TOO_LARGE');
    const blob = reports[0]?.events[0];
    expect(blob?.type).toBe('job.blob');
    // What (the event and its size), where (the log, the backend's limit) and what to do.
    expect(error.message).toContain(`Event "job.blob" (${blob!.id})`);
    expect(error.message).toMatch(/it is 12\d{3} bytes of JSON/);
    expect(error.message).toContain('event log "events/"');
    expect(error.message).toContain(`at most ${LIMIT} bytes in one value (its \`maxValueBytes\`)`);
    expect(error.message).toContain('raise `maxValueBytes` where the backend is created');
    expect(error.message).toContain("Shrink the event's data");
    // Reported once, through `onError`, like any failed commit.
    expect(reports).toHaveLength(1);
    expect(reports[0]!.error).toBe(error);
    expect(reports[0]!.events).toHaveLength(1);
    expect(log.stats()).toMatchObject({ committed: 10, failed: 1, pending: 0 });
    expect(bus.stats()).toMatchObject({ persisted: 10, persistErrors: 1 });
    const kept = (
      outcomes.filter((o) => o.status === 'fulfilled') as PromiseFulfilledResult<HookspellEvent>[]
    ).map((o) => o.value);
    for (const reader of [log, new EventLog(store)]) {
      expect(await reader.query({})).toEqual(kept);
      expect(await reader.query({ pattern: 'job.blob' })).toEqual([]);
      expect(await reader.size()).toBe(10);
    }
  });

  it('pages, builds timelines and prunes across split segments', async () => {
    const store = storage();
    let now = Date.now();
    const log = new EventLog(store, { clock: () => now });
    const bus = new EventBus({ log, clock: () => now });
    const published: HookspellEvent[] = [];
    for (let i = 0; i < 30; i++) {
      now += 1;
      const cause = published[published.length - 1];
      published.push(
        bus.emit('step', { i, pad: pad(2000) }, { correlationId: 'chain', causationId: cause?.id }),
      );
    }
    await bus.flush();
    expect(log.stats()).toMatchObject({ committed: 30, failed: 0 });
    expect((await segmentRows(store)).length).toBeGreaterThanOrEqual(7);
    expect(seqs(await page(log, {}, 4))).toEqual(seqs(published));
    expect(seqs(await page(log, { correlationId: 'chain' }, 7))).toEqual(seqs(published));
    const timeline = await log.timeline('chain');
    expect(timeline.chains).toEqual([published.map((e) => e.id)]);
    // Retention by another instance, so that it runs only now (a writer with it prunes after commits).
    const pruner = new EventLog(store, { maxEvents: 10 });
    expect(await pruner.prune()).toBe(20);
    const left = published.slice(-10);
    for (const reader of [pruner, new EventLog(store)]) {
      expect(await reader.size()).toBe(10);
      expect(seqs(await page(reader, {}, 3))).toEqual(seqs(left));
      expect(seqs(await page(reader, { pattern: 'step', reverse: true }, 4))).toEqual(seqs(left).reverse());
      expect(seqs(await reader.query({ correlationId: 'chain' }))).toEqual(seqs(left));
      expect((await reader.timeline('chain')).events.map((e) => e.id)).toEqual(left.map((e) => e.id));
    }
    for (const row of await segmentRows(store)) expect(row.bytes).toBeLessThanOrEqual(LIMIT);
  });

  it('merges a late event into a full segment by splitting that segment', async () => {
    const store = storage();
    const log = new EventLog(store);
    const maker = new EventBus(); // makes the events; the log gets them below, the late one last
    const events = Array.from({ length: 5 }, (_, i) =>
      maker.emit(i === 2 ? 'late' : 'early', { i, pad: pad(2100) }, { correlationId: 'c' }),
    );
    const late = events[2]!;
    const onTime = events.filter((e) => e !== late);
    await Promise.all(onTime.map((e) => log.append(e)));
    expect(await segmentRows(store)).toHaveLength(1); // ~9 KB: one row, nearly full
    await log.append(late); // its sequence falls inside that segment, which cannot hold it too
    expect(log.stats()).toMatchObject({ committed: 5, failed: 0 });
    const rows = await segmentRows(store);
    expect(rows.length).toBe(2);
    for (const row of rows) expect(row.bytes).toBeLessThanOrEqual(LIMIT);
    for (const reader of [log, new EventLog(store)]) {
      expect(await reader.query({})).toEqual(events);
      expect(seqs(await page(reader, { correlationId: 'c' }, 2))).toEqual(seqs(events));
      expect(seqs(await reader.query({ pattern: 'late' }))).toEqual([late.sequence]);
      expect(seqs(await page(reader, { pattern: 'early', reverse: true }, 1))).toEqual(
        seqs(onTime).reverse(),
      );
      expect((await reader.query({ correlationId: late.id })).map((e) => e.id)).toEqual([]);
    }
  });
});

it('packs split segments to maxSegmentBytes and names it when an event is over it', async () => {
  const store = MemoryStorage({ maxValueBytes: LIMIT });
  const errors: unknown[] = [];
  const log = new EventLog(store, { maxSegmentBytes: 5000, onError: (error) => errors.push(error) });
  const bus = new EventBus({ log });
  for (let i = 0; i < 6; i++) bus.emit('a', { pad: pad(2000) }); // ~13 KB: refused by the backend, split
  bus.emit('b', { pad: pad(6000) }); // fits the backend, not a segment of 5000 bytes
  await bus.flush();
  const rows = await segmentRows(store);
  expect(rows.length).toBe(3);
  for (const row of rows) expect(row.bytes).toBeLessThanOrEqual(5000);
  expect(errors).toHaveLength(1);
  expect(String(errors[0])).toContain(
    'a segment row of this log holds at most 5000 bytes (`maxSegmentBytes`)',
  );
  expect(String(errors[0])).toContain('raise `maxSegmentBytes` of the EventLog');
  expect(await log.size()).toBe(6);
  expect(() => new EventLog(store, { maxSegmentBytes: 0 })).toThrow(
    /`maxSegmentBytes` must be a positive integer/,
  );
  await store.close();
});

it('on an adapter that does not state its limit, stores what the backend accepts one event at a time', async () => {
  // A third-party adapter: a plain StorageBackend (no `driver` to read a limit from) in front of a
  // store that holds 10 KB per value. The log assumes 16 MiB, so its split segments are refused too.
  const inner = MemoryStorage({ maxValueBytes: LIMIT });
  const store: StorageBackend = {
    specificationVersion: 'v1',
    name: 'opaque',
    capabilities: inner.capabilities,
    get: (key) => inner.get(key),
    set: (key, value) => inner.set(key, value),
    delete: (key) => inner.delete(key),
    has: (key) => inner.has(key),
    list: (prefix: string, options?: ListOptions) => inner.list(prefix, options),
    batch: (ops) => inner.batch(ops),
    clear: (prefix) => inner.clear(prefix),
    close: () => inner.close(),
  } as StorageBackend;
  const errors: unknown[] = [];
  const log = new EventLog(store, { onError: (error) => errors.push(error) });
  const bus = new EventBus({ log });
  const published = [
    bus.emit('small', { pad: pad(4000) }),
    bus.emit('big', { pad: pad(11_000) }),
    bus.emit('small', { pad: pad(4000) }),
    bus.emit('small', { pad: pad(4000) }),
  ];
  await bus.flush();
  expect(errors).toHaveLength(1);
  expect(String(errors[0])).toContain(`Event "big" (${published[1]!.id}) was not persisted`);
  expect(String(errors[0])).toContain('the opaque backend refused it as too large');
  expect(seqs(await log.query({}))).toEqual(seqs(published.filter((e) => e.type === 'small')));
  await store.close();
});
