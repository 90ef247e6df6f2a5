import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AnyHookExecutor,
  type AnyHookRegistry,
  auditHooks,
  type HookContext,
  type HookData,
  HookExecutor,
  type HookOutcome,
  HookRegistry,
  HookResult,
  type ToolCallData,
} from '../src/index.js';

// Typed hook payloads: a point map the host declares types ctx.data, input.data and outcome.data;
// without one, the documented built-in shapes, and untyped records elsewhere (so code written
// without types compiles). These are compile-time checks (tsc runs the @ts-expect-error lines)
// plus one run to show the typed code works.

interface Points {
  BeforeToolExecution: { tool: string; args: string[] };
  'custom:deploy': { env: 'staging' | 'prod' };
}

describe('typed points', () => {
  it('a declared map types ctx.data, input.data and outcome.data', async () => {
    const registry = new HookRegistry<Points>();
    registry.register('BeforeToolExecution', (ctx) => {
      expectTypeOf(ctx.data).toEqualTypeOf<{ tool: string; args: string[] }>();
      return ctx.data.tool === 'rm' ? HookResult.cancel('no rm') : undefined;
    });
    registry.register('custom:deploy', (ctx) => {
      expectTypeOf(ctx.data.env).toEqualTypeOf<'staging' | 'prod'>();
    });
    // @ts-expect-error — not a point of the map
    registry.register('AfterToolExecution', () => {});
    // @ts-expect-error — `tool` is a string in the map
    registry.register('BeforeToolExecution', (ctx: HookContext<{ tool: number }>) => void ctx);

    const executor = new HookExecutor(registry);
    const outcome = await executor.fire('BeforeToolExecution', { data: { tool: 'rm', args: ['-rf'] } });
    expectTypeOf(outcome).toEqualTypeOf<HookOutcome<{ tool: string; args: string[] }>>();
    expect(outcome.decision).toEqual({ type: 'cancel', reason: 'no rm' });
    // @ts-expect-error — env must be 'staging' or 'prod'
    await executor.fire('custom:deploy', { data: { env: 'dev' } });
  });

  it('without a map: documented built-in shapes, untyped records elsewhere', async () => {
    const registry = new HookRegistry();
    registry.register('BeforeToolExecution', (ctx) => {
      expectTypeOf(ctx.data).toEqualTypeOf<ToolCallData>();
      expectTypeOf(ctx.data.tool_name).toEqualTypeOf<string | undefined>();
      // The getting-started snippet, unchanged: untyped fields read without a cast.
      return HookResult.modified({ query: ctx.data.query.trim() });
    });
    registry.register('custom:anything', (ctx) => {
      expectTypeOf(ctx.data).toEqualTypeOf<HookData>();
    });
    const outcome = await new HookExecutor(registry).fire('BeforeToolExecution', { data: { query: ' x ' } });
    expect(outcome.data.query).toBe('x');
  });

  it('code that takes any executor or registry types it AnyHookExecutor / AnyHookRegistry', () => {
    const registry = new HookRegistry<Points>();
    const typed = new HookExecutor(registry);
    const takesAny = (executor: AnyHookExecutor, r: AnyHookRegistry) =>
      executor.defaultTimeoutMs + r.list().length;
    expect(takesAny(typed, registry)).toBe(5_000);
    expect(auditHooks(registry)).toEqual([]);
    // @ts-expect-error — a typed executor is not the default executor type
    const narrow: HookExecutor = typed;
    void narrow;
  });
});
