/**
 * Levenshtein distance with one rolling row: small, allocation-light, used only on the error path
 * (suggesting the nearest hook point), never when firing.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const row = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * The candidate nearest to `name` (case-insensitive), if it is close enough to be a typo: at most
 * `max(2, 40 % of the name's length)` edits; ties keep the candidates' order. The rule behind every
 * "Did you mean …?" of hookspell (hook points here, built-in and option names in the bridge,
 * config fields in the CLI), exported so tools built on hookspell suggest the same way.
 *
 * @example
 * ```ts
 * nearestName('BeforeToolExecutoin', HOOK_POINTS); // 'BeforeToolExecution'
 * nearestName('zzz', ['a', 'b']); // undefined
 * ```
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  const needle = name.toLowerCase();
  const limit = Math.max(2, Math.ceil(needle.length * 0.4));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(needle, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
