import type { HookspellEvent } from './event.js';

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
 * Builds a {@link Timeline}. An event's cause is the event whose id is its `causationId`; when the
 * cause is a hook execution, the `hook.execution.*` event reporting that execution
 * (`data.executionId`) stands in for it. Events whose cause is absent are roots.
 */
export function buildTimeline(correlationId: string, events: readonly HookspellEvent[]): Timeline {
  const sorted = [...events].sort((a, b) => a.sequence - b.sequence);
  const nodes = new Map<string, TimelineNode>();
  const byExecution = new Map<string, string>();
  for (const event of sorted) {
    nodes.set(event.id, { event, children: [], depth: 0 });
    const executionId = (event.data as { executionId?: unknown } | null)?.executionId;
    if (typeof executionId === 'string' && event.type.startsWith('hook.execution.'))
      byExecution.set(executionId, event.id);
  }
  const roots: TimelineNode[] = [];
  const siblings = new Map<string, string[]>();
  for (const event of sorted) {
    const node = nodes.get(event.id)!;
    const cause = event.metadata.causationId;
    if (cause !== undefined) {
      const group = siblings.get(cause);
      if (group) group.push(event.id);
      else siblings.set(cause, [event.id]);
    }
    let parentId =
      cause !== undefined && nodes.has(cause)
        ? cause
        : cause !== undefined
          ? byExecution.get(cause)
          : undefined;
    // An execution's own lifecycle event must not become its own parent.
    if (parentId === event.id) parentId = undefined;
    const parent = parentId === undefined ? undefined : nodes.get(parentId);
    if (parent !== undefined && parent.event.sequence < event.sequence) {
      node.parentId = parentId;
      parent.children.push(node);
    } else {
      roots.push(node);
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
