import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BackpressureError, EventBus, EventError, type HookspellEvent } from '../src/index.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('EventBus delivery', () => {
  it('calls idle subscribers in the publisher turn, in subscription order', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe('tool.*', (e) => seen.push(`a:${e.type}`));
    bus.subscribe('tool.started', (e) => seen.push(`b:${e.type}`));
    bus.subscribe('**', (e) => seen.push(`c:${e.type}`));
    void bus.publish('tool.started', { tool: 'calc' });
    expect(seen).toEqual(['a:tool.started', 'b:tool.started', 'c:tool.started']);
  });

  it('builds the full envelope', async () => {
    const bus = new EventBus({ source: 'test' });
    const event = await bus.publish(
      'tool.started',
      { tool: 'calc' },
      { tags: ['x'], priority: 2, target: 't' },
    );
    expect(event).toMatchObject({
      type: 'tool.started',
      data: { tool: 'calc' },
      language: 'native',
      schemaVersion: '1.0',
      metadata: { source: 'test', target: 't', tags: ['x'], priority: 2, correlationId: event.id },
    });
    expect(typeof event.timestamp).toBe('number');
    const next = bus.emit('tool.done');
    expect(next.sequence).toBeGreaterThan(event.sequence);
    expect(next.id).not.toBe(event.id);
  });

  it('rejects invalid and reserved types with a code', async () => {
    const bus = new EventBus();
    await expect(bus.publish('tool..x')).rejects.toMatchObject({ code: 'HOOKSPELL_INVALID_EVENT_TYPE' });
    await expect(bus.publish('$bus.fake')).rejects.toMatchObject({ code: 'HOOKSPELL_INVALID_EVENT_TYPE' });
    expect(() => bus.subscribe('to*', () => {})).toThrow(EventError);
  });

  it('isolates a throwing subscriber and reports it as $bus.handler.error', async () => {
    const bus = new EventBus();
    const errors: HookspellEvent[] = [];
    const seen: string[] = [];
    bus.subscribe('$bus.handler.error', (e) => errors.push(e));
    bus.subscribe('job.*', () => {
      throw new Error('boom');
    });
    bus.subscribe('job.*', async () => {
      throw new Error('async boom');
    });
    bus.subscribe('job.*', (e) => seen.push(e.type));
    await bus.publish('job.run');
    await bus.flush();
    expect(seen).toEqual(['job.run']);
    expect(errors.map((e) => (e.data as { error: { message: string } }).error.message).sort()).toEqual([
      'async boom',
      'boom',
    ]);
    expect(bus.stats().handlerErrors).toBe(2);
  });

  it('does not loop when a notice handler throws', async () => {
    const bus = new EventBus();
    let calls = 0;
    bus.subscribe('$bus.handler.error', () => {
      calls++;
      throw new Error('again');
    });
    bus.subscribe('x', () => {
      throw new Error('first');
    });
    await bus.publish('x');
    expect(calls).toBe(1);
    expect(bus.stats().handlerErrors).toBe(2);
  });

  it('unsubscribing during a dispatch stops delivery to that subscriber at once', async () => {
    const bus = new EventBus();
    const seen: string[] = [];
    let second: { unsubscribe(): boolean } | undefined;
    bus.subscribe('e', () => {
      seen.push('first');
      second?.unsubscribe();
    });
    second = bus.subscribe('e', () => seen.push('second'));
    bus.subscribe('e', () => seen.push('third'));
    await bus.publish('e');
    await bus.publish('e');
    expect(seen).toEqual(['first', 'third', 'first', 'third']);
  });

  it('a subscriber added during a dispatch gets only later events', async () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe('e', () => {
      if (seen.length === 0) bus.subscribe('e', () => seen.push('late'));
      seen.push('early');
    });
    await bus.publish('e');
    await bus.publish('e');
    expect(seen).toEqual(['early', 'early', 'late']);
  });

  it('unsubscribes on abort and with Symbol.dispose', async () => {
    const bus = new EventBus();
    const controller = new AbortController();
    let a = 0;
    let b = 0;
    bus.subscribe('e', () => a++, { signal: controller.signal });
    const sub = bus.subscribe('e', () => b++);
    await bus.publish('e');
    controller.abort();
    sub[Symbol.dispose]();
    await bus.publish('e');
    expect([a, b]).toEqual([1, 1]);
    expect(bus.stats().subscriptions).toBe(0);
  });

  it('does not deliver expired events', async () => {
    let now = 1_000_000;
    const bus = new EventBus({ clock: () => now });
    const gate = deferred();
    const seen: unknown[] = [];
    const sub = bus.subscribe('e', async (e) => {
      seen.push(e.data);
      await gate.promise;
    });
    await bus.publish('e', 1);
    await bus.publish('e', 2, { ttlSeconds: 1 });
    await bus.publish('e', 3);
    now += 5000;
    gate.resolve();
    await bus.flush();
    expect(seen).toEqual([1, 3]);
    expect(sub.stats.expired).toBe(1);
    expect(bus.stats().expired).toBe(1);
  });

  it('delivers queued events of higher priority first', async () => {
    const bus = new EventBus();
    const gate = deferred();
    const seen: unknown[] = [];
    bus.subscribe('e', async (e) => {
      seen.push(e.data);
      if (e.data === 0) await gate.promise;
    });
    await bus.publish('e', 0);
    await bus.publish('e', 'low-1');
    await bus.publish('e', 'high', { priority: 5 });
    await bus.publish('e', 'low-2');
    gate.resolve();
    await bus.flush();
    expect(seen).toEqual([0, 'high', 'low-1', 'low-2']);
  });
});

describe('EventBus overflow strategies', () => {
  async function stalled(overflow: 'drop-oldest' | 'drop-newest' | 'block' | 'reject', queueSize = 3) {
    const bus = new EventBus();
    const gate = deferred();
    const seen: unknown[] = [];
    const sub = bus.subscribe(
      'e',
      async (e) => {
        seen.push(e.data);
        await gate.promise;
      },
      { queueSize, overflow },
    );
    return { bus, gate, seen, sub };
  }

  it('drop-oldest keeps the newest events and counts drops exactly', async () => {
    const { bus, gate, seen, sub } = await stalled('drop-oldest');
    const dropped: unknown[] = [];
    bus.subscribe('$bus.dropped', (e) => dropped.push((e.data as { reason: string }).reason));
    for (let i = 0; i < 10; i++) await bus.publish('e', i);
    gate.resolve();
    await bus.flush();
    expect(seen).toEqual([0, 7, 8, 9]);
    expect(sub.stats.dropped).toBe(6);
    expect(bus.stats().dropped).toBe(6);
    expect(dropped).toEqual(Array(6).fill('drop-oldest'));
  });

  it('drop-newest keeps the oldest events', async () => {
    const { bus, gate, seen, sub } = await stalled('drop-newest');
    for (let i = 0; i < 10; i++) await bus.publish('e', i);
    gate.resolve();
    await bus.flush();
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(sub.stats.dropped).toBe(6);
  });

  it('reject fails the publish with BackpressureError after delivering to the others', async () => {
    const { bus, gate, sub } = await stalled('reject', 2);
    const others: unknown[] = [];
    bus.subscribe('e', (e) => others.push(e.data));
    for (let i = 0; i < 3; i++) await bus.publish('e', i);
    await expect(bus.publish('e', 3)).rejects.toBeInstanceOf(BackpressureError);
    await expect(bus.publish('e', 4)).rejects.toMatchObject({ code: 'HOOKSPELL_BACKPRESSURE' });
    expect(others).toEqual([0, 1, 2, 3, 4]);
    expect(sub.stats.rejected).toBe(2);
    expect(bus.stats().rejected).toBe(2);
    gate.resolve();
    await bus.flush();
  });

  it('block makes the publisher wait for room and resumes it', async () => {
    const bus = new EventBus();
    const seen: unknown[] = [];
    let release!: () => void;
    bus.subscribe(
      'e',
      async (e) => {
        seen.push(e.data);
        await new Promise<void>((r) => (release = r));
      },
      { queueSize: 2, overflow: 'block' },
    );
    await bus.publish('e', 0); // running
    await bus.publish('e', 1); // queued
    await bus.publish('e', 2); // queued (full)
    let done = false;
    const blocked = bus.publish('e', 3).then(() => (done = true));
    await sleep(20);
    expect(done).toBe(false);
    release(); // 0 finishes, 1 starts, 3 gets room
    await blocked;
    expect(done).toBe(true);
    for (let i = 0; i < 3; i++) {
      await sleep(5);
      release();
    }
    await bus.flush();
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(bus.stats().blocked).toBe(1);
  });

  it('emits backpressure started and relieved', async () => {
    const { bus, gate } = await stalled('drop-newest', 10);
    const notices: string[] = [];
    bus.subscribe('$bus.backpressure.*', (e) => notices.push(e.type));
    for (let i = 0; i < 12; i++) await bus.publish('e', i);
    expect(notices).toEqual(['$bus.backpressure.started']);
    gate.resolve();
    await bus.flush();
    expect(notices).toEqual(['$bus.backpressure.started', '$bus.backpressure.relieved']);
  });

  it('concurrency > 1 runs queued events in parallel, at most that many', async () => {
    const bus = new EventBus();
    let running = 0;
    let peak = 0;
    bus.subscribe(
      'e',
      async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(5);
        running--;
      },
      { concurrency: 3, queueSize: 100 },
    );
    for (let i = 0; i < 20; i++) await bus.publish('e', i);
    await bus.flush();
    expect(peak).toBe(3);
  });

  it('keeps memory bounded under a flood to a stalled subscriber', async () => {
    const bus = new EventBus();
    const gate = deferred();
    const sub = bus.subscribe('e', () => gate.promise, { queueSize: 1000, overflow: 'drop-oldest' });
    // A real collection before each reading, so the heap figure is what is actually retained.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1_000_000; i++) bus.emit('e', { i, pad: 'x'.repeat(100) });
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(sub.stats.queued).toBe(1000);
    expect(sub.stats.dropped).toBe(1_000_000 - 1 - 1000);
    // 1000 queued events take well under 5 MB; an unbounded queue of 1 M would hold ~300 MB.
    expect(grown).toBeLessThan(10 * 1024 * 1024);
    gate.resolve();
    await bus.flush();
  });
});

describe('EventBus helpers', () => {
  it('idle() resolves once every async subscriber has finished', async () => {
    const bus = new EventBus();
    const done: string[] = [];
    bus.subscribe('job', async (e) => {
      await sleep(5);
      done.push(`a${e.data}`);
    });
    bus.subscribe(
      'job',
      async (e) => {
        await sleep(1);
        done.push(`b${e.data}`);
      },
      { concurrency: 2 },
    );
    bus.subscribe('job', () => done.push('sync'));
    await bus.idle(); // nothing running yet
    await bus.publish('job', 1);
    await bus.publish('job', 2);
    await bus.idle();
    expect(done.sort()).toEqual(['a1', 'a2', 'b1', 'b2', 'sync', 'sync']);
    await bus.idle();
  });

  it('stream yields matching events and unsubscribes on break', async () => {
    const bus = new EventBus();
    const got: unknown[] = [];
    const consumer = (async () => {
      for await (const e of bus.stream('agent.**')) {
        got.push(e.data);
        if (got.length === 3) break;
      }
    })();
    for (let i = 0; i < 5; i++) await bus.publish('agent.step', i);
    await consumer;
    expect(got).toEqual([0, 1, 2]);
    expect(bus.stats().subscriptions).toBe(0);
  });

  it('stream ends when its signal aborts', async () => {
    const bus = new EventBus();
    const controller = new AbortController();
    const consumer = (async () => {
      const got: unknown[] = [];
      for await (const e of bus.stream('x', { signal: controller.signal })) got.push(e.data);
      return got;
    })();
    await bus.publish('x', 1);
    await sleep(5);
    controller.abort();
    expect(await consumer).toEqual([1]);
  });

  it('once resolves with the next match, filters, and times out', async () => {
    const bus = new EventBus();
    const next = bus.once('tool.error', { filter: (e) => e.data === 'b' });
    await bus.publish('tool.error', 'a');
    await bus.publish('tool.error', 'b');
    expect((await next).data).toBe('b');
    await expect(bus.once('never', { timeoutMs: 10 })).rejects.toMatchObject({
      code: 'HOOKSPELL_EVENT_TIMEOUT',
    });
    const controller = new AbortController();
    const aborted = bus.once('never', { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'HOOKSPELL_ABORTED' });
    expect(bus.stats().subscriptions).toBe(0);
  });

  it('rate limits with a token bucket when asked', async () => {
    let now = 0;
    const bus = new EventBus({ rateLimit: { perSecond: 10, burst: 2 }, clock: () => now });
    const notices: unknown[] = [];
    bus.subscribe('$bus.ratelimit.exceeded', (e) => notices.push(e.data));
    await bus.publish('a');
    await bus.publish('a');
    await expect(bus.publish('a')).rejects.toMatchObject({ code: 'HOOKSPELL_RATE_LIMITED' });
    now += 100;
    await bus.publish('a');
    expect(bus.stats().rateLimited).toBe(1);
    expect(notices).toHaveLength(1);
  });

  it('close flushes, then refuses', async () => {
    const bus = new EventBus();
    let done = 0;
    bus.subscribe('e', async () => {
      await sleep(5);
      done++;
    });
    await bus.publish('e');
    await bus.publish('e');
    await bus.close();
    expect(done).toBe(2);
    await expect(bus.publish('e')).rejects.toMatchObject({ code: 'HOOKSPELL_BUS_CLOSED' });
  });
});
