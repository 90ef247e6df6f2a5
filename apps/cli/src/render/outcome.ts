import type { ExecutionMode, HookOutcome, HookResult } from '@hookspell/hooks';
import { errorLine } from '../errors.js';
import { brief, columns, ms } from '../util/format.js';

/** What `fire --json` prints: the outcome with errors as text. */
export interface OutcomeJson {
  point: string;
  mode: ExecutionMode;
  decision: HookResult;
  data: Record<string, unknown>;
  /** The fire's metadata after every hook (rate-limit headers, cache stamps). */
  metadata: Record<string, string>;
  correlationId: string;
  durationMs: number;
  conflicts: HookOutcome['conflicts'];
  records: {
    name: string;
    executionId: string;
    status: string;
    /** Executor clock, epoch ms; 0 for a hook that never started. */
    startedAt: number;
    durationMs: number;
    result?: HookResult;
    error?: string;
  }[];
}

export function outcomeJson(outcome: HookOutcome, mode: ExecutionMode): OutcomeJson {
  return {
    point: outcome.point,
    mode,
    decision: outcome.decision,
    data: outcome.data,
    metadata: outcome.metadata,
    correlationId: outcome.correlationId,
    durationMs: outcome.durationMs,
    conflicts: outcome.conflicts,
    records: outcome.records.map((r) => ({
      name: r.name,
      executionId: r.executionId,
      status: r.status,
      startedAt: r.startedAt,
      durationMs: r.durationMs,
      ...(r.result !== undefined && { result: r.result }),
      ...(r.error !== undefined && { error: errorLine(r.error) }),
    })),
  };
}

/** One line about a result: `continue`, `cancel: reason`, `modified {"a":1}`. */
export function resultText(result: HookResult | undefined, max = 80): string {
  if (result === undefined) return '';
  switch (result.type) {
    case 'cancel':
    case 'skipped':
      return `${result.type}: ${result.reason ?? ''}`;
    case 'modified':
      return `modified ${brief(result.data, max)}`;
    case 'replace':
      return `replace ${brief(result.value, max)}`;
    case 'redirect':
      return `redirect → ${result.target}`;
    case 'retry':
      return `retry in ${result.delayMs} ms (max ${result.maxAttempts})`;
    case 'cache':
      return `cache ${result.key}`;
    case 'fork':
      return `fork ${result.operations.length} operation(s)`;
    default:
      return result.type;
  }
}

/**
 * The outcome as people read it: a header, the decision, one line per hook (status, duration,
 * what it returned or why it failed), the final data and any conflicts.
 */
export function renderOutcome(outcome: HookOutcome, mode: ExecutionMode): string {
  const lines: string[] = [];
  const n = outcome.records.length;
  lines.push(
    `${outcome.point}  ${mode}  ${n} hook${n === 1 ? '' : 's'}  ${ms(outcome.durationMs)}  correlation ${outcome.correlationId}`,
  );
  const d = outcome.decision;
  lines.push(`decision: ${d.type === 'continue' ? 'continue' : resultText(d, 400)}`);
  const rows = outcome.records.map((r, i) => {
    const detail =
      r.status === 'ok'
        ? resultText(r.result)
        : r.status === 'skipped'
          ? r.result?.type === 'skipped'
            ? r.result.reason
            : ''
          : errorLine(r.error);
    return [String(i + 1), r.name, r.status, ms(r.durationMs), detail];
  });
  lines.push(...columns(rows, '  '));
  lines.push(`data: ${brief(outcome.data, 400)}`);
  // What hooks wrote to the fire's metadata (rate-limit headers, cache stamps), when there is any.
  if (Object.keys(outcome.metadata).length > 0) lines.push(`metadata: ${brief(outcome.metadata, 400)}`);
  for (const c of outcome.conflicts) {
    lines.push(
      `conflict: '${c.key}' written by ${c.hooks.join(', ')} with no dependsOn order; kept ${c.winner}'s value`,
    );
  }
  return `${lines.join('\n')}\n`;
}
