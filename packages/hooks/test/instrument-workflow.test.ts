import { describe, expect, it } from 'vitest';
import { HookCancelledError, HookExecutor, type HookPoint, HookRegistry, HookResult } from '../src/index.js';
import { instrumentWorkflow } from '../src/lifecycle/index.js';

const POINTS: HookPoint[] = [
  'BeforeWorkflowStart',
  'WorkflowStageTransition',
  'BeforeWorkflowStage',
  'AfterWorkflowStage',
  'WorkflowCheckpoint',
  'WorkflowRollback',
  'AfterWorkflowComplete',
  'WorkflowError',
  'custom:parallel_fork',
  'custom:workflow_step_boundary',
];

function setup() {
  const registry = new HookRegistry();
  const fired: { point: string; data: Record<string, unknown> }[] = [];
  for (const point of POINTS) {
    registry.register(point, (ctx) => void fired.push({ point, data: { ...ctx.data } }), {
      name: 'recorder',
      priority: 'lowest',
    });
  }
  const brief = () =>
    fired.map((f) => {
      const d = f.data;
      const tag = d.stage ?? d.to ?? d.checkpoint ?? '';
      return tag === '' ? f.point : `${f.point}:${String(tag)}`;
    });
  return { registry, fired, brief, executor: new HookExecutor(registry) };
}

describe('instrumentWorkflow()', () => {
  it('sequential steps fire start, transition, before/after stage, step boundary, complete', async () => {
    const { executor, brief, fired } = setup();
    const wf = instrumentWorkflow<{ n: number }>(executor, 'etl');
    expect(wf.component).toEqual({ type: 'workflow', name: 'etl' });
    const result = await wf.run(
      async (w) => {
        await w.step('extract', (s) => (s.n = 1));
        const [a, b] = await w.sequential([
          { name: 'double', run: (s) => (s.n *= 2) },
          { name: 'inc', run: (s) => (s.n += 1) },
        ]);
        return { a, b, completed: [...w.completed] };
      },
      { n: 0 },
    );
    expect(result).toEqual({ a: 2, b: 3, completed: ['extract', 'double', 'inc'] });
    expect(brief()).toEqual([
      'BeforeWorkflowStart',
      'WorkflowStageTransition:extract',
      'BeforeWorkflowStage:extract',
      'AfterWorkflowStage:extract',
      'custom:workflow_step_boundary:extract',
      'WorkflowStageTransition:double',
      'BeforeWorkflowStage:double',
      'AfterWorkflowStage:double',
      'custom:workflow_step_boundary:double',
      'WorkflowStageTransition:inc',
      'BeforeWorkflowStage:inc',
      'AfterWorkflowStage:inc',
      'custom:workflow_step_boundary:inc',
      'AfterWorkflowComplete',
    ]);
    expect(fired[5]!.data).toMatchObject({
      workflow: 'etl',
      from: 'extract',
      to: 'double',
      kind: 'sequential',
    });
    expect(fired[3]!.data).toMatchObject({ stage: 'extract', index: 0, result: 1 });
  });

  it('conditional takes one branch (or none), named in the transition', async () => {
    const { executor, fired } = setup();
    const wf = instrumentWorkflow<{ ok: boolean }>(executor, 'w');
    const out = await wf.run(
      async (w) => [
        await w.conditional(
          'check',
          (s) => s.ok,
          { name: 'yes', run: () => 'Y' },
          { name: 'no', run: () => 'N' },
        ),
        await w.conditional('never', () => false, { name: 'x', run: () => 'X' }),
      ],
      { ok: false },
    );
    expect(out).toEqual(['N', undefined]);
    const transitions = fired.filter((f) => f.point === 'WorkflowStageTransition').map((f) => f.data);
    expect(transitions[0]).toMatchObject({ to: 'no', condition: 'check', branch: 'else' });
    expect(transitions[1]).toMatchObject({ to: null, condition: 'never', branch: 'none' });
  });

  it('loop runs iterations as stages; a runaway while-loop fails with HOOKSPELL_WORKFLOW_LOOP_LIMIT', async () => {
    const { executor, brief } = setup();
    const wf = instrumentWorkflow<{ i: number }>(executor, 'w');
    const out = await wf.run(
      async (w) => ({
        times: await w.loop('page', { times: 2 }, (_s, i) => i * 10),
        until: await w.loop('poll', { while: (s) => s.i < 3 }, (s) => ++s.i),
      }),
      { i: 0 },
    );
    expect(out).toEqual({ times: [0, 10], until: [1, 2, 3] });
    expect(brief().filter((b) => b.startsWith('BeforeWorkflowStage'))).toEqual([
      'BeforeWorkflowStage:page[0]',
      'BeforeWorkflowStage:page[1]',
      'BeforeWorkflowStage:poll[0]',
      'BeforeWorkflowStage:poll[1]',
      'BeforeWorkflowStage:poll[2]',
    ]);
    await expect(
      wf.run((w) => w.loop('spin', { while: () => true, maxIterations: 3 }, () => 1)),
    ).rejects.toMatchObject({
      code: 'HOOKSPELL_WORKFLOW_LOOP_LIMIT',
    });
  });

  it('parallel fires custom:parallel_fork and runs branches concurrently, at most maxParallel', async () => {
    const { executor, fired } = setup();
    const wf = instrumentWorkflow(executor, 'w');
    let running = 0;
    let peak = 0;
    const branch = (name: string, ms: number) => ({
      name,
      run: async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, ms));
        running--;
        return name;
      },
    });
    const out = await wf.run((w) =>
      w.parallel('fan', [branch('a', 20), branch('b', 5), branch('c', 5)], { maxParallel: 2 }),
    );
    expect(out).toEqual(['a', 'b', 'c']);
    expect(peak).toBe(2);
    expect(fired.find((f) => f.point === 'custom:parallel_fork')!.data).toMatchObject({
      stage: 'fan',
      branches: ['a', 'b', 'c'],
      maxParallel: 2,
    });
  });

  it('checkpoint fires WorkflowCheckpoint with a snapshot and keeps it', async () => {
    const { executor, fired } = setup();
    const wf = instrumentWorkflow<{ n: number }>(executor, 'w');
    await wf.run(
      async (w) => {
        w.state.n = 1;
        await w.checkpoint('one');
        w.state.n = 2;
        await w.checkpoint('custom', { mine: true });
      },
      { n: 0 },
    );
    expect(wf.checkpoints).toEqual([
      { name: 'one', snapshot: { n: 1 } },
      { name: 'custom', snapshot: { mine: true } },
    ]);
    expect(fired.find((f) => f.point === 'WorkflowCheckpoint')!.data).toMatchObject({
      checkpoint: 'one',
      state: { n: 1 },
    });
  });

  it('a failing step fires WorkflowError, then WorkflowRollback and the compensations in reverse', async () => {
    const { executor, brief, fired } = setup();
    const undone: string[] = [];
    const wf = instrumentWorkflow(executor, 'w');
    const boom = new Error('load failed');
    await expect(
      wf.run(async (w) => {
        await w.step('a', () => 'A', { compensate: (r) => void undone.push(`undo ${r}`) });
        await w.step('b', () => 'B', { compensate: (r) => void undone.push(`undo ${r}`) });
        await w.step('c', () => {
          throw boom;
        });
      }),
    ).rejects.toBe(boom);
    expect(undone).toEqual(['undo B', 'undo A']);
    expect(brief().slice(-2)).toEqual(['WorkflowError:c', 'WorkflowRollback']);
    expect(fired.at(-2)!.data).toMatchObject({ error: boom, stage: 'c', completed: ['a', 'b'] });
    expect(fired.at(-1)!.data).toMatchObject({ stages: ['b', 'a'] });
  });

  it('a cancel at WorkflowRollback skips the compensations', async () => {
    const { executor, registry } = setup();
    registry.register('WorkflowRollback', () => HookResult.cancel('keep partial results'), {
      name: 'no-rollback',
    });
    const undone: string[] = [];
    const wf = instrumentWorkflow(executor, 'w');
    await expect(
      wf.run(async (w) => {
        await w.step('a', () => 1, { compensate: () => void undone.push('a') });
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
    expect(undone).toEqual([]);
  });

  it('cancel at start or at a stage stops the workflow; replace skips a step; AfterWorkflowStage can change a result', async () => {
    const { executor, registry } = setup();
    const wf = instrumentWorkflow(executor, { name: 'w', id: 'w-1' });
    const start = registry.register('BeforeWorkflowStart', () => HookResult.cancel('maintenance'), {
      name: 'gate',
    });
    const error = await wf.run(async () => 1).catch((e: unknown) => e);
    expect(HookCancelledError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ point: 'BeforeWorkflowStart', reason: 'maintenance' });
    start.unregister();
    registry.register(
      'BeforeWorkflowStage',
      (ctx) => (ctx.data.stage === 'skip-me' ? HookResult.replace('skipped') : undefined),
      {
        name: 'skipper',
      },
    );
    registry.register(
      'AfterWorkflowStage',
      (ctx) => (ctx.data.stage === 'tweak' ? HookResult.modified({ result: 'tweaked' }) : undefined),
      {
        name: 'tweaker',
      },
    );
    registry.register(
      'BeforeWorkflowStage',
      (ctx) => (ctx.data.stage === 'forbidden' ? HookResult.cancel('no') : undefined),
      {
        name: 'deny',
      },
    );
    let ran = false;
    const out = await wf.run(async (w) => [
      await w.step('skip-me', () => {
        ran = true;
        return 'ran';
      }),
      await w.step('tweak', () => 'plain'),
    ]);
    expect(out).toEqual(['skipped', 'tweaked']);
    expect(ran).toBe(false);
    await expect(wf.run((w) => w.step('forbidden', () => 1))).rejects.toMatchObject({
      point: 'BeforeWorkflowStage',
      reason: 'no',
    });
  });
});
