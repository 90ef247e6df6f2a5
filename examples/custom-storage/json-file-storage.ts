// A complete storage adapter in about 30 lines: every key and value lives in one JSON file,
// rewritten atomically (write a temporary file, then rename it) on every change.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { defineBackend, type EncodedBatchOp, SortedKeys, type StorageBackend } from '@hookspell/storage';

export function JsonFileStorage(options: { path: string }): StorageBackend {
  const file: Record<string, string> = existsSync(options.path)
    ? JSON.parse(readFileSync(options.path, 'utf8'))
    : {};
  const values = new Map(Object.entries(file));
  const order = new SortedKeys(); // keys in UTF-8 byte order, as `list` must return them
  for (const key of values.keys()) order.add(key);

  function apply(op: EncodedBatchOp): boolean {
    if (op.type === 'set') {
      order.add(op.key);
      values.set(op.key, op.json);
      return true;
    }
    return values.delete(op.key) && order.remove(op.key);
  }
  function save(): void {
    writeFileSync(`${options.path}.tmp`, JSON.stringify(Object.fromEntries(values)));
    renameSync(`${options.path}.tmp`, options.path); // atomic: a crash leaves the old or the new file
  }

  return defineBackend({
    name: 'json-file',
    capabilities: { atomicBatch: true, durable: true },
    get: (key) => values.get(key),
    set(key, json) {
      apply({ type: 'set', key, json });
      save();
    },
    delete(key) {
      const existed = apply({ type: 'delete', key });
      if (existed) save();
      return existed;
    },
    list: (prefix, options) => order.range(prefix, options).map((key) => ({ key, json: values.get(key)! })),
    batch(ops) {
      for (const op of ops) apply(op);
      save();
    },
  });
}
