import { types } from 'node:util';

// What a hook hands the journal (its result, the data it merged, what it threw) may be anything:
// a BigInt, a cycle, a revoked Proxy, a getter or `toJSON` that throws. The journal stores every
// entry as JSON text and must never let such a value throw into its writer (one bad entry would
// cost the whole batch). `JSON.stringify` is tried first — it is what a well-behaved entry costs —
// and only when it throws is the value walked here, each read guarded, so that every part JSON can
// keep is kept exactly as `JSON.stringify` writes it and every part it cannot becomes a description.

/** What an unserializable part of an entry is stored as. */
export type UnserializableType =
  /** A BigInt (JSON has none); the reason holds its digits. */
  | 'bigint'
  /** A reference to an object it is inside of. */
  | 'circular'
  /** A Proxy that is revoked or whose trap threw (proxies are not walked: a trap may answer anything). */
  | 'proxy'
  /** Reading it threw: a getter, a `toJSON` method, an array's length. */
  | 'unreadable'
  /** Nested deeper than the walk goes. */
  | 'too-deep'
  /** Its JSON text was over the journal's `maxEntryBytes`. */
  | 'too-large';

/**
 * The stored form of a part of a journal entry that JSON cannot hold, in place of the value: e.g.
 * `{ unserializable: true, type: 'bigint', reason: 'a BigInt (12345678901234567890n); JSON has no BigInt' }`.
 * Replays and comparisons see the same description for the same value.
 */
export interface UnserializableValue {
  readonly unserializable: true;
  readonly type: UnserializableType;
  readonly reason: string;
}

/** True for a stored {@link UnserializableValue}. */
export function isUnserializable(value: unknown): value is UnserializableValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { unserializable?: unknown }).unserializable === true &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { reason?: unknown }).reason === 'string'
  );
}

export function unserializable(type: UnserializableType, reason: string): UnserializableValue {
  return { unserializable: true, type, reason };
}

// The walk descends only along the parts JSON.stringify failed on; past this depth the rest of
// such a part is described, which also bounds the walk on a value nested deep enough to overflow
// JSON.stringify's own stack.
const MAX_WALK_DEPTH = 64;

/**
 * JSON text of `value`, or `undefined` where `JSON.stringify` gives undefined (a function, a
 * symbol, `undefined`). Never throws: a part that would throw is stored as an
 * {@link UnserializableValue}; everything else exactly as `JSON.stringify` writes it.
 */
export function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return walk(value, '', [], 0, true);
  }
}

const text = (type: UnserializableType, reason: string): string =>
  JSON.stringify(unserializable(type, reason));

function walk(
  value: unknown,
  key: string,
  ancestors: object[],
  depth: number,
  failed = false,
): string | undefined {
  const type = typeof value;
  if (type !== 'object' && type !== 'function' && type !== 'bigint') {
    // Strings, numbers, booleans, undefined, symbols: JSON.stringify cannot throw on these.
    return JSON.stringify(value);
  }
  if (type !== 'bigint' && value !== null && types.isProxy(value)) {
    if (!failed) {
      try {
        return JSON.stringify(value);
      } catch (error) {
        return text('proxy', `a Proxy that could not be read (${threw(error)})`);
      }
    }
    return text('proxy', 'a Proxy that could not be read (it is revoked, or a trap threw)');
  }
  if (value === null) return 'null';
  const object = value as object;
  if (ancestors.includes(object)) {
    return text('circular', 'a reference to an object it is inside of (JSON cannot hold a cycle)');
  }
  if (!failed) {
    try {
      return JSON.stringify(value);
    } catch {
      // walk it below
    }
  }
  if (type === 'bigint') {
    return text('bigint', `a BigInt (${(value as bigint).toString()}n); JSON has no BigInt`);
  }
  if (depth >= MAX_WALK_DEPTH) {
    return text(
      'too-deep',
      `nested deeper than ${MAX_WALK_DEPTH} levels below a part that could not be serialised`,
    );
  }
  ancestors.push(object);
  try {
    let toJSON: unknown;
    try {
      toJSON = (object as { toJSON?: unknown }).toJSON;
    } catch (error) {
      return text('unreadable', `reading its toJSON threw ${threw(error)}`);
    }
    if (typeof toJSON === 'function') {
      let replaced: unknown;
      try {
        replaced = toJSON.call(object, key);
      } catch (error) {
        return text('unreadable', `its toJSON() threw ${threw(error)}`);
      }
      if (replaced !== object) return walk(replaced, key, ancestors, depth + 1);
    }
    if (type === 'function') return undefined;
    if (Array.isArray(object)) return walkArray(object, ancestors, depth);
    return walkObject(object as Record<string, unknown>, ancestors, depth);
  } finally {
    ancestors.pop();
  }
}

function walkArray(array: unknown[], ancestors: object[], depth: number): string {
  let length: number;
  try {
    length = array.length;
  } catch (error) {
    return text('unreadable', `reading its length threw ${threw(error)}`);
  }
  const parts: string[] = [];
  for (let i = 0; i < length; i++) {
    let item: unknown;
    try {
      item = array[i];
    } catch (error) {
      parts.push(text('unreadable', `reading it threw ${threw(error)}`));
      continue;
    }
    parts.push(walk(item, String(i), ancestors, depth + 1) ?? 'null');
  }
  return `[${parts.join(',')}]`;
}

function walkObject(object: Record<string, unknown>, ancestors: object[], depth: number): string {
  let keys: string[];
  try {
    keys = Object.keys(object);
  } catch (error) {
    return text('unreadable', `listing its keys threw ${threw(error)}`);
  }
  const parts: string[] = [];
  for (const key of keys) {
    let item: unknown;
    try {
      item = object[key];
    } catch (error) {
      parts.push(`${JSON.stringify(key)}:${text('unreadable', `reading it threw ${threw(error)}`)}`);
      continue;
    }
    const json = walk(item, key, ancestors, depth + 1);
    if (json !== undefined) parts.push(`${JSON.stringify(key)}:${json}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * What was thrown, in words, without trusting it: its `name`, `message` and `toString` may throw
 * too, and it may be a revoked Proxy.
 */
export function threw(thrown: unknown): string {
  try {
    switch (typeof thrown) {
      case 'string':
        return JSON.stringify(clip(thrown));
      case 'symbol':
      case 'bigint':
      case 'undefined':
      case 'function':
        return `a ${typeof thrown}`;
      case 'object':
        break;
      default:
        return String(thrown);
    }
    if (thrown === null) return 'null';
    if (types.isProxy(thrown)) return 'a Proxy';
    if (thrown instanceof Error) {
      let name: unknown;
      let message: unknown;
      try {
        ({ name, message } = thrown);
      } catch {
        return 'an Error whose name or message could not be read';
      }
      if (typeof name === 'string' && typeof message === 'string') return `${name}: ${clip(message)}`;
      return 'an Error without a string name and message';
    }
    return Object.getPrototypeOf(thrown) === null ? 'an object with a null prototype' : 'an object';
  } catch {
    return 'a value that could not be described (reading it threw too)';
  }
}

function clip(message: string): string {
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}
