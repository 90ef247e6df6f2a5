import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_VALUE_BYTES,
  type DriverListOptions,
  defineBackend,
  type EncodedBatchOp,
  type EncodedEntry,
  HookspellError,
  MemoryStorage,
  SortedKeys,
  type StorageDriver,
  StorageError,
  StorageErrorCode,
} from '../src/index.js';
import { describeStorageConformance, expectStorageError } from '../src/testing/index.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A deferred promise, to hold a driver call open. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface MapDriver extends StorageDriver {
  store: Map<string, string>;
  calls: string[];
  closed: boolean;
}

/**
 * The smallest driver: get/set/delete/list only, no batch/has/clear, so every fallback of
 * defineBackend is used. `async: true` makes every method return a promise after a timer.
 */
function mapDriver(options: { async?: boolean } = {}): MapDriver {
  const store = new Map<string, string>();
  const order = new SortedKeys();
  const wrap = <A extends unknown[], R>(name: string, fn: (...args: A) => R) =>
    options.async
      ? async (...args: A): Promise<R> => {
          driver.calls.push(name);
          if (driver.closed) throw new Error(`${name} after the driver was closed`);
          await tick();
          return fn(...args);
        }
      : (...args: A): R => {
          driver.calls.push(name);
          if (driver.closed) throw new Error(`${name} after the driver was closed`);
          return fn(...args);
        };
  const driver: MapDriver = {
    name: options.async ? 'async-map' : 'map',
    store,
    calls: [],
    closed: false,
    get: wrap('get', (key: string) => store.get(key)),
    set: wrap('set', (key: string, json: string) => {
      order.add(key);
      store.set(key, json);
    }),
    delete: wrap('delete', (key: string) => {
      order.remove(key);
      return store.delete(key);
    }),
    list: wrap('list', (prefix: string, listOptions: DriverListOptions): EncodedEntry[] =>
      order.range(prefix, listOptions).map((key) => ({ key, json: store.get(key)! })),
    ),
    close() {
      driver.closed = true;
    },
  };
  return driver;
}

describeStorageConformance('defineBackend with fallbacks (sync driver)', () => defineBackend(mapDriver()));
describeStorageConformance('defineBackend with fallbacks (async driver)', () =>
  defineBackend(mapDriver({ async: true })),
);

describe('defineBackend', () => {
  it('fills in has, batch and clear for a driver without them', async () => {
    const driver = mapDriver();
    const backend = defineBackend(driver);
    expect(backend.capabilities).toStrictEqual({ atomicBatch: false, durable: false, multiProcess: false });
    await backend.batch([
      { type: 'set', key: 'a', value: 1 },
      { type: 'set', key: 'b', value: 2 },
      { type: 'delete', key: 'a' },
    ]);
    expect(await backend.has('b')).toBe(true);
    expect(await backend.has('a')).toBe(false);
    await backend.clear();
    expect(driver.store.size).toBe(0);
    // has falls back to get, clear to list + delete.
    expect(driver.calls).toContain('get');
    expect(driver.calls.filter((call) => call === 'list').length).toBeGreaterThan(0);
  });

  it('uses the driver’s own has, batch and clear when it has them', async () => {
    const store = new Map<string, string>();
    const calls: string[] = [];
    const backend = defineBackend({
      name: 'full',
      capabilities: { durable: true },
      get: (key) => store.get(key),
      set: (key, json) => void store.set(key, json),
      delete: (key) => store.delete(key),
      list: () => [],
      has: (key) => {
        calls.push('has');
        return store.has(key);
      },
      batch: (ops: EncodedBatchOp[]) => {
        calls.push(`batch:${ops.map((op) => `${op.type}:${op.key}`).join(',')}`);
        for (const op of ops) op.type === 'set' ? store.set(op.key, op.json) : store.delete(op.key);
      },
      clear: (prefix) => void calls.push(`clear:${prefix}`),
    });
    expect(backend.capabilities).toStrictEqual({ atomicBatch: true, durable: true, multiProcess: false });
    expect(Object.isFrozen(backend.capabilities)).toBe(true);
    await backend.has('k');
    await backend.batch([
      { type: 'set', key: 'k', value: { a: 1 } },
      { type: 'delete', key: 'j' },
    ]);
    await backend.clear();
    await backend.clear('p/');
    expect(calls).toStrictEqual(['has', 'batch:set:k,delete:j', 'clear:', 'clear:p/']);
    expect(store.get('k')).toBe('{"a":1}');
  });

  it('restores the previous values when the driver fails in the middle of a fallback batch', async () => {
    for (const async of [false, true]) {
      const driver = mapDriver({ async });
      const backend = defineBackend(driver);
      await backend.set('a', 'old a');
      await backend.set('b', 'old b');
      const realSet = driver.set;
      driver.set = (key, json) => {
        if (key === 'boom') throw new Error('disk full');
        return realSet(key, json);
      };
      const error = await expectStorageError(
        () =>
          backend.batch([
            { type: 'set', key: 'a', value: 'new a' },
            { type: 'delete', key: 'b' },
            { type: 'set', key: 'c', value: 'new c' },
            { type: 'set', key: 'a', value: 'newer a' },
            { type: 'set', key: 'boom', value: 1 },
            { type: 'set', key: 'never', value: 1 },
          ]),
        StorageErrorCode.OPERATION_FAILED,
        ['batch failed: disk full'],
      );
      expect((error.cause as Error).message).toBe('disk full');
      expect(Object.fromEntries(driver.store)).toStrictEqual({ a: '"old a"', b: '"old b"' });
      expect(await backend.list('')).toStrictEqual([
        { key: 'a', value: 'old a' },
        { key: 'b', value: 'old b' },
      ]);
    }
  });

  it('turns a plain Error thrown by a driver into StorageError HOOKSPELL_STORAGE_OPERATION_FAILED with cause', async () => {
    const failure = new Error('socket hang up');
    const backend = defineBackend({
      name: 'flaky',
      get: () => {
        throw failure;
      },
      set: async () => {
        await tick();
        throw failure;
      },
      delete: () => Promise.reject('a string, not an Error'),
      list: () => {
        throw new TypeError('bad list');
      },
    });
    for (const [operation, call] of [
      ['get', () => backend.get('k')],
      ['set', () => backend.set('k', 1)],
      ['has', () => backend.has('k')],
    ] as const) {
      const error = await expectStorageError(call, StorageErrorCode.OPERATION_FAILED, [
        `[hookspell] [flaky] ${operation} failed: socket hang up`,
      ]);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).backend).toBe('flaky');
      expect(error.cause).toBe(failure);
    }
    const fromString = await expectStorageError(
      () => backend.delete('k'),
      StorageErrorCode.OPERATION_FAILED,
      ['delete failed: a string, not an Error'],
    );
    expect(fromString.cause).toBe('a string, not an Error');
    const fromList = await expectStorageError(() => backend.list(''), StorageErrorCode.OPERATION_FAILED);
    expect(fromList.cause).toBeInstanceOf(TypeError);
  });

  it('passes hookspell errors from a driver through unchanged', async () => {
    const own = new StorageError('mine', StorageErrorCode.UNAVAILABLE, 'server down');
    const backend = defineBackend({
      name: 'mine',
      get: () => Promise.reject(own),
      set() {},
      delete: () => false,
      list: () => [],
    });
    const error = await expectStorageError(() => backend.get('k'), StorageErrorCode.UNAVAILABLE);
    expect(error).toBe(own);
  });

  it('reports a stored value that is not JSON as HOOKSPELL_STORAGE_CORRUPT', async () => {
    const backend = defineBackend({
      name: 'broken',
      get: () => '{oops',
      set() {},
      delete: () => false,
      list: () => [{ key: 'k', json: 'not json' }],
    });
    await expectStorageError(() => backend.get('k'), StorageErrorCode.CORRUPT, ['"k"']);
    await expectStorageError(() => backend.list(''), StorageErrorCode.CORRUPT);
  });

  it('close() waits for in-flight async operations before closing the driver', async () => {
    const gate = deferred<string | undefined>();
    const events: string[] = [];
    const backend = defineBackend({
      name: 'slow',
      get: async () => {
        events.push('get started');
        const json = await gate.promise;
        events.push('get finished');
        return json;
      },
      set() {},
      delete: () => false,
      list: () => [],
      close: async () => {
        events.push('driver closed');
      },
    });
    const pending = backend.get('k');
    const closing = backend.close();
    let closed = false;
    void closing.then(() => (closed = true));
    await tick();
    expect(closed).toBe(false);
    expect(events).toStrictEqual(['get started']);
    await expectStorageError(() => backend.get('k'), StorageErrorCode.CLOSED);
    gate.resolve('"value"');
    await closing;
    expect(await pending).toBe('value');
    expect(events).toStrictEqual(['get started', 'get finished', 'driver closed']);
    expect(backend.close()).toBe(closing);
  });

  it('close() waits for both steps of a fallback clear', async () => {
    const driver = mapDriver({ async: true });
    const backend = defineBackend(driver);
    await backend.batch([
      { type: 'set', key: 'x/1', value: 1 },
      { type: 'set', key: 'x/2', value: 2 },
      { type: 'set', key: 'y', value: 3 },
    ]);
    const clearing = backend.clear('x/');
    await backend.close();
    await expect(clearing).resolves.toBeUndefined();
    expect([...driver.store.keys()]).toStrictEqual(['y']);
    expect(driver.closed).toBe(true);
  });

  it('validates before calling the driver: bad input never reaches it', async () => {
    const driver = mapDriver();
    const backend = defineBackend(driver);
    await expectStorageError(() => backend.set('a\nb', 1), StorageErrorCode.INVALID_KEY);
    await expectStorageError(() => backend.set('k', Number.NaN), StorageErrorCode.INVALID_VALUE);
    await expectStorageError(() => backend.list('', { limit: -1 }), StorageErrorCode.INVALID_ARGUMENT);
    await expectStorageError(() => backend.list('', null as never), StorageErrorCode.INVALID_ARGUMENT);
    expect(await backend.list('', { limit: 0 })).toStrictEqual([]);
    expect(driver.calls).toStrictEqual([]);
  });

  it('passes list options to the driver, with limit Infinity by default or beyond 2^53 - 1', async () => {
    const seen: DriverListOptions[] = [];
    const backend = defineBackend({
      name: 'spy',
      get: () => undefined,
      set() {},
      delete: () => false,
      list: (_prefix, options) => {
        seen.push(options);
        return [];
      },
    });
    await backend.list('p');
    await backend.list('p', { startAfter: 'p/1', limit: 5, reverse: true });
    await backend.list('p', { limit: Number.MAX_SAFE_INTEGER });
    await backend.list('p', { limit: 2 ** 64 });
    expect(seen).toStrictEqual([
      { startAfter: undefined, limit: Number.POSITIVE_INFINITY, reverse: false },
      { startAfter: 'p/1', limit: 5, reverse: true },
      { startAfter: undefined, limit: Number.MAX_SAFE_INTEGER, reverse: false },
      { startAfter: undefined, limit: Number.POSITIVE_INFINITY, reverse: false },
    ]);
  });

  it('applies the driver’s maxValueBytes, or 64 MiB by default', async () => {
    const small = defineBackend({ ...mapDriver(), maxValueBytes: 4 });
    await small.set('k', 'ab');
    await expectStorageError(() => small.set('k', 'abc'), StorageErrorCode.VALUE_TOO_LARGE, [
      'limit of 4 bytes',
    ]);
    expect(DEFAULT_MAX_VALUE_BYTES).toBe(64 * 1024 * 1024);
  });

  it('HookspellError.hasCode recognises errors made by another copy of the package', () => {
    const error = new StorageError('x', StorageErrorCode.CLOSED, 'closed');
    // A copy of the class from another install marks its errors with the same global symbol.
    const foreign = Object.assign(new Error('[hookspell] [x] closed'), { code: StorageErrorCode.CLOSED });
    (foreign as unknown as Record<symbol, boolean>)[Symbol.for('hookspell.error')] = true;
    expect(HookspellError.hasCode(error, StorageErrorCode.CLOSED)).toBe(true);
    expect(HookspellError.hasCode(foreign, StorageErrorCode.CLOSED)).toBe(true);
    expect(HookspellError.hasCode(new Error('x'), StorageErrorCode.CLOSED)).toBe(false);
    expect(HookspellError.hasCode(error, StorageErrorCode.CORRUPT)).toBe(false);
  });
});

describe('the conformance suite catches a backend that declares atomicBatch but applies op by op', () => {
  it('checkBatchVisibility throws on a half-applied batch, and passes an atomic one', async () => {
    const { checkBatchVisibility } = await import('../src/testing/batch-visibility.js');
    const store = new Map<string, string>();
    // A driver with a batch of its own that awaits between ops and claims to be atomic: validation
    // passes every batch, so only a concurrent reader can tell.
    const liar = defineBackend({
      name: 'liar',
      capabilities: { atomicBatch: true },
      get: (k) => store.get(k),
      set: (k, v) => void store.set(k, v),
      delete: (k) => store.delete(k),
      list: (prefix) =>
        [...store.entries()]
          .filter(([k]) => k.startsWith(prefix))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([key, json]) => ({ key, json })),
      async batch(ops) {
        for (const op of ops) {
          if (op.type === 'set') store.set(op.key, op.json);
          else store.delete(op.key);
          await new Promise((r) => setImmediate(r));
        }
      },
    });
    await expect(checkBatchVisibility(liar, [liar])).rejects.toThrow(/half applied/);
    const honest = MemoryStorage();
    await expect(checkBatchVisibility(honest, [honest])).resolves.toBeUndefined();
  });
});
