import { HookJournal, type JournalEntry } from '@hookspell/journal';
import type { StorageBackend } from '@hookspell/storage';
import type { ResolvedConfig } from '../config/types.js';
import type { Dependencies, ExecutionSpan } from './model/run-event.js';

/**
 * `dependsOn` of the config's hooks, by point and name. What a hook waited for is not recorded
 * (neither the `hook.execution.*` events nor the journal carry it), so the config that is read
 * now stands in for the one the run was recorded with; hooks registered by scripts are not in it.
 */
export function configDependencies(config: Pick<ResolvedConfig, 'hooks'>): Dependencies {
  const out = new Map<string, Map<string, readonly string[]>>();
  for (const hook of config.hooks) {
    if (hook.point === undefined || hook.name === undefined || !hook.dependsOn?.length) continue;
    let point = out.get(hook.point);
    if (point === undefined) out.set(hook.point, (point = new Map()));
    point.set(hook.name, hook.dependsOn);
  }
  return out;
}

/** A journal for reading only: no retention timer, nothing attached. */
export function readJournal(storage: StorageBackend): HookJournal {
  return new HookJournal(storage, { retention: {}, onError: () => {} });
}

/** Start times of the correlation's hook executions, from the hook journal (empty if there is none). */
export async function executionSpans(
  storage: StorageBackend,
  correlationId: string,
): Promise<Map<string, ExecutionSpan>> {
  const spans = new Map<string, ExecutionSpan>();
  const journal = readJournal(storage);
  try {
    for (const e of await journal.byCorrelation(correlationId)) spans.set(e.executionId, spanOf(e));
  } catch {
    // No journal (disabled, or another layout): the events' own timestamps are used.
  } finally {
    await journal.close().catch(() => {});
  }
  return spans;
}

export function spanOf(entry: JournalEntry): ExecutionSpan {
  return { startedAt: entry.startedAt, durationMs: entry.durationMs };
}
