import { brief, ms } from '../../util/format.js';
import { dataOf, isExecution, num, type RunEvent, text } from './run-event.js';

export type NodeKind = 'fire' | 'decision' | 'execution' | 'breaker' | 'event';

/** A hook execution's recorded status (`hook.execution.*`). */
export type ExecutionStatus = 'ok' | 'error' | 'timeout' | 'skipped';

/**
 * What a node's colour says. `cancel` is a hook that ran fine (`ok`) and decided to cancel, or a
 * fire whose decision was cancel: its own colour, never the green of `ok`.
 */
export type Outcome = 'ok' | 'cancel' | 'error' | 'timeout' | 'skipped' | 'breaker' | '';

export interface Description {
  kind: NodeKind;
  /** The execution status (hook executions only; '' otherwise). */
  status: ExecutionStatus | '';
  outcome: Outcome;
  /** Why: a cancel's or skip's reason, an error's message, a breaker's reason. */
  reason?: string;
  label: string;
  detail: string;
  point?: string;
  hook?: string;
  executionId?: string;
  mode?: string;
  /** A hook execution's duration, or a fire's (from its decision event). */
  durationMs?: number;
}

const STATUS: Record<string, ExecutionStatus> = {
  completed: 'ok',
  failed: 'error',
  timeout: 'timeout',
  skipped: 'skipped',
};

/** Errors carry the library's `[hookspell] ` prefix; the panel has room for the rest only. */
const plain = (message: string): string => message.replace(/^\[hookspell\]\s*/, '');

/**
 * How one stored event is drawn: its kind, label, detail and outcome. Hook lifecycle events get
 * hook-aware labels (`fire <point>`, `<hook> <status>`, `decision <type>`); a hook that returned
 * `cancel` is labelled by its status (`ok`, as recorded) but has the outcome `cancel` with the
 * reason, so it is coloured as a cancel.
 */
export function describeEvent(event: RunEvent): Description {
  const data = dataOf(event);
  const point = text(data.point);
  if (event.type === 'hook.fire.started') {
    const mode = text(data.mode) ?? 'sequential';
    const hooks = num(data.hooks);
    return {
      kind: 'fire',
      status: '',
      outcome: '',
      label: `fire ${point ?? '?'}`,
      detail: `${mode}, ${hooks ?? '?'} hook${hooks === 1 ? '' : 's'}`,
      mode,
      ...(point !== undefined && { point }),
    };
  }
  if (event.type === 'hook.fire.completed') {
    const decision = text(data.decision) ?? '?';
    const durationMs = num(data.durationMs);
    return {
      kind: 'decision',
      status: '',
      outcome: decision === 'cancel' ? 'cancel' : '',
      label: `decision ${decision}`,
      detail: `fire of ${point ?? '?'} done in ${ms(durationMs ?? 0)}`,
      ...(point !== undefined && { point }),
      ...(durationMs !== undefined && { durationMs }),
    };
  }
  if (isExecution(event.type)) {
    const suffix = event.type.slice('hook.execution.'.length);
    const status = STATUS[suffix] ?? 'ok';
    const hook = text(data.hook);
    const executionId = text(data.executionId);
    const durationMs = num(data.durationMs) ?? 0;
    const result =
      typeof data.result === 'object' && data.result !== null
        ? (data.result as Record<string, unknown>)
        : undefined;
    const resultType = text(result?.type);
    const resultReason = text(result?.reason);
    const error = text(data.error);
    let outcome: Outcome = status;
    let reason: string | undefined;
    if (status === 'error' || status === 'timeout') reason = error === undefined ? undefined : plain(error);
    else if (resultType === 'cancel') {
      outcome = 'cancel';
      reason = resultReason ?? '';
    } else if (resultType === 'skipped' || status === 'skipped') {
      outcome = 'skipped';
      reason = resultReason;
    }
    const what =
      reason !== undefined && (outcome !== 'ok' || status !== 'ok')
        ? `${outcome === 'cancel' || outcome === 'skipped' ? `${outcome}: ` : ''}${reason}`
        : (resultType ?? '');
    return {
      kind: 'execution',
      status,
      outcome,
      ...(reason !== undefined && { reason }),
      label: `${hook ?? '?'} ${status}`,
      detail: `${ms(durationMs)}${what ? ` · ${what}` : ''}`,
      ...(point !== undefined && { point }),
      ...(hook !== undefined && { hook }),
      ...(executionId !== undefined && { executionId }),
      durationMs,
    };
  }
  if (event.type.startsWith('hook.breaker.')) {
    const hook = text(data.hook);
    const reason = text(data.reason);
    return {
      kind: 'breaker',
      status: '',
      outcome: 'breaker',
      ...(reason !== undefined && { reason }),
      label: `breaker ${text(data.state) ?? event.type.slice('hook.breaker.'.length)} ${hook ?? '?'}`,
      detail: reason ?? '',
      ...(point !== undefined && { point }),
      ...(hook !== undefined && { hook }),
    };
  }
  return { kind: 'event', status: '', outcome: '', label: event.type, detail: brief(event.data, 80) };
}

/**
 * The label to show: a hook execution whose outcome differs from its recorded status (a hook
 * that returned cancel is recorded `ok`) says its outcome — `lint cancel`, not `lint ok`.
 */
export function shownLabel(d: Pick<Description, 'kind' | 'label' | 'outcome' | 'status' | 'hook'>): string {
  return d.kind === 'execution' && d.outcome !== '' && d.outcome !== d.status
    ? `${d.hook ?? '?'} ${d.outcome}`
    : d.label;
}
