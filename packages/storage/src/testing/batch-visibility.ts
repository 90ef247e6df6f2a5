import type { StorageBackend } from '../index.js';

/** Keys one visibility round writes: enough that a batch applied op by op is caught mid-way. */
const KEYS = 40;
const ROUNDS = 25;

/**
 * Proves that a backend declaring `atomicBatch` never shows a batch half applied: a writer
 * replaces `KEYS` values in one batch per round while readers (the same backend, and another one
 * from the factory when it shares the store — another connection) list them as fast as they can; every listing
 * must see one round's values throughout. A backend that applies a batch op by op with awaits in
 * between — what the conformance suite's validation cases cannot see, since validation rejects
 * their batches before anything is written — shows a mix here. Throws on the first mixed listing.
 */
export async function checkBatchVisibility(
  writer: StorageBackend,
  readers: readonly StorageBackend[],
): Promise<void> {
  const key = (i: number) => `vis/${String(i).padStart(3, '0')}`;
  const round = (value: number) =>
    Array.from({ length: KEYS }, (_, i) => ({ type: 'set' as const, key: key(i), value }));
  await writer.batch(round(0));
  // A second backend from the factory may or may not share the store (memory backends do not):
  // read through those that see what the writer wrote.
  const sharing: StorageBackend[] = [];
  for (const reader of readers) if ((await reader.list('vis/')).length === KEYS) sharing.push(reader);
  let running = true;
  let listings = 0;
  const read = async (reader: StorageBackend): Promise<void> => {
    while (running) {
      const entries = await reader.list('vis/');
      listings++;
      const rounds = new Set(entries.map((e) => e.value));
      if (entries.length !== KEYS || rounds.size !== 1) {
        throw new Error(
          `a reader saw a batch half applied: ${entries.length} of ${KEYS} keys, values from rounds ${[...rounds].join(', ')} — a backend that declares capabilities.atomicBatch must apply a batch all at once (one transaction), or declare atomicBatch: false`,
        );
      }
      // Let the writer and other readers run between listings on an in-process backend.
      await new Promise((r) => setImmediate(r));
    }
  };
  const write = async (): Promise<void> => {
    for (let n = 1; n <= ROUNDS && running; n++) {
      await writer.batch(round(n));
      await new Promise((r) => setImmediate(r));
    }
  };
  // Everyone stops at the first failure and is awaited, so nothing touches the backends after
  // this returns (the suite closes them next).
  const settled = await Promise.allSettled(
    [write(), ...sharing.map(read)].map((p) =>
      p.finally(() => {
        running = false;
      }),
    ),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  if (listings === 0) throw new Error('no reader listed anything while the batches ran');
}
