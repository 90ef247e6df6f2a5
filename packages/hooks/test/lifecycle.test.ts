import { describe, expect, it } from 'vitest';
import { HookExecutor, HookRegistry, HookResult } from '../src/index.js';
import { recordingSink } from './helpers.js';

describe('lifecycle sink', () => {
  it('emits fire.started, one execution event per record, fire.completed, all with the correlation id', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', () => HookResult.modified({ a: 1 }), { name: 'ok' });
    registry.register(
      'BeforeToolExecution',
      () => {
        throw new Error('bad');
      },
      { name: 'fails' },
    );
    registry.register('BeforeToolExecution', () => new Promise(() => {}), { name: 'hangs', timeoutMs: 10 });
    registry.register('BeforeToolExecution', { name: 'na', execute: () => {}, shouldExecute: () => false });
    const sink = recordingSink();
    const out = await new HookExecutor(registry, { sink }).fire(
      'BeforeToolExecution',
      {},
      { correlationId: 'c1' },
    );
    expect(sink.events.map((e) => e.type)).toEqual([
      'hook.fire.started',
      'hook.execution.completed',
      'hook.execution.failed',
      'hook.execution.timeout',
      'hook.execution.skipped',
      'hook.fire.completed',
    ]);
    expect(sink.events.every((e) => e.meta.correlationId === 'c1')).toBe(true);
    expect(sink.events[1]!.meta.causationId).toBe(out.records[0]!.executionId);
    expect(sink.events[1]!.data).toMatchObject({
      point: 'BeforeToolExecution',
      hook: 'ok',
      result: { type: 'modified' },
    });
    expect(sink.events[2]!.data).toMatchObject({ hook: 'fails', error: 'bad' });
    expect(sink.events[0]!.data).toEqual({
      point: 'BeforeToolExecution',
      mode: 'sequential',
      hooks: 4,
      fireSeq: expect.any(Number),
    });
    expect(sink.events[5]!.data).toMatchObject({
      decision: 'modified',
      ok: 1,
      error: 1,
      timeout: 1,
      skipped: 1,
    });
  });

  it('fire.started names the mode the fire ran in, also when fire() overrides the point', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', () => {});
    const sink = recordingSink();
    const executor = new HookExecutor(registry, { sink });
    await executor.fire('BeforeToolExecution', {}, { mode: 'parallel' });
    await executor.fire('BeforeToolExecution');
    registry.configurePoint('BeforeToolExecution', { mode: 'parallel' });
    await executor.fire('BeforeToolExecution', {}, { mode: 'sequential' });
    const started = sink.events.filter((e) => e.type === 'hook.fire.started');
    expect(started.map((e) => e.data.mode)).toEqual(['parallel', 'sequential', 'sequential']);
  });

  it('a nested fire names the running hook as the cause of its fire.started', async () => {
    const registry = new HookRegistry();
    const sink = recordingSink();
    const executor = new HookExecutor(registry, { sink });
    registry.register(
      'BeforeAgentExecution',
      async () => {
        await executor.fire('BeforeToolExecution');
      },
      { name: 'outer' },
    );
    registry.register('BeforeToolExecution', () => {}, { name: 'inner' });
    const out = await executor.fire('BeforeAgentExecution');
    const nestedStart = sink.events.filter((e) => e.type === 'hook.fire.started')[1]!;
    expect(nestedStart.meta).toEqual({
      correlationId: out.correlationId,
      causationId: out.records[0]!.executionId,
    });
  });

  it('a sink that throws does not break the fire; no hooks, no events', async () => {
    const registry = new HookRegistry();
    registry.register('SessionStart', () => HookResult.cancel('x'));
    let calls = 0;
    const executor = new HookExecutor(registry, {
      sink: {
        emit() {
          calls++;
          throw new Error('sink down');
        },
      },
    });
    expect((await executor.fire('SessionStart')).decision.type).toBe('cancel');
    expect(calls).toBe(3);
    await executor.fire('SessionEnd');
    expect(calls).toBe(3);
  });
});
