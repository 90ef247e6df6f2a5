import { MemoryStorage, type StorageBackend } from '@hookspell/storage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventBus, EventLog, type HookspellEvent, matchPattern } from '../src/index.js';

// Model test: whatever was published (in random group-commit batches, with random correlations
// and causes, with subscribers re-publishing synchronously up to 3 levels deep, after random
// retention), every query answers what filtering the model — the events in sequence order — would,
// and paging through it with the `afterSequence` cursor finds every event once.
const types = ['tool.started', 'tool.error', 'agent.step', 'agent.run.done', 'x'];
const patterns = ['**', 'tool.*', '*.error', 'agent.**', 'x', 'nothing.*'];

const scenario = fc.record({
  batches: fc.array(
    fc.array(
      fc.record({
        type: fc.constantFrom(...types),
        corr: fc.option(fc.constantFrom('c1', 'c2', 'long/odd id..with $tuff'), { nil: undefined }),
        causedByPrevious: fc.boolean(),
        advanceMs: fc.integer({ min: 0, max: 3 }),
        /** How many levels of events subscribers publish while handling this one. */
        depth: fc.integer({ min: 0, max: 3 }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
    { minLength: 1, maxLength: 8 },
  ),
  maxEvents: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
  queries: fc.array(
    fc.record({
      pattern: fc.option(fc.constantFrom(...patterns), { nil: undefined }),
      corrIndex: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
      fromIndex: fc.option(fc.nat(), { nil: undefined }),
      toIndex: fc.option(fc.nat(), { nil: undefined }),
      afterIndex: fc.option(fc.nat(), { nil: undefined }),
      limit: fc.integer({ min: 1, max: 30 }),
      reverse: fc.boolean(),
    }),
    { minLength: 1, maxLength: 8 },
  ),
});

type Query = Scenario['queries'][number];
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

// Checks a log holding `published` (after retention to `maxEvents`) against the model.
async function checkQueries(
  storage: StorageBackend,
  published: readonly HookspellEvent[],
  maxEvents: number | undefined,
  queries: readonly Query[],
  now: number,
): Promise<void> {
  const ordered = [...published].sort((a, b) => a.sequence - b.sequence);
  let model = ordered;
  if (maxEvents !== undefined) {
    const pruning = new EventLog(storage, { retention: { maxEvents }, clock: () => now });
    await pruning.prune();
    model = ordered.slice(Math.max(0, ordered.length - maxEvents));
  }
  const reader = new EventLog(storage); // a fresh reader of the same store
  expect(await reader.size()).toBe(model.length);
  const correlations = [...new Set(published.map((e) => e.metadata.correlationId))];
  for (const q of queries) {
    const at = (i: number | undefined) => (i === undefined ? undefined : published[i % published.length]!);
    const correlationId =
      q.corrIndex === undefined ? undefined : correlations[q.corrIndex % correlations.length];
    const from = at(q.fromIndex)?.timestamp;
    const to = at(q.toIndex)?.timestamp;
    const afterSequence = at(q.afterIndex)?.sequence;
    let matching = model.filter(
      (e) =>
        (q.pattern === undefined || matchPattern(q.pattern, e.type)) &&
        (correlationId === undefined || e.metadata.correlationId === correlationId) &&
        (from === undefined || e.timestamp >= from) &&
        (to === undefined || e.timestamp <= to) &&
        (afterSequence === undefined ||
          (q.reverse ? e.sequence < afterSequence : e.sequence > afterSequence)),
    );
    if (q.reverse) matching = [...matching].reverse();
    const expected = matching.slice(0, q.limit);
    const query = { pattern: q.pattern, correlationId, from, to, reverse: q.reverse };
    const got = await reader.query({ ...query, afterSequence, limit: q.limit });
    expect(got.map((e) => e.sequence)).toEqual(expected.map((e) => e.sequence));
    expect(got).toEqual(expected.map((e) => JSON.parse(JSON.stringify(e))));
    // cursor paging, 1 to 3 events a page, from the query's own cursor
    const pageSize = (q.limit % 3) + 1;
    const paged: number[] = [];
    let cursor = afterSequence;
    for (;;) {
      const page = await reader.query({ ...query, afterSequence: cursor, limit: pageSize });
      paged.push(...page.map((e) => e.sequence));
      if (page.length < pageSize) break;
      cursor = page[page.length - 1]!.sequence;
    }
    expect(paged).toEqual(matching.map((e) => e.sequence));
  }
}

describe('EventLog queries against a model', () => {
  it('answers every query like filtering the published events', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ batches, maxEvents, queries }) => {
        let now = Date.now() + 1_000_000;
        const storage = MemoryStorage();
        const log = new EventLog(storage, { maxBatch: 5, clock: () => now });
        const bus = new EventBus({ log, clock: () => now });
        const published: HookspellEvent[] = [];
        // Every event, in the order subscribers see them; nested ones are published by the
        // subscriber below while the bus is still delivering their cause.
        bus.subscribe('**', (e) => void published.push(e));
        bus.subscribe('**', (e) => {
          const { n, depth } = e.data as { n: number; depth: number };
          if (depth > 0) bus.emit(types[(n + depth) % types.length]!, { n: n + 1, depth: depth - 1 });
        });
        for (const batch of batches) {
          for (const spec of batch) {
            now += spec.advanceMs;
            const previous = published[published.length - 1];
            const cause = spec.causedByPrevious ? previous : undefined;
            bus.emit(
              spec.type,
              { n: published.length, depth: spec.depth },
              {
                correlationId: spec.corr ?? cause?.metadata.correlationId,
                causationId: cause?.id,
              },
            );
          }
          await bus.flush(); // one or more group commits per batch
        }
        await checkQueries(storage, published, maxEvents, queries, now);
      }),
      { numRuns: 150 },
    );
  });

  it('answers in sequence order whatever order the events were appended in', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario,
        fc.array(fc.nat(), { minLength: 1, maxLength: 80 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 10 }),
        async ({ batches, maxEvents, queries }, order, chunks) => {
          let now = Date.now() + 1_000_000;
          const bus = new EventBus({ clock: () => now }); // makes the events; the log gets them below
          const published: HookspellEvent[] = [];
          for (const spec of batches.flat()) {
            now += spec.advanceMs;
            const previous = published[published.length - 1];
            const cause = spec.causedByPrevious ? previous : undefined;
            published.push(
              bus.emit(
                spec.type,
                { n: published.length },
                { correlationId: spec.corr ?? cause?.metadata.correlationId, causationId: cause?.id },
              ),
            );
          }
          // A random order, appended in random group commits.
          const pending = [...published];
          const shuffled: HookspellEvent[] = [];
          for (let i = 0; pending.length > 0; i++) {
            shuffled.push(pending.splice(order[i % order.length]! % pending.length, 1)[0]!);
          }
          const storage = MemoryStorage();
          const log = new EventLog(storage, { maxBatch: 5, clock: () => now });
          for (let i = 0, c = 0; i < shuffled.length; c++) {
            const size = chunks[c % chunks.length]!;
            for (const event of shuffled.slice(i, i + size)) void log.append(event);
            i += size;
            await log.flush();
          }
          expect(log.stats()).toMatchObject({ committed: published.length, failed: 0 });
          await checkQueries(storage, published, maxEvents, queries, now);
        },
      ),
      { numRuns: 150 },
    );
  });
});
