import { ms } from '../util/format.js';
import type { TimelineView, ViewGroup, ViewNode } from './timeline-view.js';

/**
 * The timeline as an indented tree for the terminal: one line per event under its cause, with
 * its offset from the first event, then the concurrent groups and the chains.
 *
 * @example
 * correlation req-42 · 5 events · 1 root · 310.2 ms
 * └─ +0.0 ms  fire custom:checks  parallel, 3 hooks
 *    ├─ +300.1 ms  lint ok  300.0 ms
 */
export function renderTimelineTree(view: TimelineView): string {
  const lines: string[] = [];
  const roots = view.roots.length;
  lines.push(
    `correlation ${view.correlationId} · ${view.eventCount} event${view.eventCount === 1 ? '' : 's'} · ${roots} root${roots === 1 ? '' : 's'} · ${ms(view.durationMs)}`,
  );
  const walk = (node: ViewNode, prefix: string, last: boolean) => {
    lines.push(
      `${prefix}${last ? '└─ ' : '├─ '}+${ms(node.start)}  ${node.label}${node.detail ? `  ${node.detail}` : ''}`,
    );
    const inner = prefix + (last ? '   ' : '│  ');
    node.children.forEach((c, i) => {
      walk(c, inner, i === node.children.length - 1);
    });
  };
  view.roots.forEach((r, i) => {
    walk(r, '', i === view.roots.length - 1);
  });
  if (view.groups.length > 0) {
    const labels = new Map<string, string>();
    const index = (n: ViewNode) => {
      labels.set(n.id, n.label);
      n.children.forEach(index);
    };
    view.roots.forEach(index);
    // Events that really overlapped in time, apart from siblings that merely share a cause
    // (those also happen one after another, as in a sequential flow).
    const sections: [string, ViewGroup['kind']][] = [
      ['concurrent groups (ran side by side):', 'overlap'],
      ['same cause:', 'same-cause'],
    ];
    for (const [title, kind] of sections) {
      const groups = view.groups.filter((g) => g.kind === kind);
      if (groups.length === 0) continue;
      lines.push(title);
      groups.forEach((g, i) => {
        lines.push(`  [${i + 1}] ${g.label}: ${g.ids.map((id) => labels.get(id) ?? id).join(' | ')}`);
      });
    }
  }
  const longest = view.chains.reduce((m, c) => Math.max(m, c.length), 0);
  lines.push(
    `chains: ${view.chains.length} (longest ${longest} event${longest === 1 ? '' : 's'}), leaves: ${view.leaves}`,
  );
  return `${lines.join('\n')}\n`;
}
