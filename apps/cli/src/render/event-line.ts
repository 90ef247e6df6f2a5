import type { HookspellEvent } from '@hookspell/events';
import { brief, ms } from '../util/format.js';

/**
 * One event on one line: time, type, what it says, correlation.
 *
 * @example
 * 2025-01-31T12:00:00.123Z  hook.execution.completed  BeforeToolExecution deny-shell 1.2 ms  corr=req-42
 */
export function eventLine(event: HookspellEvent): string {
  return `${new Date(event.timestamp).toISOString()}  ${event.type}  ${summary(event)}  corr=${event.metadata.correlationId}`;
}

function summary(event: HookspellEvent): string {
  const d = (event.data ?? {}) as Record<string, unknown>;
  if (event.type === 'hook.fire.started') return `${d.point} ${d.mode} ${d.hooks} hook(s)`;
  if (event.type === 'hook.fire.completed')
    return `${d.point} decision=${d.decision} ${ms(Number(d.durationMs ?? 0))}`;
  if (event.type.startsWith('hook.execution.')) {
    const extra = typeof d.error === 'string' ? ` ${d.error}` : '';
    return `${d.point} ${d.hook} ${ms(Number(d.durationMs ?? 0))} exec=${d.executionId}${extra}`;
  }
  return brief(event.data, 120);
}
