/** The original's sensitive names. */
export const SENSITIVE_KEYS: readonly string[] = Object.freeze([
  'password',
  'token',
  'key',
  'secret',
  'api_key',
  'auth',
  'authorization',
]);

/**
 * A test for sensitive property names, case-insensitive, by word: a name is split into words at
 * `_`, `-`, `.`, spaces and camelCase humps, and matches when a pattern's words appear in it in a
 * row — or, written together, the name is the pattern or ends with a pattern of 5+ letters. So
 * `apiKey`, `apikey`, `X-Auth-Token`, `accesstoken`, `PASSWORD`, `passwordHash` match; `monkey`,
 * `keyboard`, `author` do not.
 *
 * @example
 * ```ts
 * const sensitive = sensitiveKeyMatcher(SENSITIVE_KEYS);
 * sensitive('apiKey'); // true
 * sensitive('monkey'); // false
 * ```
 */
export function sensitiveKeyMatcher(patterns: readonly string[]): (name: string) => boolean {
  const wanted = patterns.map(words).filter((w) => w.length > 0);
  const compact = wanted.map((w) => w.join(''));
  const memo = new Map<string, boolean>();
  return (name) => {
    let hit = memo.get(name);
    if (hit === undefined) {
      const w = words(name);
      const joined = w.join('');
      hit =
        wanted.some((p) => containsRun(w, p)) ||
        compact.some((c) => joined === c || (c.length >= 5 && joined.endsWith(c)));
      if (memo.size < 10_000) memo.set(name, hit);
    }
    return hit;
  };
}

/**
 * A copy of `value` with the values of sensitive keys replaced by `mask`, at any depth (objects
 * and arrays); the count of masked values. Cycles are kept as `'[Circular]'`. `value` is not changed.
 */
export function maskSensitive(
  value: unknown,
  isSensitive: (name: string) => boolean,
  mask = '***',
): { value: unknown; masked: number } {
  let masked = 0;
  const path = new Set<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (path.has(v)) return '[Circular]';
    if (
      !Array.isArray(v) &&
      Object.getPrototypeOf(v) !== Object.prototype &&
      Object.getPrototypeOf(v) !== null
    ) {
      return v; // class instances (Date, Buffer, Error …) are kept as they are
    }
    path.add(v);
    try {
      if (Array.isArray(v)) return v.map(walk);
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) {
        if (isSensitive(k) && inner !== undefined && inner !== null) {
          out[k] = mask;
          masked++;
        } else out[k] = walk(inner);
      }
      return out;
    } finally {
      path.delete(v);
    }
  };
  const out = walk(value);
  return { value: masked === 0 ? value : out, masked };
}

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_.\-:/]+/)
    .filter((w) => w.length > 0);
}

function containsRun(haystack: readonly string[], needle: readonly string[]): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
