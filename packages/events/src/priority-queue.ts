import { RingQueue } from './ring-queue.js';

/** The items of one priority, oldest first, and where the level sits in each heap. */
interface Level<T> {
  readonly priority: number;
  readonly items: RingQueue<T>;
  /** Index in the max-heap (`-1` once the level is gone). */
  high: number;
  /** Index in the min-heap. */
  low: number;
}

/**
 * A subscription's queue: higher priority first, first-in first-out among equal priorities, and
 * the two ends `drop-oldest` needs — the next item to deliver (`shift`) and the oldest item of the
 * lowest priority (`evictLowest`).
 *
 * Items live in one ring queue per priority level; the levels present are kept in a max-heap and a
 * min-heap (each level knows its place in both, so an emptied level leaves both in O(log L)). With
 * L distinct priorities queued, every operation is O(1) plus O(log L) when a level appears or
 * empties — O(1) throughout in the usual case of one or a few priorities. (The previous single
 * ring re-sorted on every prioritized insert and eviction: O(queue) each.) Priorities are any
 * finite numbers, so a fixed array of levels would not do; two small heaps of levels are simpler
 * than bringing in an ordered-map library for them.
 */
export class PriorityQueue<T> {
  private readonly levels = new Map<number, Level<T>>();
  private readonly high: Level<T>[] = [];
  private readonly low: Level<T>[] = [];
  private count = 0;
  // The level of the last push: runs of one priority (the usual case) skip the Map lookup.
  private last: Level<T> | undefined;
  // An emptied level's ring, kept for the next level: a queue that fills and drains repeatedly
  // reuses its grown buffer instead of allocating a new one each time.
  private spare: RingQueue<T> | undefined;

  get length(): number {
    return this.count;
  }

  push(item: T, priority: number): void {
    let level = this.last;
    if (level === undefined || level.priority !== priority || level.high < 0) {
      level = this.levels.get(priority) ?? this.addLevel(priority);
      this.last = level;
    }
    level.items.push(item);
    this.count++;
  }

  /** The next item to deliver: the oldest of the highest priority. */
  shift(): T | undefined {
    return this.count === 0 ? undefined : this.take(this.high[0]!);
  }

  /** The item `drop-oldest` gives up: the oldest of the lowest priority. */
  evictLowest(): T | undefined {
    return this.count === 0 ? undefined : this.take(this.low[0]!);
  }

  /** Removes and returns everything, in delivery order. */
  drain(): T[] {
    const out: T[] = [];
    while (this.count > 0) out.push(this.shift()!);
    return out;
  }

  private take(level: Level<T>): T {
    const item = level.items.shift()!;
    this.count--;
    if (level.items.length === 0) this.removeLevel(level);
    return item;
  }

  private addLevel(priority: number): Level<T> {
    const items = this.spare ?? new RingQueue<T>();
    this.spare = undefined;
    const level: Level<T> = { priority, items, high: this.high.length, low: this.low.length };
    this.levels.set(priority, level);
    this.high.push(level);
    this.low.push(level);
    siftUp(this.high, level.high, higher, setHigh);
    siftUp(this.low, level.low, lower, setLow);
    return level;
  }

  private removeLevel(level: Level<T>): void {
    this.levels.delete(level.priority);
    removeAt(this.high, level.high, higher, setHigh);
    removeAt(this.low, level.low, lower, setLow);
    level.high = -1;
    level.low = -1;
    this.spare = level.items;
  }
}

type Before = (a: Level<unknown>, b: Level<unknown>) => boolean;
type SetIndex = (level: Level<unknown>, index: number) => void;

const higher: Before = (a, b) => a.priority > b.priority;
const lower: Before = (a, b) => a.priority < b.priority;
const setHigh: SetIndex = (level, index) => {
  level.high = index;
};
const setLow: SetIndex = (level, index) => {
  level.low = index;
};

function removeAt<L extends Level<unknown>>(heap: L[], index: number, before: Before, set: SetIndex): void {
  const lastLevel = heap.pop()!;
  if (index === heap.length) return; // it was the last one
  heap[index] = lastLevel;
  set(lastLevel, index);
  // The moved level may belong above or below its new place.
  siftDown(heap, siftUp(heap, index, before, set), before, set);
}

function siftUp<L extends Level<unknown>>(heap: L[], index: number, before: Before, set: SetIndex): number {
  const level = heap[index]!;
  while (index > 0) {
    const parentIndex = (index - 1) >> 1;
    const parent = heap[parentIndex]!;
    if (!before(level, parent)) break;
    heap[index] = parent;
    set(parent, index);
    index = parentIndex;
  }
  heap[index] = level;
  set(level, index);
  return index;
}

function siftDown<L extends Level<unknown>>(heap: L[], index: number, before: Before, set: SetIndex): void {
  const level = heap[index]!;
  const n = heap.length;
  for (;;) {
    const left = 2 * index + 1;
    if (left >= n) break;
    const right = left + 1;
    const child = right < n && before(heap[right]!, heap[left]!) ? right : left;
    if (!before(heap[child]!, level)) break;
    heap[index] = heap[child]!;
    set(heap[index]!, index);
    index = child;
  }
  heap[index] = level;
  set(level, index);
}
