/**
 * Events across processes on NATS (issue 17), hookspell's transport against the raw nats.js client
 * doing the same work, in one run, on the server at 127.0.0.1:4222 (with -js):
 *  (a) core transport vs raw publish/subscribe: 10 000 events published here, counted by a
 *      subscriber in a worker process (a call ends when that process has them all);
 *  (b) JetStream durable publish vs raw JetStream publish, 1 000 in flight: 2 000 events per call,
 *      each resolved once JetStream stored it (message id set in both);
 *  (c) a worker group of 3 processes draining a stream of 6 000 events (stored first, not timed):
 *      a raw durable pull consumer shared by the 3 (max_ack_pending 1000) vs a hookspell group,
 *      ordered (16 key partitions, one event in flight each) and unordered (maxAckPending 1000).
 *
 *   pnpm build && pnpm --filter @hookspell/benchmarks bench jetstream
 */
import { spawn } from 'node:child_process';
import { connect as tcp } from 'node:net';
import { performance } from 'node:perf_hooks';
import { EventBus } from '@hookspell/events';
import { natsTransport } from '@hookspell/events/nats';
import { compare, printTable, resultsOf } from './harness.js';
import { jetstreamLib, nats } from './nats-clients.js';

const SERVERS = process.env.HOOKSPELL_NATS_URL ?? 'nats://127.0.0.1:4222';
const STREAM = 'HOOKSPELL_BENCH';
const reachable = await new Promise<boolean>((resolve) => {
  const url = new URL(SERVERS);
  const socket = tcp(Number(url.port || 4222), url.hostname);
  socket.once('connect', () => resolve(socket.end() !== undefined));
  socket.once('error', () => resolve(false));
});
if (!reachable) {
  console.log(`skipped: no NATS at ${SERVERS}; start one with \`nats-server -js -a 127.0.0.1 -p 4222\`.`);
  process.exit(0);
}

const nc = await nats.connect({ servers: SERVERS });
const js = jetstreamLib.jetstream(nc);
const jsm = await jetstreamLib.jetstreamManager(nc);
await jsm.streams.delete(STREAM).catch(() => false);
// Made by the transport (it records the partition count in the stream), used by the raw cases too.
const jetstream = { stream: STREAM, subjects: ['bench.js.>'], maxAgeMs: 3_600_000 };
await (await natsTransport({ servers: SERVERS, subjectPrefix: 'bench.js.setup', jetstream })).close();

// Three worker processes.
const workerFile = new URL('./jetstream-worker.ts', import.meta.url).pathname;
const workers = await Promise.all(
  [0, 1, 2].map(
    (i) =>
      new Promise<void>((resolve, reject) => {
        const proc = spawn(process.execPath, ['--import', 'tsx', workerFile, SERVERS, String(i)], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        proc.stdout.setEncoding('utf8').on('data', (s: string) => s.includes('ready') && resolve());
        proc.once('exit', (code) => reject(new Error(`worker ${i} exited (${code})`)));
      }),
  ),
);
void workers;
const command = async (i: number, cmd: Record<string, unknown>) => {
  await nc.request(`bench.w.${i}`, JSON.stringify(cmd), { timeout: 60_000 });
};
const all = (cmd: Record<string, unknown>) => Promise.all([0, 1, 2].map((i) => command(i, cmd)));
const payload = { tool: 'calc', step: 1, args: { x: 12, y: 30 } };

// (a) core: publish here, count in worker 0.
{
  const N = 10_000;
  const bus = new EventBus({
    transport: await natsTransport({ servers: SERVERS, subjectPrefix: 'bench.core.hs' }),
  });
  const round = async (kind: 'raw' | 'hookspell', publish: () => void) => {
    await command(0, { op: 'arm-core' });
    for (let i = 0; i < N; i++) publish();
    await command(0, { op: 'wait-core', kind, n: N });
  };
  await compare(
    '(a) core NATS across processes: 10 000 events published, all received by the other process (events/s)',
    [
      {
        name: 'raw nats.js publish/subscribe',
        opsPerCall: N,
        fn: () => round('raw', () => nc.publish('bench.core.raw.job', JSON.stringify(payload))),
      },
      {
        name: 'hookspell bus.emit, core transport',
        opsPerCall: N,
        fn: () => round('hookspell', () => bus.emit('job.queued', payload)),
      },
    ],
    { anchor: 'raw nats.js publish/subscribe', samples: 7 },
  );
  await bus.close();
}

// (b) durable publish, 1 000 in flight.
{
  const N = 2000;
  const WINDOW = 1000;
  const bus = new EventBus({
    transport: await natsTransport({
      servers: SERVERS,
      subjectPrefix: 'bench.js.pub',
      jetstream,
    }),
  });
  let id = 0;
  const windowed = async (publish: () => Promise<unknown>) => {
    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < N; i++) {
      const p = publish().finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= WINDOW) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  };
  await compare(
    '(b) JetStream durable publish, 1 000 in flight: 2 000 events per call, each acknowledged (events/s)',
    [
      {
        name: 'raw js.publish (msgID set)',
        opsPerCall: N,
        fn: () =>
          windowed(() => js.publish('bench.js.raw.job', JSON.stringify(payload), { msgID: `raw-${++id}` })),
      },
      {
        name: 'hookspell bus.publish, jetstream transport',
        opsPerCall: N,
        fn: () => windowed(() => bus.publish('job.queued', payload, { correlationId: `c${++id % 500}` })),
      },
    ],
    { anchor: 'raw js.publish (msgID set)', samples: 5 },
  );
  await bus.close();
}

// (c) a group of 3 worker processes draining a stream. Own loop (the stream is filled before each
// timed drain): one warm-up round, then samples with the cases in rotating order.
{
  const N = 6000;
  let counted = 0;
  const countSub = nc.subscribe('bench.count', {
    callback: (_e, m) => {
      counted += Number(m.string());
    },
  });
  let roundNo = 0;
  const publisher = new Map<string, EventBus>();
  const drain = async (kind: 'raw' | 'ordered' | 'unordered'): Promise<number> => {
    const k = ++roundNo;
    const prefix = `bench.js.d${k}`;
    if (kind === 'raw') {
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < N; i++) {
        pending.push(js.publish(`${prefix}.job`, JSON.stringify(payload)));
        if (pending.length === 1000) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
      await jsm.consumers.add(STREAM, {
        durable_name: `raw${k}`,
        ack_policy: 'explicit',
        deliver_policy: 'all',
        filter_subject: `${prefix}.>`,
        max_ack_pending: 1000,
        ack_wait: 30e9,
      });
      await all({ op: 'prepare', kind: 'raw', stream: STREAM, consumer: `raw${k}` });
    } else {
      const bus = new EventBus({
        transport: await natsTransport({
          servers: SERVERS,
          subjectPrefix: prefix,
          jetstream,
        }),
      });
      publisher.set(prefix, bus);
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < N; i++) {
        pending.push(bus.publish('job.queued', payload, { correlationId: `c${i % 500}` }));
        if (pending.length === 1000) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
      await bus.close();
      await all({
        op: 'prepare',
        kind: 'hookspell',
        stream: STREAM,
        prefix,
        group: `g${k}`,
        ordered: kind === 'ordered',
        partitions: 16,
      });
    }
    counted = 0;
    const start = performance.now();
    await all({ op: 'start' });
    while (counted < N) await new Promise((r) => setTimeout(r, 1));
    const ms = performance.now() - start;
    await all({ op: 'stop' });
    return (N / ms) * 1000;
  };
  const cases = [
    { name: 'raw JetStream pull consumer shared by 3 processes', kind: 'raw' as const },
    { name: 'hookspell group of 3, ordered (16 partitions)', kind: 'ordered' as const },
    { name: 'hookspell group of 3, unordered', kind: 'unordered' as const },
  ];
  for (const c of cases) await drain(c.kind); // warm-up
  const rates = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const SAMPLES = 5;
  for (let s = 0; s < SAMPLES; s++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + s) % cases.length]!;
      rates.get(c.name)!.push(await drain(c.kind));
    }
  }
  const anchor = cases[0]!.name;
  const results = resultsOf(
    cases.map((c) => c.name),
    rates,
    anchor,
  );
  printTable('(c) a worker group of 3 processes draining 6 000 stored events (events/s)', results, anchor);
  countSub.unsubscribe();
}

await all({ op: 'exit' });
await jsm.streams.delete(STREAM).catch(() => false);
await nc.close();
process.exit(0);
