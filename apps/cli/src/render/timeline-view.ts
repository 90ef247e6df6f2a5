import type { HookspellEvent, Timeline, TimelineNode } from '@hookspell/events';
import type { Outcome } from '../inspect/model/describe.js';
import type { Dependencies, ExecutionSpan } from '../inspect/model/run-event.js';
import { layoutRun, nodeOf, type RunNode } from '../inspect/model/run-model.js';

export type { Dependencies, ExecutionSpan } from '../inspect/model/run-event.js';

/** One event as drawn: a label, a status, and the time span it covers (ms after the first event). */
export interface ViewNode {
  id: string;
  type: string;
  label: string;
  detail: string;
  /** ok | error | timeout | skipped for hook executions; '' otherwise. */
  status: string;
  /**
   * What its colour says: the status, except `cancel` for a hook that returned cancel (status
   * `ok`) and for a decision to cancel; `breaker` for breaker events; '' for other events.
   */
  outcome: Outcome;
  /** A cancel's or skip's reason, an error's message. */
  reason?: string;
  start: number;
  end: number;
  /** The stored timestamp, ms after the same origin as `start` (see `layoutTimes` for why they may differ). */
  stored: number;
  depth: number;
  /** A fire's mode (`sequential` | `parallel`). */
  mode?: string;
  /** A hook execution's id (for `hookspell replay`). */
  executionId?: string;
  /** Ids of the hook executions this one waited for (`dependsOn`). */
  waitsFor: string[];
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
  /** Epoch ms of offset 0. */
  startedAt: number;
  durationMs: number;
  eventCount: number;
  roots: ViewNode[];
  groups: ViewGroup[];
  chains: string[][];
  leaves: number;
  /** The stored events (the HTML page's details panel shows them). */
  events?: readonly HookspellEvent[];
  /** Journal spans by execution id, as given. */
  spans?: ReadonlyMap<string, ExecutionSpan>;
}

/**
 * Turns a stored timeline into what is drawn: labels for hook lifecycle events (a fire, each
 * hook with its status and duration), time spans laid out by the run model's rules (durations
 * and journal start times are exact, event timestamps coarse: see `layoutTimes`), the hooks each
 * hook waited for (`dependencies`, from the config), and concurrent groups — the timeline's own
 * (events with one cause) plus sibling hook executions whose spans overlapped.
 */
export function timelineView(
  timeline: Timeline,
  spans: ReadonlyMap<string, ExecutionSpan> = new Map(),
  dependencies?: Dependencies,
): TimelineView {
  const nodes = new Map<string, RunNode>();
  const link = (node: TimelineNode, parent: RunNode | undefined): RunNode => {
    const run = nodeOf(node.event);
    run.parentId = parent?.id;
    run.depth = node.depth;
    nodes.set(run.id, run);
    return run;
  };
  // The events package's tree, walked iteratively (a causality chain can be long).
  const stack: [TimelineNode, RunNode | undefined][] = timeline.roots.map((r) => [r, undefined]);
  // (a queue, read by index: parents before children, children in order)
  const roots: RunNode[] = [];
  for (let i = 0; i < stack.length; i++) {
    const [node, parent] = stack[i]!;
    const run = link(node, parent);
    if (parent === undefined) roots.push(run);
    else parent.children.push(run);
    for (const child of node.children) stack.push([child, run]);
  }
  const ordered = timeline.events.map((e) => nodes.get(e.id)).filter((n): n is RunNode => n !== undefined);
  const model = layoutRun(ordered, { spans, ...(dependencies !== undefined && { dependencies }) });
  const byId = new Map<string, ViewNode>();
  const view = (run: RunNode): ViewNode => {
    const node: ViewNode = {
      id: run.id,
      type: run.event.type,
      label: run.label,
      detail: run.detail,
      status: run.status,
      outcome: run.outcome,
      ...(run.reason !== undefined && { reason: run.reason }),
      start: run.start,
      end: run.end,
      stored: run.stored,
      depth: run.depth,
      ...(run.kind === 'fire' && run.mode !== undefined && { mode: run.mode }),
      ...(run.executionId !== undefined && { executionId: run.executionId }),
      waitsFor: run.waitsFor,
      children: [],
    };
    byId.set(node.id, node);
    return node;
  };
  // Children in the order the events package gave them (sequence order).
  const viewRoots: ViewNode[] = [];
  const pending: [RunNode, ViewNode | undefined][] = roots.map((r) => [r, undefined]);
  for (let i = 0; i < pending.length; i++) {
    const [run, parent] = pending[i]!;
    const node = view(run);
    if (parent === undefined) viewRoots.push(node);
    else parent.children.push(node);
    for (const child of run.children) pending.push([child, node]);
  }
  const groups: ViewGroup[] = [];
  // A cause is an event id, or a hook execution id (then the execution's own lifecycle event,
  // which names it as its cause too, stands for it and is not one of its effects).
  const byExecution = new Map<string, ViewNode>();
  for (const node of byId.values())
    if (node.executionId !== undefined) byExecution.set(node.executionId, node);
  for (const g of timeline.concurrentGroups) {
    const cause = byId.get(g.causationId) ?? byExecution.get(g.causationId);
    const ids = g.eventIds.filter((id) => id !== cause?.id);
    if (ids.length < 2) continue;
    groups.push({ kind: 'same-cause', label: `caused by ${cause ? cause.label : g.causationId}`, ids });
  }
  for (const node of byId.values()) {
    // A sequential chain never overlaps; touching spans there are clock rounding.
    if (node.mode === undefined || node.mode === 'sequential') continue;
    for (const ids of overlapping(node.children)) {
      groups.push({ kind: 'overlap', label: `ran side by side in ${node.label}`, ids });
    }
  }
  return {
    correlationId: timeline.correlationId,
    startedAt: model.t0,
    durationMs: model.durationMs,
    eventCount: timeline.events.length,
    roots: viewRoots,
    groups,
    chains: timeline.chains,
    leaves: timeline.leaves.length,
    events: timeline.events,
    spans,
  };
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
