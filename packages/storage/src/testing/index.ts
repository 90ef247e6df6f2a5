import { afterEach, beforeEach, describe } from 'vitest';
import type { StorageBackend } from '../index.js';
import { describeBatchCases } from './batch.js';
import { CASE_TIMEOUT_MS, type ConformanceContext, SLOW_SKIP_REASON } from './context.js';
import { describeKeyCases } from './key-rules.js';
import { describeLifecycleCases } from './lifecycle.js';
import { describeListCases } from './listing.js';
import { describeValueCases } from './values.js';

export { expectStorageError } from './context.js';

export interface StorageConformanceOptions {
  /**
   * Skip the slow cases (paging through 10 000 keys, 1 MiB values, 1 000 concurrent writes).
   * Each skipped case is reported as skipped with the reason, and a warning is printed.
   * @default false
   */
  skipSlow?: boolean;
}

/**
 * Registers the `StorageBackend` conformance suite in the calling vitest file. Every case creates
 * a fresh backend with `createBackend()`, calls `clear()` on it first and closes it afterwards, so
 * the factory may return backends sharing one store (one database, one table) but must not share
 * one backend object between calls.
 *
 * @example
 * // my-adapter.test.ts
 * import { describeStorageConformance } from '@hookspell/storage/testing';
 * describeStorageConformance('json-file', () => defineBackend(createJsonFileDriver(tmpFile())));
 */
export function describeStorageConformance(
  name: string,
  createBackend: () => StorageBackend | Promise<StorageBackend>,
  options: StorageConformanceOptions = {},
): void {
  const skipSlow = options.skipSlow === true;
  describe(`StorageBackend conformance: ${name}`, () => {
    if (skipSlow) console.warn(`[hookspell conformance] ${name}: slow cases are ${SLOW_SKIP_REASON}.`);
    let current: StorageBackend | undefined;
    const opened: StorageBackend[] = [];

    async function create(): Promise<StorageBackend> {
      const backend = await createBackend();
      opened.push(backend);
      return backend;
    }

    const ctx: ConformanceContext = {
      get backend(): StorageBackend {
        if (!current)
          throw new Error('No backend: createBackend() failed in beforeEach (see the error above).');
        return current;
      },
      create,
      skipSlow,
    };

    beforeEach(async () => {
      current = undefined;
      const backend = await create();
      await backend.clear();
      current = backend;
    }, CASE_TIMEOUT_MS);

    afterEach(async () => {
      current = undefined;
      const toClose = opened.splice(0);
      await Promise.all(toClose.map((backend) => backend.close()));
    }, CASE_TIMEOUT_MS);

    describeValueCases(ctx);
    describeKeyCases(ctx);
    describeListCases(ctx);
    describeBatchCases(ctx);
    describeLifecycleCases(ctx);
  });
}
