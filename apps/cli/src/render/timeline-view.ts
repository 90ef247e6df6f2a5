import type { HookspellEvent, Timeline, TimelineNode } from '@hookspell/events';
import { brief, ms } from '../util/format.js';

/** One event as drawn: a label, a status, and the time span it covers (ms after the first event). */
export interface ViewNode {
  id: string;
  type: string;
  label: string;
  detail: string;
  /** ok | error | timeout | skipped for hook executions; '' otherwise. */
  status: string;
  start: number;
  end: number;
  depth: number;
  /** A fire's mode (`sequential` | `parallel`). */
  mode?: string;
  children: ViewNode[];
}

/** Events that ran side by side. */
export interface ViewGroup {
  /** `same-cause`: the timeline's concurrent group (one cause, several effects); `overlap`: sibling hooks whose run times overlapped. */
  kind: 'same-cause' | 'overlap';
  label: string;
  ids: string[];
}

/** What the tree and the HTML page draw. */
export interface TimelineView {
  correlationId: string;
  startedAt: number;
  durationMs: number;
  eventCount: number;
  roots: ViewNode[];
  groups: ViewGroup[];
  chains: string[][];
  leaves: number;
}

/** When a hook execution started and how long it ran (from the hook journal), by execution id. */
export interface ExecutionSpan {
  startedAt: number;
  durationMs: number;
}

interface HookData {
  executionId?: string;
  point?: string;
  hook?: string;
  mode?: string;
  hooks?: number;
  decision?: string;
  durationMs?: number;
  error?: string;
  result?: { type?: string; reason?: string };
}

/**
 * Turns a stored timeline into what is drawn: labels for hook lifecycle events (a fire, each
 * hook with its status and duration), time spans (a hook execution spans its duration and ends
 * at its event; a fire spans until its last event), and concurrent groups — the timeline's own
 * (events with one cause) plus sibling hook executions whose spans overlapped.
 */
export function timelineView(
  timeline: Timeline,
  spans: ReadonlyMap<string, ExecutionSpan> = new Map(),
): TimelineView {
  const t0 = timeline.startedAt ?? 0;
  const byId = new Map<string, ViewNode>();
  const build = (node: TimelineNode): ViewNode => {
    const children = node.children.map(build);
    const view = describe(node.event, t0, node.depth, children, spans);
    byId.set(view.id, view);
    return view;
  };
  const roots = timeline.roots.map(build);
  const groups: ViewGroup[] = [];
  // A cause is an event id, or a hook execution id (then the execution's own lifecycle event,
  // which names it as its cause too, stands for it and is not one of its effects).
  const byExecution = new Map<string, ViewNode>();
  for (const e of timeline.events) {
    const executionId = (e.data as HookData | null)?.executionId;
    if (typeof executionId === 'string' && e.type.startsWith('hook.execution.'))
      byExecution.set(executionId, byId.get(e.id)!);
  }
  for (const g of timeline.concurrentGroups) {
    const cause = byId.get(g.causationId) ?? byExecution.get(g.causationId);
    const ids = g.eventIds.filter((id) => id !== cause?.id);
    if (ids.length < 2) continue;
    groups.push({ kind: 'same-cause', label: `caused by ${cause ? cause.label : g.causationId}`, ids });
  }
  const visit = (node: ViewNode) => {
    // A sequential chain never overlaps; touching spans there are clock rounding.
    for (const ids of node.mode === 'sequential' ? [] : overlapping(node.children)) {
      groups.push({ kind: 'overlap', label: `ran side by side in ${node.label}`, ids });
    }
    node.children.forEach(visit);
  };
  roots.forEach(visit);
  const end = Math.max(timeline.durationMs, ...[...byId.values()].map((n) => n.end));
  return {
    correlationId: timeline.correlationId,
    startedAt: t0,
    durationMs: end,
    eventCount: timeline.events.length,
    roots,
    groups,
    chains: timeline.chains,
    leaves: timeline.leaves.length,
  };
}

/** How long the fire of a `hook.fire.completed` node took (read by its fire's node). */
const fireDurations = new WeakMap<ViewNode, number>();

function describe(
  event: HookspellEvent,
  t0: number,
  depth: number,
  children: ViewNode[],
  spans: ReadonlyMap<string, ExecutionSpan>,
): ViewNode {
  const data = (event.data ?? {}) as HookData;
  const at = event.timestamp - t0;
  const base = { id: event.id, type: event.type, depth, children, status: '', start: at, end: at };
  if (event.type === 'hook.fire.started') {
    // The fire's own outcome event: its time is the fire's start plus the fire's duration (its
    // timestamp may be a clock reading shared with earlier events of the same synchronous run).
    for (const c of children) {
      if (c.type !== 'hook.fire.completed') continue;
      const done = at + (fireDurations.get(c) ?? 0);
      if (done > c.start) c.start = c.end = done;
    }
    const end = Math.max(at, ...children.map((c) => c.end));
    return {
      ...base,
      end,
      mode: data.mode ?? 'sequential',
      label: `fire ${data.point ?? '?'}`,
      detail: `${data.mode ?? 'sequential'}, ${data.hooks ?? '?'} hook${data.hooks === 1 ? '' : 's'}`,
    };
  }
  if (event.type === 'hook.fire.completed') {
    const node: ViewNode = {
      ...base,
      label: `decision ${data.decision ?? '?'}`,
      detail: `fire of ${data.point ?? '?'} done in ${ms(data.durationMs ?? 0)}`,
    };
    if (typeof data.durationMs === 'number') fireDurations.set(node, data.durationMs);
    return node;
  }
  if (event.type.startsWith('hook.execution.')) {
    const status =
      { completed: 'ok', failed: 'error', timeout: 'timeout', skipped: 'skipped' }[event.type.slice(15)] ??
      event.type.slice(15);
    const duration = typeof data.durationMs === 'number' ? data.durationMs : 0;
    const span = typeof data.executionId === 'string' ? spans.get(data.executionId) : undefined;
    const what =
      (typeof data.error === 'string' ? data.error.replace(/^\[hookspell\]\s*/, '') : undefined) ??
      (data.result?.type === 'skipped' || data.result?.type === 'cancel'
        ? `${data.result.type}: ${data.result.reason ?? ''}`
        : (data.result?.type ?? ''));
    return {
      ...base,
      status,
      // The journal's start time is exact; an event's timestamp is when it was emitted, and
      // events emitted in one synchronous run may share one clock reading.
      ...(span !== undefined && span.startedAt > 0
        ? { start: Math.max(0, span.startedAt - t0), end: Math.max(0, span.startedAt - t0) + span.durationMs }
        : { start: Math.max(0, at - duration) }),
      label: `${data.hook ?? '?'} ${status}`,
      detail: `${ms(duration)}${what ? ` · ${what}` : ''}`,
    };
  }
  return { ...base, label: event.type, detail: brief(event.data, 80) };
}

/** Spans overlapping by less than this are taken as one after the other (clock rounding). */
const OVERLAP_SLACK_MS = 1;

/** Clusters of ≥ 2 siblings with a duration whose spans overlap (a sweep over start times). */
function overlapping(nodes: readonly ViewNode[]): string[][] {
  const spans = nodes.filter((n) => n.end > n.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: string[][] = [];
  let group: ViewNode[] = [];
  let groupEnd = Number.NEGATIVE_INFINITY;
  for (const n of spans) {
    if (n.start < groupEnd - OVERLAP_SLACK_MS) {
      group.push(n);
      groupEnd = Math.max(groupEnd, n.end);
    } else {
      if (group.length > 1) out.push(group.map((g) => g.id));
      group = [n];
      groupEnd = n.end;
    }
  }
  if (group.length > 1) out.push(group.map((g) => g.id));
  return out;
}
