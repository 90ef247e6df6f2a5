import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { connect } from '@nats-io/transport-node';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compilePattern,
  EventBus,
  type EventError,
  type HookspellEvent,
  InProcessTransport,
  matchPattern,
  toWireJSON,
} from '../src/index.js';
import {
  type NatsTransport,
  type NatsTransportOptions,
  natsTransport,
  subjectForType,
  subjectsForPattern,
} from '../src/nats/index.js';
import { NATS_URL, natsSkipReason } from './helpers/nats-target.js';

// Real NATS on loopback, no mocks. Every test gets its own subject prefix, so runs (and tests)
// never see each other's events; every connection is closed after each test.
const skipReason = await natsSkipReason('nats-transport');

const open: NatsTransport[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all([...open.splice(0).map((t) => t.close()), ...closers.splice(0).map((c) => c())]);
});

function newPrefix(): string {
  return `hookspell.test.${randomBytes(4).toString('hex')}`;
}

/** A transport on its own connection (one per simulated process), with its errors collected. */
async function transport(
  options: NatsTransportOptions = {},
): Promise<NatsTransport & { errors: EventError[] }> {
  const errors: EventError[] = [];
  const t = await natsTransport({ servers: NATS_URL, onError: (e) => errors.push(e), ...options });
  open.push(t);
  return Object.assign(t, { errors });
}

/** Resolves when `condition()` holds, polling; fails with `what` after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let nextId = 0;
/** An event made by hand, for publishing on a transport directly (the bus refuses `$` types). */
function eventOf(type: string, data: unknown = null): HookspellEvent {
  const id = `evt-test-${++nextId}`;
  return {
    id,
    type,
    data,
    language: 'native',
    timestamp: Date.now(),
    sequence: nextId,
    metadata: { correlationId: id, tags: [], priority: 0 },
    schemaVersion: '1.0',
  };
}

/**
 * Publishes `events` from `from`, then a barrier event, and waits until `to` has it: NATS keeps one
 * publisher's order on one subscribing connection, so every earlier event has been delivered.
 */
async function publishAndSettle(from: NatsTransport, to: NatsTransport, events: HookspellEvent[]) {
  // `$`-reserved: no wildcard pattern matches it, so it never shows up in what is compared.
  const barrier = `$barrier.n${++nextId}`;
  let seen = false;
  const off = to.subscribe(barrier, () => (seen = true));
  await to.flush();
  for (const event of events) from.publish(event);
  from.publish(eventOf(barrier));
  await until(() => seen, barrier);
  off();
}

describe.skipIf(skipReason !== undefined)('natsTransport (real NATS on loopback)', () => {
  it('two buses on two connections see each other’s events, in order per publisher', async () => {
    const subjectPrefix = newPrefix();
    const [ta, tb] = [await transport({ subjectPrefix }), await transport({ subjectPrefix })];
    const a = new EventBus({ transport: ta, source: 'a' });
    const b = new EventBus({ transport: tb, source: 'b' });
    await Promise.all([ta.flush(), tb.flush()]); // both subscriptions are on the server
    const seenByA: HookspellEvent[] = [];
    const seenByB: HookspellEvent[] = [];
    a.subscribe('work.**', (e) => seenByA.push(e));
    b.subscribe('work.**', (e) => seenByB.push(e));

    const n = 300;
    for (let i = 0; i < n; i++) {
      await a.publish('work.a', { i });
      await b.publish('work.b.step', { i });
    }
    await until(() => seenByA.length === 2 * n && seenByB.length === 2 * n, 'every event on both buses');

    for (const seen of [seenByA, seenByB]) {
      // Per publisher, the order is the publish order (own events included: the echo).
      expect(seen.filter((e) => e.type === 'work.a').map((e) => (e.data as { i: number }).i)).toEqual(
        Array.from({ length: n }, (_, i) => i),
      );
      expect(seen.filter((e) => e.type === 'work.b.step').map((e) => (e.data as { i: number }).i)).toEqual(
        Array.from({ length: n }, (_, i) => i),
      );
    }
    expect(seenByA.find((e) => e.type === 'work.b.step')!.metadata.source).toBe('b');
    await Promise.all([a.close(), b.close()]);
    expect([...ta.errors, ...tb.errors]).toEqual([]);
  });

  it('ids, correlation, causation, sequence, timestamp, tags and data survive the wire', async () => {
    const subjectPrefix = newPrefix();
    const [ta, tb] = [await transport({ subjectPrefix }), await transport({ subjectPrefix })];
    const a = new EventBus({ transport: ta });
    const b = new EventBus({ transport: tb });
    await tb.flush();
    const received: HookspellEvent[] = [];
    b.subscribe('order.*', (e) => received.push(e));

    const placed = await a.publish(
      'order.placed',
      { sku: 'x-1', qty: 2, nested: { ok: true, list: [1, 'two', null] } },
      {
        correlationId: 'req-42',
        source: 'shop',
        target: 'billing',
        tags: ['eu', 'vip'],
        priority: 5,
        ttlSeconds: 60,
      },
    );
    const billed = await a.publish('order.billed', null, { correlationId: 'req-42', causationId: placed.id });
    await until(() => received.length === 2, 'both events');

    expect(received[0]).toEqual(placed);
    expect(received[1]).toEqual(billed);
    expect(received[1]!.metadata).toMatchObject({ correlationId: 'req-42', causationId: placed.id });
    expect(received[1]!.sequence).toBeGreaterThan(received[0]!.sequence);
    expect([...ta.errors, ...tb.errors]).toEqual([]);
  });

  it('a pattern subscription receives exactly what the in-process matcher says (`*`, `**` at the end, `**` in the middle, `$`)', async () => {
    const subjectPrefix = newPrefix();
    const [sub, pub] = [await transport({ subjectPrefix }), await transport({ subjectPrefix })];
    const segment = fc.constantFrom('a', 'b', 'c', '>', 'x%', 'ü');
    const type = fc.tuple(
      fc.oneof(segment, fc.constant('$bus')),
      fc.array(segment, { minLength: 0, maxLength: 3 }),
    );
    const patternSegment = fc.constantFrom('a', 'b', '>', 'x%', 'ü', '*', '**');
    const pattern = fc.tuple(
      fc.oneof(patternSegment, fc.constant('$bus')),
      fc.array(patternSegment, { minLength: 0, maxLength: 3 }),
    );
    const fixed = ['**', '*', 'a', 'a.*', 'a.**', '*.b', 'a.**.c', '**.c', '*.*', 'a.*.**', '$bus.**', 'a.>'];
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(type, { minLength: 1, maxLength: 25, selector: (t) => [t[0], ...t[1]].join('.') }),
        fc.uniqueArray(pattern, { minLength: 1, maxLength: 8, selector: (p) => [p[0], ...p[1]].join('.') }),
        async (typeParts, patternParts) => {
          const types = typeParts.map(([head, rest]) => [head, ...rest].join('.'));
          const patterns = [
            ...new Set([...fixed, ...patternParts.map(([head, rest]) => [head, ...rest].join('.'))]),
          ];
          const got = new Map<string, string[]>(patterns.map((p) => [p, []]));
          const offs = patterns.map((p) => sub.subscribe(p, (e) => got.get(p)!.push(e.type)));
          await publishAndSettle(
            pub,
            sub,
            types.map((t) => eventOf(t)),
          );
          for (const off of offs) off();
          for (const p of patterns) {
            expect(got.get(p), `pattern ${p}`).toEqual(types.filter((t) => matchPattern(p, t)));
          }
        },
      ),
      { numRuns: 30 },
    );
    expect([...sub.errors, ...pub.errors]).toEqual([]);
  });

  it('a bus on NATS delivers what a bus on InProcessTransport delivers', async () => {
    const subjectPrefix = newPrefix();
    const [ta, tb] = [await transport({ subjectPrefix }), await transport({ subjectPrefix })];
    const natsPublisher = new EventBus({ transport: ta });
    const natsBus = new EventBus({ transport: tb });
    const local = new InProcessTransport();
    const localPublisher = new EventBus({ transport: local });
    const localBus = new EventBus({ transport: local });
    await tb.flush();
    const patterns = ['**', 'tool.*', 'tool.**', '*.error', 'agent.**.done', '**.done', 'a>b.*', 'x'];
    const types = [
      'tool.started',
      'tool.error',
      'tool.a.b',
      'agent.done',
      'agent.run.step.done',
      'x',
      'a>b.c',
    ];
    const seen = { nats: new Map<string, string[]>(), local: new Map<string, string[]>() };
    for (const p of patterns) {
      seen.nats.set(p, []);
      seen.local.set(p, []);
      natsBus.subscribe(p, (e) => seen.nats.get(p)!.push(e.type));
      localBus.subscribe(p, (e) => seen.local.get(p)!.push(e.type));
    }
    for (const t of types) {
      await natsPublisher.publish(t);
      await localPublisher.publish(t);
    }
    await until(() => seen.nats.get('**')!.length === types.length, 'every event over NATS');
    await natsPublisher.publish('zz.last');
    await until(() => seen.nats.get('**')!.includes('zz.last'), 'the last event');
    seen.nats.get('**')!.pop();
    expect(Object.fromEntries(seen.nats)).toEqual(Object.fromEntries(seen.local));
  });

  it('unsubscribe stops delivery', async () => {
    const subjectPrefix = newPrefix();
    const [sub, pub] = [await transport({ subjectPrefix }), await transport({ subjectPrefix })];
    const got: string[] = [];
    const off = sub.subscribe('u.**', (e) => got.push(e.type));
    await publishAndSettle(pub, sub, [eventOf('u'), eventOf('u.one')]);
    expect(got).toEqual(['u', 'u.one']);
    off();
    off(); // idempotent
    await publishAndSettle(pub, sub, [eventOf('u'), eventOf('u.two')]);
    expect(got).toEqual(['u', 'u.one']);
  });

  it('close() flushes what was published just before it', async () => {
    const subjectPrefix = newPrefix();
    const [ta, tb] = [await transport({ subjectPrefix }), await transport({ subjectPrefix })];
    const a = new EventBus({ transport: ta });
    const b = new EventBus({ transport: tb });
    await tb.flush();
    const got: number[] = [];
    b.subscribe('burst', (e) => got.push((e.data as { i: number }).i));
    const n = 2000;
    for (let i = 0; i < n; i++) a.emit('burst', { i, pad: 'x'.repeat(200) });
    await a.close(); // drains: nothing buffered is lost
    expect(ta.connection.isClosed()).toBe(true);
    await until(() => got.length === n, `${n} events after close`);
    expect(got).toEqual(Array.from({ length: n }, (_, i) => i));
    await b.close();
  });

  it('a malformed message on the subject is reported and dropped, and delivery goes on', async () => {
    const subjectPrefix = newPrefix();
    const t = await transport({ subjectPrefix });
    const bus = new EventBus({ transport: t });
    const got: string[] = [];
    bus.subscribe('**', (e) => got.push(e.type));
    const raw = await connect({ servers: NATS_URL });
    closers.push(() => raw.close());
    raw.publish(`${subjectPrefix}.bad.json`, 'not json {');
    raw.publish(
      `${subjectPrefix}.bad.fields`,
      JSON.stringify({ id: 'x', event_type: 'bad.fields', timestamp: 'never' }),
    );
    raw.publish(`${subjectPrefix}.bad.number`, '42');
    // A valid event on a subject that is not its own would reach the wrong subscribers.
    raw.publish(`${subjectPrefix}.elsewhere`, JSON.stringify(toWireJSON(eventOf('misrouted'))));
    raw.publish(`${subjectPrefix}.good`, JSON.stringify(toWireJSON(eventOf('good'))));
    await raw.flush();
    await until(() => got.length === 1, 'the good event');
    expect(got).toEqual(['good']);
    expect(t.errors.map((e) => e.code)).toEqual(Array(4).fill('HOOKSPELL_INVALID_WIRE_EVENT'));
    expect(t.errors[0]!.message).toContain(`"${subjectPrefix}.bad.json"`);
    expect(t.errors[0]!.message).toMatch(/not valid JSON/);
    expect(t.errors[1]!.message).toMatch(/timestamp/);
    expect(t.errors[3]!.message).toMatch(/"misrouted", which belongs on/);
  });

  it('types with characters NATS would misread are encoded; types no subject can carry are rejected', async () => {
    const subjectPrefix = newPrefix();
    const [sub, pub] = [await transport({ subjectPrefix }), await transport({ subjectPrefix })];
    const odd = ['cmp.>', 'cmp.a>b', 'pct.100%', 'pct.%3E', 'uni.ünï.😀', 'sym.a+b=c', 'cmp.a'];
    const got = new Map<string, string[]>(['cmp.>', 'cmp.*', 'pct.%3E', '**'].map((p) => [p, []]));
    for (const [p, list] of got) sub.subscribe(p, (e) => list.push(e.type));
    await publishAndSettle(
      pub,
      sub,
      odd.map((t) => eventOf(t)),
    );
    // `>` is literal (not "everything under cmp."), and `%3E` is not confused with an encoded `>`.
    expect(got.get('cmp.>')).toEqual(['cmp.>']);
    expect(got.get('cmp.*')).toEqual(['cmp.>', 'cmp.a>b', 'cmp.a']);
    expect(got.get('pct.%3E')).toEqual(['pct.%3E']);
    expect(got.get('**')).toEqual(odd);

    for (const bad of ['has space.x', 'star.*', 'empty..segment', '', 'a.$b']) {
      expect(() => pub.publish(eventOf(bad))).not.toThrow();
    }
    expect(pub.errors.map((e) => e.code)).toEqual(Array(5).fill('HOOKSPELL_INVALID_EVENT_TYPE'));
    expect(pub.errors[0]!.message).toMatch(/Cannot publish event type "has space\.x" on NATS: .*whitespace/);
  });

  it('publishing after close or with unserializable data is reported, never thrown, and a failing publish is reported once', async () => {
    const subjectPrefix = newPrefix();
    const t = await transport({ subjectPrefix });
    const bus = new EventBus({ transport: t });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(bus.publish('data.circular', circular)).resolves.toMatchObject({ type: 'data.circular' });
    expect(t.errors.map((e) => e.code)).toEqual(['HOOKSPELL_TRANSPORT_ERROR']);
    expect(t.errors[0]!.message).toMatch(/not JSON-serializable/);

    await t.close();
    await expect(bus.publish('after.close')).resolves.toMatchObject({ type: 'after.close' });
    expect(() => bus.emit('after.close.again')).not.toThrow();
    expect(t.errors).toHaveLength(2);
    expect(t.errors[1]!.message).toMatch(/Cannot publish event "after.close" .* the transport was closed/);
    await bus.close();
  });

  it('the default onError is process.emitWarning', async () => {
    const t = await natsTransport({ servers: NATS_URL, subjectPrefix: newPrefix() });
    open.push(t);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      t.publish(eventOf('bad type'));
      await until(() => warnings.length === 1, 'the warning');
      expect(warnings[0]).toMatchObject({ code: 'HOOKSPELL_INVALID_EVENT_TYPE' });
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a connection that is refused rejects with an error naming the servers and how to start NATS', async () => {
    const port = await freePort();
    const attempt = natsTransport({ servers: `nats://127.0.0.1:${port}` });
    await expect(attempt).rejects.toMatchObject({ code: 'HOOKSPELL_TRANSPORT_UNAVAILABLE' });
    await expect(attempt).rejects.toThrow(`nats://127.0.0.1:${port}`);
    await expect(attempt).rejects.toThrow(/nats-server -js/);
    await expect(attempt).rejects.toThrow(/refused/);
  });

  it('uses a given connection without closing it, and rejects one without echo', async () => {
    const nc = await connect({ servers: NATS_URL });
    closers.push(() => nc.close());
    const subjectPrefix = newPrefix();
    const t = await natsTransport({ connection: nc, subjectPrefix });
    const bus = new EventBus({ transport: t });
    const got: string[] = [];
    bus.subscribe('own.*', (e) => got.push(e.type));
    await bus.publish('own.echo');
    await until(() => got.length === 1, 'the echoed event');
    await bus.close();
    expect(nc.isClosed()).toBe(false);

    const noEcho = await connect({ servers: NATS_URL, noEcho: true });
    closers.push(() => noEcho.close());
    await expect(natsTransport({ connection: noEcho })).rejects.toThrow(/noEcho/);
    await expect(natsTransport({ connection: nc, servers: NATS_URL })).rejects.toThrow(
      /both `connection` and `servers`/,
    );
    await expect(natsTransport({ connection: nc, subjectPrefix: 'bad.>.prefix' })).rejects.toMatchObject({
      code: 'HOOKSPELL_INVALID_ARGUMENT',
    });
    await expect(natsTransport({ connection: nc, subjectPrefix: 'a..b' })).rejects.toThrow(/subjectPrefix/);
  });

  it('a bus in another process publishes and this one receives, in order, with correlation', async () => {
    const child = new URL('./fixtures/nats-publisher.mjs', import.meta.url).pathname;
    const built = new URL('../dist/nats.js', import.meta.url).pathname;
    expect(existsSync(built), `${built} is missing: run \`pnpm build\` first`).toBe(true);
    const subjectPrefix = newPrefix();
    const t = await transport({ subjectPrefix });
    const bus = new EventBus({ transport: t });
    const got: HookspellEvent[] = [];
    bus.subscribe('proc.*', (e) => got.push(e));
    await t.flush(); // the subscription is on the server before the child publishes

    const count = 100;
    const proc = spawn(process.execPath, [child, NATS_URL, subjectPrefix, String(count)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      proc.on('error', reject);
      proc.on('close', resolve);
    });
    expect(code, stderr).toBe(0);
    await until(() => got.length === count + 1, `${count + 1} events from the child`);

    const [started, ...ticks] = got;
    expect(started).toMatchObject({ type: 'proc.started', data: { pid: proc.pid } });
    expect(ticks.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: count }, (_, i) => i));
    for (const e of got) expect(e.metadata.correlationId).toBe('cross-process');
    for (const e of ticks) {
      expect(e.metadata).toMatchObject({
        causationId: started!.id,
        source: `child-${proc.pid}`,
        tags: ['child'],
      });
    }
    expect(t.errors).toEqual([]);
  });
});

const natsServerBinary = spawnSync('sh', ['-c', 'command -v nats-server'], {
  encoding: 'utf8',
}).stdout.trim();

describe.skipIf(skipReason !== undefined || natsServerBinary === '')(
  'natsTransport when the server goes away',
  () => {
    it('a lost server is reported through onError, and publishing afterwards is reported once, never thrown', async () => {
      // A private server, so killing it disturbs no other test.
      const port = await freePort();
      const server = spawn(natsServerBinary, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      closers.push(async () => {
        server.kill('SIGKILL');
      });
      const servers = `nats://127.0.0.1:${port}`;
      let t: (NatsTransport & { errors: EventError[] }) | undefined;
      for (let i = 0; t === undefined; i++) {
        t = await transport({
          servers,
          connectOptions: { maxReconnectAttempts: 1, reconnectTimeWait: 50 },
        }).catch(async (error) => {
          if (i > 100) throw error;
          await new Promise((r) => setTimeout(r, 20));
          return undefined;
        });
      }
      const bus = new EventBus({ transport: t });
      await bus.publish('before.loss');
      await t.flush();
      server.kill('SIGKILL');
      await until(() => t.connection.isClosed(), 'the client to give up');
      await expect(bus.publish('after.loss')).resolves.toMatchObject({ type: 'after.loss' });
      await bus.publish('after.loss.again');
      const messages = t.errors.map((e) => e.message);
      expect(t.errors.every((e) => e.code === 'HOOKSPELL_TRANSPORT_ERROR')).toBe(true);
      expect(messages[0]).toMatch(new RegExp(`Lost the connection to NATS at 127\\.0\\.0\\.1:${port}`));
      expect(messages.filter((m) => m.includes('The NATS connection closed'))).toHaveLength(1);
      expect(messages.filter((m) => m.includes('Cannot publish event'))).toEqual([
        expect.stringContaining('"after.loss"'),
      ]);
      expect(() => new EventBus({ transport: t })).toThrow(
        /Cannot subscribe to "\*\*" on NATS: closed connection/,
      );
      await bus.close(); // resolves although the connection is gone
      expect(() => new EventBus({ transport: t })).toThrow(/the NATS transport was closed/);
    });
  },
);

describe.skipIf(skipReason !== undefined)('natsTransport outbound bound (real NATS)', () => {
  it('a publisher that never awaits cannot grow the client buffer: it waits past maxPendingBytes, is refused past maxWaiting', async () => {
    const prefix = newPrefix();
    const sender = await transport({ subjectPrefix: prefix, maxPendingBytes: 4096, maxWaiting: 50 });
    const receiver = await transport({ subjectPrefix: prefix });
    let received = 0;
    receiver.subscribe('**', () => void received++);
    await receiver.flush();
    const payload = 'x'.repeat(200);
    const waits: Promise<void>[] = [];
    let refused = 0;
    let maxPending = 0;
    let maxWaiting = 0;
    for (let i = 0; i < 2000; i++) {
      try {
        const sent = sender.publish(eventOf('load.tick', payload));
        if (sent instanceof Promise) waits.push(sent);
      } catch (error) {
        expect(error).toMatchObject({ code: 'HOOKSPELL_BACKPRESSURE' });
        refused++;
      }
      const { pendingBytes, waiting } = sender.stats();
      maxPending = Math.max(maxPending, pendingBytes);
      maxWaiting = Math.max(maxWaiting, waiting);
    }
    expect(maxPending).toBeLessThanOrEqual(4096);
    expect(maxWaiting).toBeLessThanOrEqual(50);
    expect(refused).toBeGreaterThan(0);
    expect(waits.length).toBeGreaterThan(0);
    await Promise.all(waits);
    await sender.flush();
    await until(
      () => received === 2000 - refused,
      `${2000 - refused} events at the receiver (got ${received})`,
    );
    expect(sender.stats()).toEqual({ pendingBytes: expect.any(Number), waiting: 0 });
    expect(sender.errors).toEqual([]);
  });

  it('through a bus: un-awaited publishes past the bound reject with HOOKSPELL_BACKPRESSURE, the rest arrive', async () => {
    const prefix = newPrefix();
    const bus = new EventBus({
      transport: await transport({ subjectPrefix: prefix, maxPendingBytes: 2048, maxWaiting: 10 }),
    });
    closers.push(() => bus.close());
    let received = 0;
    bus.subscribe('load.*', () => void received++);
    await (bus as unknown as { transport: NatsTransport }).transport.flush();
    const settled = await Promise.allSettled(
      Array.from({ length: 500 }, () => bus.publish('load.tick', { pad: 'y'.repeat(100) })),
    );
    const rejected = settled.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'HOOKSPELL_BACKPRESSURE' });
    await until(() => received === 500 - rejected.length, 'the accepted events back through NATS');
  });

  it('refuses bad bounds before connecting', async () => {
    await expect(natsTransport({ servers: NATS_URL, maxPendingBytes: 10 })).rejects.toMatchObject({
      code: 'HOOKSPELL_INVALID_ARGUMENT',
    });
    await expect(natsTransport({ servers: NATS_URL, maxWaiting: -1 })).rejects.toMatchObject({
      code: 'HOOKSPELL_INVALID_ARGUMENT',
    });
  });
});

describe('subjects', () => {
  it('maps event types to subjects, encoding what NATS would misread', () => {
    expect(subjectForType('p', 'tool.started')).toBe('p.tool.started');
    expect(subjectForType('p', '$bus.dropped')).toBe('p.$bus.dropped');
    expect(subjectForType('p', 'cmp.>')).toBe('p.cmp.%3E');
    expect(subjectForType('p', 'pct.100%')).toBe('p.pct.100%25');
    expect(subjectForType('p', 'uni.ü')).toBe('p.uni.%C3%BC');
    expect(() => subjectForType('p', 'a b')).toThrow(/whitespace/);
    expect(() => subjectForType('p', 'a..b')).toThrow(/empty/);
    expect(() => subjectForType('p', 'a.*')).toThrow(/wildcards belong in patterns/);
  });

  it('maps patterns to the narrowest subjects NATS can express', () => {
    const subjects = (pattern: string) => subjectsForPattern('p', compilePattern(pattern));
    expect(subjects('tool.started')).toEqual(['p.tool.started']);
    expect(subjects('tool.*')).toEqual(['p.tool.*']);
    expect(subjects('*.error')).toEqual(['p.*.error']);
    expect(subjects('agent.**')).toEqual(['p.agent', 'p.agent.>']);
    expect(subjects('a.*.**')).toEqual(['p.a.*', 'p.a.*.>']);
    expect(subjects('**')).toEqual(['p.>']);
    expect(subjects('a.**.z')).toEqual(['p.>']);
    expect(subjects('**.z')).toEqual(['p.>']);
    expect(subjects('cmp.>')).toEqual(['p.cmp.%3E']);
  });
});

describe('packaging', () => {
  it('the main entry never imports the NATS client', () => {
    // Follow the built main entry's static imports: none may reach @nats-io.
    const dist = new URL('../dist/', import.meta.url);
    if (!existsSync(new URL('index.js', dist)))
      throw new Error('dist/index.js is missing: run `pnpm build` first');
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(new URL(file, dist), 'utf8');
      expect(code, file).not.toMatch(/@nats-io/);
      for (const [, target] of code.matchAll(/from\s*['"]\.\/([^'"]+)['"]/g)) visit(target!);
    };
    visit('index.js');
    const nats = readFileSync(new URL('nats.js', dist), 'utf8');
    expect(nats).toMatch(/@nats-io\/transport-node/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
