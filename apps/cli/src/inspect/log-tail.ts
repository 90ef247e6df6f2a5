import type { EventLog, HookspellEvent } from '@hookspell/events';
import type { StorageBackend } from '@hookspell/storage';

export interface LogTailOptions {
  /** How often to look for new events. @default 200 */
  intervalMs?: number;
  /**
   * How far below the newest sequence seen a sweep looks again, in ms of sequence: a commit can
   * land below events already seen (a writer's late event merged into an older segment, or two
   * writers whose commits cross). @default 5000
   */
  lookbackMs?: number;
  /** How often a sweep runs (the other polls read only above the newest sequence). @default 2000 */
  sweepMs?: number;
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
 * only then are the events above the newest sequence seen read. Every `sweepMs` it also reads
 * the last `lookbackMs` again, so an event committed below the newest one seen is not missed;
 * ids already delivered are remembered for that window, so each event is delivered once.
 */
export class LogTail {
  readonly #log: EventLog;
  readonly #storage: StorageBackend;
  readonly #intervalMs: number;
  readonly #lookback: number;
  readonly #sweepMs: number;
  readonly #countKey: string;
  readonly #onError: (error: unknown) => void;
  readonly #listeners = new Set<Listener>();
  /** Ids delivered, with their sequence, for the lookback window. */
  readonly #seen = new Map<string, number>();
  #cursor = 0;
  /** `meta/count` as last read (a symbol at first: the first poll always reads the log). */
  #count: unknown = Symbol('unread');
  #lastSweep = 0;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #stopped = false;

  constructor(log: EventLog, options: LogTailOptions = {}) {
    this.#log = log;
    this.#storage = log.storage;
    this.#intervalMs = options.intervalMs ?? 200;
    this.#lookback = (options.lookbackMs ?? 5000) * 1000;
    this.#sweepMs = options.sweepMs ?? 2000;
    this.#countKey = `${options.prefix ?? 'events/'}meta/count`;
    this.#onError = options.onError ?? (() => {});
  }

  /** The newest sequence delivered (or the starting point). */
  get cursor(): number {
    return this.#cursor;
  }

  /**
   * Starts following after `sequence`: events at or below it are known already (the ones within
   * the lookback window are read now, so a sweep does not deliver them again).
   */
  async start(sequence: number): Promise<void> {
    this.#cursor = sequence;
    let after = Math.max(0, sequence - this.#lookback);
    for (;;) {
      const page = await this.#log.query({ afterSequence: after, limit: PAGE });
      for (const event of page) if (event.sequence <= sequence) this.#seen.set(event.id, event.sequence);
      if (page.length < PAGE || page[page.length - 1]!.sequence > sequence) break;
      after = page[page.length - 1]!.sequence;
    }
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

  async #poll(force: boolean): Promise<void> {
    const now = Date.now();
    const sweep = force || now - this.#lastSweep >= this.#sweepMs;
    const count = await this.#storage.get(this.#countKey);
    if (!sweep && count === this.#count) return;
    this.#count = count;
    if (sweep) this.#lastSweep = now;
    const from = sweep ? Math.max(0, this.#cursor - this.#lookback) : this.#cursor;
    let after = from;
    const fresh: HookspellEvent[] = [];
    for (;;) {
      const page = await this.#log.query({ afterSequence: after, limit: PAGE });
      for (const event of page) {
        if (event.sequence <= this.#cursor && this.#seen.has(event.id)) continue;
        if (event.sequence <= this.#cursor - this.#lookback) continue;
        this.#seen.set(event.id, event.sequence);
        fresh.push(event);
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.sequence;
      // Deliver as we go: a long backlog must not be held whole.
      if (fresh.length >= PAGE) this.#deliver(fresh.splice(0));
    }
    this.#deliver(fresh);
  }

  #deliver(events: HookspellEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) if (e.sequence > this.#cursor) this.#cursor = e.sequence;
    const floor = this.#cursor - this.#lookback;
    if (this.#seen.size > 4 * PAGE)
      for (const [id, seq] of this.#seen) if (seq <= floor) this.#seen.delete(id);
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
