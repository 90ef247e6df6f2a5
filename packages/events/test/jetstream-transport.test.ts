import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventBus, type EventError, type HookspellEvent } from '../src/index.js';
import {
  type NatsTransport,
  type NatsTransportOptions,
  natsTransport,
  partitionOf,
} from '../src/nats/index.js';
import { until } from './helpers/jetstream-processes.js';
import { NATS_URL, natsSkipReason } from './helpers/nats-target.js';

// JetStream durable delivery on the real server (127.0.0.1:4222 with -js), one process: the stream
// checks, durable publishes, acknowledgement after the handler, redelivery and dead letters, order
// under redelivery, backpressure. Each test has its own prefix and stream, deleted afterwards.
const skipReason = await natsSkipReason('jetstream-transport');

let admin: NatsConnection;
const streams: string[] = [];
const open: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  if (skipReason === undefined) admin = await connect({ servers: NATS_URL });
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});
afterAll(async () => {
  if (skipReason !== undefined) return;
  const jsm = await jetstreamManager(admin);
  for (const stream of streams) await jsm.streams.delete(stream).catch(() => undefined);
  await admin.close();
});

function names() {
  const tag = randomBytes(4).toString('hex');
  const stream = `HOOKSPELL_T_${tag}`;
  streams.push(stream);
  return { prefix: `hookspell.test.js${tag}`, stream };
}

async function transport(
  n: { prefix: string; stream: string },
  options: Partial<NatsTransportOptions> = {},
): Promise<NatsTransport & { errors: EventError[] }> {
  const errors: EventError[] = [];
  const t = await natsTransport({
    servers: NATS_URL,
    subjectPrefix: n.prefix,
    jetstream: { stream: n.stream, partitions: 4 },
    onError: (e) => errors.push(e),
    ...options,
  });
  return Object.assign(t, { errors });
}

async function bus(n: { prefix: string; stream: string }, options: Partial<NatsTransportOptions> = {}) {
  const t = await transport(n, options);
  const b = new EventBus({ transport: t });
  open.push(b);
  return Object.assign(b, { t });
}

const streamInfo = async (stream: string) => (await jetstreamManager(admin)).streams.info(stream);

describe.skipIf(skipReason !== undefined)('natsTransport({ jetstream }) on the real server', () => {
  it('creates the stream, and names what differs when an existing one is configured otherwise', async () => {
    const n = names();
    const t = await transport(n, {
      jetstream: { stream: n.stream, partitions: 4, maxAgeMs: 60_000, retention: 'limits' },
    });
    await t.close();
    const info = await streamInfo(n.stream);
    expect(info.config.subjects).toEqual([`${n.prefix}.>`]);
    expect(info.config.max_age).toBe(60_000 * 1_000_000);

    const mismatch = natsTransport({
      servers: NATS_URL,
      subjectPrefix: n.prefix,
      jetstream: { stream: n.stream, partitions: 8, maxAgeMs: 60_000, retention: 'workqueue' },
    });
    await expect(mismatch).rejects.toMatchObject({ code: 'HOOKSPELL_INVALID_ARGUMENT' });
    await expect(mismatch).rejects.toThrow(
      /retention is "limits", asked for "workqueue"; .*partitions is 4, asked for 8/,
    );
  });

  it('refuses options that cannot work, before connecting', async () => {
    const n = names();
    await expect(
      natsTransport({ servers: NATS_URL, subjectPrefix: n.prefix, jetstream: { stream: 'a.b' } }),
    ).rejects.toThrow(/`stream` must be 1–200 letters/);
    await expect(
      natsTransport({
        servers: NATS_URL,
        subjectPrefix: n.prefix,
        jetstream: { stream: 'S', subjects: ['other.>'] },
      }),
    ).rejects.toThrow(/do not cover/);
    await expect(
      natsTransport({
        servers: NATS_URL,
        subjectPrefix: n.prefix,
        jetstream: { stream: 'S', partitions: 0 },
      }),
    ).rejects.toThrow(/`partitions` must be an integer from 1 to 1024/);
  });

  it('a durable publish resolves once JetStream stored the event; the same event id is stored once', async () => {
    const n = names();
    const b = await bus(n);
    const event = await b.publish('job.queued', { n: 1 }, { durable: true });
    expect((await streamInfo(n.stream)).state.messages).toBe(1);
    // A retried publish of the same event (same id = Nats-Msg-Id) is not stored again.
    await b.t.publish(event);
    await b.t.publish(event);
    expect((await streamInfo(n.stream)).state.messages).toBe(1);
    expect(b.t.durable).toBe(true);
    // Plain subscriptions keep today's behaviour: every bus sees every event.
    const other = await bus(n);
    const seen: string[] = [];
    other.subscribe('job.*', (e) => {
      seen.push(e.type);
    });
    await other.t.flush();
    await b.publish('job.done', { n: 2 });
    await until(
      () => seen.length === 1,
      () => 'the plain subscriber',
      5000,
    );
    expect(b.t.errors).toEqual([]);
  });

  it('each event goes to one member; an async handler is acknowledged only once it resolves', async () => {
    const n = names();
    const [a, b, publisher] = [await bus(n), await bus(n), await bus(n)];
    const got: { member: string; e: HookspellEvent }[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    for (const [member, busOf] of [
      ['a', a],
      ['b', b],
    ] as const) {
      busOf.subscribe(
        'job.*',
        async (e) => {
          got.push({ member, e });
          if ((e.data as { i: number }).i === 0) await gate;
        },
        { group: 'workers', durable: true },
      );
    }
    await publisher.publish('job.queued', { i: 0 }, { correlationId: 'held' });
    await until(
      () => got.length === 1,
      () => 'the first delivery',
      10_000,
    );
    const jsm = await jetstreamManager(admin);
    const consumer = `workers-p${partitionOf('held', 4)}`;
    expect((await jsm.consumers.info(n.stream, consumer)).num_ack_pending).toBe(1);
    await new Promise((r) => setTimeout(r, 300)); // still pending while the handler runs
    expect((await jsm.consumers.info(n.stream, consumer)).num_ack_pending).toBe(1);
    release();
    await Promise.all([a.idle(), b.idle()]);
    await new Promise((r) => setTimeout(r, 200)); // the ack reaches the server
    expect((await jsm.consumers.info(n.stream, consumer)).num_ack_pending).toBe(0);

    for (let i = 1; i <= 200; i++)
      await publisher.publish('job.queued', { i }, { correlationId: `c${i % 7}` });
    await until(
      () => got.length === 201,
      () => `201 deliveries (got ${got.length})`,
      20_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(got.length).toBe(201); // exactly once each, across the two members
    expect(new Set(got.map((g) => g.e.id)).size).toBe(201);
    expect(new Set(got.map((g) => g.member))).toEqual(new Set(['a', 'b']));
    expect(got.every((g) => g.e.metadata.deliveryCount === 1)).toBe(true);
  });

  it('a throwing handler gets its event again (delivery count on the metadata), in order, then the dead-letter subject', async () => {
    const n = names();
    const [worker, publisher] = [await bus(n), await bus(n)];
    const deadLetters: { data: string; group?: string; deliveries?: string; error?: string }[] = [];
    const dl = admin.subscribe(`hookspell.dead-letter.${n.stream}.retry`, {
      callback: (_err, msg) => {
        deadLetters.push({
          data: msg.string(),
          group: msg.headers?.get('Hookspell-Group'),
          deliveries: msg.headers?.get('Hookspell-Deliveries'),
          error: msg.headers?.get('Hookspell-Error'),
        });
      },
    });
    await admin.flush();
    const handled: [number, number][] = [];
    worker.subscribe(
      'job.*',
      (e) => {
        const { i } = e.data as { i: number };
        handled.push([i, e.metadata.deliveryCount!]);
        if (i === 1 && e.metadata.deliveryCount! < 3) throw new Error('flaky');
        if (i === 3) throw new Error('always fails');
      },
      { group: 'retry', durable: true, maxDeliver: 3 },
    );
    for (let i = 0; i < 5; i++) await publisher.publish('job.queued', { i }, { correlationId: 'one-order' });
    await until(
      () => handled.length === 9,
      () => `9 handlings (got ${JSON.stringify(handled)})`,
      20_000,
    );
    await until(
      () => deadLetters.length === 1,
      () => 'the dead letter',
      10_000,
    );
    dl.unsubscribe();
    // One correlation id: event 2 waits until 1 succeeded on its third delivery; 3 fails three
    // times and goes to the dead letters; 4 follows.
    expect(handled).toEqual([
      [0, 1],
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
      [3, 1],
      [3, 2],
      [3, 3],
      [4, 1],
    ]);
    expect(deadLetters[0]).toMatchObject({ group: 'retry', deliveries: '3', error: 'always fails' });
    expect(JSON.parse(deadLetters[0]!.data).data).toEqual({ i: 3 });
    expect(worker.t.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/gave up on event "job.queued" .* after 3 deliveries/),
    ]);
    expect(worker.stats().handlerErrors).toBe(5);
  });

  it('publishers are never blocked by a slow group; a member holds at most its queue bound', async () => {
    const n = names();
    const [slow, publisher] = [await bus(n), await bus(n)];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const sub = slow.subscribe(
      'job.*',
      async () => {
        calls++;
        await gate;
      },
      { group: 'slow', durable: true, ordered: false, queueSize: 10, concurrency: 2 },
    );
    const started = Date.now();
    await Promise.all(Array.from({ length: 2000 }, (_, i) => publisher.publish('job.queued', { i })));
    const took = Date.now() - started;
    await until(
      () => calls === 2,
      () => 'two handlers running',
      10_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    // Two running (concurrency), eight queued: the broker hands out no more than queueSize.
    expect(sub.stats.inFlight + sub.stats.queued).toBe(10);
    const info = await (await jetstreamManager(admin)).consumers.info(n.stream, 'slow');
    expect(info.num_ack_pending).toBe(10);
    expect(info.num_pending).toBe(1990);
    release();
    await until(
      () => calls === 2000,
      () => `2000 handled (got ${calls})`,
      30_000,
    );
    expect(took).toBeLessThan(20_000); // not waiting for the group (which handled 0 meanwhile)
  });

  it('says what is wrong with a group subscription', async () => {
    const n = names();
    const b = await bus(n);
    const h = () => {};
    expect(() => b.subscribe('a.*', h, { group: 'g' })).toThrow(/`durable: true` is required with `group`/);
    expect(() => b.subscribe('a.*', h, { group: 'a.b', durable: true })).toThrow(/`group` must be 1–64/);
    expect(() => b.subscribe('a.*', h, { group: 'g', durable: true, overflow: 'drop-oldest' })).toThrow(
      /cannot be used with `group`/,
    );
    expect(() => b.subscribe('a.*', h, { group: 'g', durable: true, filter: () => true })).toThrow(
      /`filter` cannot be used with `group`/,
    );
    expect(() => b.subscribe('a.*', h, { group: 'g', durable: true, queueSize: 2 })).toThrow(
      /`queueSize` 2 is below the stream's 4 partitions/,
    );
    const local = new EventBus();
    expect(() => local.subscribe('a.*', h, { group: 'g', durable: true })).toThrow(
      /worker groups need a transport that has them/,
    );
  });
});
