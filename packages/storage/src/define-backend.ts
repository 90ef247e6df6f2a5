import { HookspellError } from './errors/hookspell-error.js';
import { StorageError, StorageErrorCode } from './errors/storage-error.js';
import { decodeJsonValue, encodeJsonValue } from './json-value.js';
import { assertValidKey, assertValidPrefix, describeType } from './keys.js';
import type {
  BatchOp,
  EncodedBatchOp,
  JsonValue,
  ListEntry,
  ListOptions,
  StorageBackend,
  StorageCapabilities,
  StorageDriver,
} from './types.js';

/** Default limit on one encoded value: 64 MiB. */
export const DEFAULT_MAX_VALUE_BYTES = 64 * 1024 * 1024;

/** A `StorageBackend` made by `defineBackend`, which can also hand out its driver. */
export interface DefinedBackend<D extends StorageDriver = StorageDriver> extends StorageBackend {
  /** The driver underneath (for its `getInstance()` or other extras). */
  readonly driver: D;
}

/**
 * Turns a {@link StorageDriver} (an ordered map of JSON text) into a full {@link StorageBackend}:
 * keys, prefixes, list options and values are validated before the driver sees them, values are
 * encoded and decoded as JSON, missing optional methods get fallbacks, calls after `close()` fail
 * with `HOOKSPELL_STORAGE_CLOSED`, and driver failures become `StorageError`s.
 *
 * @example
 * const store = new Map<string, string>();
 * const backend = defineBackend({
 *   name: 'map',
 *   get: (key) => store.get(key),
 *   set: (key, json) => void store.set(key, json),
 *   delete: (key) => store.delete(key),
 *   list: (prefix, { startAfter, limit, reverse }) => sortedEntries(store, prefix, startAfter, limit, reverse),
 * });
 */
export function defineBackend<D extends StorageDriver>(driver: D): DefinedBackend<D> {
  const name = driver.name;
  const maxBytes = driver.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  const capabilities: StorageCapabilities = Object.freeze({
    atomicBatch: typeof driver.batch === 'function',
    durable: false,
    multiProcess: false,
    ...driver.capabilities,
  });
  let closed = false;
  let closing: Promise<void> | undefined;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  function ensureOpen(operation: string): void {
    if (closed) {
      throw new StorageError(
        name,
        StorageErrorCode.CLOSED,
        `Cannot ${operation}: this storage backend was closed. Create a new backend to keep using the store.`,
      );
    }
  }

  // Runs one driver call, tracking it so `close()` can wait for it, and wrapping foreign errors.
  async function run<T>(operation: string, call: () => T | Promise<T>): Promise<T> {
    inFlight++;
    try {
      const result = call();
      return result instanceof Promise ? await result : result;
    } catch (error) {
      throw wrapError(name, operation, error);
    } finally {
      if (--inFlight === 0 && idle) idle();
    }
  }

  function encodeOps(ops: readonly BatchOp[]): EncodedBatchOp[] {
    if (!Array.isArray(ops)) {
      throw invalidArgument(name, `\`ops\` must be an array of batch operations, got ${describeType(ops)}.`);
    }
    const encoded: EncodedBatchOp[] = new Array(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as BatchOp | undefined;
      if (op === null || typeof op !== 'object') {
        throw invalidArgument(name, `ops[${i}] must be an object like { type: 'set', key, value }.`);
      }
      assertValidKey(name, op.key, `key at ops[${i}]`);
      if (op.type === 'set') {
        encoded[i] = {
          type: 'set',
          key: op.key,
          json: encodeJsonValue(name, op.value, maxBytes, `ops[${i}].value`),
        };
      } else if (op.type === 'delete') {
        encoded[i] = { type: 'delete', key: op.key };
      } else {
        throw invalidArgument(
          name,
          `ops[${i}].type must be 'set' or 'delete', got ${JSON.stringify((op as { type: unknown }).type)}.`,
        );
      }
    }
    return encoded;
  }

  const backend: DefinedBackend<D> = {
    specificationVersion: 'v1',
    name,
    capabilities,
    driver,

    async get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined> {
      ensureOpen('get');
      assertValidKey(name, key);
      const json = await run('get', () => driver.get(key));
      return json === undefined ? undefined : decodeJsonValue<T>(name, key, json);
    },

    async set(key: string, value: JsonValue): Promise<void> {
      ensureOpen('set');
      assertValidKey(name, key);
      const json = encodeJsonValue(name, value, maxBytes);
      await run('set', () => driver.set(key, json));
    },

    async delete(key: string): Promise<boolean> {
      ensureOpen('delete');
      assertValidKey(name, key);
      return run('delete', () => driver.delete(key));
    },

    async has(key: string): Promise<boolean> {
      ensureOpen('has');
      assertValidKey(name, key);
      if (driver.has) return run('has', () => driver.has!(key));
      return (await run('has', () => driver.get(key))) !== undefined;
    },

    async list<T extends JsonValue = JsonValue>(
      prefix: string,
      options: ListOptions = {},
    ): Promise<ListEntry<T>[]> {
      ensureOpen('list');
      assertValidPrefix(name, prefix);
      if (options === null || typeof options !== 'object') {
        throw invalidArgument(name, `list options must be an object, got ${describeType(options)}.`);
      }
      const { startAfter, limit, reverse = false } = options;
      if (startAfter !== undefined) {
        if (typeof startAfter !== 'string') {
          throw invalidArgument(
            name,
            `\`startAfter\` must be a string key, got ${describeType(startAfter)}.`,
          );
        }
        // Same character rules as a prefix: every backend must order it the same way.
        assertValidPrefix(name, startAfter, '`startAfter`');
      }
      if (typeof reverse !== 'boolean') {
        throw invalidArgument(name, `\`reverse\` must be a boolean, got ${describeType(reverse)}.`);
      }
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
        throw invalidArgument(name, `\`limit\` must be a non-negative integer, got ${String(limit)}.`);
      }
      if (limit === 0) return [];
      // A limit beyond any possible number of keys means "all": SQL drivers cannot bind one >= 2^63.
      const driverLimit =
        limit === undefined || limit > Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : limit;
      const rows = await run('list', () => driver.list(prefix, { startAfter, limit: driverLimit, reverse }));
      const entries: ListEntry<T>[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        entries[i] = { key: row.key, value: decodeJsonValue<T>(name, row.key, row.json) };
      }
      return entries;
    },

    async batch(ops: readonly BatchOp[]): Promise<void> {
      ensureOpen('batch');
      // Every op is validated and encoded before anything is written: a bad op applies nothing.
      const encoded = encodeOps(ops);
      if (encoded.length === 0) return;
      if (driver.batch) {
        await run('batch', () => driver.batch!(encoded));
        return;
      }
      await run('batch', () => applyOneByOne(driver, encoded));
    },

    async clear(prefix = ''): Promise<void> {
      ensureOpen('clear');
      assertValidPrefix(name, prefix);
      if (driver.clear) {
        await run('clear', () => driver.clear!(prefix));
        return;
      }
      // One tracked call for both steps, so that `close()` cannot release the driver in between.
      await run('clear', async () => {
        const rows = await driver.list(prefix, { limit: Number.POSITIVE_INFINITY, reverse: false });
        const ops: EncodedBatchOp[] = rows.map((row) => ({ type: 'delete', key: row.key }));
        if (ops.length === 0) return;
        await (driver.batch ? driver.batch(ops) : applyOneByOne(driver, ops));
      });
    },

    close(): Promise<void> {
      if (closing) return closing;
      closed = true;
      closing = (async () => {
        // Let operations already started finish before the driver releases its resources.
        if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
        if (driver.close) await run('close', () => driver.close!());
      })();
      return closing;
    },
  };
  return backend;
}

// Fallback batch for drivers without one: apply in order, restore the previous values on failure.
async function applyOneByOne(driver: StorageDriver, ops: EncodedBatchOp[]): Promise<void> {
  const previous = new Map<string, string | undefined>();
  for (const op of ops) {
    if (!previous.has(op.key)) previous.set(op.key, await driver.get(op.key));
  }
  try {
    for (const op of ops) {
      if (op.type === 'set') await driver.set(op.key, op.json);
      else await driver.delete(op.key);
    }
  } catch (error) {
    for (const [key, json] of previous) {
      try {
        if (json === undefined) await driver.delete(key);
        else await driver.set(key, json);
      } catch {
        // Best effort: the original error below is what the caller needs to see.
      }
    }
    throw error;
  }
}

function invalidArgument(backend: string, message: string): StorageError {
  return new StorageError(backend, StorageErrorCode.INVALID_ARGUMENT, message);
}

function wrapError(backend: string, operation: string, error: unknown): Error {
  if (HookspellError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StorageError(backend, StorageErrorCode.OPERATION_FAILED, `${operation} failed: ${message}`, {
    cause: error,
  });
}
