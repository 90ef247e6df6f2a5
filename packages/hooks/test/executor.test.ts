import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type HookContext, HookError, HookExecutor, HookRegistry, HookResult } from '../src/index.js';
import { FakeClock } from './helpers.js';

describe('HookExecutor.fire', () => {
  it('a point with no hooks resolves at once to continue with the input data', async () => {
    const executor = new HookExecutor(new HookRegistry());
    const data = { a: 1 };
    const out = await executor.fire('BeforeToolExecution', { data });
    expect(out).toMatchObject({
      point: 'BeforeToolExecution',
      decision: { type: 'continue' },
      records: [],
      conflicts: [],
    });
    expect(out.data).toBe(data);
    expect(typeof out.correlationId).toBe('string');
    expect(out.durationMs).toBe(0);
    expect((await executor.fire('custom:nothing_here')).records).toEqual([]);
  });

  it('rejects an unknown point with the suggestion', async () => {
    const executor = new HookExecutor(new HookRegistry());
    await expect(executor.fire('AfterToolExecutoin' as never)).rejects.toSatisfy(
      (e: unknown) =>
        HookError.isInstance(e) &&
        e.code === 'HOOKSPELL_UNKNOWN_HOOK_POINT' &&
        /AfterToolExecution/.test(e.message),
    );
  });

  it('builds the context from the input (parity.md fields)', async () => {
    const registry = new HookRegistry();
    const clock = new FakeClock(1234);
    const executor = new HookExecutor(registry, { clock });
    let ctx: HookContext | undefined;
    let signal: AbortSignal | undefined;
    registry.register('BeforeToolExecution', (c, s) => {
      ctx = c;
      signal = s;
    });
    const parentRegistry = new HookRegistry();
    const parentOut = await new HookExecutor(parentRegistry).fire('SessionStart');
    void parentOut;
    const out = await executor.fire(
      'BeforeToolExecution',
      {
        component: { id: 't1', type: 'tool', name: 'shell' },
        data: { cmd: 'ls' },
        metadata: { user_id: 'u1' },
        language: 'lua',
        operation: { type: 'exec', id: 'op1', parameters: { cmd: 'ls' } },
      },
      { correlationId: 'corr-1' },
    );
    expect(ctx).toMatchObject({
      point: 'BeforeToolExecution',
      component: { id: 't1', type: 'tool', name: 'shell' },
      data: { cmd: 'ls' },
      metadata: { user_id: 'u1' },
      language: 'lua',
      correlationId: 'corr-1',
      timestamp: 1234,
      operation: { type: 'exec', id: 'op1' },
    });
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(out.correlationId).toBe('corr-1');
    const child = ctx!.child('custom:nested');
    expect(child).toMatchObject({
      point: 'custom:nested',
      correlationId: 'corr-1',
      parent: ctx,
      data: {},
      metadata: { user_id: 'u1' },
    });
  });

  it('defaults component, data, metadata and language', async () => {
    const registry = new HookRegistry();
    let ctx: HookContext | undefined;
    registry.register('SystemStartup', (c) => void (ctx = c));
    await new HookExecutor(registry).fire('SystemStartup');
    expect(ctx).toMatchObject({
      component: { type: 'system', name: 'host' },
      data: {},
      metadata: {},
      language: 'native',
    });
  });

  it('a child context fired keeps the correlation id', async () => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    const ids: string[] = [];
    registry.register('BeforeWorkflowStage', async (ctx) => {
      const nested = await executor.fire('custom:stage_check', ctx.child('custom:stage_check'));
      ids.push(ctx.correlationId, nested.correlationId);
    });
    const out = await executor.fire('BeforeWorkflowStage');
    expect(ids).toEqual([out.correlationId, out.correlationId]);
  });

  it('records carry ids, names, timing and results in plan order', async () => {
    const registry = new HookRegistry();
    const clock = new FakeClock(100);
    registry.register('SessionStart', () => clock.advance(7), { name: 'b' });
    registry.register('SessionStart', () => HookResult.continue(), { name: 'a', priority: 'high' });
    const out = await new HookExecutor(registry, { clock }).fire('SessionStart');
    expect(out.records.map((r) => r.name)).toEqual(['a', 'b']);
    expect(out.records[1]).toMatchObject({
      status: 'ok',
      startedAt: 100,
      durationMs: 7,
      result: { type: 'continue' },
    });
    expect(out.records[0]!.executionId).not.toBe(out.records[1]!.executionId);
    expect(out.records[0]!.hookId).toMatch(/^a@SessionStart/);
    expect(out.durationMs).toBe(7);
    expect(JSON.parse(JSON.stringify(out))).toMatchObject({
      correlationId: out.correlationId,
      records: [{ name: 'a' }, { name: 'b' }],
    });
  });

  it.each(['sequential', 'parallel'] as const)(
    'metadata written by hooks reaches later hooks, the host object and outcome.metadata (%s)',
    async (mode) => {
      const registry = new HookRegistry();
      registry.register(
        'SessionStart',
        async (ctx) => {
          ctx.metadata['X-RateLimit-Remaining'] = '99';
        },
        { name: 'limiter', priority: 'highest' },
      );
      const seen: (string | undefined)[] = [];
      registry.register(
        'SessionStart',
        (ctx) => {
          seen.push(ctx.metadata['X-RateLimit-Remaining']);
          ctx.metadata.checked = 'yes';
        },
        { name: 'reader', dependsOn: ['limiter'] },
      );
      const executor = new HookExecutor(registry);
      const metadata: Record<string, string> = { user_id: 'u1' };
      const out = await executor.fire('SessionStart', { metadata }, { mode });
      expect(seen).toEqual(['99']);
      expect(out.metadata).toBe(metadata);
      expect(metadata).toEqual({ user_id: 'u1', 'X-RateLimit-Remaining': '99', checked: 'yes' });
      // Without input metadata the writes are still readable, from the outcome.
      const bare = await executor.fire('SessionStart', {}, { mode });
      expect(bare.metadata).toEqual({ 'X-RateLimit-Remaining': '99', checked: 'yes' });
      expect(JSON.parse(JSON.stringify(bare)).metadata).toEqual(bare.metadata);
      expect((await executor.fire('custom:none', { metadata })).metadata).toBe(metadata);
    },
  );

  it('console.log shows the public shape of outcomes, records and contexts; an outcome is no thenable', async () => {
    const registry = new HookRegistry();
    let seen: HookContext | undefined;
    registry.register('SessionStart', async (ctx) => {
      seen = ctx;
    });
    const out = await new HookExecutor(registry).fire('SessionStart', { data: { a: 1 } });
    const shown = inspect(out, { depth: 4 });
    expect(shown).toContain(`correlationId: '${out.correlationId}'`);
    expect(shown).toContain(`executionId: '${out.records[0]!.executionId}'`);
    expect(shown).not.toMatch(/fireSeq|corr:|execId/);
    expect(inspect(seen)).toContain(`correlationId: '${out.correlationId}'`);
    // A `then` that is not a function: resolving with the outcome keeps it as it is.
    expect(await Promise.resolve(out)).toBe(out);
    expect(Object.keys(out)).not.toContain('then');
  });

  it('stays synchronous until a hook is not: sync hooks need no timer', async () => {
    const registry = new HookRegistry();
    registry.register('SessionStart', () => HookResult.modified({ x: 1 }));
    const executor = new HookExecutor(registry);
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const p = executor.fire('SessionStart');
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
    expect((await p).data).toEqual({ x: 1 });
  });

  it('rejects invalid executor options', () => {
    expect(() => new HookExecutor(new HookRegistry(), { defaultTimeoutMs: 0 })).toThrow(/defaultTimeoutMs/);
    expect(() => new HookExecutor(new HookRegistry(), { sink: {} as never })).toThrow(/sink/);
  });
});
