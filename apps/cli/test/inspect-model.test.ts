import { buildTimeline, type HookspellEvent } from '@hookspell/events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeEvent } from '../src/inspect/model/describe.js';
import type { ExecutionSpan } from '../src/inspect/model/run-event.js';
import { buildRunModel, type RunModel, type RunNode } from '../src/inspect/model/run-model.js';

// Ids as hookspell makes them: a per-process prefix and a counter.
const P1 = 'mx1a2b-0a0b0c0d-';
const P2 = 'mx9z8y-1f2e3d4c-';

let counter = 0;
function ev(
  type: string,
  data: Record<string, unknown> | undefined,
  timestamp: number,
  options: { process?: string; cause?: string; correlationId?: string; id?: string } = {},
): HookspellEvent {
  const n = counter++;
  return {
    id: options.id ?? `${options.process ?? P1}${n}`,
    type,
    data,
    language: 'native',
    timestamp,
    sequence: timestamp * 1000 + (n % 1000),
    schemaVersion: '1.0',
    metadata: {
      correlationId: options.correlationId ?? 'run',
      tags: [],
      priority: 0,
      ...(options.cause !== undefined && { causationId: options.cause }),
    },
  };
}

/** A fire as the executor reports it: started, one event per hook, decision. */
function fire(
  at: {
    start: number;
    hooks: {
      name: string;
      ts: number;
      ms: number;
      result?: unknown;
      status?: string;
      dependsOn?: string[];
    }[];
    end: number;
    duration: number;
  },
  options: {
    fireSeq: number;
    mode?: 'sequential' | 'parallel';
    process?: string;
    cause?: string;
    point?: string;
  },
): HookspellEvent[] {
  const point = options.point ?? 'custom:p';
  const p = { process: options.process ?? P1 };
  const out = [
    ev(
      'hook.fire.started',
      { point, mode: options.mode ?? 'sequential', hooks: at.hooks.length, fireSeq: options.fireSeq },
      at.start,
      {
        ...p,
        ...(options.cause !== undefined && { cause: options.cause }),
      },
    ),
  ];
  at.hooks.forEach((h, i) => {
    const executionId = `x${options.fireSeq}-${options.process ?? P1}.${i}`;
    out.push(
      ev(
        `hook.execution.${h.status ?? 'completed'}`,
        {
          point,
          hook: h.name,
          hookId: `${h.name}@${point}#1`,
          executionId,
          durationMs: h.ms,
          fireSeq: options.fireSeq,
          result: h.result ?? { type: 'continue' },
          ...(h.dependsOn === undefined ? {} : { dependsOn: h.dependsOn }),
        },
        h.ts,
        { ...p, cause: executionId },
      ),
    );
  });
  out.push(
    ev(
      'hook.fire.completed',
      { point, decision: 'continue', durationMs: at.duration, fireSeq: options.fireSeq },
      at.end,
      p,
    ),
  );
  return out;
}

const byLabel = (model: RunModel, label: string): RunNode => {
  const hit = model.nodes.find((n) => n.label === label);
  if (hit === undefined)
    throw new Error(`no node '${label}' in ${model.nodes.map((n) => n.label).join(', ')}`);
  return hit;
};

describe('the run model (shared by hookspell inspect and the HTML timeline)', () => {
  it('the issue-19 run without a journal: no hook before its fire, the decision after its hooks, nothing after it drawn before it', () => {
    // Stored as the coarse clock stamped it: every event of the synchronous fire shares the fire's
    // reading (+16), the hooks ran 13.5 ms and 40 ms, the fire 66.5 ms; the next event was
    // stamped +69 although it was emitted after the decision.
    const events = [
      ev('agent.step', { n: 1 }, 1000),
      ...fire(
        {
          start: 1016,
          hooks: [
            { name: 'a', ts: 1016, ms: 13.5 },
            { name: 'b', ts: 1016, ms: 40 },
          ],
          end: 1016,
          duration: 66.5,
        },
        { fireSeq: 1 },
      ),
      ev('tool.result', { ok: true }, 1069),
    ];
    const model = buildRunModel(events);
    const f = byLabel(model, 'fire custom:p');
    const a = byLabel(model, 'a ok');
    const b = byLabel(model, 'b ok');
    const decision = byLabel(model, 'decision continue');
    const after = byLabel(model, 'tool.result');
    expect(model.t0).toBe(1000);
    expect(f.start).toBe(16);
    expect(f.stored).toBe(16);
    // a sequential chain: one after the other from the fire's start, each for its duration
    expect([a.start, a.end]).toEqual([16, 29.5]);
    expect([b.start, b.end]).toEqual([29.5, 69.5]);
    // the decision: the fire's start plus its recorded duration (its stored +16 is a shared reading)
    expect(decision.start).toBe(82.5);
    expect(decision.stored).toBe(16);
    expect(f.end).toBe(82.5);
    // emitted after the decision (sequence order): drawn after it, its stored time kept
    expect(after.start).toBe(82.5);
    expect(after.stored).toBe(69);
    expect(model.durationMs).toBe(82.5);
  });

  it('a parallel fire without a journal: each hook ends at its stored time and lasts its duration, never before its fire', () => {
    const events = fire(
      {
        start: 100,
        hooks: [
          { name: 'format', ts: 350, ms: 250 },
          { name: 'lint', ts: 500, ms: 150 },
          { name: 'early', ts: 120, ms: 60 }, // stamped too early for its duration: clamped to the fire
        ],
        end: 500,
        duration: 401,
      },
      { fireSeq: 1, mode: 'parallel' },
    );
    const model = buildRunModel(events, {
      dependencies: new Map([['custom:p', new Map([['lint', ['format']]])]]),
    });
    const format = byLabel(model, 'format ok');
    const lint = byLabel(model, 'lint ok');
    const early = byLabel(model, 'early ok');
    expect([format.start, format.end]).toEqual([0, 250]);
    expect([lint.start, lint.end]).toEqual([250, 400]);
    expect(early.start).toBe(0);
    expect(early.end - early.start).toBe(60);
    expect(lint.waitsFor).toEqual([format.id]);
    expect(format.waitsFor).toEqual([]);
    expect(byLabel(model, 'decision continue').start).toBe(401);
  });

  it('dependsOn recorded with an execution draws its wait without any config (hooks registered by an app or a script)', () => {
    const events = fire(
      {
        start: 100,
        hooks: [
          { name: 'format', ts: 350, ms: 250 },
          { name: 'lint', ts: 500, ms: 150, dependsOn: ['format'] },
        ],
        end: 500,
        duration: 401,
      },
      { fireSeq: 1, mode: 'parallel' },
    );
    const model = buildRunModel(events, { dependencies: new Map() });
    expect(byLabel(model, 'lint ok').waitsFor).toEqual([byLabel(model, 'format ok').id]);
  });

  it('journal start times are exact: used as they are, shifted together only when they would precede the fire', () => {
    const events = fire(
      {
        start: 100,
        hooks: [
          { name: 'a', ts: 100, ms: 10 },
          { name: 'b', ts: 100, ms: 20 },
        ],
        end: 100,
        duration: 35,
      },
      { fireSeq: 1, mode: 'parallel' },
    );
    const spans = new Map<string, ExecutionSpan>([
      [`x1-${P1}.0`, { startedAt: 102.5, durationMs: 10 }],
      [`x1-${P1}.1`, { startedAt: 104, durationMs: 20 }],
    ]);
    let model = buildRunModel(events, { spans });
    expect([byLabel(model, 'a ok').start, byLabel(model, 'a ok').end]).toEqual([2.5, 12.5]);
    expect([byLabel(model, 'b ok').start, byLabel(model, 'b ok').end]).toEqual([4, 24]);
    expect(byLabel(model, 'decision continue').start).toBe(35);
    // a journal clock 3 ms behind the events' clock: both hooks move 0.5 ms later together
    const behind = new Map([...spans].map(([id, s]) => [id, { ...s, startedAt: s.startedAt - 3 }]));
    model = buildRunModel(events, { spans: behind });
    expect(byLabel(model, 'a ok').start).toBe(0);
    expect(byLabel(model, 'b ok').start).toBe(1.5);
  });

  it('journal spans that are not times are not used: a skipped hook (recorded at 0), a span a minute off', () => {
    const events = fire(
      {
        start: 1_000_000,
        hooks: [
          { name: 'a', ts: 1_000_010, ms: 10 },
          {
            name: 'b',
            ts: 1_000_010,
            ms: 0,
            status: 'skipped',
            result: { type: 'skipped', reason: 'chain stopped' },
          },
          { name: 'c', ts: 1_000_010, ms: 0, status: 'skipped' },
        ],
        end: 1_000_010,
        duration: 10,
      },
      { fireSeq: 1 },
    );
    const spans = new Map<string, ExecutionSpan>([
      [`x1-${P1}.0`, { startedAt: 1_000_000, durationMs: 10 }],
      [`x1-${P1}.1`, { startedAt: 0, durationMs: 0 }],
      [`x1-${P1}.2`, { startedAt: 1_000_010 + 3_600_000, durationMs: 0 }],
    ]);
    const model = buildRunModel(events, { spans });
    expect(model.t0).toBe(1_000_000);
    expect([byLabel(model, 'a ok').start, byLabel(model, 'a ok').end]).toEqual([0, 10]);
    expect(byLabel(model, 'b skipped').start).toBe(10);
    expect(byLabel(model, 'c skipped').start).toBe(10);
    expect(model.durationMs).toBe(10);
  });

  it('outcomes: a cancel is not ok, errors and timeouts carry their reason, a cancelled decision says who', () => {
    const events = fire(
      {
        start: 0,
        hooks: [
          { name: 'deny', ts: 1, ms: 1, result: { type: 'cancel', reason: 'no rm' } },
          {
            name: 'later',
            ts: 1,
            ms: 0,
            status: 'skipped',
            result: { type: 'skipped', reason: "chain stopped by 'deny'" },
          },
        ],
        end: 2,
        duration: 2,
      },
      { fireSeq: 1 },
    );
    (events[3]!.data as { decision: string }).decision = 'cancel';
    const model = buildRunModel(events);
    expect(byLabel(model, 'deny ok')).toMatchObject({ status: 'ok', outcome: 'cancel', reason: 'no rm' });
    expect(byLabel(model, 'later skipped')).toMatchObject({
      outcome: 'skipped',
      reason: "chain stopped by 'deny'",
    });
    expect(byLabel(model, 'decision cancel')).toMatchObject({ outcome: 'cancel', reason: 'deny: no rm' });
    const failed = describeEvent(
      ev(
        'hook.execution.failed',
        { hook: 'x', durationMs: 3, error: '[hookspell] boom', executionId: 'e' },
        0,
      ),
    );
    expect(failed).toMatchObject({
      status: 'error',
      outcome: 'error',
      reason: 'boom',
      detail: '3.0 ms · boom',
    });
    const timeout = describeEvent(
      ev('hook.execution.timeout', { hook: 'x', durationMs: 50, error: 'timed out after 50 ms' }, 0),
    );
    expect(timeout).toMatchObject({ outcome: 'timeout', reason: 'timed out after 50 ms' });
    // hostile data: never throws, falls back to plain labels
    for (const data of [null, 7, 'x', [1], { hook: {}, durationMs: 'x', result: 5 }]) {
      expect(() => describeEvent(ev('hook.execution.completed', data as never, 0))).not.toThrow();
    }
  });

  it('builds the same causality tree as the events package (property: random causes, two processes, fires)', () => {
    const arb = fc.array(
      fc.record({
        kind: fc.constantFrom('event', 'fire', 'exec', 'done'),
        process: fc.constantFrom(P1, P2, 'plain-'),
        fireSeq: fc.integer({ min: 1, max: 3 }),
        cause: fc.option(fc.nat({ max: 40 }), { nil: undefined }),
        execCause: fc.boolean(),
        at: fc.integer({ min: 0, max: 50 }),
      }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(arb, (specs) => {
        const events: HookspellEvent[] = [];
        specs.forEach((s, i) => {
          const id = s.process === 'plain-' ? `plain-${i}` : `${s.process}${i}`;
          const target =
            s.cause === undefined
              ? undefined
              : s.execCause
                ? `exec-${s.cause}`
                : events[s.cause % Math.max(1, events.length)]?.id;
          const type = {
            event: 'thing.happened',
            fire: 'hook.fire.started',
            exec: 'hook.execution.completed',
            done: 'hook.fire.completed',
          }[s.kind]!;
          const data =
            s.kind === 'event'
              ? { i }
              : { fireSeq: s.fireSeq, executionId: `exec-${i}`, hook: `h${i}`, durationMs: 1 };
          events.push({
            ...ev(type, data, 1000 + s.at, { id }),
            sequence: i + 1,
            metadata: {
              correlationId: 'run',
              tags: [],
              priority: 0,
              ...(target !== undefined && { causationId: target }),
            },
          });
        });
        const theirs = buildTimeline('run', events);
        const ours = buildRunModel(events);
        const parents = new Map<string, string | undefined>();
        const walk = (n: (typeof theirs.roots)[number], parent?: string) => {
          parents.set(n.event.id, parent);
          for (const c of n.children) walk(c, n.event.id);
        };
        for (const r of theirs.roots) walk(r);
        for (const n of ours.nodes) expect(n.parentId).toBe(parents.get(n.id));
        expect(ours.roots.map((r) => r.id)).toEqual(theirs.roots.map((r) => r.event.id));
      }),
      { numRuns: 200 },
    );
  });

  it('layout invariants hold for any stored times (property): children inside parents, durations kept, decisions last, order kept', () => {
    const hook = fc.record({
      ts: fc.integer({ min: 0, max: 400 }),
      ms: fc.integer({ min: 0, max: 200 }),
      journal: fc.option(fc.integer({ min: -20, max: 400 }), { nil: undefined }),
    });
    const arb = fc.array(
      fc.record({
        mode: fc.constantFrom('sequential', 'parallel') as fc.Arbitrary<'sequential' | 'parallel'>,
        start: fc.integer({ min: 0, max: 400 }),
        hooks: fc.array(hook, { minLength: 1, maxLength: 4 }),
        end: fc.integer({ min: 0, max: 400 }),
        duration: fc.integer({ min: 0, max: 500 }),
        noteAt: fc.integer({ min: 0, max: 400 }),
      }),
      { minLength: 1, maxLength: 4 },
    );
    fc.assert(
      fc.property(arb, (fires) => {
        const events: HookspellEvent[] = [];
        const spans = new Map<string, ExecutionSpan>();
        fires.forEach((f, k) => {
          const base = 1000 + k * 1000;
          events.push(
            ...fire(
              {
                start: base + f.start,
                hooks: f.hooks.map((h, i) => ({ name: `h${i}`, ts: base + h.ts, ms: h.ms })),
                end: base + f.end,
                duration: f.duration,
              },
              { fireSeq: k + 1, mode: f.mode },
            ),
            ev('note', { k }, base + f.noteAt),
          );
          f.hooks.forEach((h, i) => {
            if (h.journal !== undefined)
              spans.set(`x${k + 1}-${P1}.${i}`, { startedAt: base + h.journal, durationMs: h.ms });
          });
        });
        // sequences in emission order, as a real log has them
        events.forEach((e, i) => {
          Object.assign(e, { sequence: i + 1 });
        });
        const model = buildRunModel(events, { spans });
        const byId = model.byId;
        let lastPoint = Number.NEGATIVE_INFINITY;
        for (const n of model.nodes) {
          expect(n.end).toBeGreaterThanOrEqual(n.start);
          const parent = n.parentId === undefined ? undefined : byId.get(n.parentId)!;
          if (parent !== undefined) expect(n.start).toBeGreaterThanOrEqual(parent.start);
          if (n.kind === 'fire') for (const c of n.children) expect(n.end).toBeGreaterThanOrEqual(c.end);
          if (n.kind === 'execution') expect(n.end - n.start).toBeCloseTo(n.durationMs!, 6);
          if (n.kind === 'decision') {
            const f = byId.get(n.parentId!)!;
            expect(n.start).toBeGreaterThanOrEqual(f.start + n.durationMs! - 1e-9);
            for (const h of f.children)
              if (h.kind === 'execution') expect(n.start).toBeGreaterThanOrEqual(h.end - 1e-9);
          }
          // point events and decisions never go back in time along the sequence; none before its stored time
          if (n.kind !== 'execution') {
            expect(n.start).toBeGreaterThanOrEqual(lastPoint);
            expect(n.start).toBeGreaterThanOrEqual(n.stored);
            lastPoint = n.start;
          }
        }
        // journal spans keep their distances within a fire
        for (const f of model.nodes.filter((n) => n.kind === 'fire')) {
          const timed = f.children.filter((c) => c.executionId !== undefined && spans.has(c.executionId));
          for (let i = 1; i < timed.length; i++) {
            const [a, b] = [timed[0]!, timed[i]!];
            expect(b.start - a.start).toBeCloseTo(
              spans.get(b.executionId!)!.startedAt - spans.get(a.executionId!)!.startedAt,
              6,
            );
          }
        }
        expect(model.durationMs).toBe(Math.max(...model.nodes.map((n) => n.end)));
      }),
      { numRuns: 300 },
    );
  });
});
