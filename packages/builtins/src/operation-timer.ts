import type { HookContext } from '@hookspell/hooks';
import { BoundedMap } from './bounded-map.js';
import { AFTER_OF, operationOf } from './builtin-hook.js';

/**
 * Times operations from a before-point to its after-point for the same component. Paired by
 * correlation id when the host fires both under one id; otherwise (a bare executor gives every
 * fire its own id) with the latest start of that operation on that component, whose entry then
 * goes too, so unpaired starts never pile up. At most about 2 × `capacity` starts are kept.
 * @internal
 */
export class OperationTimer {
  readonly #started: BoundedMap<string, number>;
  readonly #latest: BoundedMap<string, string>;

  constructor(capacity: number) {
    this.#started = new BoundedMap(capacity);
    this.#latest = new BoundedMap(capacity);
  }

  /**
   * At a before-point: remembers `now` and returns undefined. At its after-point: the time since
   * the matching before-point, or undefined. Other points: undefined.
   */
  observe(ctx: HookContext, now: number): number | undefined {
    const op = `${operationOf(ctx.point)}|${ctx.component.type}:${ctx.component.name}`;
    const corrKey = `${op}|${ctx.correlationId}`;
    if (AFTER_OF[ctx.point] !== undefined) {
      this.#started.set(corrKey, now);
      this.#latest.set(op, corrKey);
      return undefined;
    }
    let key = corrKey;
    let start = this.#started.get(key);
    if (start === undefined) {
      key = this.#latest.get(op) ?? corrKey;
      start = this.#started.get(key);
    }
    if (start === undefined) return undefined;
    this.#started.delete(key);
    if (this.#latest.get(op) === key) this.#latest.delete(op);
    return now - start;
  }

  clear(): void {
    this.#started.clear();
    this.#latest.clear();
  }
}
