/// <reference lib="dom" />
import { ms } from '../../util/format.js';
import type { RunPage, RunSummary } from '../run-index.js';
import { getJson, stream } from './api.js';
import { debounce, fill, h } from './dom.js';
import { ago, clock } from './time.js';

interface RunsAnswer extends RunPage {
  indexing: { done: boolean; events: number };
  serverTime: number;
}

/**
 * The runs page: every correlation, newest first, with status, duration and the counts of
 * cancels, errors and timeouts; searchable; kept current by `/api/stream`.
 */
export function runsPage(root: HTMLElement, info: { storage: string }): () => void {
  const search = h('input', {
    type: 'search',
    id: 'run-search',
    placeholder: 'search runs: id, hook, point, event type',
    'aria-label': 'search runs',
    autocomplete: 'off',
  });
  const status = h('span', { class: 'muted', id: 'runs-status' });
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'more', hidden: true }, 'older runs');
  const table = h(
    'table',
    { class: 'runs', id: 'runs' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, ''),
        h('th', null, 'run'),
        h('th', null, 'started'),
        h('th', { class: 'num' }, 'duration'),
        h('th', { class: 'num' }, 'events'),
        h('th', { class: 'num' }, 'fires'),
        h('th', { class: 'num' }, 'cancels'),
        h('th', { class: 'num' }, 'errors'),
        h('th', { class: 'num' }, 'timeouts'),
        h('th', null, 'hooks'),
      ),
    ),
    body,
  );
  fill(
    root,
    h(
      'header',
      { class: 'top' },
      h('h1', null, h('a', { href: '#/' }, 'hookspell inspect')),
      h('span', { class: 'muted' }, info.storage),
    ),
    h('main', { class: 'runs-page' }, h('div', { class: 'toolbar' }, search, status), table, more),
  );

  const shown = new Map<string, RunSummary>();
  let next: string | undefined;
  let query = '';
  let loading = 0;

  const row = (r: RunSummary): HTMLTableRowElement =>
    h(
      'tr',
      { class: `run st-${r.status}${r.live ? ' live' : ''}`, 'data-id': r.id },
      h(
        'td',
        null,
        h('span', { class: `dot st-${r.status}`, title: r.live ? `${r.status}, live` : r.status }),
      ),
      h(
        'td',
        { class: 'id' },
        h('a', { href: `#/runs/${encodeURIComponent(r.id)}` }, r.id),
        r.live && h('span', { class: 'live-badge' }, 'live'),
      ),
      h('td', { title: new Date(r.startedAt).toISOString() }, `${clock(r.startedAt)} · ${ago(r.startedAt)}`),
      h('td', { class: 'num' }, ms(r.durationMs)),
      h('td', { class: 'num' }, r.events),
      h('td', { class: 'num' }, r.fires),
      h('td', { class: `num${r.cancels ? ' c-cancel' : ''}` }, r.cancels),
      h('td', { class: `num${r.errors ? ' c-error' : ''}` }, r.errors),
      h('td', { class: `num${r.timeouts ? ' c-timeout' : ''}` }, r.timeouts),
      h('td', { class: 'hooks muted' }, [...r.points, ...r.hooks].join(' · ') || r.firstType),
    );

  const render = () => {
    const runs = [...shown.values()].sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? -1 : 1));
    fill(
      body,
      ...(runs.length > 0
        ? runs.map(row)
        : [
            h(
              'tr',
              null,
              h(
                'td',
                { colspan: 10, class: 'empty' },
                query ? `no run matches '${query}'` : 'no runs stored yet',
              ),
            ),
          ]),
    );
    more.hidden = next === undefined;
  };

  const load = async (append: boolean) => {
    const mine = ++loading;
    const answer = await getJson<RunsAnswer>('/api/runs', {
      q: query || undefined,
      limit: 100,
      before: append ? next : undefined,
    });
    if (mine !== loading) return;
    if (!append) shown.clear();
    for (const r of answer.runs) shown.set(r.id, r);
    next = answer.next;
    fill(
      status,
      `${answer.total} run${answer.total === 1 ? '' : 's'}${answer.indexing.done ? '' : ` · reading the log (${answer.indexing.events} events so far)…`}`,
    );
    render();
  };

  const failed = (error: unknown) =>
    fill(status, h('span', { class: 'error' }, String((error as Error).message ?? error)));
  search.addEventListener(
    'input',
    debounce(() => {
      query = search.value.trim();
      load(false).catch(failed);
    }, 200),
  );
  more.addEventListener('click', () => load(true).catch(failed));

  const matches = (r: RunSummary) => {
    const q = query.toLowerCase();
    return q === '' || [r.id, r.firstType, ...r.points, ...r.hooks].some((s) => s.toLowerCase().includes(q));
  };
  const events = stream('/api/stream');
  let wasIndexing = true;
  events.addEventListener('runs', (e) => {
    let oldest = Number.POSITIVE_INFINITY;
    for (const s of shown.values()) oldest = Math.min(oldest, s.startedAt);
    for (const r of JSON.parse((e as MessageEvent).data) as RunSummary[]) {
      // A new run shows at the top; one older than the page's oldest is on a later page.
      if (shown.has(r.id) || (matches(r) && (next === undefined || r.startedAt >= oldest)))
        shown.set(r.id, r);
    }
    render();
  });
  events.addEventListener('reload', () => load(false).catch(failed));
  events.addEventListener('indexing', (e) => {
    const indexing = JSON.parse((e as MessageEvent).data) as { done: boolean };
    if (!indexing.done || wasIndexing) load(false).catch(failed);
    wasIndexing = !indexing.done;
  });
  load(false).catch(failed);
  // "live" and "… ago" age by themselves.
  const timer = setInterval(() => load(false).catch(() => {}), 10_000);
  search.focus();
  return () => {
    events.close();
    clearInterval(timer);
  };
}
