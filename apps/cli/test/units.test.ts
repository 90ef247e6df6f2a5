import { buildTimeline, type HookspellEvent } from '@hookspell/events';
import type { HookInfo } from '@hookspell/hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { jsonSyntaxProblem, lineCol } from '../src/config/json-syntax.js';
import { fieldName, locate, pointerToPath } from '../src/config/locate.js';
import { validateConfig } from '../src/config/schema.js';
import { uniqueFireSeqs } from '../src/load-timeline.js';
import { executionOrder } from '../src/render/hooks-table.js';
import { renderTimelineHtml } from '../src/render/timeline-html.js';
import { renderTimelineTree } from '../src/render/timeline-tree.js';
import { timelineView } from '../src/render/timeline-view.js';
import { parseSet } from '../src/util/changes.js';
import { parseTime } from '../src/util/input.js';

let seq = 0;
function ev(
  id: string,
  type: string,
  data: Record<string, unknown>,
  at: number,
  causationId?: string,
): HookspellEvent {
  return {
    id,
    type,
    data,
    language: 'native',
    timestamp: at,
    sequence: ++seq,
    schemaVersion: '1.0',
    metadata: { correlationId: 'c', tags: [], priority: 0, ...(causationId && { causationId }) },
  };
}

describe('pure helpers', () => {
  it('locate maps a JSON path to its line in YAML and JSON', () => {
    for (const text of [
      'hooks:\n  - name: a\n    point: X\n',
      '{\n  "hooks": [\n    { "name": "a",\n      "point": "X" }\n  ]\n}\n',
    ]) {
      const lines = new LineCounter();
      const doc = parseDocument(text, { lineCounter: lines });
      const json = text.startsWith('{');
      expect(locate(doc, lines, ['hooks', 0, 'point'])).toEqual(
        json ? { line: 4, col: 16 } : { line: 3, col: 12 },
      );
      expect(locate(doc, lines, ['hooks', 0, 'point'], { key: true })?.line).toBe(json ? 4 : 3);
      expect(locate(doc, lines, ['hooks', 0, 'missing'])?.line).toBe(json ? 3 : 2); // the object lacking it
    }
    expect(pointerToPath('/hooks/2/dependsOn/0')).toEqual(['hooks', 2, 'dependsOn', 0]);
    expect(fieldName(['points', 'custom:x', 'mode'])).toBe('points["custom:x"].mode');
  });

  it('validateConfig picks the most specific problem', () => {
    expect(validateConfig({ hooks: [{ name: 'a', point: 'SystemStartup', command: 'x' }] })).toBeUndefined();
    expect(validateConfig({ hooks: [{ name: 'a', point: 'SystemStrtup', command: 'x' }] })).toMatchObject({
      path: ['hooks', 0, 'point'],
      message: expect.stringContaining("Did you mean 'SystemStartup'?"),
    });
    expect(
      validateConfig({ hooks: [{ name: 'a', point: 'SystemStartup', run: 'lua:x', timeout: 3 }] }),
    ).toMatchObject({
      path: ['hooks', 0, 'timeout'],
      key: true,
      message: 'hooks[0].timeout: unknown field. Did you mean `timeoutMs`?',
    });
    expect(validateConfig({ points: { 'custom:ok': { mode: 'parallel', maxParallel: 0 } } })?.message).toBe(
      'points["custom:ok"].maxParallel: must be >= 1 (got 0)',
    );
  });

  it('executionOrder puts dependencies first, otherwise keeps (priority, registration) order', () => {
    const h = (name: string, dependsOn: string[] = [], enabled = true) =>
      ({ name, dependsOn, enabled }) as unknown as HookInfo;
    expect(executionOrder([h('a', ['c']), h('b'), h('c'), h('d', [], false)]).map((x) => x.name)).toEqual([
      'b',
      'c',
      'a',
      'd',
    ]);
    expect(executionOrder([h('a', ['gone']), h('b')]).map((x) => x.name)).toEqual(['a', 'b']);
  });

  it('parseTime reads durations ago, ISO times and epoch ms', () => {
    const now = 1_700_000_000_000;
    expect(parseTime('10m', '--since', now)).toBe(now - 600_000);
    expect(parseTime('1.5h', '--since', now)).toBe(now - 5_400_000);
    expect(parseTime('250ms', '--since', now)).toBe(now - 250);
    expect(parseTime('2024-01-02T03:04:05Z', '--since', now)).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(parseTime('1700000000000', '--since', now)).toBe(1_700_000_000_000);
    expect(() => parseTime('soon', '--until', now)).toThrow(/--until: 'soon' is not a time/);
  });

  it('parseSet reads JSON values, else text', () => {
    expect(parseSet('data.limit=3')).toEqual(['data.limit', 3]);
    expect(parseSet('data.cmd=rm -rf /')).toEqual(['data.cmd', 'rm -rf /']);
    expect(parseSet('data.tags=["a","b"]')).toEqual(['data.tags', ['a', 'b']]);
    expect(parseSet('metadata.user=bob')).toEqual(['metadata.user', 'bob']);
    expect(parseSet('data.x=')).toEqual(['data.x', '']);
    expect(() => parseSet('ctx.x=1')).toThrow(/must start with data\. or metadata\./);
  });

  it('uniqueFireSeqs keeps fires of different processes apart', () => {
    const a = ev('p1-aaaa-0000', 'hook.fire.started', { point: 'SystemStartup', fireSeq: 1 }, 0);
    const a1 = ev(
      'p1-aaaa-0001',
      'hook.execution.completed',
      { hook: 'x', executionId: 'p1.0', fireSeq: 1, durationMs: 1 },
      1,
      'p1.0',
    );
    const b = ev('p2-bbbb-0000', 'hook.fire.started', { point: 'SystemShutdown', fireSeq: 1 }, 10);
    const b1 = ev(
      'p2-bbbb-0001',
      'hook.execution.completed',
      { hook: 'y', executionId: 'p2.0', fireSeq: 1, durationMs: 1 },
      11,
      'p2.0',
    );
    const naive = buildTimeline('c', [a, a1, b, b1]);
    expect(naive.roots[1]!.children).toHaveLength(2); // both executions under the second fire
    const fixed = buildTimeline('c', uniqueFireSeqs([a, a1, b, b1]));
    expect(fixed.roots.map((r) => r.children.map((c) => (c.event.data as { hook: string }).hook))).toEqual([
      ['x'],
      ['y'],
    ]);
  });

  it('timelineView: spans from the journal, overlap groups only in parallel fires, same-cause groups without the cause', () => {
    const fire = (id: string, mode: string, at: number) =>
      ev(id, 'hook.fire.started', { point: 'custom:p', mode, hooks: 2, fireSeq: at }, at);
    const exec = (id: string, hook: string, x: string, at: number, dur: number, fs: number) =>
      ev(
        id,
        'hook.execution.completed',
        {
          point: 'custom:p',
          hook,
          executionId: x,
          durationMs: dur,
          fireSeq: fs,
          result: { type: 'continue' },
        },
        at,
        x,
      );
    const events = [
      fire('f1', 'parallel', 100),
      exec('e1', 'a', 'x1', 200, 100, 100),
      exec('e2', 'b', 'x2', 250, 120, 100),
      ev('n1', 'note', { i: 1 }, 150, 'x1'),
      ev('n2', 'note', { i: 2 }, 160, 'x1'),
      fire('f2', 'sequential', 300),
      exec('e3', 'c', 'x3', 310, 10, 300),
      exec('e4', 'd', 'x4', 310, 10, 300),
    ];
    const timeline = buildTimeline('c', events);
    // the journal says when d really started (its event shares c's clock reading)
    const view = timelineView(timeline, new Map([['x4', { startedAt: 310, durationMs: 10 }]]));
    const byLabel = (label: string) => {
      const find = (nodes: typeof view.roots): (typeof view.roots)[number] | undefined => {
        for (const n of nodes) {
          if (n.label === label) return n;
          const hit = find(n.children);
          if (hit) return hit;
        }
        return undefined;
      };
      return find(view.roots)!;
    };
    expect(byLabel('a ok')).toMatchObject({ start: 0, end: 100, status: 'ok' });
    expect(byLabel('d ok')).toMatchObject({ start: 210, end: 220 });
    expect(view.groups.map((g) => [g.kind, g.label, g.ids])).toEqual([
      ['same-cause', 'caused by a ok', ['n1', 'n2']],
      ['overlap', 'ran side by side in fire custom:p', ['e1', 'e2']],
    ]);
    const tree = renderTimelineTree(view);
    expect(tree).toContain('├─ +0.0 ms  fire custom:p  parallel, 2 hooks');
    expect(tree).toContain('[1] caused by a ok: note | note');
    const html = renderTimelineHtml(view, { generatedAt: new Date(0) });
    expect(html.match(/<li class="node/g)).toHaveLength(events.length);
    expect(html).toContain('data-kind="same-cause"');
  });
});

describe('the JSON syntax errors of config files', () => {
  /** What JSON.parse says of a text: undefined when it is valid, else its error. */
  const refusal = (text: string): unknown => {
    try {
      JSON.parse(text);
      return undefined;
    } catch (error) {
      return error;
    }
  };

  it('places every text one edit away from valid JSON that JSON.parse refuses, and says why', () => {
    const texts = fc
      .tuple(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'))
      .map(([value, indent]) => JSON.stringify(value, null, indent));
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.integer({ min: 0, max: 2 }),
      insert: fc.constantFrom(
        '',
        ...'{}[],:"\\ \n\r\t/*x0-.+eE\'\u00a0\ufeff'.split(''),
        'tru',
        '01',
        '\\u12',
      ),
    });
    fc.assert(
      fc.property(texts, edit, (text, { at, remove, insert }) => {
        const i = at % (text.length + 1);
        const edited = text.slice(0, i) + insert + text.slice(i + remove);
        const error = refusal(edited);
        if (error === undefined) return;
        const { line, col, message } = jsonSyntaxProblem(edited, error);
        const lines = edited.split('\n');
        expect(line, JSON.stringify(edited)).toBeGreaterThanOrEqual(1);
        expect(line, JSON.stringify(edited)).toBeLessThanOrEqual(lines.length);
        expect(col, JSON.stringify(edited)).toBeGreaterThanOrEqual(1);
        expect(col, JSON.stringify(edited)).toBeLessThanOrEqual(lines[line - 1]!.length + 1);
        expect(message, JSON.stringify(edited)).not.toBe('');
      }),
      { numRuns: 3000 },
    );
  });

  it('counts lines at \\n and columns from 1', () => {
    expect(lineCol('ab\ncd', 0)).toEqual({ line: 1, col: 1 });
    expect(lineCol('ab\ncd', 4)).toEqual({ line: 2, col: 2 });
    expect(lineCol('ab\r\ncd', 4)).toEqual({ line: 2, col: 1 });
  });
});

describe('replay rendering', () => {
  it('a correlation replay warns when retention removed fires it may have had', async () => {
    const { renderCorrelationReplay } = await import('../src/render/replay.js');
    const base = {
      correlationId: 'sess-1',
      replayCorrelationId: undefined,
      fires: [],
      similarity: 1,
      identical: true,
    };
    expect(renderCorrelationReplay({ ...base, pruned: undefined } as never)).not.toMatch(/warning/);
    const text = renderCorrelationReplay({
      ...base,
      pruned: {
        entries: 1088,
        through: { seq: 9, recordedAt: Date.UTC(2026, 11, 7) },
        lastRunAt: 0,
        retention: {},
      },
    } as never);
    expect(text).toMatch(
      /warning: the journal's retention removed 1088 entries recorded up to 2026-12-07T00:00:00.000Z; fires of this correlation from before then may be missing/,
    );
  });
});
