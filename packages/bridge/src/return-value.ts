import { BridgeValueError } from './errors.js';

/**
 * A top-level return value that cannot cross into the host (a function, a table holding one, a
 * cycle), in its place in `script.run()`'s array. A chunk ending with `return M` — a module table of
 * functions, common in Lua — must still load: the script keeps running and the host sees why the
 * value is not there.
 */
export interface UnconvertibleReturn {
  readonly unconvertible: true;
  /** What could not cross, e.g. `return value #1.greet is a function`. */
  readonly reason: string;
}

/** Converts one top-level return value; a value error becomes an {@link UnconvertibleReturn}. */
export function returnValue(convert: () => unknown): unknown {
  try {
    return convert();
  } catch (error) {
    if (!BridgeValueError.isInstance(error)) throw error;
    return Object.freeze({ unconvertible: true, reason: (error as BridgeValueError).message });
  }
}
