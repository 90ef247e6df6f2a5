/**
 * The last `capacity` items, oldest first: a fixed array written round, so memory stays bounded
 * whatever is pushed.
 * @internal
 */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#items = new Array(capacity);
  }

  push(item: T): void {
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  get size(): number {
    return this.#size;
  }

  /** Items oldest first (newest first with `reverse`). */
  *items(reverse = false): Generator<T> {
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let k = 0; k < this.#size; k++) {
      const i = reverse ? (start + this.#size - 1 - k) % this.capacity : (start + k) % this.capacity;
      yield this.#items[i]!;
    }
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#next = 0;
    this.#size = 0;
  }
}
