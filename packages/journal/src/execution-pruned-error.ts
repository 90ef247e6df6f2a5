import { HookError, HookErrorCode } from '@hookspell/hooks';
import type { JournalPruneInfo } from './prune-record.js';

/**
 * `replay()` of an execution the journal's retention removed (`HOOKSPELL_EXECUTION_PRUNED`): names
 * the execution id and the retention policy that removed it, so that "pruned" is never mistaken
 * for "never recorded" (`HOOKSPELL_EXECUTION_NOT_FOUND`).
 *
 * @example
 * ```ts
 * try {
 *   await replays.replay(id);
 * } catch (e) {
 *   if (HookError.isInstance(e) && e.code === 'HOOKSPELL_EXECUTION_PRUNED') console.warn(e.message);
 * }
 * ```
 */
export class ExecutionPrunedError extends HookError {
  static override readonly kind: string = 'ExecutionPrunedError';
  readonly executionId: string;
  /** What retention had removed when the replay looked: counts, the newest entry removed, the policy. */
  readonly pruned: JournalPruneInfo;

  constructor(executionId: string, pruned: JournalPruneInfo) {
    super(
      HookErrorCode.EXECUTION_PRUNED,
      `replay(): execution '${executionId}' was removed by the journal's retention (${describePolicy(pruned.retention)}; ${pruned.entries} entries pruned so far, the newest recorded at ${new Date(pruned.through.recordedAt).toISOString()}). Keep entries longer with the \`retention\` option of HookJournal (e.g. 'long', or { maxEntries, maxAgeMs }).`,
    );
    this.name = 'ExecutionPrunedError';
    this.executionId = executionId;
    this.pruned = pruned;
  }
}

/** `maxEntries 10000, maxAgeMs 604800000 (7 d), minKeep 100` */
export function describePolicy(policy: JournalPruneInfo['retention']): string {
  const parts: string[] = [];
  if (policy.maxEntries !== undefined) parts.push(`maxEntries ${policy.maxEntries}`);
  if (policy.maxAgeMs !== undefined) parts.push(`maxAgeMs ${policy.maxAgeMs}${days(policy.maxAgeMs)}`);
  if (policy.minKeep !== undefined) parts.push(`minKeep ${policy.minKeep}`);
  return parts.length === 0 ? 'retention with no limits' : `retention ${parts.join(', ')}`;
}

function days(ms: number): string {
  const d = ms / 86_400_000;
  return Number.isInteger(d) && d > 0 ? ` (${d} d)` : '';
}
