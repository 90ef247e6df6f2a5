import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { MemoryStorage, SqliteStorage, type StorageBackend } from '@hookspell/storage';
import { describe, expect, it } from 'vitest';
import { EventBus, EventLog, type HookspellEvent, withCorrelation } from '../src/index.js';
import { closingAfterEach } from './helpers/closing-storages.js';
import { page } from './helpers/log-paging.js';

// The log answers in sequence order whatever order events reach it in: a subscriber that publishes
// while it is handling an event creates the new event (a later sequence) before the bus has
// finished with the first one, and a BeforeEventEmit hook can hold an event back past a commit.

const dir = mkdtempSync(join(tmpdir(), 'hookspell-events-order-'));
let n = 0;
const backends: [string, () => StorageBackend][] = [
  ['memory', () => MemoryStorage()],
  ['sqlite', () => SqliteStorage({ path: join(dir, `order-${n++}.db`) })],
];

const seqs = (events: readonly HookspellEvent[]) => events.map((e) => e.sequence);
const bySequence = (events: readonly HookspellEvent[]) => [...events].sort((a, b) => a.sequence - b.sequence);

describe.each(backends)('EventLog order on %s', (_name, create) => {
  const storage = closingAfterEach(create);

  it('the reviewer’s repro: an event published by a subscriber comes after its cause, and paging finds both', async () => {
    const log = new EventLog(storage());
    const bus = new EventBus({ log, persist: ['**'] });
    bus.subscribe('job.started', () => void bus.publish('job.step', {}));
    await withCorrelation('c', () => bus.publish('job.started', {}));
    await bus.flush();
    expect((await log.query({ correlationId: 'c' })).map((e) => e.type)).toEqual(['job.started', 'job.step']);
    const [first] = await log.query({ correlationId: 'c', limit: 1 });
    expect(first!.type).toBe('job.started');
    expect(
      (await log.query({ correlationId: 'c', afterSequence: first!.sequence })).map((e) => e.type),
    ).toEqual(['job.step']);
  });

  it('keeps sequence order for synchronous re-publishes 3 levels deep (publish, emit, durable, notices, hook sink) and pages with limit 1', async () => {
    const log = new EventLog(storage());
    const registry = new HookRegistry();
    let bus!: EventBus;
    const executor = new HookExecutor(registry, {
      sink: { emit: (...args) => bus.hookSink().emit(...args) },
    });
    bus = new EventBus({ log, persist: ['**', '$bus.**'] });
    const seen: HookspellEvent[] = [];
    bus.subscribe('**', (e) => void seen.push(e));
    bus.subscribe('$bus.**', (e) => void seen.push(e));
    // level 1 → 2 → 3, each level publishing twice and in a different way
    bus.subscribe('job.started', (e) => {
      void bus.publish('job.step', { of: e.type, i: 1 });
      bus.emit('job.step', { of: e.type, i: 2 });
    });
    bus.subscribe('job.step', (e) => {
      bus.emit('job.step.detail', { of: e.type });
      void bus.publish('job.step.detail', { of: e.type }, { durable: true });
    });
    bus.subscribe('job.step.detail', () => {
      void bus.publish('job.step.detail.leaf', { level: 3 });
      throw new Error('a failing subscriber: its $bus.handler.error notice comes after the event');
    });
    // hook lifecycle events (hook.*) reach the bus through its sink; a subscriber of them re-publishes
    registry.register('BeforeToolExecution', () => void bus.emit('audit.checked', {}), { name: 'audit' });
    bus.subscribe('hook.fire.started', () => void bus.emit('audit.fire.seen', {}));

    await withCorrelation('c-nested', async () => {
      await bus.publish('job.started', { n: 1 }, { durable: true });
      await executor.fire('BeforeToolExecution', {});
      bus.emit('job.started', { n: 2 });
    });
    await bus.flush();

    const started = seen.filter((e) => e.type === 'job.started');
    expect(started).toHaveLength(2);
    expect(seen.filter((e) => e.type === 'job.step.detail.leaf')).toHaveLength(8);
    expect(seen.filter((e) => e.type === '$bus.handler.error')).toHaveLength(8);
    expect(seen.some((e) => e.type === 'hook.fire.started')).toBe(true);
    const expected = bySequence(seen);

    const everything = await log.query({ limit: 10_000 });
    expect(seqs(everything)).toEqual(seqs(expected));
    expect(everything.map((e) => e.type)).toEqual(expected.map((e) => e.type));
    for (const limit of [1, 2, 3]) {
      expect(seqs(await page(log, {}, limit))).toEqual(seqs(expected));
      expect(seqs(await page(log, { correlationId: 'c-nested' }, limit))).toEqual(
        seqs(expected.filter((e) => e.metadata.correlationId === 'c-nested')),
      );
      expect(seqs(await page(log, { pattern: 'job.**' }, limit))).toEqual(
        seqs(expected.filter((e) => e.type.startsWith('job.'))),
      );
      expect(seqs(await page(log, { reverse: true }, limit))).toEqual(seqs([...expected].reverse()));
    }
    // a fresh reader of the same store agrees
    expect(seqs(await page(new EventLog(log.storage), {}, 1))).toEqual(seqs(expected));
  });

  it('places an event a BeforeEventEmit hook held back past a commit at its sequence', async () => {
    const log = new EventLog(storage());
    const registry = new HookRegistry();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    registry.register('BeforeEventEmit', async (ctx) => {
      if ((ctx.data as { type: string }).type === 'slow') await gate;
    });
    const bus = new EventBus({ log, executor: new HookExecutor(registry) });
    const seen: HookspellEvent[] = [];
    bus.subscribe('**', (e) => void seen.push(e));
    // `fast.after` answers `slow` in the same turn: both reach the log after `fast.before` is committed.
    bus.subscribe('slow', () => void bus.publish('fast.after', {}));
    const slow = bus.publish('slow', {}, { durable: true }); // its sequence is taken now
    await bus.publish('fast.before', {}, { durable: true });
    expect(log.stats().committed).toBe(1);
    release();
    await slow;
    await bus.flush();
    expect(seen.map((e) => e.type)).toEqual(['fast.before', 'slow', 'fast.after']);
    const expected = bySequence(seen);
    expect(expected.map((e) => e.type)).toEqual(['slow', 'fast.before', 'fast.after']);
    for (const reader of [log, new EventLog(log.storage)]) {
      expect(seqs(await reader.query({}))).toEqual(seqs(expected));
      expect(seqs(await page(reader, {}, 1))).toEqual(seqs(expected));
      expect(seqs(await page(reader, { reverse: true }, 1))).toEqual(seqs([...expected].reverse()));
      expect(seqs(await page(reader, { pattern: 'fast.*' }, 1))).toEqual(seqs(expected.slice(1)));
      // correlations (`slow` and `fast.before` are their own: found through the id rows)
      expect(expected[2]!.metadata).toMatchObject({
        correlationId: expected[0]!.id,
        causationId: expected[0]!.id,
      });
      for (const e of expected) {
        expect(seqs(await reader.query({ correlationId: e.id }))).toEqual(
          seqs(expected.filter((x) => x.metadata.correlationId === e.id)),
        );
      }
      expect(await reader.size()).toBe(3);
    }
    // retention still removes the oldest first
    await log.prune();
    const pruning = new EventLog(log.storage, { retention: { maxEvents: 2 } });
    expect(await pruning.prune()).toBe(1);
    expect(seqs(await log.query({}))).toEqual(seqs(expected.slice(1)));
  });
});
