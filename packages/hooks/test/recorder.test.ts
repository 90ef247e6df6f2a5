import { describe, expect, it } from 'vitest';
import {
  type FireRecorder,
  HookExecutor,
  HookRegistry,
  HookResult,
  type RecordedFire,
} from '../src/index.js';

describe('executor.attachRecorder (the public recorder interface)', () => {
  it('a recorder sees every finished fire that planned hooks, with records and what each hook saw', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', () => HookResult.modified({ checked: true }), { name: 'check' });
    const executor = new HookExecutor(registry);
    const fires: RecordedFire[] = [];
    const detach = executor.attachRecorder({ record: (fire) => void fires.push(fire) });
    await executor.fire('BeforeToolExecution', { data: { cmd: 'ls' } });
    await executor.fire('AfterToolExecution'); // no hooks: nothing to record
    detach();
    await executor.fire('BeforeToolExecution', { data: { cmd: 'pwd' } });
    expect(fires).toHaveLength(1);
    const [fire] = fires;
    expect(fire!.point).toBe('BeforeToolExecution');
    expect(fire!.entries.map((e) => [e.name, e.version, e.point])).toEqual([
      ['check', '1.0.0', 'BeforeToolExecution'],
    ]);
    expect(fire!.records[0]!.status).toBe('ok');
    expect(fire!.views[0]).toEqual({ cmd: 'ls' });
  });

  it('one recorder per executor; a recorder that throws never breaks a fire', async () => {
    const registry = new HookRegistry();
    registry.register('SessionStart', () => {});
    const executor = new HookExecutor(registry);
    const throwing: FireRecorder = {
      record() {
        throw new Error('recorder broke');
      },
    };
    executor.attachRecorder(throwing);
    // Several recorders: each gets every fire, one that throws costs the others nothing.
    const seen: string[] = [];
    const detachSecond = executor.attachRecorder({
      record: (fire) => void seen.push(`second ${fire.point}`),
    });
    const third = { record: (fire: { point: string }) => void seen.push(`third ${fire.point}`) };
    executor.attachRecorder(third);
    executor.attachRecorder(third); // the same one twice: still once
    expect((await executor.fire('SessionStart')).records[0]!.status).toBe('ok');
    expect(seen).toEqual(['second SessionStart', 'third SessionStart']);
    detachSecond();
    await executor.fire('SessionStart');
    expect(seen.slice(2)).toEqual(['third SessionStart']);
    expect(() => executor.attachRecorder({} as never)).toThrow(
      expect.objectContaining({ code: 'HOOKSPELL_INVALID_ARGUMENT' }),
    );
  });
});

describe('error classes recognise only their own family', () => {
  it('HookError, another class of the same base, and the base', async () => {
    const { HookError, HookErrorCode, HookCancelledError } = await import('../src/index.js');
    const { HookspellError } = await import('@hookspell/core');
    const hookError = new HookError(HookErrorCode.HOOK_CYCLE, 'x');
    const cancelled = new HookCancelledError('denied', 'BeforeToolExecution');
    expect(HookError.isInstance(hookError)).toBe(true);
    expect(HookError.isInstance(cancelled)).toBe(false);
    expect(HookCancelledError.isInstance(cancelled)).toBe(true);
    expect(HookCancelledError.isInstance(hookError)).toBe(false);
    expect(HookspellError.isInstance(hookError) && HookspellError.isInstance(cancelled)).toBe(true);
  });
});

describe('lifecycle events name what a hook waited for', () => {
  it('hook.execution.* carries dependsOn (a timeline drawn from the log shows DAG edges)', async () => {
    const { recordingSink } = await import('./helpers.js');
    const registry = new HookRegistry();
    const sink = recordingSink();
    registry.registerMany([
      { point: 'BeforeToolExecution', hook: () => {}, name: 'format' },
      { point: 'BeforeToolExecution', hook: () => {}, name: 'lint', dependsOn: ['format'] },
    ]);
    await new HookExecutor(registry, { sink }).fire('BeforeToolExecution', {}, { mode: 'parallel' });
    const done = sink.events.filter((e) => e.type === 'hook.execution.completed');
    expect(done.map((e) => [e.data.hook, e.data.dependsOn])).toEqual([
      ['format', undefined],
      ['lint', ['format']],
    ]);
  });
});
