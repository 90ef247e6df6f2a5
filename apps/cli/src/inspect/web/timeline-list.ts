/// <reference lib="dom" />
import { ms } from '../../util/format.js';
import { shownLabel } from '../model/describe.js';
import type { RunModel, RunNode } from '../model/run-model.js';
import { fill, h, perFrame } from './dom.js';

/** Height of one row, px (every row has it: the list only draws the rows in view). */
export const ROW_HEIGHT = 26;
/** Rows drawn above and below the visible ones. */
const OVERSCAN = 12;
const SVG = 'http://www.w3.org/2000/svg';

export interface ListOptions {
  onSelect(node: RunNode): void;
  onToggle(node: RunNode): void;
}

/**
 * The run's timeline: one row per event in tree order (each under its cause), with its offset,
 * label, detail and a bar on one time axis — hatched where a hook waited for its `dependsOn`,
 * and an arrow from each prerequisite's end to the waiting hook's start. Only the rows in view
 * are in the DOM, so a run of 100 000 events scrolls as one of 100.
 */
export class TimelineList {
  readonly element: HTMLElement;
  readonly #scroller: HTMLElement;
  readonly #spacer: HTMLElement;
  readonly #axis: HTMLElement;
  readonly #options: ListOptions;
  #rows: readonly RunNode[] = [];
  #index = new Map<string, number>();
  #model: RunModel | undefined;
  #selected: string | undefined;
  #folded: ReadonlySet<string> = new Set();
  #context: ReadonlySet<string> = new Set();
  readonly #draw = perFrame(() => this.#render());

  constructor(options: ListOptions) {
    this.#options = options;
    this.#axis = h('div', { class: 'axis' });
    this.#spacer = h('div', { class: 'spacer' });
    this.#scroller = h('div', { class: 'scroller', id: 'timeline-rows' }, this.#spacer);
    this.element = h('section', { class: 'timeline', id: 'timeline' }, this.#axis, this.#scroller);
    this.#scroller.addEventListener('scroll', this.#draw, { passive: true });
    new ResizeObserver(this.#draw).observe(this.#scroller);
    this.#spacer.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('.row');
      const node = row === null ? undefined : this.#model?.byId.get(row.dataset.id!);
      if (node === undefined) return;
      if ((e.target as Element).closest('.toggle') !== null && node.children.length > 0)
        this.#options.onToggle(node);
      else this.#options.onSelect(node);
    });
  }

  /** What to draw: the laid-out run and the rows to show (in order), with who is selected. */
  update(
    model: RunModel,
    rows: readonly RunNode[],
    state: { selected?: string; folded: ReadonlySet<string>; context: ReadonlySet<string> },
  ): void {
    this.#model = model;
    this.#rows = rows;
    this.#index = new Map(rows.map((r, i) => [r.id, i]));
    this.#selected = state.selected;
    this.#folded = state.folded;
    this.#context = state.context;
    this.#spacer.style.height = `${rows.length * ROW_HEIGHT}px`;
    this.#draw();
  }

  /** Whether the view is scrolled to the end (then it follows new rows). */
  get atEnd(): boolean {
    const s = this.#scroller;
    return s.scrollTop + s.clientHeight >= s.scrollHeight - ROW_HEIGHT;
  }

  scrollToEnd(): void {
    this.#scroller.scrollTop = this.#scroller.scrollHeight;
  }

  /** Scrolls the row of `id` into view (if it is shown). */
  reveal(id: string): void {
    const i = this.#index.get(id);
    if (i === undefined) return;
    const s = this.#scroller;
    const top = i * ROW_HEIGHT;
    if (top < s.scrollTop || top + ROW_HEIGHT > s.scrollTop + s.clientHeight)
      s.scrollTop = top - s.clientHeight / 3;
  }

  #render(): void {
    const model = this.#model;
    if (model === undefined) return;
    const s = this.#scroller;
    const first = Math.max(0, Math.floor(s.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(
      this.#rows.length,
      Math.ceil((s.scrollTop + s.clientHeight) / ROW_HEIGHT) + OVERSCAN,
    );
    const total = Math.max(model.durationMs, 1);
    const pct = (v: number) => `${Math.min(100, Math.max(0, (v / total) * 100)).toFixed(3)}%`;
    const parts: Node[] = [];
    for (let i = first; i < last; i++) parts.push(this.#row(this.#rows[i]!, i, pct, model));
    parts.push(this.#edges(first, last, total, model));
    fill(this.#spacer, ...parts);
    fill(
      this.#axis,
      h('span', { class: 'axis-label' }, `${this.#rows.length} of ${model.nodes.length} events`),
      h(
        'span',
        { class: 'ticks' },
        ...[0, 0.5, 1].map((f) => h('span', { class: 'tick', style: `left:${f * 100}%` }, ms(total * f))),
      ),
    );
  }

  #row(n: RunNode, i: number, pct: (v: number) => string, model: RunModel): HTMLElement {
    const parent = n.parentId === undefined ? undefined : model.byId.get(n.parentId);
    const waits = n.waitsFor.map((id) => model.byId.get(id)).filter((w): w is RunNode => w !== undefined);
    const from = parent?.start ?? n.start;
    const outcome = n.outcome || (n.kind === 'fire' ? 'fire' : n.kind === 'decision' ? 'decision' : 'event');
    const label = shownLabel(n);
    return h(
      'div',
      {
        class: `row o-${outcome}${n.id === this.#selected ? ' selected' : ''}${this.#context.has(n.id) ? ' context' : ''}${this.#folded.has(n.id) ? ' folded' : ''}`,
        style: `top:${i * ROW_HEIGHT}px`,
        'data-id': n.id,
        'data-type': n.event.type,
        'data-kind': n.kind,
        'data-outcome': n.outcome,
        'data-label': label,
        'data-start': n.start.toFixed(3),
        'data-end': n.end.toFixed(3),
        role: 'row',
        tabindex: -1,
      },
      h('span', { class: 'indent', style: `width:${Math.min(n.depth, 30) * 16}px` }),
      h(
        'span',
        { class: 'toggle', title: n.children.length ? 'fold / unfold' : undefined },
        n.children.length ? (this.#folded.has(n.id) ? '▸' : '▾') : '·',
      ),
      h('span', { class: 'offset' }, `+${ms(n.start)}`),
      h('span', { class: 'label' }, label),
      waits.length > 0 &&
        h('span', { class: 'after' }, `after ${waits.map((w) => w.hook ?? '?').join(', ')}`),
      h('span', { class: 'detail', title: n.detail }, n.detail),
      h(
        'span',
        { class: 'track' },
        waits.length > 0 &&
          n.start > from &&
          h('span', { class: 'wait', style: `left:${pct(from)};width:${pct(n.start - from)}` }),
        h('span', { class: 'bar', style: `left:${pct(n.start)};width:max(2px,${pct(n.end - n.start)})` }),
      ),
    );
  }

  /** Arrows prerequisite end → waiting hook start, for the rows in view. */
  #edges(first: number, last: number, total: number, model: RunModel): SVGSVGElement {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'edges');
    const width = this.#spacer.clientWidth * 0.38;
    svg.style.top = `${first * ROW_HEIGHT}px`;
    svg.style.height = `${Math.max(0, last - first) * ROW_HEIGHT}px`;
    svg.style.width = `${width}px`;
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(Math.max(0, last - first) * ROW_HEIGHT));
    const defs = document.createElementNS(SVG, 'defs');
    const marker = document.createElementNS(SVG, 'marker');
    for (const [k, v] of Object.entries({
      id: 'arrow',
      viewBox: '0 0 6 6',
      refX: '6',
      refY: '3',
      markerWidth: '6',
      markerHeight: '6',
      orient: 'auto',
    }))
      marker.setAttribute(k, v);
    const head = document.createElementNS(SVG, 'path');
    head.setAttribute('d', 'M0,0 L6,3 L0,6 z');
    marker.append(head);
    defs.append(marker);
    svg.append(defs);
    const x = (t: number) => (Math.min(Math.max(t / total, 0), 1) * width).toFixed(1);
    const y = (i: number) => ((i - first) * ROW_HEIGHT + ROW_HEIGHT / 2).toFixed(1);
    for (let i = first; i < last; i++) {
      const node = this.#rows[i]!;
      for (const id of node.waitsFor) {
        const j = this.#index.get(id);
        const pre = model.byId.get(id);
        if (j === undefined || pre === undefined) continue;
        const path = document.createElementNS(SVG, 'path');
        const [x1, y1, x2, y2] = [x(pre.end), y(j), x(node.start), y(i)];
        path.setAttribute('d', `M${x1},${y1} C${x1},${y2} ${x1},${y2} ${x2},${y2}`);
        path.setAttribute('class', 'edge');
        path.setAttribute('marker-end', 'url(#arrow)');
        path.setAttribute('data-from', id);
        path.setAttribute('data-to', node.id);
        svg.append(path);
      }
    }
    return svg;
  }
}
