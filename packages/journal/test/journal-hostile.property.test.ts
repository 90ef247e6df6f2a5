import { type HookError, HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { SqliteStorage } from '@hookspell/storage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HookJournal } from '../src/index.js';
import { sleep } from './helpers.js';
import {
  expectStoredAs,
  expectStoredError,
  HOSTILE,
  withoutUnhandledRejections,
} from './journal-hostile-values.js';

// Issue 14, item 1 (journal): random mixes of well-behaved and hostile hook values across many
// fires, written by the journal's background writer to SQLite. Afterwards every entry is there
// (queried back by execution id), the well-behaved ones exactly as returned, the hostile ones in
// their described form; onError is never told; no unhandled rejection.

type Behaviour =
  | { tag: 'continue' }
  | { tag: 'modified'; data: Record<string, unknown> }
  | { tag: 'error'; message: string }
  | { tag: 'hostile'; kind: number; how: 'throws' | 'rejects' | 'modified' | 'replace' };

const key = fc.stringMatching(/^[a-z]{1,4}$/);
const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.constant({ tag: 'continue' as const }),
  fc.record({
    tag: fc.constant('modified' as const),
    data: fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  }),
  fc.record({ tag: fc.constant('error' as const), message: fc.string({ maxLength: 20 }) }),
  fc.record({
    tag: fc.constant('hostile' as const),
    kind: fc.integer({ min: 0, max: HOSTILE.length - 1 }),
    how: fc.constantFrom('throws' as const, 'rejects' as const, 'modified' as const, 'replace' as const),
  }),
);
const HOOKS = 3;
// A point of our own: not a guard point, where one failure would cancel the hooks after it.
const POINT = 'custom:journal-property';
const fireArb = fc.record({
  hooks: fc.tuple(behaviour, behaviour, behaviour),
  mode: fc.constantFrom('sequential' as const, 'parallel' as const),
});

function run(b: Behaviour): unknown {
  switch (b.tag) {
    case 'continue':
      return undefined;
    case 'modified':
      return HookResult.modified(b.data);
    case 'error':
      throw new Error(b.message);
    case 'hostile': {
      const value = HOSTILE[b.kind]!.make();
      if (b.how === 'throws') throw value;
      if (b.how === 'rejects') return Promise.reject(value);
      return b.how === 'modified' ? HookResult.modified({ v: value }) : HookResult.replace(value);
    }
  }
}

describe('HookJournal property: hostile values never cost another entry', () => {
  it('keeps every entry of random mixes of well-behaved and hostile hooks (SQLite, background writer)', async () => {
    await withoutUnhandledRejections(async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fireArb, { minLength: 1, maxLength: 25 }),
          fc.boolean(),
          async (fires, flushEachHalf) => {
            const registry = new HookRegistry();
            let current: readonly Behaviour[] = [];
            for (let h = 0; h < HOOKS; h++) {
              // No breaker: every fire runs every hook.
              registry.register(POINT, () => run(current[h]!) as HookResult | undefined, {
                name: `h${h}`,
                breaker: false,
              });
            }
            const executor = new HookExecutor(registry);
            const errors: [HookError, number][] = [];
            const storage = SqliteStorage({ path: ':memory:' });
            const journal = new HookJournal(storage, {
              flushIntervalMs: 2,
              maxBatch: 16, // several batches, each mixing fires
              onError: (e, lost) => errors.push([e, lost]),
            });
            journal.attach(executor);
            const outcomes = [];
            for (let i = 0; i < fires.length; i++) {
              current = fires[i]!.hooks;
              outcomes.push(
                await executor.fire(POINT, { data: { i } }, { correlationId: `f${i}`, mode: fires[i]!.mode }),
              );
              if (flushEachHalf && i === Math.floor(fires.length / 2)) await journal.flush();
            }
            // The background writer, not flush(): as in a real run.
            for (let t = 0; t < 500 && journal.stats().pending > 0; t++) await sleep(5);
            await journal.flush();
            expect(errors.map(([e]) => e.message)).toEqual([]);
            expect(await journal.size()).toBe(fires.length * HOOKS);
            for (let i = 0; i < fires.length; i++) {
              const out = outcomes[i]!;
              expect(out.records).toHaveLength(HOOKS);
              for (const record of out.records) {
                const h = Number(record.name.slice(1));
                const b = fires[i]!.hooks[h]!;
                const entry = await journal.get(record.executionId);
                expect(entry, `fire ${i} ${record.name}`).toBeDefined();
                expect(entry!.status).toBe(record.status);
                expect(entry!.correlationId).toBe(`f${i}`);
                // A hook skipped by the executor (after another's failure) has nothing of its own to check.
                if (record.status === 'skipped') continue;
                if (b.tag === 'continue') expect(entry!.result).toEqual({ type: 'continue' });
                else if (b.tag === 'modified') {
                  expect(entry!.result).toEqual({
                    type: 'modified',
                    data: JSON.parse(JSON.stringify(b.data)),
                  });
                } else if (b.tag === 'error') {
                  expect(entry!.status).toBe('error');
                  expect(entry!.error).toMatchObject({ name: 'Error', message: b.message });
                } else {
                  const kind = HOSTILE[b.kind]!;
                  if (b.how === 'throws' || b.how === 'rejects') {
                    expect(entry!.status).toBe('error');
                    expectStoredError(kind, entry!.error);
                  } else if (b.how === 'modified') {
                    expectStoredAs(kind, (entry!.result as { data: Record<string, unknown> }).data, 'v');
                  } else {
                    expectStoredAs(kind, entry!.result as unknown as Record<string, unknown>, 'value');
                  }
                }
              }
            }
            await journal.close();
            await storage.close();
          },
        ),
        { numRuns: 40 },
      );
    });
  }, 120_000);
});
