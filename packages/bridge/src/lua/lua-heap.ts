import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Host heap in use: the V8 heap plus external memory (where fengari keeps its strings, as
 * Uint8Arrays). ~0.6 µs a read, cheap enough for every count-hook check; `process.memoryUsage()`
 * costs ~9 µs.
 * @internal
 */
export function heapInUse(): number {
  const s = getHeapStatistics();
  return s.used_heap_size + s.external_memory;
}

type Collect = (options?: { type?: 'minor' | 'major' }) => void;
let collect: Collect | null | undefined;

/**
 * V8's `gc` function, obtained the way jest's leak detector does (expose it for one new context,
 * then turn the flag back off) so the host does not need `--expose-gc`; null where that fails.
 */
function collector(): Collect | null {
  if (collect !== undefined) return collect;
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return (collect = own as Collect);
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    collect = typeof gc === 'function' ? (gc as Collect) : null;
  } catch {
    collect = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return collect;
}

/**
 * The heap in use once garbage is gone, for a slice that `limit` bytes of growth since `base` would
 * kill. The meter reads heap growth, and a loop that keeps nothing piles up the interpreter's
 * short-lived objects until V8's next scavenge (the young generation holds up to 16 MiB), some of
 * them promoted to the old generation by scavenges that ran while they were in use. Before a script
 * is killed for memory, a scavenge (~1 ms) and, if that is not enough, a full collection (cost
 * grows with the host's live heap) tell its garbage from what it really holds: a runaway loop ends
 * at its deadline and only a script that keeps what it allocates meets the memory bound. Both run
 * only when the cheap reading is already over the bound, so a script pays for them at most once per
 * bound's worth of garbage.
 * @internal
 */
export function heapInUseAfterCollection(base: number, limit: number): number {
  const gc = collector();
  if (gc === null) return heapInUse();
  gc({ type: 'minor' });
  const heap = heapInUse();
  if (heap - base <= limit) return heap;
  // `gc()` without options: on Node 20 (V8 11.3) `gc({ type: 'major' })` was seen to leave the
  // heap exactly as it was, while the plain call collects fully.
  gc();
  return heapInUse();
}
