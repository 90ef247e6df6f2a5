/** One place where two values differ. */
export interface Difference {
  /** e.g. `result.data.total`, `status`, `result.operations[1].id` */
  readonly path: string;
  readonly original: unknown;
  readonly replayed: unknown;
}

/** How alike two executions are. */
export interface Comparison {
  readonly identical: boolean;
  /** Share of compared leaf values that are equal, from 0 to 1 (1 when identical). */
  readonly similarity: number;
  readonly differences: readonly Difference[];
}

export interface CompareOptions {
  /** Property names never compared, at any depth. @default TIME_KEYS */
  ignoreKeys?: readonly string[];
  /** Also ignore property names ending with one of these (the built-ins' `*_at` stamps). @default ['_at'] */
  ignoreSuffixes?: readonly string[];
}

/** Timestamps and durations: they differ on every run, so a comparison leaves them out. */
export const TIME_KEYS: readonly string[] = Object.freeze([
  'timestamp',
  'startedAt',
  'recordedAt',
  'durationMs',
  'duration_ms',
  'seq',
  'at',
]);

/**
 * Compares two values leaf by leaf (objects by key, arrays by position), leaving out timestamps
 * and durations; the similarity is the share of leaves, over both sides, that are equal.
 *
 * @example
 * ```ts
 * compareResults(
 *   { type: 'modified', data: { total: 3, items: 2, startedAt: 1 } },
 *   { type: 'modified', data: { total: 4, items: 2, startedAt: 9 } },
 * ); // { identical: false, similarity: 0.67, differences: [{ path: 'data.total', original: 3, replayed: 4 }] }
 * ```
 */
export function compareResults(
  original: unknown,
  replayed: unknown,
  options: CompareOptions = {},
): Comparison {
  const ignore = new Set(options.ignoreKeys ?? TIME_KEYS);
  const suffixes = options.ignoreSuffixes ?? ['_at'];
  const skip = (key: string): boolean => ignore.has(key) || suffixes.some((s) => key.endsWith(s));
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(original, '', a, skip);
  flatten(replayed, '', b, skip);
  const differences: Difference[] = [];
  let equal = 0;
  const paths = new Set([...a.keys(), ...b.keys()]);
  for (const path of paths) {
    const x = a.get(path);
    const y = b.get(path);
    if (a.has(path) && b.has(path) && sameLeaf(x, y)) equal++;
    else differences.push({ path, original: x, replayed: y });
  }
  const similarity = paths.size === 0 ? 1 : equal / paths.size;
  return { identical: differences.length === 0, similarity, differences };
}

function flatten(
  value: unknown,
  path: string,
  out: Map<string, unknown>,
  skip: (key: string) => boolean,
): void {
  if (typeof value !== 'object' || value === null) {
    if (value !== undefined) out.set(path || '(value)', value);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path || '(value)', '[]');
    for (let i = 0; i < value.length; i++) flatten(value[i], `${path}[${i}]`, out, skip);
    return;
  }
  const keys = Object.keys(value).filter((k) => !skip(k));
  if (keys.length === 0) out.set(path || '(value)', '{}');
  for (const k of keys) flatten((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out, skip);
}

function sameLeaf(x: unknown, y: unknown): boolean {
  return Object.is(x, y) || (typeof x === 'number' && typeof y === 'number' && x === y);
}
