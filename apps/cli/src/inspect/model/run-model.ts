import { type Description, describeEvent } from './describe.js';
import {
  type Dependencies,
  dataOf,
  type ExecutionSpan,
  fireKeyOf,
  isExecution,
  processOf,
  type RunEvent,
  text,
} from './run-event.js';

/** One event as drawn: its description, its place in the causality tree, and its drawn times. */
export interface RunNode extends Description {
  id: string;
  event: RunEvent;
  parentId: string | undefined;
  children: RunNode[];
  depth: number;
  /** The fire a lifecycle event belongs to (its process and `fireSeq`). */
  fire: string | undefined;
  /** Drawn span, ms after the run's first drawn time. A point event has `start === end`. */
  start: number;
  end: number;
  /** The stored timestamp, ms after the same origin (may differ from `start`: see `layoutTimes`). */
  stored: number;
  /** Hook executions this one waited for (`dependsOn`, in the same fire), by node id. */
  waitsFor: string[];
}

/** A run laid out: nodes in sequence order, the forest, and the time origin. */
export interface RunModel {
  nodes: RunNode[];
  roots: RunNode[];
  byId: Map<string, RunNode>;
  /** Epoch ms of offset 0 (the earliest drawn time). */
  t0: number;
  /** The latest drawn end, ms after `t0`. */
  durationMs: number;
}

export interface RunModelOptions {
  spans?: ReadonlyMap<string, ExecutionSpan>;
  dependencies?: Dependencies;
}

/** Builds the model of one run from its events (any order; sorted by sequence here). */
export function buildRunModel(events: readonly RunEvent[], options: RunModelOptions = {}): RunModel {
  const sorted = [...events].sort((a, b) => a.sequence - b.sequence);
  const nodes = sorted.map(nodeOf);
  linkTree(nodes);
  return layoutRun(nodes, options);
}

/** A node for `event`, not yet linked or laid out. */
export function nodeOf(event: RunEvent): RunNode {
  const kind = event.type;
  const lifecycle = kind.startsWith('hook.fire.') || isExecution(kind);
  return {
    ...describeEvent(event),
    id: event.id,
    event,
    parentId: undefined,
    children: [],
    depth: 0,
    fire: lifecycle ? fireKeyOf(event) : undefined,
    start: event.timestamp,
    end: event.timestamp,
    stored: event.timestamp,
    waitsFor: [],
  };
}

/**
 * Links nodes (in sequence order) into the causality forest by the events package's timeline
 * rules: a hook lifecycle event hangs under the `hook.fire.started` of its fire; any other event
 * under its cause — the event whose id is its `causationId`, or, when the cause is a hook
 * execution, that execution's `hook.execution.*` event (recorded after the events the hook
 * published). A link that would close a cycle is dropped. Children stay in sequence order.
 */
export function linkTree(nodes: readonly RunNode[]): RunNode[] {
  const byId = new Map<string, RunNode>();
  const byExecution = new Map<string, RunNode>();
  const fireStarts = new Map<string, RunNode>();
  for (const node of nodes) {
    byId.set(node.id, node);
    if (node.kind === 'execution' && node.executionId !== undefined) byExecution.set(node.executionId, node);
    if (node.kind === 'fire' && node.fire !== undefined) fireStarts.set(node.fire, node);
  }
  const parentOf = new Map<RunNode, RunNode>();
  for (const node of nodes) {
    let parent: RunNode | undefined;
    if ((node.kind === 'execution' || node.kind === 'decision') && node.fire !== undefined)
      parent = fireStarts.get(node.fire);
    if (parent === undefined) {
      const cause = node.event.metadata.causationId;
      if (cause !== undefined) parent = byId.get(cause) ?? byExecution.get(cause);
    }
    if (parent !== undefined && parent !== node) parentOf.set(node, parent);
  }
  for (const node of nodes) {
    const seen = new Set<RunNode>([node]);
    let at = parentOf.get(node);
    while (at !== undefined) {
      if (seen.has(at)) {
        parentOf.delete(node);
        break;
      }
      seen.add(at);
      at = parentOf.get(at);
    }
  }
  const roots: RunNode[] = [];
  for (const node of nodes) {
    const parent = parentOf.get(node);
    if (parent === undefined) roots.push(node);
    else {
      node.parentId = parent.id;
      parent.children.push(node);
    }
  }
  for (const node of preorder(roots)) {
    const parent = parentOf.get(node);
    node.depth = parent === undefined ? 0 : parent.depth + 1;
  }
  return roots;
}

/** Parents before children, children in order; iterative (a causality chain can be very long). */
export function preorder(roots: readonly RunNode[]): RunNode[] {
  const out: RunNode[] = [];
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return out;
}

/** A journal span ending further than this from its event's time is not used (see layoutTimes). */
const MAX_CLOCK_GAP_MS = 60_000;

interface FireState {
  node: RunNode;
  start: number;
  sequential: boolean;
  /** Where the next hook of a sequential chain can start. */
  cursor: number;
  /** Added to the journal's start times of this fire's hooks (see layoutTimes). */
  shift: number;
  latest: number;
  decision?: RunNode;
}

/**
 * Lays out already linked nodes (in sequence order) and fills in outcome details that need
 * other nodes (a cancelling decision's reason, `dependsOn` waits).
 */
export function layoutRun(nodes: RunNode[], options: RunModelOptions = {}): RunModel {
  const roots = nodes.filter((n) => n.parentId === undefined);
  const byId = new Map<string, RunNode>();
  for (const n of nodes) byId.set(n.id, n);
  layoutTimes(nodes, roots, options.spans ?? new Map());
  explainDecisions(nodes, byId);
  if (options.dependencies !== undefined) linkWaits(nodes, options.dependencies);
  let t0 = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const n of nodes) {
    t0 = Math.min(t0, n.start, n.stored);
    last = Math.max(last, n.end);
  }
  if (nodes.length === 0) t0 = last = 0;
  for (const n of nodes) {
    n.start -= t0;
    n.end -= t0;
    n.stored -= t0;
  }
  return { nodes, roots, byId, t0, durationMs: last - t0 };
}

/**
 * Drawn times, in epoch ms, from what is stored. Event timestamps are coarse: events emitted in
 * one synchronous run of the event loop may share one clock reading (the events package reuses
 * it for speed), so a hook that ran 50 ms inside a synchronous fire can be stamped with the
 * fire's start. Durations (and the journal's start times) are exact. So:
 *
 * - Order is the truth: within one process, sequence order is emission order, so a node is
 *   never drawn before an event that precedes it in sequence (its time is pushed up to it).
 * - A fire starts at its stored time (pushed as above). Its hooks start inside it: at the
 *   journal's start time when the journal has it (the fire's journal times shifted together
 *   when the first of them would precede the fire — clocks of a process can drift apart; not for
 *   a skipped hook, recorded as starting at 0, nor a span a minute away from its event), else
 *   a sequential chain's hooks one after another from the fire's start, and a parallel hook at
 *   its completion time minus its duration, never before the fire. Each lasts its duration.
 * - A decision is drawn at its stored time, but not before its fire's start plus the fire's
 *   recorded duration nor before its last hook ends; what follows it in sequence comes after it.
 * - Every node starts no earlier than its parent; a fire spans everything under it.
 */
export function layoutTimes(
  nodes: readonly RunNode[],
  roots: readonly RunNode[],
  spans: ReadonlyMap<string, ExecutionSpan>,
): void {
  const fires = new Map<string, FireState>();
  // A journal span is used when it is one: a hook that never ran (skipped) is recorded with
  // startedAt 0, and a span far from its event's time is another clock's (or another run's).
  const spanOf = (node: RunNode): ExecutionSpan | undefined => {
    const span = node.executionId === undefined ? undefined : spans.get(node.executionId);
    if (span === undefined || node.status === 'skipped' || !(span.startedAt > 0)) return undefined;
    return Math.abs(span.startedAt + span.durationMs - node.event.timestamp) <= MAX_CLOCK_GAP_MS
      ? span
      : undefined;
  };
  const firstJournalStart = new Map<string, number>();
  for (const node of nodes) {
    if (node.kind !== 'execution' || node.fire === undefined) continue;
    const span = spanOf(node);
    if (span === undefined) continue;
    const seen = firstJournalStart.get(node.fire);
    if (seen === undefined || span.startedAt < seen) firstJournalStart.set(node.fire, span.startedAt);
  }
  const last = new Map<string, number>();
  for (const node of nodes) {
    const process = processOf(node.id);
    const before = last.get(process) ?? Number.NEGATIVE_INFINITY;
    const t = Math.max(node.event.timestamp, before);
    let at = t;
    if (node.kind === 'fire') {
      const journal = node.fire === undefined ? undefined : firstJournalStart.get(node.fire);
      const state: FireState = {
        node,
        start: t,
        sequential: node.mode !== 'parallel',
        cursor: t,
        shift: journal !== undefined && journal < t ? t - journal : 0,
        latest: t,
      };
      if (node.fire !== undefined) fires.set(node.fire, state);
      node.start = node.end = t;
    } else if (node.kind === 'execution') {
      const fire = node.fire === undefined ? undefined : fires.get(node.fire);
      const duration = node.durationMs ?? 0;
      const span = spanOf(node);
      let start: number;
      let end: number;
      if (span !== undefined) {
        start = span.startedAt + (fire?.shift ?? 0);
        end = start + span.durationMs;
      } else {
        const floor =
          fire === undefined ? Number.NEGATIVE_INFINITY : fire.sequential ? fire.cursor : fire.start;
        start = Math.max(floor, t - duration);
        end = start + duration;
      }
      if (fire !== undefined) {
        fire.cursor = Math.max(fire.cursor, end);
        fire.latest = Math.max(fire.latest, end);
      }
      node.start = start;
      node.end = end;
      at = Math.max(t, end);
    } else if (node.kind === 'decision') {
      const fire = node.fire === undefined ? undefined : fires.get(node.fire);
      if (fire !== undefined) {
        at = Math.max(t, fire.start + (node.durationMs ?? 0), fire.latest);
        fire.decision = node;
      }
      node.start = node.end = at;
    } else {
      node.start = node.end = t;
    }
    last.set(process, at);
  }
  // Parents first: a node starts no earlier than its parent; then children first: a fire spans
  // all that hangs under it.
  const order = preorder(roots);
  for (const node of order) {
    for (const child of node.children) {
      if (child.start < node.start) {
        child.end += node.start - child.start;
        child.start = node.start;
      }
    }
  }
  const reach = new Map<RunNode, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    let end = node.end;
    for (const child of node.children) end = Math.max(end, reach.get(child)!);
    if (node.kind === 'fire') node.end = end;
    reach.set(node, end);
  }
}

/** A cancelling decision gets the reason of the hook that cancelled (its event carries none). */
function explainDecisions(nodes: readonly RunNode[], byId: ReadonlyMap<string, RunNode>): void {
  for (const node of nodes) {
    if (node.kind !== 'decision' || node.outcome !== 'cancel') continue;
    const parent = node.parentId;
    const siblings = parent === undefined ? [] : (byId.get(parent)?.children ?? []);
    const by = siblings.find((s) => s.kind === 'execution' && s.outcome === 'cancel');
    const failed = siblings.find(
      (s) => s.kind === 'execution' && (s.status === 'error' || s.status === 'timeout'),
    );
    const reason =
      by !== undefined
        ? `${by.hook ?? '?'}: ${by.reason ?? ''}`
        : failed !== undefined
          ? `${failed.hook ?? '?'} ${failed.status === 'timeout' ? 'timed out' : 'failed'} (fail-closed)${failed.reason ? `: ${failed.reason}` : ''}`
          : undefined;
    if (reason !== undefined) {
      node.reason = reason;
      node.detail = `${node.detail} · ${reason}`;
    }
  }
}

/** Marks each hook execution with the executions of its `dependsOn` hooks in the same fire. */
function linkWaits(nodes: readonly RunNode[], dependencies: Dependencies): void {
  const byFire = new Map<string, Map<string, RunNode>>();
  for (const node of nodes) {
    if (node.kind !== 'execution' || node.fire === undefined || node.hook === undefined) continue;
    let hooks = byFire.get(node.fire);
    if (hooks === undefined) byFire.set(node.fire, (hooks = new Map()));
    hooks.set(node.hook, node);
  }
  for (const node of nodes) {
    if (node.kind !== 'execution' || node.fire === undefined || node.hook === undefined) continue;
    // Recorded with the execution (hooks registered anywhere), else the config's.
    const recorded = (dataOf(node.event) as { dependsOn?: unknown }).dependsOn;
    const point = node.point ?? text(dataOf(node.event).point);
    const wanted =
      Array.isArray(recorded) && recorded.every((d) => typeof d === 'string')
        ? (recorded as string[])
        : point === undefined
          ? undefined
          : dependencies.get(point)?.get(node.hook);
    if (wanted === undefined || wanted.length === 0) continue;
    const hooks = byFire.get(node.fire)!;
    node.waitsFor = wanted.map((name) => hooks.get(name)?.id).filter((id): id is string => id !== undefined);
  }
}
