import { systemClock } from './clock.js';

/** Something waiting for a deadline; the fields are the list's links. @internal */
export interface DeadlineWaiter {
  deadline: number;
  prevWaiter: DeadlineWaiter | null;
  nextWaiter: DeadlineWaiter | null;
  waitingOn: DeadlineList | null;
  /** Called once, when the deadline passes before `remove`. */
  onDeadline(now: number): void;
}

/**
 * Running hooks that share one timeout duration, in start order — which is deadline order, so
 * adding is an append and the earliest deadline is always the head. One Node timer per list,
 * armed for the head; a hook that settles just unlinks itself.
 *
 * Why not one `setTimeout` per running hook: measured on Node 20, `setTimeout` + `clearTimeout`
 * costs ~350 ns, a quarter of the whole budget of a fire with one async hook (the target
 * is half of tapable's throughput), while append + unlink + `ref`/`unref` costs ~20 ns. This is
 * how Node's own timer lists work, minus an object and a heap insert per call. The record still
 * arrives when the timeout expires (plus the timer's ~1 ms granularity).
 *
 * The timer is ref'd while anything waits (a hook that never settles keeps the process alive
 * until its timeout, as a per-hook timer would). When the list empties, an idle check is
 * scheduled (one `setImmediate`, not one per hook) that unrefs the timer if the list is still
 * empty, so an idle executor never holds the process open, and a busy one does not toggle the
 * timer's ref for every hook (each toggle is a call into libuv, ~50 ns).
 * @internal
 */
export class DeadlineList {
  private head: DeadlineWaiter | null = null;
  private tail: DeadlineWaiter | null = null;
  private timer: NodeJS.Timeout | undefined;
  private refed = false;
  private idleCheck: NodeJS.Immediate | undefined;

  constructor(readonly timeoutMs: number) {}

  /** Starts waiting; `start` is `systemClock.now()` when the hook started. */
  add(waiter: DeadlineWaiter, start: number): void {
    waiter.deadline = start + this.timeoutMs;
    waiter.waitingOn = this;
    waiter.nextWaiter = null;
    waiter.prevWaiter = this.tail;
    if (this.tail === null) this.head = waiter;
    else this.tail.nextWaiter = waiter;
    this.tail = waiter;
    if (this.timer === undefined) this.arm(this.timeoutMs);
    else if (!this.refed) {
      this.timer.ref();
      this.refed = true;
    }
  }

  /**
   * Waits again, for a new hook of the same waiter (a sequential chain's next hook): `add` for a
   * waiter already in this list. The tail — the only waiter when one fire is in flight — just
   * takes its new deadline, which is the latest in the list, so the order holds without an
   * unlink and an append (each a pointer store into this long-lived list, which costs a write
   * barrier). Any other waiter moves to the tail.
   */
  refresh(waiter: DeadlineWaiter, start: number): void {
    if (waiter.waitingOn !== this || waiter !== this.tail) {
      this.remove(waiter);
      this.add(waiter, start);
      return;
    }
    waiter.deadline = start + this.timeoutMs;
    if (this.timer === undefined) this.arm(this.timeoutMs);
    else if (!this.refed) {
      this.timer.ref();
      this.refed = true;
    }
  }

  /** Stops waiting (the hook settled). Safe to call twice. */
  remove(waiter: DeadlineWaiter): void {
    if (waiter.waitingOn !== this) return;
    const { prevWaiter, nextWaiter } = waiter;
    if (prevWaiter === null) this.head = nextWaiter;
    else prevWaiter.nextWaiter = nextWaiter;
    if (nextWaiter === null) this.tail = prevWaiter;
    else nextWaiter.prevWaiter = prevWaiter;
    waiter.prevWaiter = waiter.nextWaiter = null;
    waiter.waitingOn = null;
    if (this.head === null && this.refed && this.idleCheck === undefined) {
      this.idleCheck = setImmediate(this.unrefIfIdle);
    }
  }

  private readonly unrefIfIdle = (): void => {
    this.idleCheck = undefined;
    if (this.head === null && this.refed) {
      this.timer?.unref();
      this.refed = false;
    }
  };

  private arm(ms: number): void {
    this.timer = setTimeout(this.expire, Math.max(1, Math.ceil(ms)));
    this.refed = true;
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    this.refed = false;
    const now = systemClock.now();
    while (this.head !== null && this.head.deadline <= now) {
      const waiter = this.head;
      this.remove(waiter);
      try {
        waiter.onDeadline(now);
      } catch {
        // A waiter never throws by design; if one did, the others must still expire.
      }
    }
    if (this.head !== null) this.arm(this.head.deadline - now);
  };
}

const lists = new Map<number, DeadlineList>();

/** The shared list for one timeout duration. @internal */
export function deadlineList(timeoutMs: number): DeadlineList {
  let list = lists.get(timeoutMs);
  if (list === undefined) {
    list = new DeadlineList(timeoutMs);
    lists.set(timeoutMs, list);
  }
  return list;
}
