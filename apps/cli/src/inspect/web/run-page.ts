/// <reference lib="dom" />
import { ms } from '../../util/format.js';
import type { ExecutionSpan, RunEvent } from '../model/run-event.js';
import { buildRunModel, type RunModel, type RunNode } from '../model/run-model.js';
import type { RunSummary } from '../run-index.js';
import { getJson, stream } from './api.js';
import { type HookInfo, renderDetails } from './details.js';
import { debounce, fill, h } from './dom.js';
import { TimelineList } from './timeline-list.js';

export interface Info {
  storage: string;
  journal: boolean;
  hooks: HookInfo[];
  dependencies: Record<string, Record<string, string[]>>;
}

/** Where the page is (the URL's hash): the run, the selected event, the filters. */
export interface RunRoute {
  runId: string;
  selected?: string;
  type?: string;
  hook?: string;
  status?: string;
}

const FIRST_PAGE = 500;
const PAGE = 5000;
const STATUSES = ['ok', 'cancel', 'error', 'timeout', 'skipped'] as const;

/**
 * A run's page: its timeline, loaded page by page (the first rows show after the first page),
 * then kept current by `/api/runs/:id/stream`; filters by type pattern (matched by the events
 * package's matcher, on the server), hook and status; the details panel of the selected event.
 */
export type RunPageHandle = (() => void) & { update(route: RunRoute): void };

export function runPage(
  root: HTMLElement,
  info: Info,
  route: RunRoute,
  navigate: (route: RunRoute) => void,
): RunPageHandle {
  const { runId } = route;
  const events = new Map<string, RunEvent>();
  const spans = new Map<string, ExecutionSpan>();
  const folded = new Set<string>();
  let model: RunModel = buildRunModel([]);
  let matchedTypes: Set<string> | undefined;
  let typeError = '';
  let lastSequence: number | undefined;
  let summary: RunSummary | undefined;
  let source: EventSource | undefined;
  let closed = false;
  let connection = 'loading';
  const dependencies = new Map(
    Object.entries(info.dependencies).map(([p, hooks]) => [p, new Map(Object.entries(hooks))]),
  );

  const typeInput = h('input', {
    type: 'search',
    id: 'filter-type',
    placeholder: 'type pattern: tool.*, hook.**',
    value: route.type ?? '',
    autocomplete: 'off',
    'aria-label': 'event type pattern',
  });
  const hookSelect = h('select', { id: 'filter-hook', 'aria-label': 'hook' });
  const statusSelect = h(
    'select',
    { id: 'filter-status', 'aria-label': 'status' },
    h('option', { value: '' }, 'any status'),
    ...STATUSES.map((s) => h('option', { value: s, selected: route.status === s }, s)),
  );
  const filterNote = h('span', { class: 'muted', id: 'filter-note' });
  const head = h('div', { class: 'run-head' });
  const list = new TimelineList({
    onSelect: (node) => navigate({ ...route, selected: node.id }),
    onToggle: (node) => {
      if (folded.has(node.id)) folded.delete(node.id);
      else folded.add(node.id);
      draw();
    },
  });
  const panel = h('aside', { class: 'details', id: 'details', hidden: true });
  fill(
    root,
    h(
      'header',
      { class: 'top' },
      h('h1', null, h('a', { href: '#/' }, 'hookspell inspect')),
      h('span', { class: 'muted' }, info.storage),
    ),
    h(
      'main',
      { class: 'run-page' },
      head,
      h('div', { class: 'toolbar filters' }, typeInput, hookSelect, statusSelect, filterNote),
      h('div', { class: 'split' }, list.element, panel),
    ),
  );

  const rebuild = () => {
    model = buildRunModel([...events.values()], { spans, dependencies });
  };

  /** The rows to show: tree order; with filters, the matches and (dimmed) their ancestors. */
  const rows = (): { rows: RunNode[]; context: Set<string>; matches: number } => {
    const hook = hookSelect.value;
    const status = statusSelect.value;
    const filtering = matchedTypes !== undefined || hook !== '' || status !== '';
    const keep = new Set<string>();
    const context = new Set<string>();
    let matches = 0;
    if (filtering) {
      for (const n of model.nodes) {
        if (matchedTypes !== undefined && !matchedTypes.has(n.event.type)) continue;
        if (hook !== '' && n.hook !== hook) continue;
        if (status !== '' && n.outcome !== status) continue;
        matches++;
        keep.add(n.id);
        for (let p = n.parentId; p !== undefined && !keep.has(p); p = model.byId.get(p)?.parentId) {
          keep.add(p);
          context.add(p);
        }
      }
    }
    const out: RunNode[] = [];
    const stack = [...model.roots].reverse();
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (filtering && !keep.has(n.id)) continue;
      out.push(n);
      if (folded.has(n.id)) continue;
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
    return { rows: out, context, matches: filtering ? matches : out.length };
  };

  const drawHead = () => {
    const s = summary;
    fill(
      head,
      h('h2', null, 'run ', h('code', { id: 'run-id' }, runId)),
      s !== undefined &&
        h(
          'ul',
          { class: 'summary' },
          h('li', null, h('span', { class: `badge st-${s.status}`, id: 'run-status' }, s.status)),
          h(
            'li',
            { class: `conn ${connection}`, id: 'connection' },
            connection === 'live' ? '● following' : connection,
          ),
          h('li', null, h('b', { id: 'event-count' }, String(events.size)), ' events'),
          h('li', null, h('b', null, ms(model.durationMs)), ' drawn'),
          h('li', null, 'started ', new Date(model.t0 || s.startedAt).toISOString()),
          h('li', { class: s.cancels ? 'c-cancel' : '' }, h('b', null, String(s.cancels)), ' cancels'),
          h('li', { class: s.errors ? 'c-error' : '' }, h('b', null, String(s.errors)), ' errors'),
          h('li', { class: s.timeouts ? 'c-timeout' : '' }, h('b', null, String(s.timeouts)), ' timeouts'),
        ),
    );
  };

  const drawHooks = () => {
    const names = [...new Set(model.nodes.filter((n) => n.hook !== undefined).map((n) => n.hook!))].sort();
    const current = hookSelect.value || route.hook || '';
    if (hookSelect.options.length - 1 === names.length) return;
    fill(
      hookSelect,
      h('option', { value: '' }, 'any hook'),
      ...names.map((n) => h('option', { value: n, selected: n === current }, n)),
    );
  };

  let lastSelected: string | undefined;
  const draw = () => {
    const follow = list.atEnd && events.size > 0;
    const { rows: shown, context, matches } = rows();
    list.update(model, shown, {
      ...(route.selected !== undefined && { selected: route.selected }),
      folded,
      context,
    });
    fill(
      filterNote,
      typeError
        ? h('span', { class: 'error' }, typeError)
        : shown.length === model.nodes.length
          ? ''
          : `${matches} match${matches === 1 ? '' : 'es'}`,
    );
    drawHead();
    drawHooks();
    const node = route.selected === undefined ? undefined : model.byId.get(route.selected);
    if (node === undefined) panel.hidden = true;
    else if (node.id !== lastSelected || panel.hidden) {
      panel.hidden = false;
      renderDetails(panel, node, model, {
        runId,
        hooks: info.hooks,
        journal: info.journal,
        close: () => navigate({ ...route, selected: undefined }),
      });
      list.reveal(node.id);
    }
    lastSelected = node?.id;
    if (follow && route.selected === undefined) list.scrollToEnd();
  };

  // Rebuilding is O(events): while events stream in, at most every 100 ms, or — for a run so
  // long that a rebuild takes a while — leaving the page at least twice that time to itself.
  let pending: ReturnType<typeof setTimeout> | undefined;
  let rebuildMs = 0;
  const changed = () => {
    if (pending !== undefined) return;
    pending = setTimeout(
      () => {
        pending = undefined;
        const t = performance.now();
        rebuild();
        draw();
        rebuildMs = performance.now() - t;
      },
      Math.max(100, 2 * rebuildMs),
    );
  };

  const add = (batch: readonly RunEvent[]) => {
    let newTypes = false;
    let executions = false;
    for (const e of batch) {
      if (!events.has(e.id) && matchedTypes !== undefined && !seenTypes.has(e.type)) newTypes = true;
      seenTypes.add(e.type);
      events.set(e.id, e);
      if (lastSequence === undefined || e.sequence > lastSequence) lastSequence = e.sequence;
      if (e.type.startsWith('hook.execution.')) executions = true;
    }
    if (newTypes) refilter();
    // (while loading, the journal's times are read once at the end)
    if (executions && connection !== 'loading') loadSpans();
  };
  const seenTypes = new Set<string>();

  const loadSpans = debounce(async () => {
    if (closed) return;
    const answer = await getJson<{ executions: (ExecutionSpan & { executionId: string })[] }>(
      `/api/runs/${encodeURIComponent(runId)}/executions`,
    );
    for (const e of answer.executions)
      spans.set(e.executionId, { startedAt: e.startedAt, durationMs: e.durationMs });
    changed();
  }, 300);

  /** Asks the server which of the run's types the pattern matches (its matcher, its messages). */
  const refilter = async () => {
    if (closed) return;
    const pattern = typeInput.value.trim();
    if (pattern === '') {
      matchedTypes = undefined;
      typeError = '';
    } else {
      try {
        const answer = await getJson<{ types: string[] }>('/api/match', { pattern, type: [...seenTypes] });
        if (pattern !== typeInput.value.trim()) return;
        matchedTypes = new Set(answer.types);
        typeError = '';
      } catch (error) {
        matchedTypes = new Set();
        typeError = (error as Error).message;
      }
    }
    draw();
  };

  // (debounced: a page left meanwhile must not navigate back to itself)
  const setFilters = () =>
    !closed &&
    navigate({
      runId,
      ...(route.selected !== undefined && { selected: route.selected }),
      ...(typeInput.value.trim() && { type: typeInput.value.trim() }),
      ...(hookSelect.value && { hook: hookSelect.value }),
      ...(statusSelect.value && { status: statusSelect.value }),
    });
  typeInput.addEventListener('input', debounce(setFilters, 250));
  hookSelect.addEventListener('change', setFilters);
  statusSelect.addEventListener('change', setFilters);

  const load = async () => {
    const url = `/api/runs/${encodeURIComponent(runId)}`;
    const firstPage = getJson<{ events: RunEvent[]; next: number | null }>(`${url}/events`, {
      limit: FIRST_PAGE,
    });
    summary = await getJson<RunSummary>(url);
    let page = await firstPage;
    if (closed) return;
    add(page.events);
    // The first rows, before the rest of a long run (and the journal's times) arrive.
    rebuild();
    if (route.type) await refilter();
    draw();
    requestAnimationFrame(() => {
      root.dataset.firstRender = String(performance.now());
    });
    const spansLoaded = getJson<{ executions: (ExecutionSpan & { executionId: string })[] }>(
      `${url}/executions`,
    );
    while (page.next !== null) {
      page = await getJson<{ events: RunEvent[]; next: number | null }>(`${url}/events`, {
        after: page.next,
        limit: PAGE,
      });
      if (closed) return;
      add(page.events);
    }
    for (const e of (await spansLoaded).executions)
      spans.set(e.executionId, { startedAt: e.startedAt, durationMs: e.durationMs });
    rebuild();
    if (route.type) await refilter();
    connection = 'connecting';
    draw();
    root.dataset.loaded = String(performance.now());
    if (closed) return;
    source = stream(`/api/runs/${encodeURIComponent(runId)}/stream`, { after: lastSequence });
    source.addEventListener('events', (e) => {
      add(JSON.parse((e as MessageEvent).data) as RunEvent[]);
      changed();
    });
    source.addEventListener('ready', () => {
      connection = 'live';
      drawHead();
    });
    source.addEventListener('error', () => {
      connection = 'reconnecting';
      drawHead();
    });
    source.addEventListener('open', () => {
      connection = 'live';
      drawHead();
    });
    // The summary's counts follow the events; refreshed now and then.
    refreshSummary();
  };
  const refreshSummary = debounce(async () => {
    if (closed) return;
    summary = await getJson<RunSummary>(`/api/runs/${encodeURIComponent(runId)}`).catch(() => summary);
    drawHead();
    refreshSummary();
  }, 1000);

  load().catch((error) => {
    fill(
      head,
      h('h2', null, 'run ', h('code', null, runId)),
      h('p', { class: 'error', id: 'run-error' }, (error as Error).message),
    );
  });

  return Object.assign(
    () => {
      closed = true;
      source?.close();
      clearTimeout(pending);
    },
    {
      /** The hash changed within this run: selection or filters. */
      update(next: RunRoute) {
        const refilterNeeded = (next.type ?? '') !== (route.type ?? '');
        route = next;
        if ((next.hook ?? '') !== hookSelect.value) hookSelect.value = next.hook ?? '';
        if ((next.status ?? '') !== statusSelect.value) statusSelect.value = next.status ?? '';
        if (document.activeElement !== typeInput && (next.type ?? '') !== typeInput.value)
          typeInput.value = next.type ?? '';
        if (refilterNeeded) refilter();
        else draw();
      },
    },
  );
}
