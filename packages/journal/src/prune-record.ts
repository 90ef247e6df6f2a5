import { recordedAtOfLine } from './journal-entry.js';
import { LAYOUT_VERSION } from './journal-keys.js';
import type { RetentionPolicy } from './retention.js';

/**
 * What retention has removed from a journal, stored under `<prefix>pruned` in the same batch as
 * each removal, so that any process reading the journal later (`hookspell replay`) can tell an
 * execution that was pruned from one that was never recorded.
 *
 * Execution ids are `<process id>-<fire seq in base 36>.<index>` (ids.ts): a process numbers its
 * fires in order, and retention removes entries oldest first, so once a fire of a process was
 * removed every fire of that process recorded before it was removed too. `fires` keeps, per
 * process, the highest fire number removed: an execution id not found whose fire number is at or
 * below it was pruned.
 */
// A type alias, not an interface: storage's JsonValue needs the implicit index signature.
export type StoredPruned = {
  v: typeof LAYOUT_VERSION;
  /** Entries removed since the journal began. */
  entries: number;
  /** Sequence and recording time of the newest entry removed. */
  through: number;
  throughAt: number;
  /** When retention last removed entries, and the policy it applied. */
  at: number;
  retention: StoredPolicy;
  /** `[process id, highest fire number removed]`, most recently pruned last. */
  fires: [string, number][];
  /** Older processes' marks were dropped to keep this record small. */
  truncated: boolean;
};

/** A retention policy as stored (JSON: only the numbers that are set). */
type StoredPolicy = { maxAgeMs?: number; maxEntries?: number; minKeep?: number; intervalMs?: number };

/** Processes whose marks are kept (a few KB). */
export const MAX_PROCESS_MARKS = 256;

/** What retention removed from a journal so far (the stored record, read-only). */
export interface JournalPruneInfo {
  /** Entries removed since the journal began. */
  readonly entries: number;
  /** The newest entry removed: every entry recorded before it is gone too. */
  readonly through: { readonly seq: number; readonly recordedAt: number };
  /** When retention last removed entries. */
  readonly lastRunAt: number;
  /** The retention policy of that run (`maxAgeMs`, `maxEntries`, `minKeep`, `intervalMs`). */
  readonly retention: RetentionPolicy;
}

export function pruneInfoOf(record: StoredPruned): JournalPruneInfo {
  return {
    entries: record.entries,
    through: { seq: record.through, recordedAt: record.throughAt },
    lastRunAt: record.at,
    retention: record.retention,
  };
}

/** `<process id>` and fire number of an execution id, or undefined if it is not one of ours. */
export function fireOf(executionId: string): [process: string, fire: number] | undefined {
  const dot = executionId.lastIndexOf('.');
  const fireId = dot < 0 ? executionId : executionId.slice(0, dot);
  const dash = fireId.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const digits = fireId.slice(dash + 1);
  if (!/^[0-9a-z]{1,11}$/.test(digits)) return undefined;
  return [fireId.slice(0, dash), Number.parseInt(digits, 36)];
}

/**
 * Whether `executionId`, not found in the journal, was removed by retention: `pruned` when its
 * process had a later fire removed, `not-pruned` when nothing of its process was removed that far,
 * `unknown` when the record cannot tell (an id not made by hookspell, or a process whose mark was
 * dropped).
 */
export function prunedState(
  record: StoredPruned | undefined,
  executionId: string,
): 'pruned' | 'not-pruned' | 'unknown' {
  if (record === undefined) return 'not-pruned';
  const fire = fireOf(executionId);
  if (fire === undefined) return 'unknown';
  for (const [process, highest] of record.fires) {
    if (process === fire[0]) return fire[1] <= highest ? 'pruned' : 'not-pruned';
  }
  return record.truncated ? 'unknown' : 'not-pruned';
}

/** Collects what one retention run removes, for the stored record and the `onPrune` event. */
export class PruneTally {
  segments = 0;
  byCount = 0;
  byAge = 0;
  through = -1;
  throughAt = 0;
  readonly #fires = new Map<string, number>();

  /** Notes the removed lines `lines[0..drop)` of a segment whose sequences start at `base`. */
  removed(lines: readonly string[], drop: number, base: number): void {
    for (let k = 0; k < drop; k++) {
      const line = lines[k]!;
      // A line starts `[<seq offset>,<head>,"<execution id>",`: read without parsing the line.
      const open = line.indexOf('"');
      const close = line.indexOf('"', open + 1);
      if (open > 0 && close > open) {
        const fire = fireOf(line.slice(open + 1, close));
        if (fire !== undefined && (this.#fires.get(fire[0]) ?? -1) < fire[1])
          this.#fires.set(fire[0], fire[1]);
      }
    }
    const last = lines[drop - 1]!;
    this.through = base + Number(last.slice(1, last.indexOf(',')));
    this.throughAt = recordedAtOfLine(last);
  }

  /** Adds what `page` removed (once its batch is written). */
  add(page: PruneTally): this {
    this.segments += page.segments;
    this.byCount += page.byCount;
    this.byAge += page.byAge;
    if (page.through > this.through) {
      this.through = page.through;
      this.throughAt = page.throughAt;
    }
    for (const [process, fire] of page.#fires) {
      if ((this.#fires.get(process) ?? -1) < fire) this.#fires.set(process, fire);
    }
    return this;
  }

  /** The stored record once this tally's `entries` removals are written, on top of `previous`. */
  record(
    previous: StoredPruned | undefined,
    entries: number,
    at: number,
    retention: RetentionPolicy,
  ): StoredPruned {
    const marks = new Map(previous?.fires ?? []);
    for (const [process, fire] of this.#fires) {
      const before = marks.get(process) ?? -1;
      marks.delete(process); // re-inserted last: most recently pruned
      marks.set(process, Math.max(before, fire));
    }
    let fires = [...marks];
    let truncated = previous?.truncated ?? false;
    if (fires.length > MAX_PROCESS_MARKS) {
      fires = fires.slice(-MAX_PROCESS_MARKS);
      truncated = true;
    }
    return {
      v: LAYOUT_VERSION,
      entries: (previous?.entries ?? 0) + entries,
      through: Math.max(previous?.through ?? -1, this.through),
      throughAt: this.through >= (previous?.through ?? -1) ? this.throughAt : previous!.throughAt,
      at,
      retention: plainPolicy(retention),
      fires,
      truncated,
    };
  }
}

// Only the numbers that are set: storage refuses `undefined`.
function plainPolicy(policy: RetentionPolicy): StoredPolicy {
  const out: StoredPolicy = {};
  for (const key of ['maxAgeMs', 'maxEntries', 'minKeep', 'intervalMs'] as const) {
    const value = policy[key];
    if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
  }
  return out;
}
