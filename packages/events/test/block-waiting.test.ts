import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BackpressureError, EventBus, type EventTransport, InProcessTransport } from '../src/index.js';
import { natsTransport } from '../src/nats/index.js';
import { NATS_URL, natsSkipReason } from './helpers/nats-target.js';
import { failOnUnhandledRejections, settlesWithin } from './helpers/settling.js';

// Issue 14, item 8: 1 M un-awaited publishes to a stalled `block` subscriber held 1.69 GB (1.39 GB
// over NATS) — one waiting publish each. The publishes waiting for room are bounded per
// subscription (`maxWaiting`); past it `publish` fails with BackpressureError.

const skipReason = await natsSkipReason('block-waiting');

function stalledBlockBus(options: { queueSize: number; maxWaiting?: number; transport?: EventTransport }) {
  const bus = new EventBus({ transport: options.transport });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const seen: number[] = [];
  const sub = bus.subscribe(
    'e',
    async (e) => {
      seen.push(e.data as number);
      await gate;
    },
    {
      queueSize: options.queueSize,
      overflow: 'block',
      maxWaiting: options.maxWaiting,
      name: 'slow-consumer',
    },
  );
  return { bus, sub, seen, release };
}

describe('block: publishes waiting for room are bounded', () => {
  failOnUnhandledRejections();

  it('100 000 un-awaited publishes: 1 running, queueSize queued, 1000 waiting (default), the rest rejected — exactly', async () => {
    const { bus, sub, seen, release } = stalledBlockBus({ queueSize: 10 });
    const others: number[] = [];
    bus.subscribe('e', (e) => others.push(e.data as number));
    const n = 100_000;
    const publishes: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) publishes.push(bus.publish('e', i));
    // What is held: the running call, the queue and the waiting publishes — not one per publish.
    expect(sub.stats).toMatchObject({ inFlight: 1, queued: 10, waiting: 1000 });
    const refused = n - 1 - 10 - 1000;
    expect(sub.stats.rejected).toBe(refused);
    expect(bus.stats().rejected).toBe(refused);
    expect(bus.stats().blocked).toBe(1000);
    // Every other subscriber got every event, refused or not.
    expect(others).toHaveLength(n);
    release();
    const results = await settlesWithin(Promise.allSettled(publishes), 'the publishes');
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed).toHaveLength(refused);
    const error = (failed[0] as PromiseRejectedResult).reason as BackpressureError;
    expect(error).toBeInstanceOf(BackpressureError);
    expect(error.code).toBe('HOOKSPELL_BACKPRESSURE');
    expect(error.subscriptionIds).toEqual([sub.id]);
    expect(error.message).toMatch(
      /slow-consumer.*overflow: 'block'.*1000 publishes already waiting.*maxWaiting/,
    );
    expect(error.message).toMatch(/await/i);
    // Refusals in a row share one error: a flood of refused publishes builds no error per publish.
    expect(new Set(failed.map((r) => (r as PromiseRejectedResult).reason)).size).toBe(1);
    expect(error.refusals).toEqual([
      { subscriptionId: sub.id, name: 'slow-consumer', reason: 'waiting', queueSize: 10, maxWaiting: 1000 },
    ]);
    await settlesWithin(bus.flush(), 'flush()');
    // What was accepted ran, in publish order: the first, the queued, the waiting.
    expect(seen).toEqual(Array.from({ length: 1 + 10 + 1000 }, (_, i) => i));
    expect(sub.stats).toMatchObject({ waiting: 0, queued: 0, processed: 1011 });
  });

  it('maxWaiting can be set, and 0 means a full block queue refuses at once', async () => {
    const five = stalledBlockBus({ queueSize: 2, maxWaiting: 5 });
    const a = Array.from({ length: 100 }, (_, i) => five.bus.publish('e', i));
    expect(five.sub.stats).toMatchObject({ queued: 2, waiting: 5, rejected: 100 - 1 - 2 - 5 });
    const none = stalledBlockBus({ queueSize: 2, maxWaiting: 0 });
    const b = Array.from({ length: 10 }, (_, i) => none.bus.publish('e', i));
    expect(none.sub.stats).toMatchObject({ queued: 2, waiting: 0, rejected: 7 });
    five.release();
    none.release();
    expect((await Promise.allSettled(a)).filter((r) => r.status === 'rejected')).toHaveLength(92);
    expect((await Promise.allSettled(b)).filter((r) => r.status === 'rejected')).toHaveLength(7);
    for (const bad of [-1, 1.5, Number.NaN, '3'])
      expect(() =>
        new EventBus().subscribe('e', () => {}, { overflow: 'block', maxWaiting: bad as number }),
      ).toThrow(expect.objectContaining({ code: 'HOOKSPELL_INVALID_ARGUMENT' }));
  });

  it('a waiting publisher is let in when there is room again, and the freed place can be taken', async () => {
    const { bus, sub, release } = stalledBlockBus({ queueSize: 1, maxWaiting: 1 });
    await bus.publish('e', 0); // running
    await bus.publish('e', 1); // queued
    const waiting = bus.publish('e', 2);
    await expect(bus.publish('e', 3)).rejects.toBeInstanceOf(BackpressureError);
    expect(sub.stats.waiting).toBe(1);
    release();
    await settlesWithin(waiting, 'the waiting publish');
    expect(sub.stats.waiting).toBe(0);
    await bus.flush();
  });

  it('unsubscribing lets every waiting publisher go, and counts their events as dropped', async () => {
    const { bus, sub } = stalledBlockBus({ queueSize: 1, maxWaiting: 3 });
    const publishes = Array.from({ length: 5 }, (_, i) => bus.publish('e', i));
    expect(sub.stats.waiting).toBe(3);
    sub.unsubscribe();
    const results = await settlesWithin(Promise.allSettled(publishes), 'the publishes');
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(sub.stats).toMatchObject({ waiting: 0, dropped: 4 });
  });

  it('emit() cannot wait: a full block queue throws, saying so', () => {
    const { bus, sub } = stalledBlockBus({ queueSize: 1 });
    bus.emit('e', 0);
    bus.emit('e', 1);
    expect(() => bus.emit('e', 2)).toThrow(/emit\(\) cannot wait/);
    expect(sub.stats.rejected).toBe(1);
  });

  it('over a transport (in-process): events arriving for a full block queue are bounded the same way', async () => {
    const { bus, sub, release } = stalledBlockBus({ queueSize: 10, transport: new InProcessTransport() });
    const n = 50_000;
    for (let i = 0; i < n; i++) void bus.publish('e', i);
    expect(sub.stats).toMatchObject({ inFlight: 1, queued: 10, waiting: 1000 });
    expect(sub.stats.rejected).toBe(n - 1 - 10 - 1000);
    release();
    await settlesWithin(bus.close(), 'close()');
  });

  it.skipIf(skipReason !== undefined)(
    'over NATS: events arriving for a full block queue are bounded the same way',
    async () => {
      const transport = await natsTransport({
        servers: NATS_URL,
        subjectPrefix: `hookspell.test.${randomBytes(4).toString('hex')}`,
      });
      const { bus, sub, release } = stalledBlockBus({ queueSize: 10, maxWaiting: 100, transport });
      const n = 20_000;
      for (let i = 0; i < n; i++) void bus.publish('e', i);
      await transport.flush();
      // Wait until NATS has brought every event back to this bus.
      await settlesWithin(
        (async () => {
          while (sub.stats.received < n) await new Promise((r) => setTimeout(r, 10));
        })(),
        'every event back from NATS',
        60_000,
      );
      expect(sub.stats).toMatchObject({ inFlight: 1, queued: 10, waiting: 100 });
      expect(sub.stats.rejected).toBe(n - 1 - 10 - 100);
      expect(bus.stats().rejected).toBe(n - 1 - 10 - 100);
      release();
      await settlesWithin(bus.close(), 'close()', 60_000);
      expect(sub.stats.processed).toBe(1 + 10 + 100);
    },
  );
});
