const SLOTS = 60;

/**
 * A sum over a sliding time window, in 60 slots: memory is fixed however many values are added,
 * and a value leaves the window at most one slot (window / 60) late.
 * @internal
 */
export class SlidingSum {
  readonly #slotMs: number;
  readonly #sums = new Float64Array(SLOTS);
  /** Slot number each cell holds (a cell from an older turn of the ring is stale). */
  readonly #slots = new Float64Array(SLOTS).fill(-1);

  constructor(windowMs: number) {
    this.#slotMs = windowMs / SLOTS;
  }

  /** Adds `value` at time `now`; returns the new total. */
  add(now: number, value: number): number {
    const slot = Math.floor(now / this.#slotMs);
    const cell = slot % SLOTS;
    if (this.#slots[cell] !== slot) {
      this.#slots[cell] = slot;
      this.#sums[cell] = 0;
    }
    this.#sums[cell]! += value;
    return this.total(now);
  }

  /** The sum of values added in the window ending at `now`. */
  total(now: number): number {
    const slot = Math.floor(now / this.#slotMs);
    let sum = 0;
    for (let i = 0; i < SLOTS; i++) {
      const s = this.#slots[i]!;
      if (s > slot - SLOTS && s <= slot) sum += this.#sums[i]!;
    }
    return sum;
  }
}
