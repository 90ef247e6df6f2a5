import { BridgeErrorCode, invalidArgument } from './errors.js';

/** A host function a script may call: arguments and result cross by the bridge's value rules. */
export type HostFunction = (...args: any[]) => unknown;

/** What `globals` may hold at each level: host functions, tables of them, and plain data. */
export type HostGlobalValue = HostFunction | { readonly [name: string]: HostGlobalValue } | unknown;

/** `new ScriptRuntime({ globals })`: global name → host function, table of functions, or data. */
export type HostGlobals = Readonly<Record<string, HostGlobalValue>>;

/**
 * The shape of the host globals as both engines build them: a function leaf is known by its id
 * (its index in `fns`), a table by its entries, anything else is data pushed by the value rules.
 * @internal
 */
export type HostTree =
  | { readonly fn: number; readonly path: string }
  | { readonly table: Readonly<Record<string, HostTree>> }
  | { readonly value: unknown };

/** @internal */
export interface HostGlobalsPlan {
  readonly tree: Readonly<Record<string, HostTree>>;
  readonly fns: ReadonlyArray<{ readonly path: string; readonly fn: HostFunction }>;
}

/** Globals the bridge itself installs (in either language): a host global cannot take them. */
export const BRIDGE_GLOBALS: ReadonlySet<string> = new Set([
  'Hook',
  'Event',
  'State',
  'JSON',
  'log',
  'print',
  'console',
  'sleep',
  'os',
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Tables of host functions nest at most this deep (`Agent.tools.web.search` is 4). */
const MAX_HOST_DEPTH = 8;

/**
 * Checks `globals` once, when the runtime is made, and turns it into a plan both engines
 * install from. Names must be identifiers and not one of the bridge's own globals; a table is
 * a plain object (an array or a class instance is data, and must be plain data then).
 */
export function planHostGlobals(globals: unknown): HostGlobalsPlan | undefined {
  if (globals === undefined) return undefined;
  if (!isPlainObject(globals))
    throw invalidArgument(
      '`globals` must be an object of global name → host function, table of functions or data, e.g. `{ Tool: { invoke: async (name, args) => … } }`.',
    );
  const fns: Array<{ path: string; fn: HostFunction }> = [];
  const walk = (value: unknown, path: string, depth: number): HostTree => {
    if (typeof value === 'function') {
      fns.push({ path, fn: value as HostFunction });
      return { fn: fns.length - 1, path };
    }
    if (isPlainObject(value) && containsFunction(value, 0)) {
      if (depth >= MAX_HOST_DEPTH)
        throw invalidArgument(
          `\`globals.${path}\` nests tables of functions deeper than ${MAX_HOST_DEPTH} levels.`,
        );
      const table: Record<string, HostTree> = {};
      for (const [k, v] of Object.entries(value)) table[k] = walk(v, `${path}.${k}`, depth + 1);
      return { table };
    }
    if (containsFunction(value, 0))
      throw invalidArgument(
        `\`globals.${path}\` holds a function inside an array or a class instance; host functions go in plain objects (tables).`,
      );
    return { value };
  };
  const tree: Record<string, HostTree> = {};
  for (const [name, value] of Object.entries(globals)) {
    if (!IDENTIFIER.test(name))
      throw invalidArgument(
        `\`globals\`: ${JSON.stringify(name)} is not a valid global name (letters, digits, _).`,
      );
    if (BRIDGE_GLOBALS.has(name))
      throw invalidArgument(
        `\`globals.${name}\`: ${name} is one of the bridge's own globals (${[...BRIDGE_GLOBALS].join(', ')}); pick another name.`,
      );
    tree[name] = walk(value, name, 1);
  }
  return { tree, fns };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function containsFunction(value: unknown, depth: number): boolean {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null || depth > 32) return false;
  return Object.values(value).some((v) => containsFunction(v, depth + 1));
}

/** How a host function's failure reaches the script: a catchable error with the host's code. */
export interface HostFailure {
  readonly code: string;
  readonly message: string;
}

/** The code and message of what a host function threw (or its promise rejected with). */
export function hostFailure(path: string, error: unknown): HostFailure {
  const e = error as { code?: unknown; message?: unknown; name?: unknown } | null;
  const code =
    e !== null && typeof e === 'object' && typeof e.code === 'string' && e.code !== ''
      ? e.code
      : BridgeErrorCode.HOST_ERROR;
  const text =
    e !== null && typeof e === 'object' && typeof e.message === 'string' ? e.message : String(error);
  return { code, message: `${path}: ${text}` };
}

/** A host function failed: what the script sees (its code and message). @internal */
export class HostCallError extends Error {
  readonly code: string;
  constructor(failure: HostFailure) {
    super(failure.message);
    this.name = 'HostCallError';
    this.code = failure.code;
  }
}

/**
 * Calls host function `id` of `plan`: its value, or a promise that settles with it. A throw or a
 * rejection becomes a {@link HostCallError} carrying the host error's code.
 * @internal
 */
export function callHostFunction(plan: HostGlobalsPlan | undefined, id: number, args: unknown[]): unknown {
  const entry = plan?.fns[id];
  if (entry === undefined) throw invalidArgument(`no host function #${id}`);
  let value: unknown;
  try {
    value = entry.fn(...args);
  } catch (error) {
    throw new HostCallError(hostFailure(entry.path, error));
  }
  if (typeof (value as { then?: unknown } | null)?.then !== 'function') return value;
  return Promise.resolve(value).then(undefined, (error: unknown) => {
    throw new HostCallError(hostFailure(entry.path, error));
  });
}
