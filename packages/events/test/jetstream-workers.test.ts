import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/index.js';
import { natsTransport } from '../src/nats/index.js';
import { type Handled, spawnWorker, until, type Worker } from './helpers/jetstream-processes.js';
import { NATS_URL, natsSkipReason } from './helpers/nats-target.js';

// Real processes on loopback: one publisher (this process) and three worker processes in one
// durable group, on the shared nats-server with JetStream. One worker is SIGKILLed mid-stream and
// started again. Scale with HOOKSPELL_JS_EVENTS (default 100 000, the figure).
const skipReason = await natsSkipReason('jetstream-workers');
const EVENTS = Number(process.env.HOOKSPELL_JS_EVENTS ?? 100_000);
const CORRELATIONS = 500;
const PARTITIONS = 16;

const streams: string[] = [];
afterAll(async () => {
  if (skipReason !== undefined || streams.length === 0) return;
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  for (const stream of streams) await jsm.streams.delete(stream).catch(() => undefined);
  await nc.close();
});

describe.skipIf(skipReason !== undefined)('a worker group across processes (JetStream)', () => {
  it(`hands ${EVENTS} events to 3 workers, one SIGKILLed and restarted: every event handled, order per correlation kept`, async () => {
    expect(existsSync(new URL('../dist/nats.js', import.meta.url)), 'run `pnpm build` first').toBe(true);
    const tag = randomBytes(4).toString('hex');
    const args = {
      servers: NATS_URL,
      prefix: `hookspell.test.js${tag}`,
      stream: `HOOKSPELL_TEST_${tag}`,
      group: 'billing',
      partitions: PARTITIONS,
      ackWaitMs: 2000,
    };
    streams.push(args.stream);
    const transport = await natsTransport({
      servers: NATS_URL,
      subjectPrefix: args.prefix,
      jetstream: { stream: args.stream, partitions: PARTITIONS },
    });
    const bus = new EventBus({ transport });
    const handled: Handled[] = [];
    const workers: Worker[] = [0, 1, 2].map((i) => spawnWorker(i, args, handled));
    const all = [...workers];
    try {
      await Promise.all(workers.map((w) => w.ready));

      // Publish with up to 1 000 durable publishes in flight; each resolves once JetStream stored it.
      const ids = new Array<string>(EVENTS);
      const started = Date.now();
      let killedAt = 0;
      let killedPid = 0;
      const window: Promise<unknown>[] = [];
      for (let i = 0; i < EVENTS; i++) {
        const correlationId = `order-${i % CORRELATIONS}`;
        window.push(
          bus.publish('job.queued', { i: Math.floor(i / CORRELATIONS) }, { correlationId }).then((e) => {
            ids[i] = e.id;
          }),
        );
        if (window.length === 1000) await Promise.all(window.splice(0));
        // Mid-stream: the first worker dies without a chance to ack, and comes back.
        if (killedAt === 0 && handled.length >= EVENTS / 4) {
          killedPid = workers[0]!.proc.pid!;
          workers[0]!.proc.kill('SIGKILL');
          await workers[0]!.exited;
          killedAt = Math.round((performance.timeOrigin + performance.now()) * 1000);
          workers[0] = spawnWorker(3, args, handled);
          all.push(workers[0]);
        }
      }
      await Promise.all(window);
      const published = Date.now() - started;

      const unique = new Set<string>();
      let scanned = 0;
      await until(
        () => {
          for (; scanned < handled.length; scanned++) unique.add(handled[scanned]!.id);
          return unique.size >= EVENTS;
        },
        () => `all ${EVENTS} events handled (${unique.size} so far; ${all.map((w) => w.stderr).join('')})`,
        240_000,
      );
      const drained = Date.now() - started;

      // Every published event was handled; nothing else was.
      expect(new Set(ids).size).toBe(EVENTS);
      for (const id of ids) expect(unique.has(id)).toBe(true);
      expect(unique.size).toBe(EVENTS);
      expect(killedAt, 'the kill happened mid-stream').toBeGreaterThan(0);

      // Duplicates: only events the killed worker handled but had not acknowledged — at most one per
      // partition (one event in flight each) — and the repeat carries a delivery count above 1.
      const seen = new Map<string, Handled>();
      const duplicates: Handled[] = [];
      for (const h of [...handled].sort((a, b) => a.at - b.at)) {
        const first = seen.get(h.id);
        if (first === undefined) seen.set(h.id, h);
        else {
          duplicates.push(h);
          expect(first.pid, `duplicate ${h.id} first handled by the killed worker`).toBe(killedPid);
          expect(first.at).toBeLessThanOrEqual(killedAt);
          expect(h.deliveryCount).toBeGreaterThan(1);
        }
      }
      expect(duplicates.length).toBeLessThanOrEqual(PARTITIONS);

      // Order per correlation id: first handlings, in wall-clock order, follow publish order.
      const next = new Map<string, number>();
      for (const h of [...seen.values()].sort((a, b) => a.at - b.at)) {
        const expected = next.get(h.correlationId) ?? 0;
        expect(h.i, `${h.correlationId} handled out of order`).toBe(expected);
        next.set(h.correlationId, expected + 1);
      }
      // Every worker took part (the group shares the work).
      const perWorker = [0, 1, 2, 3].map((w) => handled.filter((h) => h.worker === w).length);
      expect(perWorker.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
      console.log(
        `[jetstream-workers] ${EVENTS} events, ${CORRELATIONS} correlation ids, ${PARTITIONS} partitions: published in ${published} ms, all handled after ${drained} ms; per worker ${perWorker.join('/')} (the 4th is the restarted one); ${duplicates.length} duplicates, all from the SIGKILLed worker (handled, not yet acknowledged).`,
      );
    } finally {
      for (const w of all) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
      await Promise.all(all.map((w) => w.exited));
      await bus.close();
    }
  }, 360_000);
});
