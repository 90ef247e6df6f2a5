/**
 * crackerjack's parallel hook algorithm, the baseline our DAG scheduler is compared with: hooks
 * are grouped into levels by dependency depth, and each level (wave) runs under a semaphore of
 * `maxParallel`; a wave starts only when the whole previous wave has finished.
 */
export interface WaveItem {
  name: string;
  dependsOn?: readonly string[];
}

/** Groups items into waves by dependency depth (0 = no dependencies). */
export function wavesOf<T extends WaveItem>(items: readonly T[]): T[][] {
  const byName = new Map(items.map((item) => [item.name, item]));
  const level = new Map<string, number>();
  const depth = (name: string): number => {
    if (!level.has(name))
      level.set(name, Math.max(-1, ...(byName.get(name)!.dependsOn ?? []).map(depth)) + 1);
    return level.get(name)!;
  };
  const waves: T[][] = [];
  for (const item of items) (waves[depth(item.name)] ??= []).push(item);
  return waves;
}

/** Runs `waves` one after another, at most `maxParallel` items of a wave at a time. */
export async function runWaves<T>(
  waves: readonly T[][],
  maxParallel: number,
  run: (item: T) => Promise<unknown>,
): Promise<void> {
  for (const wave of waves) {
    let slots = maxParallel;
    const queue: (() => void)[] = [];
    const acquire = (): Promise<void> => {
      if (slots > 0) {
        slots--;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => queue.push(resolve));
    };
    const release = (): void => {
      if (queue.length) queue.shift()!();
      else slots++;
    };
    await Promise.all(
      wave.map(async (item) => {
        await acquire();
        try {
          await run(item);
        } finally {
          release();
        }
      }),
    );
  }
}
