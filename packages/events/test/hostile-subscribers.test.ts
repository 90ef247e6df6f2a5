import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { EventBus, type EventHandler, type HookspellEvent } from '../src/index.js';
import { hostileThenables, hostileValues } from './helpers/hostile-values.js';
import { failOnUnhandledRejections, settlesWithin } from './helpers/settling.js';

// Issue 14, item 1 (the bus part): a subscriber that throws, rejects or returns a value whose
// getters, `then`, `toString` or proxy traps throw must cost nothing but its own call.

const ways: Record<string, (make: () => unknown) => EventHandler> = {
  'sync throw': (make) => () => {
    throw make();
  },
  'async rejection': (make) => async () => {
    await null;
    throw make();
  },
  'returned rejected promise': (make) => () => Promise.reject(make()),
};

interface Observed {
  bus: EventBus;
  later: unknown[];
  notices: HookspellEvent[];
  hookErrors: unknown[];
  failing: ReturnType<EventBus['subscribe']>;
}

/** A bus with the hostile subscriber first, a well-behaved one after it, and both ways of hearing about failures. */
function setUp(handler: EventHandler, how: 'notice' | 'executor'): Observed {
  const hookErrors: unknown[] = [];
  let executor: HookExecutor | undefined;
  if (how === 'executor') {
    const registry = new HookRegistry();
    registry.register('EventHandlerError', (ctx) => {
      hookErrors.push((ctx.data as { error: unknown }).error);
    });
    executor = new HookExecutor(registry);
  }
  const bus = new EventBus({ executor });
  const notices: HookspellEvent[] = [];
  if (how === 'notice') bus.subscribe('$bus.handler.error', (e) => notices.push(e));
  const failing = bus.subscribe('job.*', handler, { name: 'hostile' });
  const later: unknown[] = [];
  bus.subscribe('job.*', (e) => later.push(e.data));
  return { bus, later, notices, hookErrors, failing };
}

function expectSafeDescription(error: unknown): void {
  expect(error).toMatchObject({ name: expect.any(String), message: expect.any(String) });
  // Serialisable as it is: a log can persist the notice.
  expect(JSON.parse(JSON.stringify(error))).toEqual(error);
}

describe('a subscriber throwing or rejecting with a hostile value', () => {
  failOnUnhandledRejections();

  for (const [way, wrap] of Object.entries(ways)) {
    for (const [what, make] of Object.entries(hostileValues)) {
      for (const how of ['notice', 'executor'] as const) {
        it(`${way}: ${what} (reported by ${how === 'notice' ? '$bus.handler.error' : 'the EventHandlerError hook'})`, async () => {
          const { bus, later, notices, hookErrors, failing } = setUp(wrap(make), how);
          await settlesWithin(bus.publish('job.run', 1), 'the first publish');
          await settlesWithin(bus.publish('job.run', 2), 'the second publish');
          expect(later).toEqual([1, 2]);
          await settlesWithin(bus.idle(), 'idle()');
          await settlesWithin(bus.flush(), 'flush()');
          expect(failing.stats).toMatchObject({ failed: 2, processed: 0, inFlight: 0, queued: 0 });
          expect(bus.stats().handlerErrors).toBe(2);
          if (how === 'notice') {
            expect(notices).toHaveLength(2);
            for (const n of notices) {
              expect(n.data).toMatchObject({ name: 'hostile', eventType: 'job.run' });
              expectSafeDescription((n.data as { error: unknown }).error);
            }
          } else {
            await settlesWithin(
              (async () => {
                while (hookErrors.length < 2) await new Promise((r) => setTimeout(r, 5));
              })(),
              'the EventHandlerError hooks',
            );
            for (const e of hookErrors) expect(typeof e).toBe('string');
          }
          await settlesWithin(bus.close(), 'close()');
        });
      }
    }
  }

  it('describes what it can read, and says what it could not', async () => {
    const { bus, notices } = setUp(() => {}, 'notice');
    const described = async (value: unknown) => {
      notices.length = 0;
      const sub = bus.subscribe('probe', () => {
        throw value;
      });
      await bus.publish('probe');
      sub.unsubscribe();
      return (notices[0]!.data as { error: Record<string, unknown> }).error;
    };
    expect(await described(new TypeError('plain'))).toMatchObject({ name: 'TypeError', message: 'plain' });
    expect(await described(Object.assign(new Error('coded'), { code: 'E_X' }))).toMatchObject({
      message: 'coded',
      code: 'E_X',
    });
    expect(await described(hostileValues['Error whose message getter throws']!())).toMatchObject({
      name: 'Error',
      message: expect.stringMatching(/can(no|')t be read|could not be read/),
    });
    expect(await described(Symbol('s'))).toEqual({ name: 'symbol', message: 'Symbol(s)' });
    expect(await described(10n)).toMatchObject({ name: 'bigint', message: expect.stringMatching(/^10n?$/) });
    expect(await described(hostileValues['revoked proxy']!())).toMatchObject({
      name: expect.stringMatching(/proxy/i),
    });
    expect(await described(hostileValues['null-prototype object']!())).toMatchObject({ name: 'object' });
    expect(
      ((await described(hostileValues['object with a huge message']!())).message as string).length,
    ).toBeLessThan(10_000);
  });
});

describe('a subscriber returning a hostile thenable', () => {
  failOnUnhandledRejections();

  for (const [what, make] of Object.entries(hostileThenables)) {
    it(what, async () => {
      const { bus, later, notices, failing } = setUp(() => make(), 'notice');
      await settlesWithin(bus.publish('job.run', 1), 'the first publish');
      await settlesWithin(bus.publish('job.run', 2), 'the second publish');
      expect(later).toEqual([1, 2]);
      await settlesWithin(bus.flush(), 'flush()');
      // Each call ends exactly once, as processed or as failed, however often the thenable calls back.
      expect(failing.stats.processed + failing.stats.failed).toBe(2);
      expect(failing.stats.inFlight).toBe(0);
      expect(notices).toHaveLength(failing.stats.failed);
      for (const n of notices) expectSafeDescription((n.data as { error: unknown }).error);
      await settlesWithin(bus.close(), 'close()');
    });
  }

  it('a well-behaved thenable from another realm or library is still awaited', async () => {
    const { bus, failing } = setUp(
      () => ({
        // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point of the test
        then(resolve: (v: unknown) => void) {
          setTimeout(() => resolve('done'), 5);
        },
      }),
      'notice',
    );
    await bus.publish('job.run', 1);
    expect(failing.stats.inFlight).toBe(1);
    await settlesWithin(bus.idle(), 'idle()');
    expect(failing.stats).toMatchObject({ processed: 1, failed: 0, inFlight: 0 });
  });
});

describe('a hostile filter', () => {
  failOnUnhandledRejections();

  it('is reported like a handler error and the others still run', async () => {
    const bus = new EventBus();
    const notices: HookspellEvent[] = [];
    bus.subscribe('$bus.handler.error', (e) => notices.push(e));
    const later: unknown[] = [];
    bus.subscribe('x', () => {}, {
      filter: () => {
        throw hostileValues['revoked proxy']!();
      },
    });
    bus.subscribe('x', (e) => later.push(e.data));
    await settlesWithin(bus.publish('x', 1), 'publish');
    expect(later).toEqual([1]);
    expect(notices).toHaveLength(1);
    expectSafeDescription((notices[0]!.data as { error: unknown }).error);
  });
});
