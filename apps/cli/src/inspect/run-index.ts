import type { HookspellEvent } from '@hookspell/events';

/** One run (a correlation id) as the runs page lists it. */
export interface RunSummary {
  id: string;
  /** Epoch ms of its first and latest stored event. */
  startedAt: number;
  lastAt: number;
  durationMs: number;
  events: number;
  fires: number;
  /** Fires started and not (yet) decided: the run may be going on. */
  openFires: number;
  executions: number;
  /** Hook executions that decided `cancel`, failed (`error`), timed out, were skipped. */
  cancels: number;
  errors: number;
  timeouts: number;
  skipped: number;
  /** `failed`: a hook errored or timed out; `cancelled`: a hook cancelled; else `ok`. */
  status: 'ok' | 'cancelled' | 'failed';
  /** An event arrived within the last `LIVE_MS`, or a fire is open and the run is recent. */
  live: boolean;
  /** The type of its first event (what a run without hooks is about). */
  firstType: string;
  /** Hook points and hook names seen (the first few), for search and display. */
  points: string[];
  hooks: string[];
  lastSequence: number;
}

/** How long after its latest event a run counts as live. */
const LIVE_MS = 10_000;
/** A run with an open fire stays live this long after its latest event (a crashed writer never closes it). */
const OPEN_FIRE_MS = 5 * 60_000;
const MAX_NAMES = 12;

interface Entry extends Omit<RunSummary, 'status' | 'live' | 'durationMs' | 'openFires'> {
  firstSequence: number;
  /** Fires decided (`hook.fire.completed`); open = fires − decided (the scan meets them in any order). */
  decided: number;
}

export interface RunIndexOptions {
  /** Most runs held; past it the runs that started first are forgotten. @default 200000 */
  maxRuns?: number;
  /** @default Date.now */
  clock?: () => number;
}

export interface RunPage {
  runs: RunSummary[];
  /** Pass as `before` for the next page (older runs); absent on the last page. */
  next?: string;
  /** Runs matching the query. */
  total: number;
}

/**
 * Summaries of every run in the log, kept in memory: built by one pass over the log when the
 * inspector starts (newest first, so recent runs are listed at once) and updated by the events
 * the tail delivers. Bounded: past `maxRuns` the runs that started first are dropped (and said so
 * by `forgotten`).
 */
export class RunIndex {
  readonly #runs = new Map<string, Entry>();
  readonly #maxRuns: number;
  readonly #clock: () => number;
  #sorted: Entry[] | undefined;
  #forgotten = 0;
  /** Runs changed since the last `takeChanged()`. */
  readonly #changed = new Set<string>();

  constructor(options: RunIndexOptions = {}) {
    this.#maxRuns = options.maxRuns ?? 200_000;
    this.#clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.#runs.size;
  }

  /** Runs dropped to stay within `maxRuns`. */
  get forgotten(): number {
    return this.#forgotten;
  }

  add(events: readonly HookspellEvent[]): void {
    for (const event of events) this.#add(event);
    if (this.#runs.size > this.#maxRuns * 1.05) this.#trim();
  }

  #add(event: HookspellEvent): void {
    const id = event.metadata.correlationId;
    let run = this.#runs.get(id);
    if (run === undefined) {
      run = {
        id,
        startedAt: event.timestamp,
        lastAt: event.timestamp,
        events: 0,
        fires: 0,
        decided: 0,
        executions: 0,
        cancels: 0,
        errors: 0,
        timeouts: 0,
        skipped: 0,
        firstType: event.type,
        points: [],
        hooks: [],
        lastSequence: event.sequence,
        firstSequence: event.sequence,
      };
      this.#runs.set(id, run);
      this.#sorted = undefined;
    }
    run.events++;
    if (event.timestamp < run.startedAt) {
      run.startedAt = event.timestamp;
      this.#sorted = undefined;
    }
    if (event.sequence < run.firstSequence) {
      run.firstSequence = event.sequence;
      run.firstType = event.type;
    }
    if (event.timestamp > run.lastAt) run.lastAt = event.timestamp;
    if (event.sequence > run.lastSequence) run.lastSequence = event.sequence;
    const type = event.type;
    if (type.startsWith('hook.')) {
      const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as {
        point?: unknown;
        hook?: unknown;
        result?: { type?: unknown } | null;
      };
      if (type === 'hook.fire.started') {
        run.fires++;
        remember(run.points, data.point);
      } else if (type === 'hook.fire.completed') {
        run.decided++;
      } else if (type.startsWith('hook.execution.')) {
        run.executions++;
        remember(run.hooks, data.hook);
        if (type === 'hook.execution.failed') run.errors++;
        else if (type === 'hook.execution.timeout') run.timeouts++;
        else if (type === 'hook.execution.skipped') run.skipped++;
        else if (data.result?.type === 'cancel') run.cancels++;
      }
    }
    this.#changed.add(id);
  }

  #trim(): void {
    const drop = this.#order().slice(this.#maxRuns);
    for (const run of drop) {
      this.#runs.delete(run.id);
      this.#changed.delete(run.id);
    }
    this.#forgotten += drop.length;
    this.#sorted = undefined;
  }

  /** Runs newest first (by their first event). */
  #order(): Entry[] {
    this.#sorted ??= [...this.#runs.values()].sort(
      (a, b) => b.startedAt - a.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    return this.#sorted;
  }

  get(id: string): RunSummary | undefined {
    const run = this.#runs.get(id);
    return run === undefined ? undefined : this.#summary(run);
  }

  /**
   * A page of runs newest first, those whose id, hook points, hook names or first event type
   * contain `query` (any case); `before` is the `next` of the previous page.
   */
  page(options: { query?: string; limit?: number; before?: string } = {}): RunPage {
    const limit = options.limit ?? 50;
    const q = options.query?.trim().toLowerCase() ?? '';
    const matches =
      q === ''
        ? this.#order()
        : this.#order().filter(
            (r) =>
              r.id.toLowerCase().includes(q) ||
              r.firstType.toLowerCase().includes(q) ||
              r.points.some((p) => p.toLowerCase().includes(q)) ||
              r.hooks.some((h) => h.toLowerCase().includes(q)),
          );
    let start = 0;
    if (options.before !== undefined) {
      const [at, ...rest] = options.before.split(':');
      const t = Number(at);
      const id = rest.join(':');
      // The first run after the cursor in the same order (the cursor's run may be gone).
      start = matches.findIndex((r) => r.startedAt < t || (r.startedAt === t && r.id > id));
      if (start === -1) start = matches.length;
    }
    const runs = matches.slice(start, start + limit);
    const last = runs[runs.length - 1];
    return {
      runs: runs.map((r) => this.#summary(r)),
      total: matches.length,
      ...(start + limit < matches.length && last !== undefined && { next: `${last.startedAt}:${last.id}` }),
    };
  }

  /** Summaries of the runs changed since the last call. */
  takeChanged(): RunSummary[] {
    const out: RunSummary[] = [];
    for (const id of this.#changed) {
      const run = this.#runs.get(id);
      if (run !== undefined) out.push(this.#summary(run));
    }
    this.#changed.clear();
    return out;
  }

  #summary(run: Entry): RunSummary {
    const now = this.#clock();
    const failed = run.errors + run.timeouts > 0;
    const { firstSequence: _, decided, ...rest } = run;
    const openFires = Math.max(0, run.fires - decided);
    return {
      ...rest,
      openFires,
      // Sorted: the first pass meets a run's events newest first.
      points: [...run.points].sort(),
      hooks: [...run.hooks].sort(),
      durationMs: run.lastAt - run.startedAt,
      status: failed ? 'failed' : run.cancels > 0 ? 'cancelled' : 'ok',
      live: now - run.lastAt < LIVE_MS || (openFires > 0 && now - run.lastAt < OPEN_FIRE_MS),
    };
  }
}

function remember(list: string[], value: unknown): void {
  if (typeof value !== 'string' || list.length >= MAX_NAMES || list.includes(value)) return;
  list.push(value.slice(0, 200));
}
