import { describe, expect, it } from 'vitest';
import { HookCancelledError, HookExecutor, type HookPoint, HookRegistry, HookResult } from '../src/index.js';
import { instrumentTool } from '../src/lifecycle/index.js';

const POINTS: HookPoint[] = [
  'ToolValidation',
  'BeforeToolExecution',
  'AfterToolExecution',
  'ToolError',
  'custom:tool_timeout',
  'custom:tool_security_check',
  'custom:tool_resource_allocated',
  'custom:tool_resource_released',
];

function setup() {
  const registry = new HookRegistry();
  const fired: { point: string; data: Record<string, unknown>; tool: string }[] = [];
  for (const point of POINTS) {
    registry.register(
      point,
      (ctx) => void fired.push({ point, data: { ...ctx.data }, tool: ctx.component.name }),
      {
        name: 'recorder',
        priority: 'lowest',
      },
    );
  }
  return { registry, fired, executor: new HookExecutor(registry) };
}

const calculator = {
  name: 'calculator',
  validate: (p: { a: number; b: number }) =>
    Number.isFinite(p.a) && Number.isFinite(p.b) ? true : 'a and b must be numbers',
  execute: async (p: { a: number; b: number }) => p.a + p.b,
};

describe('instrumentTool()', () => {
  it('fires validation, before and after, with the tool as component', async () => {
    const { executor, fired } = setup();
    const calc = instrumentTool(executor, calculator);
    expect(calc.component).toEqual({ type: 'tool', name: 'calculator' });
    expect(await calc({ a: 1, b: 2 })).toBe(3);
    expect(fired.map((f) => [f.point, f.tool])).toEqual([
      ['ToolValidation', 'calculator'],
      ['custom:tool_security_check', 'calculator'],
      ['BeforeToolExecution', 'calculator'],
      ['custom:tool_resource_allocated', 'calculator'],
      ['custom:tool_resource_released', 'calculator'],
      ['AfterToolExecution', 'calculator'],
    ]);
    expect(fired[0]!.data).toEqual({ parameters: { a: 1, b: 2 }, problems: [] });
    expect(fired[1]!.data).toEqual({ parameters: { a: 1, b: 2 } });
    expect(fired[4]!.data).toEqual({ parameters: { a: 1, b: 2 }, ok: true });
    expect(fired[5]!.data).toMatchObject({ args: [{ a: 1, b: 2 }], result: 3, attempt: 1 });
  });

  it('a security-check hook can cancel the call or rewrite its parameters; a failed run still releases', async () => {
    const { registry, executor, fired } = setup();
    registry.register('custom:tool_security_check', (ctx) => {
      const p = ctx.data.parameters as { a: number; b: number };
      if (p.a === 666) return HookResult.cancel('not that number');
      if (p.a < 0) return HookResult.modified({ parameters: { a: 0, b: p.b } });
      return undefined;
    });
    const calc = instrumentTool(executor, calculator);
    await expect(calc({ a: 666, b: 1 })).rejects.toBeInstanceOf(HookCancelledError);
    expect(fired.some((f) => f.point === 'BeforeToolExecution')).toBe(false);
    expect(await calc({ a: -5, b: 2 })).toBe(2);
    const failing = instrumentTool(executor, {
      name: 'broken',
      execute: async () => Promise.reject(new Error('down')),
    });
    await expect(failing({})).rejects.toThrow('down');
    expect(
      fired
        .filter((f) => f.tool === 'broken' && f.point === 'custom:tool_resource_released')
        .map((f) => f.data.ok),
    ).toEqual([false]);
  });

  it("the tool's validation problems reject, unless a hook clears them; hooks can add problems or cancel", async () => {
    const { executor, registry } = setup();
    const calc = instrumentTool(executor, calculator);
    await expect(calc({ a: 1, b: Number.NaN })).rejects.toMatchObject({
      code: 'HOOKSPELL_TOOL_VALIDATION_FAILED',
      message: "[hookspell] [hooks] tool 'calculator' rejected its parameters: a and b must be numbers.",
    });
    const lenient = registry.register(
      'ToolValidation',
      () => HookResult.modified({ parameters: { a: 0, b: 0 }, problems: [] }),
      { name: 'lenient' },
    );
    expect(await calc({ a: 1, b: Number.NaN })).toBe(0);
    lenient.unregister();
    registry.register(
      'ToolValidation',
      (ctx) => ((ctx.data.parameters as { a: number }).a > 100 ? HookResult.cancel('too big') : undefined),
      {
        name: 'cap',
      },
    );
    const error = await calc({ a: 101, b: 1 }).catch((e: unknown) => e);
    expect(HookCancelledError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ point: 'ToolValidation', reason: 'too big', hook: 'cap' });
  });

  it('errors fire ToolError; hook results work as with wrap() (replace recovers)', async () => {
    const { executor, registry, fired } = setup();
    const broken = instrumentTool(executor, {
      name: 'broken',
      execute: async () => {
        throw new Error('disk full');
      },
    });
    await expect(broken({})).rejects.toThrow('disk full');
    expect(fired.map((f) => f.point)).toEqual([
      'ToolValidation',
      'custom:tool_security_check',
      'BeforeToolExecution',
      'custom:tool_resource_allocated',
      'custom:tool_resource_released',
      'ToolError',
    ]);
    expect((fired[5]!.data.error as Error).message).toBe('disk full');
    registry.register('ToolError', () => HookResult.replace('fallback'), { name: 'recover' });
    expect(await broken({})).toBe('fallback');
  });

  it('a tool outliving its timeout: signal aborted, custom:tool_timeout fired, HOOKSPELL_TOOL_TIMEOUT, retried by a retry result', async () => {
    const { executor, registry, fired } = setup();
    let aborted = 0;
    let calls = 0;
    const slow = instrumentTool(executor, {
      name: 'slow',
      timeoutMs: 30,
      execute: (_p: unknown, signal) =>
        new Promise((resolve) => {
          calls++;
          signal.addEventListener('abort', () => aborted++);
          if (calls === 3) resolve('finally');
        }),
    });
    await expect(slow({})).rejects.toMatchObject({ code: 'HOOKSPELL_TOOL_TIMEOUT' });
    expect(aborted).toBe(1);
    expect(fired.map((f) => f.point)).toEqual([
      'ToolValidation',
      'custom:tool_security_check',
      'BeforeToolExecution',
      'custom:tool_resource_allocated',
      'custom:tool_timeout',
      'custom:tool_resource_released',
      'ToolError',
    ]);
    expect(fired[4]!.data).toEqual({ parameters: {}, timeoutMs: 30 });
    expect(fired[5]!.data).toEqual({ parameters: {}, ok: false });
    registry.register('ToolError', () => HookResult.retry(1, 3), { name: 'retry' }); // as the retry built-in answers
    expect(await slow({})).toBe('finally');
    expect(calls).toBe(3);
  });

  it('options: timeoutMs override, metadata, rejects a bad tool', async () => {
    const { executor } = setup();
    const meta: string[] = [];
    const registry = executor.registry;
    registry.register('BeforeToolExecution', (ctx) => void meta.push(ctx.metadata.tenant ?? ''), {
      name: 'tenant',
    });
    const fast = instrumentTool(
      executor,
      { name: 't', timeoutMs: 10_000, execute: () => new Promise(() => {}) },
      {
        timeoutMs: 10,
        metadata: { tenant: 'acme' },
      },
    );
    await expect(fast(1)).rejects.toMatchObject({ code: 'HOOKSPELL_TOOL_TIMEOUT' });
    expect(meta).toEqual(['acme']);
    expect(() => instrumentTool(executor, { name: '', execute: () => 1 })).toThrow(/`tool` must be/);
  });

  it('takes a bare tool function, named by itself or by options.name, validated by options.validate', async () => {
    const { executor, fired } = setup();
    async function multiply(p: { a: number; b: number }) {
      return p.a * p.b;
    }
    const named = instrumentTool(executor, multiply);
    expect(named.component).toEqual({ type: 'tool', name: 'multiply' });
    expect(await named({ a: 3, b: 4 })).toBe(12);
    expect(fired.map((f) => f.point)).toEqual([
      'ToolValidation',
      'custom:tool_security_check',
      'BeforeToolExecution',
      'custom:tool_resource_allocated',
      'custom:tool_resource_released',
      'AfterToolExecution',
    ]);
    const checked = instrumentTool(executor, (p: { a: number; b: number }) => p.a - p.b, {
      name: 'subtract',
      validate: (p) => (p.b > p.a ? 'b must not exceed a' : true),
    });
    expect(checked.component.name).toBe('subtract');
    expect(await checked({ a: 5, b: 2 })).toBe(3);
    await expect(checked({ a: 1, b: 2 })).rejects.toMatchObject({
      code: 'HOOKSPELL_TOOL_VALIDATION_FAILED',
    });
    expect(() => instrumentTool(executor, () => 1)).toThrow(/needs a name/);
  });
});
