// Merging hook data must copy own keys only. `Object.assign(target, source)` and `target[key] = v`
// go through [[Set]]: an own `__proto__` key of `source` — exactly what `JSON.parse` gives for a
// command hook's `{"__proto__": {"isAdmin": true}}` — would replace target's prototype, and
// `decision.data.isAdmin` would read `true` without being an own key. Object spread and
// `Object.defineProperty` create own data properties instead, so these helpers use them.

/** A new plain object with `source`'s own enumerable string keys (an own `__proto__` stays a key). */
export function ownCopy(source: Record<string, unknown>): Record<string, unknown> {
  return { ...source };
}

/** Copies `source`'s own enumerable keys into `target` as own data properties; returns `target`. */
export function assignOwn(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
): Record<string, unknown> {
  for (const key of Object.keys(source)) {
    if (key === '__proto__') {
      Object.defineProperty(target, key, {
        value: source[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else target[key] = source[key];
  }
  return target;
}
