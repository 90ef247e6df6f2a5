import type { EventLog } from '@hookspell/events';
import { processOf } from './model/run-event.js';

/** A hook's circuit breaker as the log tells it, at one point of a run. */
export interface BreakerState {
  /** `closed` also when no change was recorded (every process starts with closed breakers). */
  state: 'closed' | 'open' | 'half-open';
  /** The `hook.breaker.*` event that set it, if any. */
  since?: { eventId: string; type: string; timestamp: number; reason?: string; failClosed?: boolean };
}

/** How many breaker events of a process are looked through (newest first). */
const SCAN = 1000;

/**
 * The state of `hookId`'s breaker just before the event at `sequence` (an execution's
 * lifecycle event) in the process that wrote `eventId`: breakers live in one process, and
 * their changes are logged as `hook.breaker.opened|half_open|closed` (a pattern query reads
 * only those, through the log's type index).
 */
export async function breakerState(
  log: EventLog,
  hookId: string,
  eventId: string,
  sequence: number,
): Promise<BreakerState> {
  const process = processOf(eventId);
  const changes = await log.query({
    pattern: 'hook.breaker.*',
    afterSequence: sequence,
    reverse: true,
    limit: SCAN,
  });
  for (const event of changes) {
    const data = (event.data ?? {}) as {
      hookId?: unknown;
      state?: unknown;
      reason?: unknown;
      failClosed?: unknown;
    };
    if (data.hookId !== hookId || processOf(event.id) !== process) continue;
    const state = data.state === 'open' || data.state === 'half-open' ? data.state : 'closed';
    return {
      state,
      since: {
        eventId: event.id,
        type: event.type,
        timestamp: event.timestamp,
        ...(typeof data.reason === 'string' && { reason: data.reason }),
        ...(typeof data.failClosed === 'boolean' && { failClosed: data.failClosed }),
      },
    };
  }
  return { state: 'closed' };
}
