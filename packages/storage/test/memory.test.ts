import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_VALUE_BYTES, MemoryStorage, StorageErrorCode } from '../src/index.js';
import { describeStorageConformance, expectStorageError } from '../src/testing/index.js';

describeStorageConformance('memory', () => MemoryStorage());
// Also shows skipSlow at work: the slow cases are reported as skipped, with the reason.
describeStorageConformance('memory (with new, skipSlow)', () => new MemoryStorage(), { skipSlow: true });

describe('MemoryStorage', () => {
  it('keeps values as JSON text in its map', async () => {
    const storage = MemoryStorage();
    await storage.set('k', { a: [1, 'x'] });
    expect(storage.driver.getInstance().get('k')).toBe('{"a":[1,"x"]}');
    expect(storage.name).toBe('memory');
    expect(storage.capabilities).toStrictEqual({ atomicBatch: true, durable: false, multiProcess: false });
  });

  it('backends do not share data', async () => {
    const a = MemoryStorage();
    const b = MemoryStorage();
    await a.set('k', 1);
    expect(await b.get('k')).toBeUndefined();
  });

  it('rejects a value over maxValueBytes with HOOKSPELL_VALUE_TOO_LARGE and writes nothing', async () => {
    const storage = MemoryStorage({ maxValueBytes: 10 });
    await storage.set('k', '12345678'); // 10 bytes with quotes: at the limit
    await expectStorageError(() => storage.set('k', '123456789'), StorageErrorCode.VALUE_TOO_LARGE, [
      '11 bytes',
      'limit of 10 bytes',
    ]);
    await expectStorageError(
      () =>
        storage.batch([
          { type: 'set', key: 'other', value: 1 },
          { type: 'set', key: 'k', value: 'é'.repeat(5) },
        ]),
      StorageErrorCode.VALUE_TOO_LARGE,
      ['ops[1].value'],
    );
    expect(await storage.list('')).toStrictEqual([{ key: 'k', value: '12345678' }]);
  });

  it('defaults to a 64 MiB value limit', async () => {
    expect(DEFAULT_MAX_VALUE_BYTES).toBe(64 * 1024 * 1024);
    const storage = MemoryStorage();
    await expectStorageError(
      () => storage.set('k', 'x'.repeat(DEFAULT_MAX_VALUE_BYTES - 1)),
      StorageErrorCode.VALUE_TOO_LARGE,
    );
    await storage.set('k', 'x'.repeat(DEFAULT_MAX_VALUE_BYTES - 2));
    expect(((await storage.get('k')) as string).length).toBe(DEFAULT_MAX_VALUE_BYTES - 2);
  });

  it('close releases the data', async () => {
    const storage = MemoryStorage();
    await storage.set('k', 1);
    await storage.close();
    expect(storage.driver.getInstance().size).toBe(0);
  });
});
