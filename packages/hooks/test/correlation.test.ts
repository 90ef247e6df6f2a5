import { beforeEach, describe, expect, it, vi } from 'vitest';

// Count AsyncLocalStorage constructions made by the package, delegating to the real class.
const made = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:async_hooks', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:async_hooks')>();
  class CountingStorage<T> extends real.AsyncLocalStorage<T> {
    constructor() {
      super();
      made.count++;
    }
  }
  return { ...real, AsyncLocalStorage: CountingStorage };
});

const load = async () => {
  vi.resetModules();
  made.count = 0;
  return import('../src/index.js');
};

describe('correlation', () => {
  beforeEach(() => {
    made.count = 0;
  });

  it('importing the package and firing with a bare executor creates no AsyncLocalStorage', async () => {
    const { HookExecutor, HookRegistry, currentCorrelation } = await load();
    const registry = new HookRegistry();
    let seen: unknown = 'unset';
    registry.register('SessionStart', async () => {
      await Promise.resolve();
      seen = currentCorrelation();
    });
    registry.register('SessionEnd', async () => {}, { name: 'p' });
    const executor = new HookExecutor(registry);
    await executor.fire('SessionStart');
    await executor.fire('SessionEnd', {}, { mode: 'parallel' });
    expect(seen).toBeUndefined();
    expect(made.count).toBe(0);
    expect(executor.correlation).toBe(false);
  });

  it('withCorrelation always works and creates the storage lazily', async () => {
    const { withCorrelation, currentCorrelation } = await load();
    expect(currentCorrelation()).toBeUndefined();
    expect(made.count).toBe(0);
    const inner = await withCorrelation('req-1', async () => {
      await new Promise((r) => setTimeout(r, 1));
      return currentCorrelation();
    });
    expect(inner).toEqual({ correlationId: 'req-1', causationId: undefined });
    expect(made.count).toBe(1);
  });

  it('with correlation on, a hook sees { correlationId, causationId: its execution id } across awaits and timers', async () => {
    const { HookExecutor, HookRegistry, currentCorrelation } = await load();
    const registry = new HookRegistry();
    const seen: unknown[] = [];
    registry.register(
      'SessionStart',
      async () => {
        seen.push(currentCorrelation());
        await new Promise((r) => setTimeout(r, 2));
        seen.push(currentCorrelation());
        await new Promise<void>((r) =>
          setImmediate(() => {
            seen.push(currentCorrelation());
            r();
          }),
        );
      },
      { name: 'a' },
    );
    registry.register('SessionStart', () => void seen.push(currentCorrelation()), { name: 'b' });
    const executor = new HookExecutor(registry, { correlation: true });
    const out = await executor.fire('SessionStart', {}, { correlationId: 'c-42' });
    const [a, b] = out.records;
    expect(seen).toEqual([
      { correlationId: 'c-42', causationId: a!.executionId },
      { correlationId: 'c-42', causationId: a!.executionId },
      { correlationId: 'c-42', causationId: a!.executionId },
      { correlationId: 'c-42', causationId: b!.executionId },
    ]);
    expect(currentCorrelation()).toBeUndefined();
  });

  it('nested fires inherit the correlation id; explicit ids win', async () => {
    const { HookExecutor, HookRegistry, withCorrelation } = await load();
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry, { correlation: true });
    const nested: string[] = [];
    registry.register('BeforeAgentExecution', async () => {
      await new Promise((r) => setTimeout(r, 1));
      nested.push((await executor.fire('BeforeToolExecution')).correlationId);
      nested.push((await executor.fire('BeforeToolExecution', {}, { correlationId: 'own' })).correlationId);
    });
    registry.register('BeforeToolExecution', () => {});
    const out = await executor.fire('BeforeAgentExecution');
    expect(nested).toEqual([out.correlationId, 'own']);
    const scoped = await withCorrelation('outer', () => executor.fire('BeforeToolExecution'));
    expect(scoped.correlationId).toBe('outer');
    // even a bare executor inherits a scope someone else opened (no extra cost then)
    const bare = new HookExecutor(registry);
    expect((await withCorrelation('outer2', () => bare.fire('BeforeToolExecution'))).correlationId).toBe(
      'outer2',
    );
    expect((await withCorrelation('outer3', () => bare.fire('SessionSave'))).correlationId).toBe('outer3');
  });

  it('a sink turns correlation on by default', async () => {
    const { HookExecutor, HookRegistry } = await load();
    const executor = new HookExecutor(new HookRegistry(), { sink: { emit() {} } });
    expect(executor.correlation).toBe(true);
    expect(
      new HookExecutor(new HookRegistry(), { sink: { emit() {} }, correlation: false }).correlation,
    ).toBe(false);
  });
});
