import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so equal data gives equal text whatever the order
 * its keys were written in (the original hashed unordered maps: equal contexts, different keys).
 * Dates become ISO strings, Maps sorted entry lists, Sets sorted value lists, BigInts `"<n>n"`;
 * `undefined` and functions are left out of objects (null in arrays), as JSON does; a cycle is
 * written `"[Circular]"`.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) === canonicalJson({ a: [2, { c: 4, d: 3 }], b: 1 }); // true
 * ```
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set()) ?? 'null';
}

/**
 * A stable key for `parts`: the first 32 hex digits of the SHA-256 of their canonical JSON.
 *
 * @example
 * ```ts
 * stableHash({ point: 'BeforeToolExecution', data: { cmd: 'ls' } }); // '9f2c…' (32 hex digits)
 * ```
 */
export function stableHash(parts: unknown): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex').slice(0, 32);
}

function write(value: unknown, path: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(`${value}n`);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const object = value as object;
  if (path.has(object)) return '"[Circular]"';
  if (object instanceof Date)
    return JSON.stringify(Number.isNaN(object.getTime()) ? null : object.toISOString());
  path.add(object);
  try {
    if (Array.isArray(object)) return `[${object.map((v) => write(v, path) ?? 'null').join(',')}]`;
    if (object instanceof Map) {
      const entries = [...object].map(
        ([k, v]) => `[${write(k, path) ?? 'null'},${write(v, path) ?? 'null'}]`,
      );
      return `{"$map":[${entries.sort().join(',')}]}`;
    }
    if (object instanceof Set) {
      return `{"$set":[${[...object]
        .map((v) => write(v, path) ?? 'null')
        .sort()
        .join(',')}]}`;
    }
    const withToJSON = object as { toJSON?: () => unknown };
    if (typeof withToJSON.toJSON === 'function') return write(withToJSON.toJSON(), path);
    const parts: string[] = [];
    for (const key of Object.keys(object).sort()) {
      const v = write((object as Record<string, unknown>)[key], path);
      if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    path.delete(object);
  }
}
