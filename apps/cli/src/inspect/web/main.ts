/// <reference lib="dom" />
import './style.css';
import { getJson } from './api.js';
import { fill, h } from './dom.js';
import { type Info, type RunRoute, runPage } from './run-page.js';
import { runsPage } from './runs-page.js';

/**
 * The inspector's web app: two pages behind the URL's hash — `#/` the runs, `#/runs/<id>` one
 * run (`?e=<event id>` selects an event; `type`, `hook`, `status` filter) — drawn from the JSON
 * API with the DOM (no framework: nothing to keep up with, nothing fetched from elsewhere).
 */
interface InfoAnswer extends Omit<Info, 'storage'> {
  storage: { type: string; path?: string };
  config: string | null;
  version: string;
}

function parse(hash: string): { page: 'runs' } | ({ page: 'run' } & RunRoute) {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const m = /^\/runs\/(.+)$/.exec(path);
  if (m === null) return { page: 'runs' };
  const q = new URLSearchParams(query);
  const get = (k: string) => q.get(k) || undefined;
  const runId = safeDecode(m[1]!);
  return {
    page: 'run',
    runId,
    ...(get('e') !== undefined && { selected: get('e')! }),
    ...(get('type') !== undefined && { type: get('type')! }),
    ...(get('hook') !== undefined && { hook: get('hook')! }),
    ...(get('status') !== undefined && { status: get('status')! }),
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function hashOf(route: RunRoute): string {
  const q = new URLSearchParams();
  if (route.selected) q.set('e', route.selected);
  if (route.type) q.set('type', route.type);
  if (route.hook) q.set('hook', route.hook);
  if (route.status) q.set('status', route.status);
  const s = q.toString();
  return `#/runs/${encodeURIComponent(route.runId)}${s ? `?${s}` : ''}`;
}

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  let info: InfoAnswer;
  try {
    info = await getJson<InfoAnswer>('/api/info');
  } catch (error) {
    fill(root, h('p', { class: 'error' }, `cannot reach the inspector: ${(error as Error).message}`));
    return;
  }
  const storage = info.storage.type === 'sqlite' ? `SQLite ${info.storage.path}` : info.storage.type;
  const shared: Info = { ...info, storage };
  let current: { page: string; runId?: string; stop: () => void; update?: (r: RunRoute) => void } | undefined;
  const navigate = (route: RunRoute) => {
    const hash = hashOf(route);
    // Selection and filters replace the entry (Back leaves the run, not each click).
    if (location.hash !== hash) history.replaceState(null, '', hash);
    show();
  };
  const show = () => {
    const route = parse(location.hash);
    if (route.page === 'run' && current?.page === 'run' && current.runId === route.runId) {
      current.update?.(route);
      return;
    }
    current?.stop();
    if (route.page === 'runs') {
      document.title = 'hookspell inspect';
      current = { page: 'runs', stop: runsPage(root, shared) };
    } else {
      document.title = `${route.runId} · hookspell inspect`;
      const stop = runPage(root, shared, route, navigate);
      current = { page: 'run', runId: route.runId, stop, update: stop.update };
    }
  };
  window.addEventListener('hashchange', show);
  show();
}

void start();
