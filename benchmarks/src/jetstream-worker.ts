/**
 * A worker process of jetstream.bench.ts (not a benchmark itself: run.ts picks `*.bench.ts` only).
 * Commands arrive as requests on `bench.w.<index>`:
 *   arm-core {n}          reset the core counters (raw subscription and hookspell bus)
 *   wait-core {kind, n}   answer once that many core events arrived
 *   prepare {kind, …}     connect what a drain round needs (not timed)
 *   start                 start consuming the round's stream; handled counts go to `bench.count`
 *   stop                  stop consuming, close the round's connections
 */
import { EventBus } from '@hookspell/events';
import { natsTransport } from '@hookspell/events/nats';
import { jetstreamLib, nats } from './nats-clients.js';

const [servers, index] = process.argv.slice(2) as [string, string];
const nc = await nats.connect({ servers });

// (a) core: a raw subscription and a bus on the core transport, counting.
const core = { raw: 0, hookspell: 0 };
nc.subscribe('bench.core.raw.>', {
  callback: () => {
    core.raw++;
  },
});
const coreBus = new EventBus({ transport: await natsTransport({ servers, subjectPrefix: 'bench.core.hs' }) });
coreBus.subscribe('job.*', () => {
  core.hookspell++;
});

// (c) drain rounds: handled counts reported once per turn, as a delta.
let delta = 0;
let reporting = false;
const handled = () => {
  delta++;
  if (reporting) return;
  reporting = true;
  setImmediate(() => {
    reporting = false;
    nc.publish('bench.count', String(delta));
    delta = 0;
  });
};
let round: { start(): Promise<void>; stop(): Promise<void> } | undefined;

interface Command {
  op: string;
  kind?: 'raw' | 'hookspell';
  n?: number;
  stream?: string;
  consumer?: string;
  prefix?: string;
  group?: string;
  ordered?: boolean;
  partitions?: number;
}

async function prepare(cmd: Command): Promise<typeof round> {
  if (cmd.kind === 'raw') {
    const js = jetstreamLib.jetstream(nc);
    let running: { stop(): void } | undefined;
    return {
      start: async () => {
        const consumer = await js.consumers.get(cmd.stream!, cmd.consumer!);
        running = await consumer.consume({
          max_messages: 1000,
          callback: (m) => {
            JSON.parse(m.string()); // a user decodes what arrives, as the transport does
            handled();
            m.ack();
          },
        });
      },
      stop: async () => running?.stop(),
    };
  }
  const bus = new EventBus({
    transport: await natsTransport({
      servers,
      subjectPrefix: cmd.prefix!,
      jetstream: {
        stream: cmd.stream!,
        partitions: cmd.partitions!,
        subjects: ['bench.js.>'],
        maxAgeMs: 3_600_000,
      },
    }),
  });
  return {
    start: async () => {
      bus.subscribe('job.*', handled, { group: cmd.group!, durable: true, ordered: cmd.ordered! });
    },
    stop: () => bus.close(),
  };
}

nc.subscribe(`bench.w.${index}`, {
  callback: (_err, msg) => {
    const cmd = JSON.parse(msg.string()) as Command;
    const reply = () => msg.respond('ok');
    switch (cmd.op) {
      case 'arm-core':
        core.raw = 0;
        core.hookspell = 0;
        return reply();
      case 'wait-core': {
        const poll = () => (core[cmd.kind!] >= cmd.n! ? reply() : setImmediate(poll));
        return poll();
      }
      case 'prepare':
        return void prepare(cmd).then((r) => {
          round = r;
          reply();
        });
      case 'start':
        return void round!.start().then(reply);
      case 'stop':
        return void round!.stop().then(() => {
          round = undefined;
          reply();
        });
      case 'exit':
        reply();
        return void Promise.all([coreBus.close(), nc.flush()]).then(() => process.exit(0));
    }
  },
});
await nc.flush();
console.log('ready');
