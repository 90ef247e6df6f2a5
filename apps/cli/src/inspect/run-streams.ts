import type { EventLog, HookspellEvent } from '@hookspell/events';
import type { LogTail } from './log-tail.js';
import type { RunIndex } from './run-index.js';
import type { SseClient } from './sse.js';
import { eventsArrayJson } from './wire.js';

/** How often the runs page hears of changed runs (changes in between are coalesced). */
const RUNS_EVERY_MS = 250;
/** More changed runs than this in one message: the page is told to reload its list instead. */
const MAX_RUNS_PER_MESSAGE = 200;
const CATCH_UP_PAGE = 2000;

interface RunWatcher {
  client: SseClient;
  /** Ids sent while catching up, which the tail may deliver again; dropped once the tail is past them. */
  caughtUp: Set<string> | undefined;
  caughtUpTo: number;
  /** Tail events that arrived while catching up. */
  held: HookspellEvent[] | undefined;
}

/**
 * Fans what the tail delivers out to the open pages: changed run summaries to the runs page
 * (`/api/stream`), and each run's new events to the pages showing it
 * (`/api/runs/:id/stream`). One tail serves every page.
 */
export class RunStreams {
  readonly #log: EventLog;
  readonly #index: RunIndex;
  readonly #runsClients = new Set<SseClient>();
  readonly #watchers = new Map<string, Set<RunWatcher>>();
  #timer: NodeJS.Timeout | undefined;
  #indexing: () => { done: boolean; events: number };

  constructor(
    log: EventLog,
    index: RunIndex,
    tail: LogTail,
    indexing: () => { done: boolean; events: number },
  ) {
    this.#log = log;
    this.#index = index;
    this.#indexing = indexing;
    tail.subscribe((events) => this.#delivered(events));
  }

  /** Pages watching the runs list. */
  watchRuns(client: SseClient): void {
    this.#runsClients.add(client);
    client.onClose = () => this.#runsClients.delete(client);
    client.send('indexing', this.#indexing());
    this.#scheduleRuns();
  }

  /**
   * A page watching one run from `after` (the newest sequence it has): first the events stored
   * since (read from the log), then what the tail delivers, each once.
   */
  async watchRun(correlationId: string, client: SseClient, after: number): Promise<void> {
    const watcher: RunWatcher = { client, caughtUp: new Set(), caughtUpTo: after, held: [] };
    let set = this.#watchers.get(correlationId);
    if (set === undefined) this.#watchers.set(correlationId, (set = new Set()));
    set.add(watcher);
    client.onClose = () => {
      set.delete(watcher);
      if (set.size === 0 && this.#watchers.get(correlationId) === set) this.#watchers.delete(correlationId);
    };
    let cursor = after;
    for (;;) {
      if (client.closed) return;
      const page = await this.#log.query({ correlationId, afterSequence: cursor, limit: CATCH_UP_PAGE });
      if (page.length === 0) break;
      this.#send(watcher, page);
      for (const e of page) watcher.caughtUp!.add(e.id);
      cursor = page[page.length - 1]!.sequence;
      watcher.caughtUpTo = cursor;
      if (page.length < CATCH_UP_PAGE) break;
    }
    const held = watcher.held!;
    watcher.held = undefined;
    this.#forward(watcher, held);
    client.send('ready', { after: cursor });
  }

  #delivered(events: readonly HookspellEvent[]): void {
    if (this.#runsClients.size > 0) this.#scheduleRuns();
    if (this.#watchers.size === 0) return;
    const byRun = new Map<string, HookspellEvent[]>();
    for (const e of events) {
      const id = e.metadata.correlationId;
      if (!this.#watchers.has(id)) continue;
      const list = byRun.get(id);
      if (list === undefined) byRun.set(id, [e]);
      else list.push(e);
    }
    for (const [id, list] of byRun) {
      for (const watcher of this.#watchers.get(id) ?? []) {
        if (watcher.held !== undefined) watcher.held.push(...list);
        else this.#forward(watcher, list);
      }
    }
  }

  #forward(watcher: RunWatcher, events: readonly HookspellEvent[]): void {
    let fresh = events;
    if (watcher.caughtUp !== undefined) {
      const seen = watcher.caughtUp;
      fresh = events.filter((e) => !seen.has(e.id));
      if (events.some((e) => e.sequence > watcher.caughtUpTo)) watcher.caughtUp = undefined;
    }
    if (fresh.length > 0) this.#send(watcher, fresh);
  }

  #send(watcher: RunWatcher, events: readonly HookspellEvent[]): void {
    let rest = events;
    while (rest.length > 0 && !watcher.client.closed) {
      const { json, count } = eventsArrayJson(rest);
      const last = rest[count - 1]!;
      watcher.client.sendRaw('events', json, last.sequence);
      rest = rest.slice(count);
    }
  }

  #scheduleRuns(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const indexing = this.#indexing();
      if (!indexing.done) {
        this.#index.takeChanged();
        for (const c of this.#runsClients) c.send('indexing', indexing);
        return;
      }
      const changed = this.#index.takeChanged();
      if (changed.length === 0) return;
      for (const c of this.#runsClients) {
        if (changed.length > MAX_RUNS_PER_MESSAGE) c.send('reload', { changed: changed.length });
        else c.send('runs', changed);
      }
    }, RUNS_EVERY_MS);
    this.#timer.unref?.();
  }

  /** Tells the runs pages the index is complete (they reload their list). */
  indexed(): void {
    this.#index.takeChanged();
    for (const c of this.#runsClients) c.send('indexing', this.#indexing());
  }

  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    for (const c of this.#runsClients) c.close();
    for (const set of this.#watchers.values()) for (const w of set) w.client.close();
  }
}
