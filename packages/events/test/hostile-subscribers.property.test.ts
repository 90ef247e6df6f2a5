import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage, type StorageBackend } from '@hookspell/storage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventBus, type EventHandler, EventLog, type HookspellEvent } from '../src/index.js';
import { hostileThenables, hostileValues } from './helpers/hostile-values.js';
import { failOnUnhandledRejections, settlesWithin } from './helpers/settling.js';

// Issue 14, item 1: subscribers — sync and async, one or several at a time — that throw, reject or
// return arbitrary hostile values, on a bus with and without persistence (an EventLog on SQLite
// that also keeps the bus's notices). Whatever they do: every publish settles, the subscribers
// after them see every event in order, each call ends exactly once (processed or failed), every
// failure is counted and reported with a description the log can store, idle()/flush()/close()
// settle, and nothing becomes an unhandled rejection.

const dir = mkdtempSync(join(tmpdir(), 'hookspell-events-hostile-'));
let files = 0;

/** A thrown or returned value: one of the hand-made hostile ones, or anything fast-check makes. */
const hostileValue = fc.oneof(
  fc.constantFrom(...Object.keys(hostileValues)).map((name) => ({ name }) as const),
  fc
    .anything({
      withBigInt: true,
      withNullPrototype: true,
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withDate: true,
      withTypedArray: true,
      withSparseArray: true,
      maxDepth: 2,
    })
    .map((value) => ({ value }) as const),
);
type HostileValue = typeof hostileValue extends fc.Arbitrary<infer T> ? T : never;
const make = (v: HostileValue): unknown => ('name' in v ? hostileValues[v.name]!() : v.value);

const behaviour = fc.oneof(
  fc.constant({ does: 'return nothing' } as const),
  hostileValue.map((v) => ({ does: 'throw', v }) as const),
  hostileValue.map((v) => ({ does: 'reject', v }) as const),
  hostileValue.map((v) => ({ does: 'return', v }) as const),
  hostileValue.map((v) => ({ does: 'resolve to', v }) as const),
  fc
    .constantFrom(...Object.keys(hostileThenables))
    .map((name) => ({ does: 'return thenable', name }) as const),
);
type Behaviour = typeof behaviour extends fc.Arbitrary<infer T> ? T : never;

function handlerFor(b: Behaviour): EventHandler {
  switch (b.does) {
    case 'return nothing':
      return () => {};
    case 'throw':
      return () => {
        throw make(b.v);
      };
    case 'reject':
      return async () => {
        await null;
        throw make(b.v);
      };
    case 'return':
      return () => make(b.v);
    case 'resolve to':
      // An async function adopts what it returns: a hostile thenable becomes a rejection.
      return async () => make(b.v);
    case 'return thenable':
      return () => hostileThenables[b.name]!();
  }
}

const scenario = fc.record({
  subscribers: fc.array(
    fc.record({ behaviour, concurrency: fc.integer({ min: 1, max: 3 }), filterThrows: fc.boolean() }),
    { minLength: 1, maxLength: 4 },
  ),
  /** Publishes: awaited one by one, or several started before any is awaited. */
  rounds: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function check(s: Scenario, storage: StorageBackend | undefined): Promise<void> {
  const log = storage === undefined ? undefined : new EventLog(storage);
  const bus = new EventBus({ log, persist: log ? ['**', '$bus.**'] : undefined });
  const notices: HookspellEvent[] = [];
  bus.subscribe('$bus.handler.error', (e) => notices.push(e));
  const subs = s.subscribers.map((spec, i) =>
    bus.subscribe('job.*', handlerFor(spec.behaviour), {
      name: `hostile-${i}`,
      concurrency: spec.concurrency,
      // A filter that throws a hostile value on every other event.
      filter: spec.filterThrows
        ? (e) => {
            if ((e.data as number) % 2 === 1) throw hostileValues['revoked proxy']!();
            return true;
          }
        : undefined,
    }),
  );
  const seen: unknown[] = [];
  bus.subscribe('job.*', (e) => seen.push(e.data));

  let n = 0;
  for (const size of s.rounds) {
    const publishes = Array.from({ length: size }, () => bus.publish('job.run', n++));
    const settled = await settlesWithin(Promise.allSettled(publishes), 'the publishes');
    expect(settled.every((r) => r.status === 'fulfilled')).toBe(true);
  }
  await settlesWithin(bus.idle(), 'idle()');
  await settlesWithin(bus.flush(), 'flush()');
  expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));

  let failures = 0;
  subs.forEach((sub, i) => {
    const filtered = s.subscribers[i]!.filterThrows ? Math.floor(n / 2) : 0;
    // Every call ended exactly once; a throwing filter counts as a failure of its own.
    expect(sub.stats.processed + sub.stats.failed).toBe(n - filtered);
    expect(sub.stats).toMatchObject({ inFlight: 0, queued: 0 });
    failures += sub.stats.failed + filtered;
  });
  expect(bus.stats().handlerErrors).toBe(failures);
  expect(notices).toHaveLength(failures);
  for (const notice of notices) {
    const error = (notice.data as { error: unknown }).error;
    expect(error).toMatchObject({ name: expect.any(String), message: expect.any(String) });
    expect(JSON.parse(JSON.stringify(error))).toEqual(error);
  }
  await settlesWithin(bus.close(), 'close()');
  if (log !== undefined) {
    expect(bus.stats().persistErrors).toBe(0);
    // Every event and every notice is in the log, the descriptions as they were reported.
    expect(await log.size()).toBe(n + failures);
    const stored = await log.query({ pattern: '$bus.handler.error', limit: 10_000 });
    expect(stored.map((e) => e.data)).toEqual(notices.map((e) => e.data));
  }
}

describe('hostile subscribers (property)', () => {
  failOnUnhandledRejections();

  it('without persistence', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => check(s, undefined)),
      { numRuns: 150 },
    );
  });

  it('with persistence (EventLog on SQLite)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const storage = SqliteStorage({ path: join(dir, `hostile-${files++}.db`) });
        try {
          await check(s, storage);
        } finally {
          await storage.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
