import type { HookspellEvent } from './event.js';
import { parseOwnId } from './log-layout.js';

/** One event in a timeline, with the events it caused. */
export interface TimelineNode {
  event: HookspellEvent;
  /** Id of the node this one hangs under (its cause), if the cause is in the timeline. */
  parentId?: string;
  children: TimelineNode[];
  /** Depth in the causality tree (roots are 0). */
  depth: number;
}

/**
 * What happened under one correlation id, ready to draw: a causality forest, its chains from
 * root to leaf, and groups of events that share a cause (they ran side by side).
 */
export interface Timeline {
  correlationId: string;
  /** All events, in sequence order. */
  events: HookspellEvent[];
  /** Causality forest: roots in sequence order, children in sequence order. */
  roots: TimelineNode[];
  /** Ids of events that caused nothing in this timeline. */
  leaves: string[];
  /** Every path from a root to a leaf, as event ids. */
  chains: string[][];
  /** Events with the same cause, at least two of them (ids in sequence order). */
  concurrentGroups: { causationId: string; eventIds: string[] }[];
  startedAt?: number;
  endedAt?: number;
  durationMs: number;
}

/**
 * Builds a {@link Timeline}. An event hangs under its cause: the event whose id is its
 * `causationId`; or, when the cause is a hook execution, the `hook.execution.*` event reporting
 * that execution (`data.executionId`) — which is recorded after the events the hook published, so
 * a child may precede its parent in sequence. Hook lifecycle events hang under the
 * `hook.fire.started` event of their fire (`data.fireSeq`). Events whose cause is absent are roots.
 */
export function buildTimeline(correlationId: string, events: readonly HookspellEvent[]): Timeline {
  const sorted = [...events].sort((a, b) => a.sequence - b.sequence);
  const nodes = new Map<string, TimelineNode>();
  const byExecution = new Map<string, string>();
  // Fire numbers count per process: a correlation spanning processes needs the process too.
  const fireStarts = new Map<string, string>();
  for (const event of sorted) {
    nodes.set(event.id, { event, children: [], depth: 0 });
    const data = event.data as { executionId?: unknown; fireSeq?: unknown } | null;
    if (typeof data?.executionId === 'string' && event.type.startsWith('hook.execution.')) {
      byExecution.set(data.executionId, event.id);
    }
    if (event.type === 'hook.fire.started' && typeof data?.fireSeq === 'number') {
      fireStarts.set(fireKey(event, data.fireSeq), event.id);
    }
  }
  const siblings = new Map<string, string[]>();
  const parentOf = new Map<string, string>();
  for (const event of sorted) {
    const cause = event.metadata.causationId;
    if (cause !== undefined) {
      const group = siblings.get(cause);
      if (group) group.push(event.id);
      else siblings.set(cause, [event.id]);
    }
    const parentId = findParent(event, nodes, byExecution, fireStarts);
    if (parentId !== undefined && parentId !== event.id) parentOf.set(event.id, parentId);
  }
  // Malformed causation data must not make a cycle: a link that closes one is dropped.
  for (const id of parentOf.keys()) {
    const seen = new Set<string>([id]);
    let at = parentOf.get(id);
    while (at !== undefined) {
      if (seen.has(at)) {
        parentOf.delete(id);
        break;
      }
      seen.add(at);
      at = parentOf.get(at);
    }
  }
  const roots: TimelineNode[] = [];
  for (const event of sorted) {
    const node = nodes.get(event.id)!;
    const parentId = parentOf.get(event.id);
    if (parentId === undefined) roots.push(node);
    else {
      node.parentId = parentId;
      nodes.get(parentId)!.children.push(node); // sorted iteration keeps children in sequence order
    }
  }
  const leaves: string[] = [];
  const chains: string[][] = [];
  const walk = (node: TimelineNode, path: string[], depth: number) => {
    node.depth = depth;
    const here = [...path, node.event.id];
    if (node.children.length === 0) {
      leaves.push(node.event.id);
      chains.push(here);
    }
    for (const child of node.children) walk(child, here, depth + 1);
  };
  for (const root of roots) walk(root, [], 0);
  const first = sorted[0]?.timestamp;
  const last = sorted[sorted.length - 1]?.timestamp;
  return {
    correlationId,
    events: sorted,
    roots,
    leaves,
    chains,
    concurrentGroups: [...siblings]
      .filter(([, ids]) => ids.length > 1)
      .map(([causationId, eventIds]) => ({ causationId, eventIds })),
    startedAt: first,
    endedAt: last,
    durationMs: first === undefined || last === undefined ? 0 : last - first,
  };
}

function findParent(
  event: HookspellEvent,
  nodes: Map<string, TimelineNode>,
  byExecution: Map<string, string>,
  fireStarts: Map<string, string>,
): string | undefined {
  const cause = event.metadata.causationId;
  const isLifecycle = event.type.startsWith('hook.execution.') || event.type === 'hook.fire.completed';
  if (isLifecycle) {
    const fireSeq = (event.data as { fireSeq?: unknown } | null)?.fireSeq;
    const start = typeof fireSeq === 'number' ? fireStarts.get(fireKey(event, fireSeq)) : undefined;
    if (start !== undefined) return start;
  }
  if (cause === undefined) return undefined;
  if (nodes.has(cause)) return cause;
  return byExecution.get(cause);
}

// The process an event came from (its id prefix, see sequence-clock.ts) plus its fire number.
function fireKey(event: HookspellEvent, fireSeq: number): string {
  return `${parseOwnId(event.id)?.prefix ?? ''}${fireSeq}`;
}
