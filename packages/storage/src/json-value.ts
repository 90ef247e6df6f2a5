import { StorageError, StorageErrorCode } from './errors/storage-error.js';
import { describeType } from './keys.js';
import type { JsonValue } from './types.js';

const MAX_DEPTH = 512;

/**
 * Returns a description of the first part of `value` that is not plain JSON, with its path
 * (`value.items[3].at`), or `undefined` when the whole value is JSON: null, booleans, finite
 * numbers, strings, arrays and plain objects (prototype `Object.prototype` or `null`).
 */
export function jsonValueProblem(value: unknown, path = 'value'): string | undefined {
  return check(value, path, new Set(), 0);
}

function check(value: unknown, path: string, seen: Set<object>, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON cannot represent`;
    case 'object':
      break;
    case 'undefined':
      return `${path} is undefined; use null or leave the property out`;
    case 'bigint':
      return `${path} is a BigInt; convert it to a number or a string`;
    default:
      return `${path} is a ${typeof value}, which is not JSON`;
  }
  if (value === null) return undefined;
  if (depth >= MAX_DEPTH) return `${path} is nested deeper than ${MAX_DEPTH} levels`;
  if (seen.has(value)) return `${path} is a circular reference`;
  if (Array.isArray(value)) {
    seen.add(value);
    for (let i = 0; i < value.length; i++) {
      // Holes in sparse arrays read as undefined and are reported as such.
      const problem = check(value[i], `${path}[${i}]`, seen, depth + 1);
      if (problem !== undefined) return problem;
    }
    seen.delete(value);
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    return `${path} is ${describeType(value)}, not a plain object; convert it to plain data first`;
  }
  if (Object.getOwnPropertySymbols(value).length > 0) return `${path} has symbol keys, which are not JSON`;
  seen.add(value);
  for (const key in value) {
    const problem = check((value as Record<string, unknown>)[key], childPath(path, key), seen, depth + 1);
    if (problem !== undefined) return problem;
  }
  seen.delete(value);
  return undefined;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Validates `value` and encodes it as JSON text. Throws `StorageError` `HOOKSPELL_INVALID_VALUE`
 * naming the path of the first bad part, or `HOOKSPELL_VALUE_TOO_LARGE` past `maxBytes`.
 */
export function encodeJsonValue(backend: string, value: unknown, maxBytes: number, where = 'value'): string {
  const problem = jsonValueProblem(value, where);
  if (problem !== undefined) {
    throw new StorageError(backend, StorageErrorCode.INVALID_VALUE, `Cannot store this value: ${problem}.`);
  }
  const json = JSON.stringify(value);
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short strings skip the exact count.
  if (json.length * 3 > maxBytes && Buffer.byteLength(json, 'utf8') > maxBytes) {
    throw new StorageError(
      backend,
      StorageErrorCode.VALUE_TOO_LARGE,
      `Cannot store ${where}: its JSON form is ${Buffer.byteLength(json, 'utf8')} bytes, over this backend's limit of ${maxBytes} bytes. Store it in smaller pieces, or raise \`maxValueBytes\` where the backend is created.`,
    );
  }
  return json;
}

/** Decodes JSON text written by {@link encodeJsonValue}. */
export function decodeJsonValue<T extends JsonValue = JsonValue>(backend: string, key: string, json: string): T {
  try {
    return JSON.parse(json) as T;
  } catch (cause) {
    throw new StorageError(
      backend,
      StorageErrorCode.CORRUPT,
      `The value stored under ${JSON.stringify(key)} is not valid JSON; the store was changed outside hookspell or is damaged.`,
      { cause },
    );
  }
}
