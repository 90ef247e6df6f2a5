import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { MemoryStorage } from '@hookspell/storage';
import { describe, expect, it } from 'vitest';
import { HookJournal, ReplayEngine } from '../src/index.js';

function setup() {
  const registry = new HookRegistry();
  registry.register(
    'BeforeToolExecution',
    (ctx) =>
      String(ctx.data.cmd).startsWith('rm')
        ? HookResult.cancel(`denied for ${ctx.metadata.user_id}`)
        : HookResult.modified({ checked: true }),
    { name: 'guard', version: '1.0.0' },
  );
  registry.register(
    'BeforeToolExecution',
    (ctx) => HookResult.modified({ size: String(ctx.data.cmd).length }),
    { name: 'measure' },
  );
  registry.register(
    'AfterToolExecution',
    (ctx) => (ctx.data.result === 'bad' ? HookResult.replace('fixed') : undefined),
    { name: 'fixer' },
  );
  const executor = new HookExecutor(registry);
  const journal = new HookJournal(MemoryStorage());
  journal.attach(executor);
  return { registry, executor, journal, replays: new ReplayEngine(journal, executor) };
}

describe('ReplayEngine', () => {
  it('exact: re-runs the registered hook on the stored context; identical when nothing changed', async () => {
    const { executor, replays } = setup();
    const out = await executor.fire('BeforeToolExecution', {
      data: { cmd: 'ls' },
      metadata: { user_id: 'u' },
    });
    const r = await replays.replay(out.records[1]!.executionId);
    expect(r.mode).toBe('exact');
    expect(r.original.hook).toBe('measure');
    expect(r.replayed).toMatchObject({
      status: 'ok',
      result: { type: 'modified', data: { size: 2 } },
      context: { data: { cmd: 'ls', checked: true } },
    });
    expect(r.comparison).toEqual({ identical: true, similarity: 1, differences: [] });
    expect(r.versionChanged).toBe(false);
  });

  it('exact replays the hook registered now: a changed hook shows as differences and a version change', async () => {
    const { executor, registry, replays } = setup();
    const out = await executor.fire('BeforeToolExecution', { data: { cmd: 'ls' } });
    registry.unregister('measure@BeforeToolExecution');
    registry.register(
      'BeforeToolExecution',
      (ctx) => HookResult.modified({ size: String(ctx.data.cmd).length * 10 }),
      { name: 'measure', version: '2.0.0' },
    );
    const r = await replays.replay(out.records[1]!.executionId);
    expect(r.versionChanged).toBe(true);
    expect(r.comparison.identical).toBe(false);
    expect(r.comparison.differences).toEqual([{ path: 'result.data.size', original: 2, replayed: 20 }]);
    expect(r.comparison.similarity).toBeCloseTo(2 / 3);
  });

  it('modified: applies changes to data.* and metadata.* first', async () => {
    const { executor, replays } = setup();
    const out = await executor.fire('BeforeToolExecution', {
      data: { cmd: 'ls', opts: { deep: 1 } },
      metadata: { user_id: 'u' },
    });
    const id = out.records[0]!.executionId;
    const r = await replays.replay(id, {
      changes: {
        'data.cmd': 'rm -rf /',
        'metadata.user_id': 'mallory',
        'data.opts.deep': undefined,
        'data.opts.new': 2,
      },
    });
    expect(r.mode).toBe('modified');
    expect(r.replayed.context).toEqual({
      data: { cmd: 'rm -rf /', opts: { new: 2 } },
      metadata: { user_id: 'mallory' },
    });
    expect(r.replayed.result).toEqual(HookResult.cancel('denied for mallory'));
    expect(r.comparison.differences.map((d) => d.path)).toEqual([
      'result.type',
      'result.data.checked',
      'result.reason',
    ]);
    // the journal's copy is untouched
    expect((await replays.journal.get(id))!.context.data).toEqual({ cmd: 'ls', opts: { deep: 1 } });
    await expect(replays.replay(id, { changes: { 'ctx.x': 1 } })).rejects.toThrow(/data\.` or `metadata\./);
    // the same changes written as nested objects
    const nested = await replays.replay(id, {
      changes: { data: { cmd: 'rm -rf /' }, metadata: { user_id: 'mallory' } },
    });
    expect(nested.replayed.context).toEqual({
      data: { cmd: 'rm -rf /', opts: { deep: 1 } },
      metadata: { user_id: 'mallory' },
    });
    expect(nested.replayed.result).toEqual(HookResult.cancel('denied for mallory'));
    await expect(replays.replay(id, { changes: { data: 5 } })).rejects.toMatchObject({
      code: 'HOOKSPELL_INVALID_ARGUMENT',
    });
  });

  it('takes the journal and the executor in either order, and says so when given something else', async () => {
    const { executor, journal } = setup();
    const out = await executor.fire('BeforeToolExecution', { data: { cmd: 'ls' } });
    const swapped = new ReplayEngine(executor, journal);
    expect(swapped.journal).toBe(journal);
    expect(swapped.executor).toBe(executor);
    expect((await swapped.replay(out.records[0]!.executionId)).comparison.identical).toBe(true);
    expect(() => new ReplayEngine(journal, journal as never)).toThrow(
      expect.objectContaining({ code: 'HOOKSPELL_INVALID_ARGUMENT' }),
    );
  });

  it('an exact replay of a recorded timeout, invalid result or BigInt result is identical to it', async () => {
    const { executor, registry, replays } = setup();
    registry.register('custom:slow', () => new Promise(() => {}), { name: 'slow', timeoutMs: 20 });
    registry.register('custom:odd', () => 42 as never, { name: 'odd' });
    // a BigInt is stored as a marker; the replayed one must be compared as stored, not raw
    registry.register('custom:big', () => HookResult.modified({ total: 10n }), { name: 'big' });
    const slow = await executor.fire('custom:slow', { data: {} });
    expect(slow.records[0]!.status).toBe('timeout');
    const odd = await executor.fire('custom:odd', { data: {} });
    expect(odd.records[0]!.status).toBe('error');
    const big = await executor.fire('custom:big', { data: {} });
    for (const out of [slow, odd, big]) {
      const r = await replays.replay(out.records[0]!.executionId);
      expect(r.replayed.status).toBe(out.records[0]!.status);
      expect(r.comparison).toEqual({ identical: true, similarity: 1, differences: [] });
    }
  });

  it('simulate returns the stored result without running anything', async () => {
    const { executor, registry, replays } = setup();
    const out = await executor.fire('BeforeToolExecution', { data: { cmd: 'ls' } });
    registry.unregister('guard@BeforeToolExecution');
    const r = await replays.replay(out.records[0]!.executionId, { mode: 'simulate' });
    expect(r.replayed).toMatchObject({
      status: 'ok',
      result: { type: 'modified', data: { checked: true } },
      durationMs: 0,
    });
    expect(r.comparison.identical).toBe(true);
    await expect(replays.replay(out.records[0]!.executionId)).rejects.toMatchObject({
      code: 'HOOKSPELL_REPLAY_HOOK_MISSING',
    });
  });

  it('reports errors, timeouts and missing executions', async () => {
    const { executor, registry, replays } = setup();
    let mode = 'ok';
    registry.register(
      'custom:flaky',
      () => {
        if (mode === 'throw') throw new Error('now it fails');
        if (mode === 'hang') return new Promise(() => {});
        return undefined;
      },
      { name: 'flaky' },
    );
    const out = await executor.fire('custom:flaky', { data: {} });
    const id = out.records[0]!.executionId;
    mode = 'throw';
    const failed = await replays.replay(id);
    expect(failed.replayed).toMatchObject({
      status: 'error',
      error: { name: 'Error', message: 'now it fails' },
    });
    expect(failed.comparison.differences.map((d) => d.path)).toEqual([
      'status',
      'result.type',
      'error.name',
      'error.message',
    ]);
    mode = 'hang';
    const hung = await replays.replay(id, { timeoutMs: 20 });
    expect(hung.replayed).toMatchObject({ status: 'timeout', error: { name: 'TimeoutError' } });
    await expect(replays.replay('missing.0')).rejects.toMatchObject({
      code: 'HOOKSPELL_EXECUTION_NOT_FOUND',
    });
    await expect(replays.replay(id, { mode: 'wild' as never })).rejects.toThrow(/mode/);
  });

  it('replayCorrelation re-fires a recorded sequence in order and compares every hook', async () => {
    const { executor, replays, registry } = setup();
    const corr = 'req-7';
    await executor.fire(
      'BeforeToolExecution',
      { component: { type: 'tool', name: 'sh' }, data: { cmd: 'ls' } },
      { correlationId: corr },
    );
    await executor.fire(
      'AfterToolExecution',
      { component: { type: 'tool', name: 'sh' }, data: { result: 'bad' } },
      { correlationId: corr },
    );
    const same = await replays.replayCorrelation(corr);
    expect(same.replayCorrelationId).toBe('req-7:replay');
    expect(same.fires.map((f) => [f.point, f.original.length, f.outcome?.decision.type])).toEqual([
      ['BeforeToolExecution', 2, 'modified'],
      ['AfterToolExecution', 1, 'replace'],
    ]);
    expect(same.identical).toBe(true);
    expect(same.similarity).toBe(1);
    // the replays were recorded too, under the replay correlation id
    expect((await replays.journal.byCorrelation('req-7:replay')).length).toBe(3);
    registry.unregister('fixer@AfterToolExecution');
    registry.register('AfterToolExecution', () => HookResult.replace('different'), { name: 'fixer' });
    const changed = await replays.replayCorrelation(corr, { replayCorrelationId: 'again' });
    expect(changed.identical).toBe(false);
    expect(changed.fires[1]!.comparisons[0]!.comparison.differences).toEqual([
      { path: 'result.value', original: 'fixed', replayed: 'different' },
    ]);
    const simulated = await replays.replayCorrelation(corr, { mode: 'simulate' });
    expect(simulated.identical).toBe(true);
    expect(simulated.fires.every((f) => f.outcome === undefined)).toBe(true);
    expect((await replays.replayCorrelation('nobody')).fires).toEqual([]);
  });
});

describe('error classes recognise only their own family', () => {
  it('ExecutionPrunedError is a HookError from another package, and only its own class matches it', async () => {
    const { HookError, HookErrorCode, HookCancelledError } = await import('@hookspell/hooks');
    const { ExecutionPrunedError } = await import('../src/index.js');
    const hookError = new HookError(HookErrorCode.HOOK_CYCLE, 'x');
    const pruned = new ExecutionPrunedError('p-1.0', {
      entries: 1,
      through: { seq: 1, recordedAt: 0 },
      lastRunAt: 0,
      retention: {},
    } as never);
    expect(HookError.isInstance(pruned)).toBe(true);
    expect(ExecutionPrunedError.isInstance(pruned)).toBe(true);
    expect(ExecutionPrunedError.isInstance(hookError)).toBe(false);
    expect(HookCancelledError.isInstance(pruned)).toBe(false);
  });
});
