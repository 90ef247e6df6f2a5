/**
 * @hookspell/events against the emitters users would otherwise pick, in one process:
 *  (1) sync delivery to 1 and 10 exact-type subscribers vs eventemitter3 and node:events
 *  (2) delivery to `agent.*` / `agent.**` subscribers vs EventEmitter2 in wildcard mode
 *  (3) awaited async delivery to 1 and 10 async subscribers vs emittery
 *  (4) publishing with SQLite persistence (group commit), durable and not
 *  (5) the original's workload: 10 subscribers over a mix of 5 patterns, 100 000 events
 *  (6) drop-oldest with priorities: 100 000 publishes to a stalled subscriber (queue full, one
 *      eviction per publish) — no emitter library has bounded prioritised queues, so the anchor is
 *      hookspell's own case without priorities
 * Every hookspell case builds a full event envelope (id, sequence, timestamp, metadata); the
 * emitters it is compared with pass the payload alone.
 *
 *   pnpm bench events
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, EventLog } from '@hookspell/events';
import { SqliteStorage } from '@hookspell/storage';
import Emittery from 'emittery';
import EventEmitter2Module from 'eventemitter2';
import EventEmitter3Module from 'eventemitter3';
import { compare } from './harness.js';

// Both are CommonJS: their classes hang off the default export under NodeNext resolution.
const { EventEmitter2 } = EventEmitter2Module;
const EventEmitter3 = EventEmitter3Module.EventEmitter;

const payload = { tool: 'calc', step: 1 };
let sink = 0;
const syncHandler = () => {
  sink++;
};
const asyncHandler = async () => {
  sink++;
};

// (1) sync delivery, exact type
for (const listeners of [1, 10]) {
  const ee3 = new EventEmitter3();
  const node = new EventEmitter();
  node.setMaxListeners(100);
  const bus = new EventBus();
  for (let i = 0; i < listeners; i++) {
    ee3.on('tool.started', syncHandler);
    node.on('tool.started', syncHandler);
    bus.subscribe('tool.started', syncHandler);
  }
  await compare(
    `(1) sync delivery to ${listeners} exact-type subscriber${listeners > 1 ? 's' : ''}`,
    [
      { name: 'eventemitter3 emit', fn: () => ee3.emit('tool.started', payload) },
      { name: 'node:events emit', fn: () => node.emit('tool.started', payload) },
      { name: 'hookspell bus.emit (with envelope)', fn: () => bus.emit('tool.started', payload) },
    ],
    { anchor: 'eventemitter3 emit' },
  );
}

// (2) wildcard delivery
for (const [pattern, listeners] of [
  ['agent.*', 1],
  ['agent.*', 10],
  ['agent.**', 1],
  ['agent.**', 10],
] as const) {
  const ee2 = new EventEmitter2({ wildcard: true, delimiter: '.', maxListeners: 100 });
  const bus = new EventBus();
  for (let i = 0; i < listeners; i++) {
    ee2.on(pattern, syncHandler);
    bus.subscribe(pattern, syncHandler);
  }
  await compare(
    `(2) delivery of 'agent.step' to ${listeners} '${pattern}' subscriber${listeners > 1 ? 's' : ''}`,
    [
      { name: 'EventEmitter2 (wildcard) emit', fn: () => ee2.emit('agent.step', payload) },
      { name: 'hookspell bus.emit (with envelope)', fn: () => bus.emit('agent.step', payload) },
    ],
    { anchor: 'EventEmitter2 (wildcard) emit' },
  );
}

// (3) awaited async delivery: the publisher waits until every subscriber has finished.
for (const listeners of [1, 10]) {
  const emittery = new Emittery();
  const bus = new EventBus();
  for (let i = 0; i < listeners; i++) {
    emittery.on('tool.started', asyncHandler);
    bus.subscribe('tool.started', asyncHandler, { queueSize: 10_000 });
  }
  await compare(
    `(3) awaited async delivery to ${listeners} async subscriber${listeners > 1 ? 's' : ''}`,
    [
      { name: 'emittery emit (awaited)', fn: () => emittery.emit('tool.started', payload) },
      {
        name: 'hookspell publish + bus.idle() (awaited)',
        fn: async () => {
          await bus.publish('tool.started', payload);
          await bus.idle();
        },
      },
    ],
    { anchor: 'emittery emit (awaited)' },
  );
}

// (4) persistence on SQLite with group commit
const dir = mkdtempSync(join(tmpdir(), 'hookspell-events-bench-'));
{
  const storage = SqliteStorage({ path: join(dir, 'events.db') });
  const log = new EventLog(storage, { retention: {} });
  const bus = new EventBus({ log });
  const lean = new EventLog(SqliteStorage({ path: join(dir, 'lean.db') }), { indexTypes: false });
  const leanBus = new EventBus({ log: lean });
  const bare = new EventBus();
  const BURST = 1000;
  await compare(
    '(4) publish with SQLite persistence (events/s; 1000 published, then awaited)',
    [
      {
        name: 'no persistence',
        opsPerCall: BURST,
        fn: async () => {
          for (let i = 0; i < BURST; i++) bare.emit('tool.started', payload);
          await bare.flush();
        },
      },
      {
        name: 'persisted (log + correlation + type index)',
        opsPerCall: BURST,
        fn: async () => {
          for (let i = 0; i < BURST; i++) bus.emit('tool.started', payload);
          await bus.flush();
        },
      },
      {
        name: 'persisted (log + correlation index, indexTypes: false)',
        opsPerCall: BURST,
        fn: async () => {
          for (let i = 0; i < BURST; i++) leanBus.emit('tool.started', payload);
          await leanBus.flush();
        },
      },
      {
        name: 'durable publishes, 1000 in flight',
        opsPerCall: BURST,
        fn: async () => {
          const pending = new Array(BURST);
          for (let i = 0; i < BURST; i++)
            pending[i] = bus.publish('tool.started', payload, { durable: true });
          await Promise.all(pending);
        },
      },
      {
        name: 'durable publishes, one at a time',
        fn: () => bus.publish('tool.started', payload, { durable: true }),
      },
    ],
    { anchor: 'no persistence', samples: 5, sampleMs: 400 },
  );
  console.log(`(events stored during (4): ${await log.size()} + ${await lean.size()})\n`);
  await storage.close();
}
rmSync(dir, { recursive: true, force: true });

// (5) the original's workload, done honestly: 10 subscribers over 5 patterns, 100 000 events,
// every delivery counted and checked.
{
  const patterns = ['agent.*', 'tool.**', '*.error', 'workflow.step.*', '**'];
  const types = ['agent.start', 'tool.exec', 'tool.exec.done', 'agent.error', 'workflow.step.done'];
  const expectedPerRound = (() => {
    let n = 0;
    for (let s = 0; s < 10; s++) {
      const p = patterns[s % 5]!;
      for (const t of types) {
        const ok =
          p === '**' ||
          (p === 'agent.*' && t.startsWith('agent.') && t.split('.').length === 2) ||
          (p === 'tool.**' && t.startsWith('tool.')) ||
          (p === '*.error' && t.endsWith('.error') && t.split('.').length === 2) ||
          (p === 'workflow.step.*' && t.startsWith('workflow.step.') && t.split('.').length === 3);
        if (ok) n++;
      }
    }
    return n;
  })();
  const EVENTS = 100_000;
  const ee2 = new EventEmitter2({ wildcard: true, delimiter: '.', maxListeners: 100 });
  const bus = new EventBus();
  let busCount = 0;
  let ee2Count = 0;
  for (let s = 0; s < 10; s++) {
    bus.subscribe(patterns[s % 5]!, () => {
      busCount++;
    });
    ee2.on(patterns[s % 5]!, () => {
      ee2Count++;
    });
  }
  const results = await compare(
    '(5) original workload: 10 subscribers over 5 patterns, 100 000 events per call (events/s)',
    [
      {
        name: 'EventEmitter2 (wildcard)',
        opsPerCall: EVENTS,
        fn: () => {
          for (let i = 0; i < EVENTS; i++) ee2.emit(types[i % 5]!, payload);
        },
      },
      {
        name: 'hookspell bus.emit',
        opsPerCall: EVENTS,
        fn: () => {
          for (let i = 0; i < EVENTS; i++) bus.emit(types[i % 5]!, payload);
        },
      },
    ],
    { anchor: 'EventEmitter2 (wildcard)', samples: 5 },
  );
  const calls = bus.stats().published / EVENTS;
  const expected = Math.round((expectedPerRound / 5) * EVENTS * calls);
  console.log(
    `Deliveries: hookspell ${busCount} (expected ${expected}, ${busCount === expected ? 'all delivered' : 'MISMATCH'}); ` +
      `EventEmitter2 ${ee2Count}. hookspell sustained ${(results[1]!.opsPerSec / 1000).toFixed(0)} k events/s ` +
      `= ${((results[1]!.opsPerSec * expectedPerRound) / 5 / 1e6).toFixed(1)} M deliveries/s.\n`,
  );
}
// (6) a stalled subscriber whose queue is full: every publish evicts one queued event (issue 14,
// item 9 — this took 16.7 s per 100 000 with priorities when eviction was O(queue)).
{
  const EVENTS = 100_000;
  const stalled = new Promise<void>(() => {});
  const stalledBus = (name: string) => {
    const bus = new EventBus();
    const sub = bus.subscribe('job.queued', () => stalled, {
      queueSize: 1000,
      overflow: 'drop-oldest',
      name,
    });
    return { bus, sub };
  };
  const flat = stalledBus('no priorities');
  const levels = stalledBus('5 levels');
  const spread = stalledBus('all different');
  const options = [0, 1, 2, 3, 4].map((priority) => ({ priority }));
  // A fixed scramble of 0..99 990: up to 1000 distinct priorities queued at once.
  const spreadOptions = Array.from({ length: EVENTS }, (_, i) => ({ priority: (i * 7919) % 99_991 }));
  await compare(
    '(6) drop-oldest to a stalled subscriber (queue 1000, full): 100 000 publishes per call (events/s)',
    [
      {
        name: 'priority 0 only',
        opsPerCall: EVENTS,
        fn: () => {
          for (let i = 0; i < EVENTS; i++) flat.bus.emit('job.queued', payload);
        },
      },
      {
        name: '5 priority levels',
        opsPerCall: EVENTS,
        fn: () => {
          for (let i = 0; i < EVENTS; i++) levels.bus.emit('job.queued', payload, options[i % 5]);
        },
      },
      {
        name: 'all different priorities (up to 1000 levels queued)',
        opsPerCall: EVENTS,
        fn: () => {
          for (let i = 0; i < EVENTS; i++) spread.bus.emit('job.queued', payload, spreadOptions[i]);
        },
      },
    ],
    { anchor: 'priority 0 only', samples: 5 },
  );
  const drops = [flat, levels, spread].map(
    ({ sub }) => `${sub.name} ${sub.stats.dropped}/${sub.stats.received - 1001}`,
  );
  console.log(`Drops (counted/expected): ${drops.join(', ')}.\n`);
}
if (sink < 0) console.log(sink);
