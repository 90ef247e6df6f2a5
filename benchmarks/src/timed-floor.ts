/**
 * Not a library: the least any runner that times its hooks must do — a clock reading before the
 * first hook and after each one, a record per hook, an outcome — and nothing hookspell adds
 * (context, breaker, timeout, metrics, aggregate). It shows how much of the distance to tapable
 * is the clock itself.
 */
export function timedFloor(
  handlers: readonly ((input: unknown) => Promise<void>)[],
  n: number,
  input: unknown,
): () => Promise<{ records: { status: string; durationMs: number }[] }> {
  const hs = handlers.slice(0, n);
  return async () => {
    let t = performance.now();
    const records = new Array<{ status: string; durationMs: number }>(n);
    for (let i = 0; i < n; i++) {
      await hs[i]!(input);
      const end = performance.now();
      records[i] = { status: 'ok', durationMs: end - t };
      t = end;
    }
    return { records };
  };
}
