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
  // Ancestors on the current path: finds cycles, and rebuilds the path only when reporting.
  const ancestors: object[] = [];
  const keys: (string | number)[] = [];
  const problem = check(value, ancestors, keys);
  return problem === undefined ? undefined : `${formatPath(path, keys)} ${problem}`;
}

// Returns what is wrong (without the path), leaving `keys` pointing at the bad value.
function check(value: unknown, ancestors: object[], keys: (string | number)[]): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `is ${value}, which JSON cannot represent`;
    case 'object':
      break;
    case 'undefined':
      return 'is undefined; use null or leave the property out';
    case 'bigint':
      return 'is a BigInt; convert it to a number or a string';
    default:
      return `is a ${typeof value}, which is not JSON`;
  }
  if (value === null) return undefined;
  if (ancestors.length >= MAX_DEPTH) return `is nested deeper than ${MAX_DEPTH} levels`;
  if (ancestors.includes(value)) return 'is a circular reference';
  if (Array.isArray(value)) {
    ancestors.push(value);
    for (let i = 0; i < value.length; i++) {
      keys.push(i);
      // Holes in sparse arrays read as undefined and are reported as such.
      const problem = check(value[i], ancestors, keys);
      if (problem !== undefined) return problem;
      keys.pop();
    }
    ancestors.pop();
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    return `is ${describeType(value)}, not a plain object; convert it to plain data first`;
  }
  if (Object.getOwnPropertySymbols(value).length > 0) return 'has symbol keys, which are not JSON';
  ancestors.push(value);
  for (const key in value) {
    keys.push(key);
    const problem = check((value as Record<string, unknown>)[key], ancestors, keys);
    if (problem !== undefined) return problem;
    keys.pop();
  }
  ancestors.pop();
  return undefined;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function formatPath(root: string, keys: (string | number)[]): string {
  let path = root;
  for (const key of keys) {
    if (typeof key === 'number') path += `[${key}]`;
    else path += IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  }
  return path;
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
export function decodeJsonValue<T extends JsonValue = JsonValue>(
  backend: string,
  key: string,
  json: string,
): T {
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
