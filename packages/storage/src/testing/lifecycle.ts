import { describe, expect } from 'vitest';
import { type StorageBackend, StorageErrorCode } from '../index.js';
import { type ConformanceContext, expectStorageError, slowCase, testCase } from './context.js';

/** Every method of the interface, called with valid arguments. */
const CALLS: readonly (readonly [string, (backend: StorageBackend) => Promise<unknown>])[] = [
  ['get', (b) => b.get('k')],
  ['set', (b) => b.set('k', 1)],
  ['delete', (b) => b.delete('k')],
  ['has', (b) => b.has('k')],
  ['list', (b) => b.list('')],
  ['list with options', (b) => b.list('k', { limit: 1, reverse: true })],
  ['batch', (b) => b.batch([{ type: 'set', key: 'k', value: 1 }])],
  ['empty batch', (b) => b.batch([])],
  ['clear', (b) => b.clear()],
  ['clear(prefix)', (b) => b.clear('k')],
];

export function describeLifecycleCases(ctx: ConformanceContext): void {
  describe('interface', () => {
    testCase("declares specificationVersion 'v1', a name and boolean capabilities", async () => {
      const b = ctx.backend;
      expect(b.specificationVersion).toBe('v1');
      expect(typeof b.name).toBe('string');
      expect(b.name.length).toBeGreaterThan(0);
      for (const capability of ['atomicBatch', 'durable', 'multiProcess'] as const) {
        expect(typeof b.capabilities[capability], capability).toBe('boolean');
      }
    });

    testCase('a fresh backend after clear() holds nothing', async () => {
      expect(await ctx.backend.list('')).toStrictEqual([]);
    });
  });

  describe('close', () => {
    testCase('after close() every method rejects with HOOKSPELL_STORAGE_CLOSED', async () => {
      const b = await ctx.create();
      await b.set('k', 1);
      await b.close();
      for (const [label, call] of CALLS) {
        const error = await expectStorageError(() => call(b), StorageErrorCode.CLOSED).catch(
          (cause: Error) => {
            throw new Error(`${label} after close: ${cause.message}`);
          },
        );
        expect(error.message.length).toBeGreaterThan(0);
      }
      // Even invalid arguments: the closed state is reported first.
      await expectStorageError(() => b.get(''), StorageErrorCode.CLOSED);
    });

    testCase('close() twice, or twice at once, is fine', async () => {
      const b = await ctx.create();
      await Promise.all([b.close(), b.close()]);
      await expect(b.close()).resolves.toBeUndefined();
      await expectStorageError(() => b.get('k'), StorageErrorCode.CLOSED);
    });

    testCase('operations started before close() complete; those after it reject', async () => {
      const b = await ctx.create();
      await b.clear();
      await b.set('keep', 'old');
      await b.set('del', 1);
      await b.set('gone/1', 1);
      // Distinct keys: concurrent operations have no order among themselves.
      const started = [
        b.set('a', 'A'),
        b.get('keep'),
        b.has('keep'),
        b.delete('del'),
        b.list('keep'),
        b.batch([{ type: 'set', key: 'b', value: 'B' }]),
        b.clear('gone/'),
      ];
      const closing = b.close();
      const late = expectStorageError(() => b.set('late', 1), StorageErrorCode.CLOSED);
      const results = await Promise.allSettled(started);
      for (const [i, result] of results.entries()) {
        expect(result.status === 'rejected' ? String(result.reason) : 'ok', `operation ${i}`).toBe('ok');
      }
      const values = results.map((result) => (result as PromiseFulfilledResult<unknown>).value);
      expect(values.slice(1, 5)).toStrictEqual(['old', true, true, [{ key: 'keep', value: 'old' }]]);
      await closing;
      await late;
    });
  });

  describe('concurrency', () => {
    slowCase(ctx, '1 000 concurrent sets all land', async () => {
      const keys = Array.from({ length: 1000 }, (_, i) => `conc/${String(i).padStart(4, '0')}`);
      await Promise.all(keys.map((key, i) => ctx.backend.set(key, { i, key })));
      const listed = await ctx.backend.list<{ i: number; key: string }>('conc/');
      expect(listed.map((entry) => entry.key)).toStrictEqual(keys);
      for (const [i, entry] of listed.entries()) expect(entry.value).toStrictEqual({ i, key: entry.key });
      const got = await Promise.all(keys.map((key) => ctx.backend.get(key)));
      expect(got).toStrictEqual(keys.map((key, i) => ({ i, key })));
    });

    slowCase(ctx, '100 concurrent batches of 10 all land', async () => {
      await Promise.all(
        Array.from({ length: 100 }, (_, b) =>
          ctx.backend.batch(
            Array.from({ length: 10 }, (_, i) => ({ type: 'set', key: `cb/${b}/${i}`, value: b * 10 + i })),
          ),
        ),
      );
      const listed = await ctx.backend.list<number>('cb/');
      expect(listed.length).toBe(1000);
      expect(listed.map((entry) => entry.value).sort((x, y) => x - y)).toStrictEqual(
        Array.from({ length: 1000 }, (_, i) => i),
      );
    });
  });
}
