import { BridgeValueError } from './errors.js';

/** Deepest nesting a value may have to cross the bridge, in either engine. */
export const MAX_DEPTH = 100;

/**
 * The checks every engine makes before converting a host array or object into a guest value:
 * the depth limit, no Map/Set/binary containers, no cycles. Returns the ancestor list with
 * `value` added (the caller removes it when done with the container). Both engines share it so
 * that one host value is refused the same way, with the same message, by Lua and by QuickJS.
 */
export function enterHostContainer<S>(
  value: object,
  path: string,
  depth: number,
  seen: S[] | undefined,
): S[] {
  if (depth >= MAX_DEPTH) throw new BridgeValueError(path, `is nested deeper than ${MAX_DEPTH} levels`);
  if (
    value instanceof Map ||
    value instanceof Set ||
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer
  ) {
    throw new BridgeValueError(path, `is a ${value.constructor.name}; use a plain object or array`);
  }
  const ancestors = seen ?? ([] as S[]);
  if (ancestors.includes(value as S)) throw new BridgeValueError(path, 'is a cycle (it contains itself)');
  ancestors.push(value as S);
  return ancestors;
}
