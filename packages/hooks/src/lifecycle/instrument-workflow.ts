import { HookCancelledError } from '../errors/hook-cancelled-error.js';
import { HookError, HookErrorCode } from '../errors/hook-error.js';
import type { HookPoint } from '../hook-points.js';
import type { ComponentRef, FireOptions, HookInput, HookOutcome } from '../types.js';

/** One step: a name, what it does, and optionally how to undo it on rollback. */
export interface StepSpec<S, T = unknown> {
  name: string;
  run: (state: S) => T | Promise<T>;
  /** Undoes the step when a later one fails (run in reverse order, after WorkflowRollback). */
  compensate?: (result: T, state: S) => unknown;
}

export interface LoopOptions<S> {
  /** Go on while this holds (checked before each iteration). */
  while?: (state: S, iteration: number, last: unknown) => boolean | Promise<boolean>;
  /** Exactly this many iterations (when no `while`). */
  times?: number;
  /** A `while` loop still going after this many iterations fails (`HOOKSPELL_WORKFLOW_LOOP_LIMIT`). @default 1000 */
  maxIterations?: number;
}

/** What a workflow body gets: the shared state and the step helpers. */
export interface WorkflowContext<S> {
  readonly state: S;
  /** Stages completed so far, in order. */
  readonly completed: readonly string[];
  /** One stage: StageTransition, BeforeWorkflowStage, the step, AfterWorkflowStage, step boundary. */
  step<T>(
    name: string,
    run: (state: S) => T | Promise<T>,
    options?: Pick<StepSpec<S, T>, 'compensate'>,
  ): Promise<T>;
  /** Stages one after another; resolves with their results. */
  sequential(steps: readonly StepSpec<S>[]): Promise<unknown[]>;
  /** Runs `then` when `predicate` holds, else `otherwise` (if any); the branch taken is in the transition's data. */
  conditional<T>(
    name: string,
    predicate: (state: S) => boolean | Promise<boolean>,
    then: StepSpec<S, T>,
    otherwise?: StepSpec<S, T>,
  ): Promise<T | undefined>;
  /** Iterations as stages `name[0]`, `name[1]` …; resolves with their results. */
  loop<T>(
    name: string,
    options: LoopOptions<S>,
    body: (state: S, iteration: number) => T | Promise<T>,
  ): Promise<T[]>;
  /** Fires `custom:parallel_fork`, then runs the stages concurrently (at most `maxParallel`). */
  parallel(
    name: string,
    steps: readonly StepSpec<S>[],
    options?: { maxParallel?: number },
  ): Promise<unknown[]>;
  /** Fires WorkflowCheckpoint with a snapshot of the state (or `snapshot`), and keeps it. */
  checkpoint(name: string, snapshot?: unknown): Promise<void>;
}

/** The instrumented workflow: `run` as many times as you like. */
export interface InstrumentedWorkflow<S> {
  readonly component: ComponentRef;
  /**
   * Fires BeforeWorkflowStart, runs `body`, fires AfterWorkflowComplete. If `body` throws: fires
   * WorkflowError, then — if completed stages have `compensate` — WorkflowRollback and the
   * compensations in reverse order (a hook cancelling WorkflowRollback skips them), and rethrows.
   */
  run<T>(body: (w: WorkflowContext<S>) => Promise<T>, initialState?: S): Promise<T>;
  /** Checkpoints taken by the last run. */
  readonly checkpoints: readonly { name: string; snapshot: unknown }[];
}

interface Firer {
  fire(point: HookPoint, input?: HookInput, options?: FireOptions): Promise<HookOutcome>;
}

/**
 * Instruments a workflow: its body uses `step`, `sequential`, `conditional`, `loop`, `parallel`
 * and `checkpoint`, and the workflow points fire through the executor — BeforeWorkflowStart,
 * WorkflowStageTransition, Before/AfterWorkflowStage, `custom:workflow_step_boundary`,
 * `custom:parallel_fork`, WorkflowCheckpoint, WorkflowRollback, AfterWorkflowComplete,
 * WorkflowError. A `cancel` at a start, transition or stage stops the workflow (it fails with
 * `HookCancelledError`, and rolls back); `replace` at BeforeWorkflowStage skips the step with that
 * value; `modified` `data.result` (or `replace`) at AfterWorkflowStage changes a stage's result.
 *
 * @example
 * ```ts
 * import { instrumentWorkflow } from '@hookspell/hooks/lifecycle';
 * const etl = instrumentWorkflow<{ rows: number[] }>(executor, 'etl');
 * await etl.run(async (w) => {
 *   await w.step('extract', (s) => (s.rows = [1, 2, 3]), { compensate: () => cleanUp() });
 *   await w.conditional('validate', (s) => s.rows.length > 0, { name: 'transform', run: (s) => s.rows.map((r) => r * 2) });
 *   await w.parallel('load', [{ name: 'db', run: saveToDb }, { name: 'cache', run: warmCache }]);
 *   await w.checkpoint('loaded');
 * }, { rows: [] });
 * ```
 */
export function instrumentWorkflow<S = Record<string, unknown>>(
  executor: Firer,
  workflow: string | { name: string; id?: string },
  options: { metadata?: Record<string, string>; fireOptions?: FireOptions } = {},
): InstrumentedWorkflow<S> {
  const component: ComponentRef =
    typeof workflow === 'string' ? { type: 'workflow', name: workflow } : { type: 'workflow', ...workflow };
  let checkpoints: { name: string; snapshot: unknown }[] = [];

  const fire = async (point: HookPoint, data: Record<string, unknown>): Promise<HookOutcome> => {
    const outcome = await executor.fire(
      point,
      { component, metadata: { ...options.metadata }, data: { workflow: component.name, ...data } },
      options.fireOptions,
    );
    if (outcome.decision.type === 'cancel') {
      const by = outcome.records.find((r) => r.result?.type === 'cancel')?.name;
      throw new HookCancelledError(outcome.decision.reason, point, { hook: by, outcome });
    }
    return outcome;
  };

  const run = async <T>(body: (w: WorkflowContext<S>) => Promise<T>, initialState?: S): Promise<T> => {
    const state = (initialState ?? {}) as S;
    const completed: string[] = [];
    const undo: { name: string; compensate: () => unknown }[] = [];
    let previous: string | null = null;
    let index = 0;
    checkpoints = [];

    const stage = async <R>(
      spec: StepSpec<S, R>,
      kind: string,
      extra: Record<string, unknown> = {},
    ): Promise<R> => {
      const at = index++;
      await fire('WorkflowStageTransition', { from: previous, to: spec.name, kind, ...extra });
      previous = spec.name;
      const before = await fire('BeforeWorkflowStage', { stage: spec.name, index: at, kind });
      let result: R;
      if (before.decision.type === 'replace') result = before.decision.value as R;
      else result = await spec.run(state);
      const after = await fire('AfterWorkflowStage', { stage: spec.name, index: at, kind, result });
      if (after.decision.type === 'replace') result = after.decision.value as R;
      else if ('result' in after.data) result = after.data.result as R;
      completed.push(spec.name);
      if (spec.compensate !== undefined) {
        const compensate = spec.compensate;
        undo.push({ name: spec.name, compensate: () => compensate(result, state) });
      }
      await fire('custom:workflow_step_boundary', {
        stage: spec.name,
        index: at,
        completed: completed.length,
      });
      return result;
    };

    const w: WorkflowContext<S> = {
      state,
      completed,
      step: (name, fn, o) => stage({ name, run: fn, ...o }, 'step'),
      async sequential(steps) {
        const out: unknown[] = [];
        for (const s of steps) out.push(await stage(s, 'sequential'));
        return out;
      },
      async conditional(name, predicate, then, otherwise) {
        const taken = await predicate(state);
        const branch = taken ? then : otherwise;
        if (branch === undefined) {
          await fire('WorkflowStageTransition', {
            from: previous,
            to: null,
            kind: 'conditional',
            condition: name,
            branch: 'none',
          });
          return undefined;
        }
        return stage(branch, 'conditional', { condition: name, branch: taken ? 'then' : 'else' });
      },
      async loop(name, o, body) {
        const max = o.maxIterations ?? 1000;
        const out: Awaited<ReturnType<typeof body>>[] = [];
        for (let i = 0; ; i++) {
          const go =
            o.while !== undefined ? await o.while(state, i, out[out.length - 1]) : i < (o.times ?? 0);
          if (!go) return out;
          if (i >= max) {
            throw new HookError(
              HookErrorCode.WORKFLOW_LOOP_LIMIT,
              `loop '${name}' of workflow '${component.name}' still wanted to run after ${max} iterations; raise \`maxIterations\` or fix its \`while\`.`,
            );
          }
          out.push(
            await stage({ name: `${name}[${i}]`, run: (s) => body(s, i) }, 'loop', {
              loop: name,
              iteration: i,
            }),
          );
        }
      },
      async parallel(name, steps, o = {}) {
        await fire('custom:parallel_fork', {
          stage: name,
          branches: steps.map((s) => s.name),
          maxParallel: o.maxParallel ?? steps.length,
        });
        const results: unknown[] = new Array(steps.length);
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < steps.length) {
            const i = next++;
            results[i] = await stage(steps[i]!, 'parallel', { fork: name });
          }
        };
        const lanes = Math.max(1, Math.min(o.maxParallel ?? steps.length, steps.length));
        await Promise.all(Array.from({ length: lanes }, lane));
        return results;
      },
      async checkpoint(name, snapshot) {
        const kept = snapshot === undefined ? structuredCloneOr(state) : snapshot;
        await fire('WorkflowCheckpoint', { checkpoint: name, state: kept, completed: [...completed] });
        checkpoints.push({ name, snapshot: kept });
      },
    };

    try {
      await fire('BeforeWorkflowStart', { state });
      const result = await body(w);
      await fire('AfterWorkflowComplete', { result, completed: [...completed] });
      return result;
    } catch (error) {
      await fire('WorkflowError', { error, stage: previous, completed: [...completed] }).catch(() => {});
      if (undo.length > 0) {
        const rollback = await fire('WorkflowRollback', {
          error,
          stages: undo.map((u) => u.name).reverse(),
        }).catch(() => undefined); // cancelled: the compensations are skipped
        if (rollback !== undefined) {
          for (const u of undo.reverse()) {
            try {
              await u.compensate();
            } catch {
              // one failed compensation must not stop the others; the original error is rethrown
            }
          }
        }
      }
      throw error;
    }
  };

  return {
    component,
    run,
    get checkpoints() {
      return checkpoints;
    },
  };
}

function structuredCloneOr(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}
