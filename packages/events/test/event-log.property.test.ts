import { MemoryStorage } from '@hookspell/storage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventBus, EventLog, type HookspellEvent, matchPattern } from '../src/index.js';

// Model test: whatever was published (in random group-commit batches, with random correlations
// and causes, after random retention), every query answers what filtering the model would.
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

describe('EventLog queries against a model', () => {
  it('answers every query like filtering the published events', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ batches, maxEvents, queries }) => {
        let now = Date.now() + 1_000_000;
        const storage = MemoryStorage();
        const log = new EventLog(storage, { maxBatch: 5, clock: () => now });
        const bus = new EventBus({ log, clock: () => now });
        const published: HookspellEvent[] = [];
        for (const batch of batches) {
          for (const spec of batch) {
            now += spec.advanceMs;
            const previous = published[published.length - 1];
            const cause = spec.causedByPrevious ? previous : undefined;
            published.push(
              bus.emit(
                spec.type,
                { n: published.length },
                {
                  correlationId: spec.corr ?? cause?.metadata.correlationId,
                  causationId: cause?.id,
                },
              ),
            );
          }
          await bus.flush(); // one or more group commits per batch
        }
        let model = published;
        if (maxEvents !== undefined) {
          const pruning = new EventLog(storage, { retention: { maxEvents }, clock: () => now });
          await pruning.prune();
          model = published.slice(Math.max(0, published.length - maxEvents));
        }
        const reader = new EventLog(storage); // a fresh reader of the same store
        expect(await reader.size()).toBe(model.length);
        const correlations = [...new Set(published.map((e) => e.metadata.correlationId))];
        for (const q of queries) {
          const at = (i: number | undefined) =>
            i === undefined ? undefined : published[i % published.length]!;
          const correlationId =
            q.corrIndex === undefined ? undefined : correlations[q.corrIndex % correlations.length];
          const from = at(q.fromIndex)?.timestamp;
          const to = at(q.toIndex)?.timestamp;
          const afterSequence = at(q.afterIndex)?.sequence;
          let expected = model.filter(
            (e) =>
              (q.pattern === undefined || matchPattern(q.pattern, e.type)) &&
              (correlationId === undefined || e.metadata.correlationId === correlationId) &&
              (from === undefined || e.timestamp >= from) &&
              (to === undefined || e.timestamp <= to) &&
              (afterSequence === undefined ||
                (q.reverse ? e.sequence < afterSequence : e.sequence > afterSequence)),
          );
          if (q.reverse) expected = [...expected].reverse();
          expected = expected.slice(0, q.limit);
          const got = await reader.query({
            pattern: q.pattern,
            correlationId,
            from,
            to,
            afterSequence,
            limit: q.limit,
            reverse: q.reverse,
          });
          expect(got.map((e) => e.sequence)).toEqual(expected.map((e) => e.sequence));
          expect(got).toEqual(expected.map((e) => JSON.parse(JSON.stringify(e))));
        }
      }),
      { numRuns: 150 },
    );
  });
});
