import type { EventLog, EventQuery, HookspellEvent } from '../../src/index.js';

/** Every event `query` matches, read `limit` at a time by `afterSequence` — as a client pages. */
export async function page(log: EventLog, query: EventQuery, limit: number): Promise<HookspellEvent[]> {
  const all: HookspellEvent[] = [];
  let afterSequence: number | undefined;
  for (;;) {
    const got = await log.query({ ...query, afterSequence, limit });
    all.push(...got);
    if (got.length < limit) return all;
    afterSequence = got[got.length - 1]!.sequence;
  }
}
