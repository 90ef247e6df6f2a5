import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeThrown,
  type ExecutionMode,
  HookExecutor,
  type HookFunction,
  HookRegistry,
  HookResult,
} from '../src/index.js';
import { recordingSink } from './helpers.js';

// Issue 14 item 1: whatever a hook throws or returns, every fire settles with one record per hook,
// no unhandled rejection occurs, and a fail-closed hook that failed cancels.

/** Values a hook might throw, reject with, return or resolve to — most of them hostile. */
function hostile(kind: number): unknown {
  switch (kind) {
    case 0:
      return Object.create(null);
    case 1: {
      const e = new Error('x');
      Object.defineProperty(e, 'message', {
        get() {
          throw new Error('message getter');
        },
      });
      return e;
    }
    case 2: {
      const e = new Error('x');
      Object.defineProperty(e, 'stack', {
        get() {
          throw new Error('stack getter');
        },
      });
      Object.defineProperty(e, 'toString', {
        get() {
          throw new Error('toString getter');
        },
      });
      return e;
    }
    case 3: {
      const e = new Error('x');
      Object.defineProperty(e, 'toJSON', {
        get() {
          throw new Error('toJSON getter');
        },
      });
      return e;
    }
    case 4: {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }
    case 5:
      return new Proxy(
        {},
        {
          get() {
            throw new Error('get trap');
          },
          ownKeys() {
            throw new Error('ownKeys trap');
          },
          getPrototypeOf() {
            throw new Error('getPrototypeOf trap');
          },
          has() {
            throw new Error('has trap');
          },
        },
      );
    case 6:
      return Symbol('boom');
    case 7:
      return 10n ** 30n;
    case 8: {
      const o: Record<string, unknown> = { type: 'modified' };
      o.data = o; // cyclic, and a valid-looking result
      return o;
    }
    case 9:
      return {
        get type(): string {
          throw new Error('type getter');
        },
      };
    case 10:
      return {
        type: 'continue',
        // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point of the test
        get then(): unknown {
          throw new Error('then getter');
        },
      };
    case 11:
      // A thenable that calls back twice, both ways, then throws.
      return {
        // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point of the test
        then(ok: (v: unknown) => void, fail: (e: unknown) => void) {
          ok(HookResult.cancel('first'));
          ok(HookResult.continue());
          fail(new Error('late'));
          throw new Error('after');
        },
      };
    case 12:
      return JSON.parse('{"type":"modified","data":{"__proto__":{"isAdmin":true},"x":1}}');
    case 13:
      return {
        type: 'modified',
        data: new Proxy(
          { a: 1 },
          {
            ownKeys: () => {
              throw new Error('keys');
            },
          },
        ),
      };
    case 14:
      return HookResult.cancel('denied');
    case 15:
      return new Error('plain');
    default:
      return undefined;
  }
}
const KINDS = 17;

type How = 'throw' | 'return' | 'reject' | 'resolve' | 'never';

function hookOf(how: How, kind: number): HookFunction {
  switch (how) {
    case 'throw':
      return () => {
        throw hostile(kind);
      };
    case 'return':
      return () => hostile(kind) as never;
    case 'reject':
      return () => Promise.reject(hostile(kind));
    case 'resolve':
      return () => Promise.resolve(hostile(kind)) as never;
    case 'never':
      return () => new Promise(() => {});
  }
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

const hookArb = fc.record({
  how: fc.constantFrom<How>('throw', 'return', 'reject', 'resolve', 'never'),
  kind: fc.integer({ min: 0, max: KINDS - 1 }),
  onFailure: fc.constantFrom<'continue' | 'cancel' | undefined>('continue', 'cancel', undefined),
  critical: fc.boolean(),
});

describe('hostile values from hooks (property)', () => {
  it('every fire settles with one record per hook, in every mode, with or without a sink', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(hookArb, { minLength: 1, maxLength: 4 }),
        fc.constantFrom<ExecutionMode>('sequential', 'parallel'),
        fc.boolean(),
        fc.boolean(),
        async (hooks, mode, withSink, pointFailClosed) => {
          const registry = new HookRegistry();
          const sink = recordingSink();
          const executor = new HookExecutor(registry, withSink ? { sink } : {});
          if (pointFailClosed) registry.configurePoint('BeforeToolExecution', { failClosed: true });
          hooks.forEach((h, i) => {
            registry.register('BeforeToolExecution', hookOf(h.how, h.kind), {
              name: `h${i}`,
              timeoutMs: 15,
              critical: h.critical,
              breaker: false,
              ...(h.onFailure === undefined ? {} : { onFailure: h.onFailure }),
            });
          });
          const outcome = await executor.fire('BeforeToolExecution', { data: { cmd: 'x' } }, { mode });
          expect(outcome.records).toHaveLength(hooks.length);
          expect(HookResult.is(outcome.decision)).toBe(true);
          expect(Object.getPrototypeOf(outcome.data)).toBe(Object.prototype);
          expect((outcome.data as { isAdmin?: unknown }).isAdmin).toBeUndefined();
          for (const r of outcome.records) {
            expect(['ok', 'error', 'timeout', 'skipped']).toContain(r.status);
            // Whatever is recorded can be described (and so journaled and shown) without throwing.
            expect(typeof describeThrown(r.error).message).toBe('string');
          }
          const failedClosed = outcome.records.some((r, i) => {
            const h = hooks[Number(r.name.slice(1))]!;
            const closed = h.onFailure === 'cancel' || (h.onFailure === undefined && pointFailClosed);
            return closed && (r.status === 'error' || r.status === 'timeout') && i >= 0;
          });
          if (failedClosed) expect(outcome.decision.type).toBe('cancel');
          if (withSink) {
            expect(sink.events.filter((e) => e.type === 'hook.fire.completed')).toHaveLength(1);
            expect(() => JSON.stringify(sink.events.map((e) => e.data.error))).not.toThrow();
          }
        },
      ),
      { numRuns: Number(process.env.HOOKSPELL_PROPERTY_RUNS ?? 150) },
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
  }, 60_000);

  it('an own __proto__ key in modified data stays a key and never becomes a prototype', async () => {
    for (const mode of ['sequential', 'parallel'] as const) {
      const registry = new HookRegistry();
      const executor = new HookExecutor(registry);
      registry.register('BeforeToolExecution', () => HookResult.modified({ user: 'bob' }), { name: 'a' });
      registry.register(
        'BeforeToolExecution',
        () => JSON.parse('{"type":"modified","data":{"__proto__":{"isAdmin":true}}}'),
        { name: 'b' },
      );
      const outcome = await executor.fire('BeforeToolExecution', {}, { mode });
      const data = (outcome.decision as { data: Record<string, unknown> }).data;
      expect(outcome.decision.type).toBe('modified');
      expect(data.isAdmin).toBeUndefined();
      expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
      expect(Object.hasOwn(data, '__proto__')).toBe(true);
      expect((outcome.data as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    }
  });
});
