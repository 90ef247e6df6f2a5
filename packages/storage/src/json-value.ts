import { types } from 'node:util';
import { StorageError, StorageErrorCode } from './errors/storage-error.js';
import { describeType } from './keys.js';
import type { JsonValue } from './types.js';

const MAX_DEPTH = 512;
// Node's own check: no trap of the proxy runs, and it works on a revoked one.
const { isProxy } = types;

/**
 * Returns a description of the first part of `value` that is not plain JSON, with its path
 * (`value.items[3].at`), or `undefined` when the whole value is JSON: null, booleans, finite
 * numbers, strings, arrays (of `Array.prototype`, elements only: no named or symbol keys) and
 * plain objects (prototype `Object.prototype` or `null`, no symbol keys). Never throws: a Proxy
 * is refused before any of its traps could run, and a getter that throws is reported at its path.
 */
export function jsonValueProblem(value: unknown, path = 'value'): string | undefined {
  // Ancestors on the current path: finds cycles, and rebuilds the path only when reporting.
  const ancestors: object[] = [];
  const keys: (string | number)[] = [];
  let problem: string | undefined;
  try {
    problem = check(value, ancestors, keys);
  } catch (error) {
    // Only a getter can throw here (proxies never reach a read): `keys` ends at its property.
    problem = `could not be read: its getter threw ${describeThrown(error)}. Store plain data (copy the value's fields into a new object first)`;
  }
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
  // Before anything that would run a trap: a proxy can answer each read differently (what was
  // checked is then not what is stored), throw from any trap, or be revoked.
  if (isProxy(value)) {
    return 'is a Proxy, which storage does not read (its traps could throw or answer differently each time); store a plain copy of its data';
  }
  if (ancestors.length >= MAX_DEPTH) return `is nested deeper than ${MAX_DEPTH} levels`;
  if (ancestors.includes(value)) return 'is a circular reference';
  if (Array.isArray(value)) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Array.prototype) {
      const name = proto?.constructor?.name;
      return `is ${typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an array of another prototype'}, not a plain array; convert it first (Array.from(value))`;
    }
    ancestors.push(value);
    const length = value.length;
    for (let i = 0; i < length; i++) {
      keys.push(i);
      // Holes in sparse arrays read as undefined and are reported as such.
      const problem = check(value[i], ancestors, keys);
      if (problem !== undefined) return problem;
      keys.pop();
    }
    ancestors.pop();
    // JSON keeps only the elements: a named property (a RegExp match's `index`, a tagged list)
    // would be lost without a word. No holes are left, so the indices are `length` keys.
    const own = Object.keys(value);
    if (own.length !== length) {
      keys.push(namedKey(own));
      return 'is a named property of an array, which JSON drops (it keeps only the elements); store an object instead, e.g. { items: [...], name: value }';
    }
    if (Object.getOwnPropertySymbols(value).length > 0) return 'has symbol keys, which are not JSON';
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

// The first key of an array that is not an index (`own` has more keys than the array has elements).
function namedKey(own: readonly string[]): string {
  for (let i = 0; i < own.length; i++) if (own[i] !== String(i)) return own[i]!;
  return own[own.length - 1]!;
}

/**
 * What a getter threw, in words, without trusting it: its `name`, `message` and `toString` may
 * themselves throw, and it may be a revoked proxy.
 */
export function describeThrown(thrown: unknown): string {
  try {
    if (typeof thrown === 'object' && thrown !== null) {
      if (isProxy(thrown)) return 'a Proxy';
      if (thrown instanceof Error) {
        try {
          const { name, message } = thrown;
          if (typeof name === 'string' && typeof message === 'string') {
            return `${name}: ${message.length > 200 ? `${message.slice(0, 200)}…` : message}`;
          }
        } catch {
          // its name or message getter threw: say what it is instead
        }
      }
      return describeType(thrown);
    }
    return typeof thrown === 'string' ? JSON.stringify(thrown.slice(0, 200)) : `a ${typeof thrown}`;
  } catch {
    return 'a value that could not be described (reading it threw too)';
  }
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
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    // Only a getter that answered the check and then threw can get here.
    throw new StorageError(
      backend,
      StorageErrorCode.INVALID_VALUE,
      `Cannot store this value: ${where} changed while it was being stored (a getter threw ${describeThrown(cause)} on its second read). Store plain data.`,
      { cause },
    );
  }
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
