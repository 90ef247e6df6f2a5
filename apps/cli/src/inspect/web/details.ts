/// <reference lib="dom" />
import type { JournalEntry, ReplayResult } from '@hookspell/journal';
import { brief, ms } from '../../util/format.js';
import type { BreakerState } from '../breaker-state.js';
import { shownLabel } from '../model/describe.js';
import type { RunEvent } from '../model/run-event.js';
import type { RunModel, RunNode } from '../model/run-model.js';
import { ApiError, getJson, postJson } from './api.js';
import { fill, h } from './dom.js';

/** A configured hook as `/api/info` lists it. */
export interface HookInfo {
  name: string;
  point: string;
  source: string;
  dependsOn: string[];
  timeoutMs: number | null;
  onFailure: string;
  where: string;
}

/** A listed event whose data was too large to list (see wire.ts). */
type ListedEvent = RunEvent & { truncated?: { chars: number; preview: string } };

/** Longest JSON shown at once (more behind a button: a 10 MB value would freeze the page). */
const SHOWN_CHARS = 100_000;

function json(value: unknown): HTMLElement {
  let text: string;
  try {
    text = JSON.stringify(value, null, 2) ?? 'undefined';
  } catch {
    text = String(value);
  }
  const pre = h('pre', { class: 'json' }, text.length > SHOWN_CHARS ? text.slice(0, SHOWN_CHARS) : text);
  if (text.length <= SHOWN_CHARS) return pre;
  const all = h('button', { type: 'button', class: 'link' }, `show all ${text.length} characters`);
  all.addEventListener('click', () => {
    pre.textContent = text;
    all.remove();
  });
  return h('div', null, pre, all);
}

function section(title: string, ...body: (Node | string | false | undefined)[]): HTMLElement {
  return h('section', { class: 'panel-section', 'data-section': title }, h('h3', null, title), ...body);
}

function table(rows: [string, string | Node | undefined][]): HTMLElement {
  return h(
    'table',
    { class: 'facts' },
    ...rows
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v as string | Node))),
  );
}

/**
 * The details panel of one node: everything stored about its event (data, metadata, ids, times
 * stored and drawn), and for a hook execution its journal entry (the context it ran on, its
 * result or error), its breaker's state at that point, its configured hook, and replay.
 */
export function renderDetails(
  panel: HTMLElement,
  node: RunNode,
  model: RunModel,
  context: { runId: string; hooks: readonly HookInfo[]; journal: boolean; close: () => void },
): void {
  const event = node.event as ListedEvent;
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<
    string,
    unknown
  >;
  const at = (offset: number) => `+${ms(offset)}`;
  const waits = node.waitsFor.map((id) => model.byId.get(id)?.hook ?? id);
  const outcome = node.outcome || node.kind;
  const dataBox = h(
    'div',
    null,
    event.truncated
      ? h('p', { class: 'muted' }, `too large to list (${event.truncated.chars} characters): `)
      : json(event.data),
  );
  if (event.truncated) {
    const load = h('button', { type: 'button', class: 'link', id: 'load-full' }, 'load it');
    dataBox.firstChild!.appendChild(load);
    dataBox.append(h('pre', { class: 'json' }, `${event.truncated.preview}…`));
    load.addEventListener('click', async () => {
      const full = await getJson<RunEvent>(
        `/api/runs/${encodeURIComponent(context.runId)}/events/${event.sequence}`,
      );
      fill(dataBox, json(full.data));
    });
  }
  fill(
    panel,
    h(
      'button',
      { type: 'button', class: 'close', 'aria-label': 'close the details', onclick: context.close },
      '×',
    ),
    h('h2', { id: 'details-title' }, shownLabel(node), h('span', { class: `badge o-${outcome}` }, outcome)),
    node.reason !== undefined && h('p', { class: `reason o-${outcome}`, id: 'details-reason' }, node.reason),
    table([
      ['type', event.type],
      ['event id', event.id],
      ['run', event.metadata.correlationId],
      ['caused by', event.metadata.causationId],
      ['stored at', `${new Date(event.timestamp).toISOString()} (${at(node.stored)})`],
      ['drawn', node.end > node.start ? `${at(node.start)} → ${at(node.end)}` : at(node.start)],
      ['sequence', String(event.sequence)],
      ['source', event.metadata.source],
      ['language', event.language],
      ['hook', node.hook],
      ['point', node.point],
      ['mode', node.kind === 'fire' ? node.mode : undefined],
      ['execution', node.executionId],
      ['duration', node.durationMs === undefined ? undefined : ms(node.durationMs)],
      ['waited for', waits.length > 0 ? waits.join(', ') : undefined],
      ['tags', event.metadata.tags?.length ? event.metadata.tags.join(', ') : undefined],
    ]),
    data.result !== undefined && section('result', json(data.result)),
    data.error !== undefined && section('error', h('pre', { class: 'json error' }, String(data.error))),
    section('data', dataBox),
    section('metadata', json(event.metadata)),
  );
  if (node.kind !== 'execution' || node.executionId === undefined) return;
  const executionId = node.executionId;
  const hook = context.hooks.find((x) => x.name === node.hook && x.point === node.point);
  const journalBox = h('div', { id: 'journal-entry' }, h('p', { class: 'muted' }, 'reading the journal…'));
  const breakerBox = h('div', { id: 'breaker-state' }, h('p', { class: 'muted' }, '…'));
  const replayBox = h('div', { id: 'replay' });
  panel.append(
    section('journal entry', journalBox),
    section('breaker', breakerBox),
    section(
      'configured hook',
      hook === undefined
        ? h(
            'p',
            { class: 'muted' },
            'not in this config (registered by a script or by an application): an exact replay cannot re-run it',
          )
        : table([
            ['source', hook.source],
            ['depends on', hook.dependsOn.join(', ') || undefined],
            ['timeout', hook.timeoutMs === null ? 'default' : ms(hook.timeoutMs)],
            ['on failure', hook.onFailure],
            ['defined at', hook.where],
          ]),
    ),
    section('replay', replayBox),
  );
  const hookId = typeof data.hookId === 'string' ? data.hookId : undefined;
  if (hookId !== undefined) {
    getJson<BreakerState>('/api/breaker', { hookId, event: event.id, before: event.sequence }).then(
      (b) =>
        fill(
          breakerBox,
          table([
            ['state', h('span', { class: `breaker b-${b.state}` }, b.state)],
            [
              'since',
              b.since === undefined
                ? 'no change recorded in this process before this execution'
                : `${new Date(b.since.timestamp).toISOString()} (${b.since.type})`,
            ],
            ['reason', b.since?.reason],
          ]),
        ),
      (error) => fill(breakerBox, h('p', { class: 'error' }, (error as Error).message)),
    );
  } else fill(breakerBox, h('p', { class: 'muted' }, 'unknown (the event names no hook id)'));
  getJson<{ entry: JournalEntry }>(`/api/executions/${encodeURIComponent(executionId)}`).then(
    ({ entry }) => {
      fill(
        journalBox,
        table([
          ['status', entry.status],
          ['hook', `${entry.hook}@${entry.point} (version ${entry.version})`],
          ['component', `${entry.component.type}:${entry.component.name}`],
          ['started', `${new Date(entry.startedAt).toISOString()}, ran ${ms(entry.durationMs)}`],
          ['fire', `${entry.fireId} #${entry.index} (${entry.mode})`],
          ['language', entry.language],
        ]),
        h('h4', null, 'input: the context it ran on'),
        json(entry.context),
        entry.result !== undefined && h('h4', null, 'result'),
        entry.result !== undefined && json(entry.result),
        entry.error !== undefined && h('h4', null, 'error'),
        entry.error !== undefined && json(entry.error),
        entry.operation !== undefined && h('h4', null, 'operation'),
        entry.operation !== undefined && json(entry.operation),
      );
      replayForm(replayBox, executionId, entry);
    },
    (error) => {
      const message =
        error instanceof ApiError && (error.status === 404 || error.status === 410)
          ? context.journal
            ? `${error.message}. Without it there is nothing to replay.`
            : 'the hook journal is off in this config (journal.enabled: false): no inputs were recorded, nothing to replay.'
          : (error as Error).message;
      fill(journalBox, h('p', { class: 'muted' }, message));
      fill(replayBox, h('p', { class: 'muted' }, 'needs the journal entry'));
    },
  );
}

/** Exact / modified (an edited copy of the stored context) / simulate, and the comparison. */
function replayForm(box: HTMLElement, executionId: string, entry: JournalEntry): void {
  const modes = ['exact', 'modified', 'simulate'] as const;
  const editor = h('textarea', {
    id: 'replay-context',
    spellcheck: 'false',
    rows: 10,
    disabled: true,
    'aria-label': 'the context to replay on (JSON)',
  });
  editor.value = JSON.stringify(entry.context, null, 2);
  const radios = modes.map((m) =>
    h(
      'label',
      { class: 'mode' },
      h('input', {
        type: 'radio',
        name: 'replay-mode',
        value: m,
        id: `replay-mode-${m}`,
        checked: m === 'exact',
      }),
      ` ${m}`,
    ),
  );
  const run = h('button', { type: 'button', id: 'replay-run', class: 'primary' }, 'replay');
  const result = h('div', { id: 'replay-result', 'aria-live': 'polite' });
  const mode = () =>
    (box.querySelector<HTMLInputElement>('input[name="replay-mode"]:checked')?.value ??
      'exact') as (typeof modes)[number];
  box.addEventListener('change', () => {
    editor.disabled = mode() !== 'modified';
  });
  run.addEventListener('click', async () => {
    const m = mode();
    let body: unknown = { mode: m };
    if (m === 'modified') {
      try {
        body = { mode: m, context: JSON.parse(editor.value) };
      } catch (error) {
        fill(
          result,
          h('p', { class: 'error' }, `the context is not valid JSON: ${(error as Error).message}`),
        );
        return;
      }
    }
    run.disabled = true;
    fill(result, h('p', { class: 'muted' }, 'replaying…'));
    try {
      showReplay(
        result,
        await postJson<ReplayResult & { warnings: string[] }>(
          `/api/executions/${encodeURIComponent(executionId)}/replay`,
          body,
        ),
      );
    } catch (error) {
      fill(result, h('p', { class: 'error', id: 'replay-error' }, (error as Error).message));
    } finally {
      run.disabled = false;
    }
  });
  fill(
    box,
    h(
      'p',
      { class: 'muted' },
      'runs the hook the config registers now through the ReplayEngine, as hookspell replay does; simulate runs nothing',
    ),
    h('div', { class: 'modes' }, ...radios),
    editor,
    run,
    result,
  );
}

function outcomeText(x: { status: string; result?: unknown; error?: { message?: string } }): string {
  const r = x.result as { type?: string; reason?: string } | undefined;
  const what =
    x.error?.message ??
    (r?.type === 'cancel' ? `cancel: ${r.reason ?? ''}` : r?.type === undefined ? '' : brief(r, 120));
  return `${x.status}  ${what}`.trim();
}

function showReplay(box: HTMLElement, r: ReplayResult & { warnings: string[] }): void {
  const c = r.comparison;
  fill(
    box,
    h(
      'p',
      { class: `verdict ${c.identical ? 'same' : 'differs'}`, id: 'replay-verdict' },
      c.identical ? 'identical' : 'differs',
      ` · similarity ${c.similarity.toFixed(2)} · ${r.mode}`,
    ),
    r.versionChanged &&
      h(
        'p',
        { class: 'muted' },
        `the hook registered now is another version than the recorded ${r.original.version}`,
      ),
    table([
      ['original', outcomeText(r.original)],
      ['replayed', `${outcomeText(r.replayed)} (${ms(r.replayed.durationMs)})`],
    ]),
    c.differences.length > 0 &&
      h(
        'table',
        { class: 'differences' },
        h('tr', null, h('th', null, 'path'), h('th', null, 'original'), h('th', null, 'replayed')),
        ...c.differences.map((d) =>
          h(
            'tr',
            { class: 'difference' },
            h('td', null, d.path),
            h('td', null, d.original === undefined ? '(absent)' : brief(d.original, 200)),
            h('td', null, d.replayed === undefined ? '(absent)' : brief(d.replayed, 200)),
          ),
        ),
      ),
    r.mode === 'modified' && h('h4', null, 'ran on'),
    r.mode === 'modified' && json(r.replayed.context),
    ...r.warnings.map((w) => h('p', { class: 'muted' }, `warning: ${w}`)),
  );
  box.scrollIntoView({ block: 'nearest' });
}
