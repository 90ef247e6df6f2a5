import { type Clock, systemClock } from '../clock.js';
import { HookCancelledError } from '../errors/hook-cancelled-error.js';
import { HookError, HookErrorCode } from '../errors/hook-error.js';
import type { HookPoint } from '../hook-points.js';
import type { ComponentRef, FireOptions, HookInput, HookOutcome } from '../types.js';

/** The original's agent states. */
export type AgentState =
  | 'Uninitialized'
  | 'Initializing'
  | 'Ready'
  | 'Running'
  | 'Paused'
  | 'Terminating'
  | 'Terminated'
  | 'Error'
  | 'Recovering';

/** Which state may follow which. Terminated is final. */
export const AGENT_TRANSITIONS: Readonly<Record<AgentState, readonly AgentState[]>> = Object.freeze({
  Uninitialized: ['Initializing', 'Terminating'],
  Initializing: ['Ready', 'Error'],
  Ready: ['Running', 'Terminating', 'Error'],
  Running: ['Ready', 'Paused', 'Error', 'Terminating'],
  Paused: ['Running', 'Terminating', 'Error'],
  Terminating: ['Terminated', 'Error'],
  Terminated: [],
  Error: ['Recovering', 'Terminating'],
  Recovering: ['Ready', 'Error', 'Terminating'],
});

/**
 * The points a transition fires, in order (the original's mapping: Uninitialized → SystemStartup,
 * Initializing → BeforeAgentInit, Ready → AfterAgentInit, Running → Before/AfterAgentExecution,
 * Paused → `custom:agent_paused`, Terminating → `custom:before_agent_terminate`, Terminated →
 * SystemShutdown, Error → AgentError, Recovering → `custom:agent_recovering`; the agent group's
 * shutdown points fire beside the terminate ones).
 */
export function agentTransitionPoints(from: AgentState, to: AgentState): HookPoint[] {
  const points: HookPoint[] = [];
  if (from === 'Uninitialized') points.push('SystemStartup');
  if (from === 'Running' && to === 'Ready') points.push('AfterAgentExecution');
  switch (to) {
    case 'Initializing':
      points.push('BeforeAgentInit');
      break;
    case 'Ready':
      if (from !== 'Running') points.push('AfterAgentInit');
      break;
    case 'Running':
      points.push('BeforeAgentExecution');
      break;
    case 'Paused':
      points.push('custom:agent_paused');
      break;
    case 'Terminating':
      points.push('custom:before_agent_terminate', 'BeforeAgentShutdown');
      break;
    case 'Terminated':
      points.push('AfterAgentShutdown', 'SystemShutdown');
      break;
    case 'Error':
      points.push('AgentError');
      break;
    case 'Recovering':
      points.push('custom:agent_recovering');
      break;
    default:
      break;
  }
  return points;
}

/** One transition that happened. */
export interface AgentTransition {
  readonly from: AgentState;
  readonly to: AgentState;
  /** Epoch ms. */
  readonly at: number;
  readonly outcomes: readonly HookOutcome[];
}

interface Firer {
  fire(point: HookPoint, input?: HookInput, options?: FireOptions): Promise<HookOutcome>;
}

export interface AgentLifecycleOptions {
  /** Merged into the data of every fire. */
  data?: Record<string, unknown>;
  metadata?: Record<string, string>;
  fireOptions?: FireOptions;
  /** @default 'Uninitialized' (e.g. 'Ready' for an agent restored from a checkpoint) */
  initialState?: AgentState;
  /** Time of `history[].at`. @default systemClock */
  clock?: Clock;
}

/**
 * An agent's state machine. Each transition fires its points through the executor (so hooks of
 * every language and the event bus see it), in order; a hook answering `cancel` stops it — the
 * state stays, and the call rejects with `HookCancelledError`. A transition the machine does not
 * allow rejects with `HookError` `HOOKSPELL_ILLEGAL_TRANSITION`. Transitions run one at a time,
 * in call order.
 */
export interface AgentLifecycle {
  readonly state: AgentState;
  readonly component: ComponentRef;
  /** Transitions that happened, oldest first. */
  readonly history: readonly AgentTransition[];
  /** True when the machine allows `to` from the current state. */
  can(to: AgentState): boolean;
  /** Moves to `to`, firing its points with `data`; resolves with their outcomes. */
  transition(to: AgentState, data?: Record<string, unknown>): Promise<HookOutcome[]>;
  /** Uninitialized → Initializing → (runs `init`) → Ready; if `init` throws: → Error, and rethrows. */
  initialize(init?: () => unknown): Promise<void>;
  /**
   * Ready → Running → (runs `fn`) → Ready, AfterAgentExecution seeing `data.result` (a hook's
   * `modified` result or `replace` changes what is returned); if `fn` throws: → Error, rethrows.
   */
  execute<T>(fn: () => T | Promise<T>, data?: Record<string, unknown>): Promise<T>;
  pause(data?: Record<string, unknown>): Promise<HookOutcome[]>;
  resume(data?: Record<string, unknown>): Promise<HookOutcome[]>;
  /** → Terminating → Terminated. */
  terminate(data?: Record<string, unknown>): Promise<void>;
  /** → Error, firing AgentError with `data.error`. */
  fail(error: unknown): Promise<HookOutcome[]>;
  /** Error → Recovering → (runs `fix`) → Ready; if `fix` throws: → Error, rethrows. */
  recover(fix?: () => unknown): Promise<void>;
  /** Called after every transition; returns the unsubscribe. */
  onTransition(listener: (transition: AgentTransition) => void): () => void;
}

/**
 * Creates the lifecycle of one agent: fires the mapped points on each transition.
 *
 * @example
 * ```ts
 * import { agentLifecycle } from '@hookspell/hooks/lifecycle';
 * const agent = agentLifecycle(executor, 'planner');
 * await agent.initialize(() => loadModel());
 * const plan = await agent.execute(() => llm(prompt), { prompt });
 * await agent.terminate();
 * ```
 */
export function agentLifecycle(
  executor: Firer,
  component: ComponentRef | string,
  options: AgentLifecycleOptions = {},
): AgentLifecycle {
  const ref: ComponentRef = typeof component === 'string' ? { type: 'agent', name: component } : component;
  const clock = options.clock ?? systemClock;
  let state: AgentState = options.initialState ?? 'Uninitialized';
  if (!Object.hasOwn(AGENT_TRANSITIONS, state)) {
    throw new HookError(
      HookErrorCode.INVALID_ARGUMENT,
      `agentLifecycle(): unknown \`initialState\` ${JSON.stringify(state)}.`,
    );
  }
  const history: AgentTransition[] = [];
  const listeners = new Set<(t: AgentTransition) => void>();
  let queue: Promise<unknown> = Promise.resolve();

  const run = async (to: AgentState, data: Record<string, unknown> = {}): Promise<HookOutcome[]> => {
    const from = state;
    if (!AGENT_TRANSITIONS[from]?.includes(to)) {
      const allowed = AGENT_TRANSITIONS[from]?.join(', ') || 'none (final state)';
      throw new HookError(
        HookErrorCode.ILLEGAL_TRANSITION,
        `agent '${ref.name}' cannot go from ${from} to ${String(to)}. Allowed from ${from}: ${allowed}.`,
      );
    }
    const outcomes: HookOutcome[] = [];
    for (const point of agentTransitionPoints(from, to)) {
      const outcome = await executor.fire(
        point,
        {
          component: ref,
          data: { ...options.data, ...data, agent: ref.name, from, to },
          metadata: { ...options.metadata },
        },
        options.fireOptions,
      );
      outcomes.push(outcome);
      const d = outcome.decision;
      if (d.type === 'cancel') {
        const by = outcome.records.find((r) => r.result?.type === 'cancel')?.name;
        throw new HookCancelledError(`${from} → ${to} cancelled: ${d.reason}`, point, { hook: by, outcome });
      }
    }
    state = to;
    const transition: AgentTransition = { from, to, at: clock.now(), outcomes };
    history.push(transition);
    for (const listener of listeners) {
      try {
        listener(transition);
      } catch {
        // a listener must not undo a transition that happened
      }
    }
    return outcomes;
  };
  // One transition at a time, in call order; a failed one does not block the next.
  const transition = (to: AgentState, data?: Record<string, unknown>): Promise<HookOutcome[]> => {
    const next = queue.then(() => run(to, data));
    queue = next.catch(() => {});
    return next;
  };
  const guarded = async (
    to: AgentState,
    work: (() => unknown) | undefined,
    after: AgentState,
  ): Promise<void> => {
    await transition(to);
    try {
      await work?.();
    } catch (error) {
      await transition('Error', { error }).catch(() => {}); // the work's error is the one to report
      throw error;
    }
    await transition(after);
  };

  return {
    get state() {
      return state;
    },
    component: ref,
    history,
    can: (to) => AGENT_TRANSITIONS[state]?.includes(to) ?? false,
    transition,
    initialize: (init) => guarded('Initializing', init, 'Ready'),
    async execute<T>(fn: () => T | Promise<T>, data: Record<string, unknown> = {}): Promise<T> {
      await transition('Running', data);
      let result: T;
      try {
        result = await fn();
      } catch (error) {
        await transition('Error', { ...data, error }).catch(() => {});
        throw error;
      }
      // Paused or terminated meanwhile: the execution is over, but the machine stays where it is.
      if (state !== 'Running') return result;
      const outcomes = await transition('Ready', { ...data, result });
      const after = outcomes.find((o) => o.point === 'AfterAgentExecution');
      if (after === undefined) return result;
      if (after.decision.type === 'replace') return after.decision.value as T;
      return ('result' in after.data ? after.data.result : result) as T;
    },
    pause: (data) => transition('Paused', data),
    resume: (data) => transition('Running', { ...data, resumed: true }),
    async terminate(data) {
      await transition('Terminating', data);
      await transition('Terminated', data);
    },
    fail: (error) => transition('Error', { error }),
    recover: (fix) => guarded('Recovering', fix, 'Ready'),
    onTransition(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
