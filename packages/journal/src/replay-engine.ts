import {
  type ExecutionStatus,
  HookError,
  HookErrorCode,
  type HookExecutor,
  type HookOutcome,
  type HookResult,
} from '@hookspell/hooks';
import { applyChanges } from './apply-changes.js';
import { type Comparison, compareResults } from './compare.js';
import { describePolicy, ExecutionPrunedError } from './execution-pruned-error.js';
import type { HookJournal } from './hook-journal.js';
import { errorInfo, type JournalEntry, type JournalError, serializeEntry } from './journal-entry.js';
import type { JournalPruneInfo } from './prune-record.js';

/** `exact` re-runs the hook on the stored context; `modified` after `changes`; `simulate` runs nothing. */
export type ReplayMode = 'exact' | 'modified' | 'simulate';

export interface ReplayOptions {
  /** @default 'exact' (or 'modified' when `changes` are given) */
  mode?: ReplayMode;
  /** `modified`: `{ 'data.<path>': value, 'metadata.<key>': value }`; undefined deletes. */
  changes?: Record<string, unknown>;
  /** @default the hook's timeout, else the executor's default */
  timeoutMs?: number;
}

/** What a replay produced. */
export interface ReplayedExecution {
  readonly status: ExecutionStatus;
  readonly result?: HookResult;
  readonly error?: JournalError;
  readonly durationMs: number;
  /** The context the hook was run on (after `changes`). */
  readonly context: { data: Record<string, unknown>; metadata: Record<string, string> };
}

export interface ReplayResult {
  readonly executionId: string;
  readonly mode: ReplayMode;
  readonly original: JournalEntry;
  readonly replayed: ReplayedExecution;
  /** Original vs replayed `{ status, result, error }`, timestamps and durations left out. */
  readonly comparison: Comparison;
  /** The hook registered now is another version than the one recorded. */
  readonly versionChanged: boolean;
}

/** One fire of a replayed correlation. */
export interface FireReplay {
  readonly fireId: string;
  readonly point: JournalEntry['point'];
  readonly original: readonly JournalEntry[];
  /** The new fire's outcome (`exact`); undefined when simulating. */
  readonly outcome: HookOutcome | undefined;
  /** Per recorded execution, compared with the new fire's record of the same hook. */
  readonly comparisons: readonly { hook: string; comparison: Comparison }[];
}

export interface CorrelationReplay {
  readonly correlationId: string;
  /** The correlation id the new fires ran under. */
  readonly replayCorrelationId: string | undefined;
  readonly fires: readonly FireReplay[];
  /** Mean similarity of every compared execution (1 when there were none). */
  readonly similarity: number;
  readonly identical: boolean;
  /**
   * Set when the journal's retention has removed entries: those recorded up to
   * `pruned.through` are gone, so fires of this correlation from before then may be missing.
   */
  readonly pruned: JournalPruneInfo | undefined;
}

/**
 * Replays what a `HookJournal` recorded, against the hooks registered now: one execution
 * (`replay`), or a whole correlation fire by fire (`replayCorrelation`), and says how the new
 * results differ from the recorded ones. Replays run outside the executor's circuit breakers and
 * metrics; `replayCorrelation` fires the points again (so a journal attached to the executor
 * records them, under `replayCorrelationId`).
 *
 * @example
 * ```ts
 * const replays = new ReplayEngine(journal, executor);
 * const r = await replays.replay(executionId, { mode: 'modified', changes: { 'data.cmd': 'rm -rf /' } });
 * if (!r.comparison.identical) console.log(r.comparison.differences);
 * ```
 */
export class ReplayEngine {
  readonly journal: HookJournal;
  readonly executor: HookExecutor;

  /**
   * The journal to read and the executor whose registry holds the hooks to re-run. The two may
   * be given in either order (nothing else in the API says which comes first); anything else is
   * `HOOKSPELL_INVALID_ARGUMENT` here, not a TypeError at the first replay.
   */
  constructor(journal: HookJournal, executor: HookExecutor);
  constructor(executor: HookExecutor, journal: HookJournal);
  constructor(a: HookJournal | HookExecutor, b: HookJournal | HookExecutor) {
    const [journal, executor] = isJournal(a) ? [a, b] : [b, a];
    if (!isJournal(journal) || !isExecutor(executor)) {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        'new ReplayEngine(journal, executor): needs a HookJournal and a HookExecutor (e.g. `new ReplayEngine(journal, executor)`).',
      );
    }
    this.journal = journal;
    this.executor = executor;
  }

  /**
   * Replays one recorded execution. Rejects with `HOOKSPELL_EXECUTION_PRUNED`
   * (`ExecutionPrunedError`: retention removed it), `HOOKSPELL_EXECUTION_NOT_FOUND` (never
   * recorded; the message says when retention may have removed it) or `HOOKSPELL_REPLAY_HOOK_MISSING`.
   */
  async replay(executionId: string, options: ReplayOptions = {}): Promise<ReplayResult> {
    const mode = options.mode ?? (options.changes === undefined ? 'exact' : 'modified');
    if (mode !== 'exact' && mode !== 'modified' && mode !== 'simulate') {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `replay(): \`mode\` must be 'exact', 'modified' or 'simulate'; got ${JSON.stringify(mode)}.`,
      );
    }
    const found = await this.journal.lookup(executionId);
    if (found.state === 'pruned') throw new ExecutionPrunedError(executionId, found.pruned);
    if (found.state !== 'recorded') {
      const pruned = found.pruned;
      throw new HookError(
        HookErrorCode.EXECUTION_NOT_FOUND,
        pruned === undefined
          ? `replay(): no execution '${executionId}' in the journal (never recorded, or filtered out; the journal has pruned nothing).`
          : `replay(): no execution '${executionId}' in the journal: never recorded, filtered out, or removed by retention (${describePolicy(pruned.retention)} has pruned ${pruned.entries} entries, recorded up to ${new Date(pruned.through.recordedAt).toISOString()}).`,
      );
    }
    const original = found.entry;
    const context = {
      data: structuredClone(original.context.data),
      metadata: { ...original.context.metadata },
    };
    if (mode === 'simulate') {
      const replayed: ReplayedExecution = { ...outcomeOf(original), durationMs: 0, context };
      return {
        executionId,
        mode,
        original,
        replayed,
        comparison: compare(original, replayed),
        versionChanged: false,
      };
    }
    if (mode === 'modified') applyChanges(context, options.changes ?? {});
    const { version, ...replayed } = await this.#run(original, context, options.timeoutMs);
    return {
      executionId,
      mode,
      original,
      replayed,
      comparison: compare(original, replayed),
      versionChanged: version !== original.version,
    };
  }

  /**
   * Re-fires every recorded fire of `correlationId`, in recording order, with the input its first
   * hook saw, and compares each hook's new record with the recorded one (`simulate` compares the
   * records with themselves, running nothing).
   *
   * @example
   * ```ts
   * const run = await replays.replayCorrelation('req-42');
   * console.log(run.similarity, run.fires.map((f) => f.point));
   * ```
   */
  async replayCorrelation(
    correlationId: string,
    options: { mode?: 'exact' | 'simulate'; replayCorrelationId?: string } = {},
  ): Promise<CorrelationReplay> {
    const mode = options.mode ?? 'exact';
    const entries = await this.journal.byCorrelation(correlationId);
    const pruned = await this.journal.pruneInfo();
    const byFire = new Map<string, JournalEntry[]>();
    for (const e of entries) {
      const list = byFire.get(e.fireId);
      if (list === undefined) byFire.set(e.fireId, [e]);
      else list.push(e);
    }
    const replayCorrelationId =
      mode === 'simulate' ? undefined : (options.replayCorrelationId ?? `${correlationId}:replay`);
    const fires: FireReplay[] = [];
    let sum = 0;
    let n = 0;
    for (const [fireId, original] of byFire) {
      original.sort((a, b) => a.index - b.index);
      const first = original[0]!;
      let outcome: HookOutcome | undefined;
      if (mode !== 'simulate') {
        outcome = await this.executor.fire(first.point, {
          component: first.component,
          data: structuredClone(first.context.data),
          metadata: { ...first.context.metadata },
          language: first.language,
          ...(first.operation === undefined ? {} : { operation: first.operation }),
          correlationId: replayCorrelationId!,
        });
      }
      const comparisons = original.map((e) => {
        const now = outcome === undefined ? outcomeOf(e) : recordOf(outcome, e.hook);
        const comparison = compareResults(outcomeOf(e), now);
        sum += comparison.similarity;
        n++;
        return { hook: e.hook, comparison };
      });
      fires.push({ fireId, point: first.point, original, outcome, comparisons });
    }
    const similarity = n === 0 ? 1 : sum / n;
    return { correlationId, replayCorrelationId, fires, similarity, identical: similarity === 1, pruned };
  }

  // One hook, on a context rebuilt from the journal, with its timeout; no breaker, no metrics.
  async #run(
    original: JournalEntry,
    context: ReplayedExecution['context'],
    timeoutMs: number | undefined,
  ): Promise<ReplayedExecution & { version: string }> {
    let run: Awaited<ReturnType<HookExecutor['runHook']>>;
    try {
      run = await this.executor.runHook(
        `${original.hook}@${original.point}`,
        {
          point: original.point,
          component: original.component,
          data: context.data,
          metadata: context.metadata,
          language: original.language,
          ...(original.operation === undefined ? {} : { operation: original.operation }),
          correlationId: original.correlationId,
          timestamp: original.startedAt,
        },
        timeoutMs === undefined ? {} : { timeoutMs },
      );
    } catch (error) {
      if (HookError.isInstance(error) && error.code === HookErrorCode.REPLAY_HOOK_MISSING) {
        throw new HookError(
          HookErrorCode.REPLAY_HOOK_MISSING,
          `replay(): no hook '${original.hook}' is registered at ${original.point} now; register it (any version) to replay, or use mode 'simulate'.`,
        );
      }
      throw error;
    }
    return {
      status: run.status,
      ...(run.result === undefined ? {} : { result: run.result }),
      ...(run.error === undefined ? {} : { error: errorInfo(run.error) }),
      durationMs: run.durationMs,
      context,
      version: run.hook.version,
    };
  }
}

function isJournal(value: unknown): value is HookJournal {
  const j = value as Partial<HookJournal> | null;
  return (
    typeof j === 'object' &&
    j !== null &&
    typeof j.lookup === 'function' &&
    typeof j.byCorrelation === 'function'
  );
}

function isExecutor(value: unknown): value is HookExecutor {
  const e = value as Partial<HookExecutor> | null;
  return typeof e === 'object' && e !== null && typeof e.fire === 'function' && e.registry !== undefined;
}

/** The compared part of a recorded execution. */
function outcomeOf(e: JournalEntry): { status: ExecutionStatus; result?: HookResult; error?: JournalError } {
  return {
    status: e.status,
    ...(e.result === undefined ? {} : { result: e.result }),
    ...(e.error === undefined ? {} : { error: e.error }),
  };
}

function compare(original: JournalEntry, replayed: ReplayedExecution): Comparison {
  return compareResults(outcomeOf(original), {
    status: replayed.status,
    ...(replayed.result === undefined ? {} : { result: normalise(replayed.result) }),
    ...(replayed.error === undefined ? {} : { error: replayed.error }),
  });
}

/** A new fire's record of `hook`, in the compared shape (JSON round trip, as the stored one had). */
function recordOf(
  outcome: HookOutcome,
  hook: string,
): { status?: ExecutionStatus; result?: unknown; error?: JournalError } {
  const r = outcome.records.find((x) => x.name === hook);
  if (r === undefined) return {};
  return {
    status: r.status,
    ...(r.result === undefined ? {} : { result: normalise(r.result) }),
    ...(r.error === undefined ? {} : { error: errorInfo(r.error) }),
  };
}

// The recorded side went through JSON; the new side must too, or `undefined` fields and class
// instances would count as differences — and through the journal's own serialiser, so a BigInt
// or a cycle gets the same marker it got when it was recorded.
function normalise(value: unknown): unknown {
  try {
    return JSON.parse(serializeEntry(value));
  } catch {
    return value;
  }
}
