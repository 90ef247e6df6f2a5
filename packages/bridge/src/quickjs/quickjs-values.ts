import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
import { BridgeValueError } from '../errors.js';
import { enterHostContainer, MAX_DEPTH } from '../host-containers.js';

/** With the `u` flag a surrogate pair is one code point, so this matches lone surrogates only. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Deepest nesting that crosses the bridge. */
export { MAX_DEPTH } from '../host-containers.js';

/**
 * Guest-side half of guest → host conversion, compiled once per context before the script runs
 * (so it holds the original intrinsics even if the script later replaces them). It checks the
 * value with the bridge's rules and returns JSON text, or throws `{ __bridgeValue, path, problem }`.
 * One call and one string cross the boundary instead of a call per property; JSON keeps lone
 * surrogates exact (`\udXXX` escapes), and the host's `JSON.parse` makes plain own properties,
 * so a `__proto__` key can never reach a host prototype.
 */
export const TO_HOST_SOURCE = `(() => {
  'use strict';
  const isArray = Array.isArray, keys = Object.keys, getProto = Object.getPrototypeOf;
  const define = Object.defineProperty, OP = Object.prototype, stringify = JSON.stringify;
  const finite = Number.isFinite, ident = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  const test = (re, s) => re.test(s);
  const fail = (path, problem) => { throw { __bridgeValue: true, path, problem }; };
  const child = (path, k) => test(ident, k) ? path + '.' + k : path + '[' + stringify(k) + ']';
  function walk(v, path, depth, stack) {
    switch (typeof v) {
      case 'undefined': return undefined;
      case 'boolean': case 'string': return v;
      case 'number':
        if (!finite(v)) fail(path, 'is ' + v + '; NaN and ±Infinity cannot cross the bridge');
        return v;
      case 'object': {
        if (v === null) return null;
        if (depth >= ${MAX_DEPTH}) fail(path, 'is nested deeper than ${MAX_DEPTH} levels');
        for (let i = 0; i < stack.length; i++) if (stack[i] === v) fail(path, 'is a cycle (it contains itself)');
        if (typeof v.toJSON === 'function') return walk(v.toJSON(), path, depth, stack);
        stack.push(v);
        let out;
        if (isArray(v)) {
          out = [];
          const n = v.length;
          for (let i = 0; i < n; i++) {
            const item = v[i];
            if (item === undefined) fail(path + '[' + i + ']', 'is undefined inside an array (use null)');
            const w = walk(item, path + '[' + i + ']', depth + 1, stack);
            if (w === undefined) fail(path + '[' + i + ']', 'cannot be an array item');
            out[i] = w;
          }
        } else {
          const proto = getProto(v);
          if (proto !== OP && proto !== null) {
            const ctor = proto && proto.constructor && proto.constructor.name;
            fail(path, 'is ' + (ctor ? 'a ' + ctor : 'not a plain object') + '; use a plain object or array');
          }
          out = {};
          const ks = keys(v);
          for (let i = 0; i < ks.length; i++) {
            const k = ks[i];
            const w = walk(v[k], child(path, k), depth + 1, stack);
            if (w !== undefined) define(out, k, { value: w, enumerable: true, writable: true, configurable: true });
          }
        }
        stack.pop();
        return out;
      }
      default:
        fail(path, 'is a ' + typeof v + '; only JSON-like data crosses the bridge');
    }
  }
  return (v, path) => {
    const w = walk(v, path, 0, []);
    return w === undefined ? undefined : stringify(w);
  };
})()`;

/** Guest intrinsics the host needs, captured before the script runs. @internal */
export interface GuestHelpers {
  toHost: QuickJSHandle;
  jsonParse: QuickJSHandle;
}

/** Reads a guest error thrown by the guest half of the conversion, if that is what it is. */
export function bridgeValueProblem(dumped: unknown): BridgeValueError | undefined {
  if (
    typeof dumped === 'object' &&
    dumped !== null &&
    (dumped as { __bridgeValue?: unknown }).__bridgeValue === true
  ) {
    const d = dumped as { path: string; problem: string };
    return new BridgeValueError(String(d.path), String(d.problem));
  }
  return undefined;
}

function child(path: string, k: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
}

/**
 * A host value as a new guest handle (the caller disposes it). Same rules as for Lua: JSON-like
 * data only; NaN/±Infinity, functions, symbols, bigints, Maps, cycles and depth > 100 throw
 * `BridgeValueError` naming the path. Strings cross as UTF-16 exactly: a string with a lone
 * surrogate goes through the guest's `JSON.parse`, because the UTF-8 hop of `newString` would
 * turn it into U+FFFD.
 */
export function toHandle(
  vm: QuickJSContext,
  helpers: GuestHelpers,
  value: unknown,
  path: string,
  depth = 0,
  seen?: object[],
): QuickJSHandle {
  switch (typeof value) {
    case 'undefined':
      return vm.undefined;
    case 'boolean':
      return value ? vm.true : vm.false;
    case 'number':
      if (!Number.isFinite(value))
        throw new BridgeValueError(path, `is ${value}; NaN and ±Infinity cannot cross the bridge`);
      return vm.newNumber(value);
    case 'string':
      return LONE_SURROGATE.test(value)
        ? parseInGuest(vm, helpers, JSON.stringify(value))
        : vm.newString(value);
    case 'object': {
      if (value === null) return vm.null;
      if (depth >= MAX_DEPTH) throw new BridgeValueError(path, `is nested deeper than ${MAX_DEPTH} levels`);
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
        return toHandle(vm, helpers, (value as { toJSON(): unknown }).toJSON(), path, depth, seen);
      seen = enterHostContainer(value, path, depth, seen);
      let out: QuickJSHandle | undefined;
      try {
        if (Array.isArray(value)) {
          out = vm.newArray();
          for (let i = 0; i < value.length; i++) {
            const h = toHandle(vm, helpers, value[i] ?? null, `${path}[${i}]`, depth + 1, seen);
            vm.setProp(out, i, h);
            h.dispose();
          }
        } else {
          out = vm.newObject();
          for (const k of Object.keys(value)) {
            const v = (value as Record<string, unknown>)[k];
            if (v === undefined) continue;
            const h = toHandle(vm, helpers, v, child(path, k), depth + 1, seen);
            // defineProp, not setProp: a "__proto__" key stays an own data property in the guest.
            if (k === '__proto__') vm.defineProp(out, k, { value: h, enumerable: true, configurable: true });
            else vm.setProp(out, k, h);
            h.dispose();
          }
        }
      } catch (error) {
        out?.dispose();
        throw error;
      }
      seen.pop();
      return out;
    }
    default:
      throw new BridgeValueError(path, `is a ${typeof value}; only JSON-like data crosses the bridge`);
  }
}

function parseInGuest(vm: QuickJSContext, helpers: GuestHelpers, json: string): QuickJSHandle {
  const text = vm.newString(json);
  try {
    return vm.unwrapResult(vm.callFunction(helpers.jsonParse, vm.undefined, text));
  } finally {
    text.dispose();
  }
}
