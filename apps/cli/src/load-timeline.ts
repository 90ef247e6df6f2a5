import { buildTimeline, type EventLog, type HookspellEvent, type Timeline } from '@hookspell/events';

/**
 * The timeline of one correlation, as `log.timeline()` builds it, but safe for events stored by
 * several processes: hook lifecycle events find their fire by `data.fireSeq`, a per-process
 * counter, so two CLI invocations under one correlation id both have fire 1. Here each
 * (process, fireSeq) pair gets its own number first; the process is the prefix of the event id.
 */
export async function loadTimeline(log: EventLog, correlationId: string): Promise<Timeline> {
  const events: HookspellEvent[] = [];
  let afterSequence: number | undefined;
  for (;;) {
    const page = await log.query({ correlationId, afterSequence, limit: 1000 });
    events.push(...page);
    if (page.length < 1000) break;
    afterSequence = page[page.length - 1]!.sequence;
  }
  return buildTimeline(correlationId, uniqueFireSeqs(events));
}

/** Events with `data.fireSeq` renumbered so that fires of different processes never share one. */
export function uniqueFireSeqs(events: readonly HookspellEvent[]): HookspellEvent[] {
  const numbers = new Map<string, number>();
  return events.map((event) => {
    const data = event.data as { fireSeq?: unknown } | null;
    if (typeof data?.fireSeq !== 'number' || !event.type.startsWith('hook.')) return event;
    const key = `${processOf(event.id)}#${data.fireSeq}`;
    let n = numbers.get(key);
    if (n === undefined) numbers.set(key, (n = numbers.size + 1));
    return { ...event, data: { ...data, fireSeq: n } };
  });
}

/** `lx3k9a-1f2e3d4c-0000012` → `lx3k9a-1f2e3d4c` (events' ids start with their process's prefix). */
function processOf(id: string): string {
  const second = id.indexOf('-', id.indexOf('-') + 1);
  return second > 0 ? id.slice(0, second) : id;
}
