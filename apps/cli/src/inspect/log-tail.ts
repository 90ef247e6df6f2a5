import type { EventLog, HookspellEvent } from '@hookspell/events';
import type { StorageBackend } from '@hookspell/storage';

export interface LogTailOptions {
  /** How often to look for new events. @default 200 */
  intervalMs?: number;
  /** How often a sweep runs (the other polls read only above the newest sequence). @default 2000 */
  sweepMs?: number;
  /**
   * How many of the newest events a sweep reads again: a commit can land below events already
   * seen (a writer's late event merged into an older segment, or two writers whose commits
   * cross), and a sweep finds it. @default 2000
   */
  sweepEvents?: number;
  /** The events log's key prefix (for the cheap change check). @default 'events/' */
  prefix?: string;
  /** Told when a poll fails (storage gone, …); polling goes on. */
  onError?: (error: unknown) => void;
}

type Listener = (events: readonly HookspellEvent[]) => void;

const PAGE = 2000;

/**
 * Follows an event log that other processes write: there is no cross-process notification
 * (SQLite has none; PostgreSQL's LISTEN would need the writer's help), so it polls — cheaply:
 * one small read (`meta/count`, rewritten by every commit) tells whether anything changed, and
 * only then are the events above the newest sequence seen read. Every `sweepMs`, if anything
 * changed, it also reads the newest `sweepEvents` events again, so an event committed below the
 * newest one seen is not missed; ids delivered are remembered that far back, so each event is
 * delivered once. What a poll costs is bounded by what changed, not by the size of the log.
 */
export class LogTail {
  readonly #log: EventLog;
  readonly #storage: StorageBackend;
  readonly #intervalMs: number;
  readonly #sweepMs: number;
  readonly #sweepEvents: number;
  readonly #countKey: string;
  readonly #onError: (error: unknown) => void;
  readonly #listeners = new Set<Listener>();
  /** Ids delivered (or known at start), with their sequence, down to the sweep's floor. */
  readonly #seen = new Map<string, number>();
  /** Sequences of the newest events seen (unsorted tail), for the sweep's floor. */
  #recent: number[] = [];
  #cursor = 0;
  /** `meta/count` as last read (a symbol at first: the first poll always reads the log). */
  #count: unknown = Symbol('unread');
  #countAtSweep: unknown = Symbol('unread');
  #lastSweep = 0;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #stopped = false;

  constructor(log: EventLog, options: LogTailOptions = {}) {
    this.#log = log;
    this.#storage = log.storage;
    this.#intervalMs = options.intervalMs ?? 200;
    this.#sweepMs = options.sweepMs ?? 2000;
    this.#sweepEvents = options.sweepEvents ?? 2000;
    this.#countKey = `${options.prefix ?? 'events/'}meta/count`;
    this.#onError = options.onError ?? (() => {});
  }

  /** The newest sequence delivered (or the starting point). */
  get cursor(): number {
    return this.#cursor;
  }

  /**
   * Starts following after `sequence`: events at or below it are known already (the newest of
   * them are read now, so a sweep does not deliver them again).
   */
  async start(sequence: number): Promise<void> {
    this.#cursor = sequence;
    const newest = await this.#log.query({
      reverse: true,
      afterSequence: sequence + 1,
      limit: this.#sweepEvents,
    });
    for (const event of newest) this.#remember(event);
    this.#lastSweep = Date.now();
    this.#schedule();
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Polls now (and resolves when done); a poll already running is joined. */
  poll(force = false): Promise<void> {
    this.#polling ??= this.#poll(force).finally(() => (this.#polling = undefined));
    return this.#polling;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#polling?.catch(() => {});
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.poll()
        .catch((error) => this.#onError(error))
        .finally(() => this.#schedule());
    }, this.#intervalMs);
    this.#timer.unref?.();
  }

  /** The lowest sequence a sweep reads from: that of the `sweepEvents`-th newest event seen. */
  #floor(): number {
    if (this.#recent.length <= this.#sweepEvents)
      return this.#recent.length === 0 ? 0 : Math.min(...this.#recent) - 1;
    this.#recent.sort((a, b) => a - b);
    this.#recent = this.#recent.slice(-this.#sweepEvents);
    return this.#recent[0]! - 1;
  }

  #remember(event: HookspellEvent): void {
    this.#seen.set(event.id, event.sequence);
    this.#recent.push(event.sequence);
    if (this.#recent.length > 4 * this.#sweepEvents) this.#floor();
  }

  async #poll(force: boolean): Promise<void> {
    const now = Date.now();
    const count = await this.#storage.get(this.#countKey);
    const sweep = force || (now - this.#lastSweep >= this.#sweepMs && count !== this.#countAtSweep);
    if (!sweep && count === this.#count) return;
    this.#count = count;
    if (sweep) {
      this.#lastSweep = now;
      this.#countAtSweep = count;
    }
    const floor = sweep ? Math.min(this.#floor(), this.#cursor) : this.#cursor;
    let after = floor;
    const fresh: HookspellEvent[] = [];
    for (;;) {
      const page = await this.#log.query({ afterSequence: after, limit: PAGE });
      for (const event of page) {
        if (this.#seen.has(event.id)) continue;
        this.#remember(event);
        fresh.push(event);
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.sequence;
      // Deliver as we go: a long backlog must not be held whole.
      if (fresh.length >= PAGE) this.#deliver(fresh.splice(0));
    }
    this.#deliver(fresh);
    if (this.#seen.size > 4 * this.#sweepEvents) {
      const keep = this.#floor();
      for (const [id, seq] of this.#seen) if (seq <= keep) this.#seen.delete(id);
    }
  }

  #deliver(events: HookspellEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) if (e.sequence > this.#cursor) this.#cursor = e.sequence;
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
