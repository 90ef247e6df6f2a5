import { describe, expect, it } from 'vitest';
import { HookError, HookExecutor, HookRegistry, HookResult } from '../src/index.js';
import { sleep } from './helpers.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return HookError.isInstance(e) ? e.code : `not a HookError: ${String(e)}`;
  }
  return undefined;
};

describe('HookRegistry', () => {
  it('register returns a handle whose unregister removes exactly that hook', () => {
    const registry = new HookRegistry();
    const a = registry.register('SessionStart', () => {}, { name: 'a' });
    registry.register('SessionStart', () => {}, { name: 'b' });
    expect(a).toMatchObject({ name: 'a', point: 'SessionStart' });
    expect(typeof a.id).toBe('string');
    expect(a.unregister()).toBe(true);
    expect(a.unregister()).toBe(false);
    expect(registry.list().map((h) => h.name)).toEqual(['b']);
  });

  it('derives unique default names from the function name plus a counter', () => {
    const registry = new HookRegistry();
    function audit() {}
    const h1 = registry.register('SessionStart', audit);
    const h2 = registry.register('SessionStart', audit);
    const h3 = registry.register('SessionStart', () => {});
    const h4 = registry.register('SessionStart', { execute: () => {} });
    expect(h1.name).toMatch(/^audit#\d+$/);
    expect(h2.name).not.toBe(h1.name);
    expect(new Set([h1.name, h2.name, h3.name, h4.name]).size).toBe(4);
    expect(registry.register('SessionEnd', { name: 'obj', execute: () => {} }).name).toBe('obj');
  });

  it('lists in priority order, ties in registration order, with defaults', () => {
    const registry = new HookRegistry();
    registry.register('SessionStart', () => {}, { name: 'n1' });
    registry.register('SessionStart', () => {}, { name: 'low', priority: 'low' });
    registry.register('SessionStart', () => {}, { name: 'highest', priority: 'highest' });
    registry.register('SessionStart', () => {}, { name: 'n2', priority: 'normal' });
    registry.register('SessionStart', () => {}, { name: 'num', priority: -5 });
    registry.register('SessionStart', () => {}, { name: 'lowest', priority: 'lowest' });
    const list = registry.list({ point: 'SessionStart' });
    expect(list.map((h) => h.name)).toEqual(['highest', 'num', 'n1', 'n2', 'low', 'lowest']);
    expect(list[0]).toMatchObject({
      priority: -(2 ** 31),
      language: 'native',
      enabled: true,
      onFailure: 'continue',
    });
    expect(list[0]!.breaker?.state).toBe('closed');
  });

  it('filters by point, language, priority and tag', () => {
    const registry = new HookRegistry();
    registry.register('SessionStart', () => {}, { name: 'a', language: 'lua', tags: ['x'] });
    registry.register('SessionStart', () => {}, { name: 'b', priority: 'high', tags: ['y'] });
    registry.register('SessionEnd', () => {}, { name: 'c', tags: ['x'] });
    expect(registry.list({ language: 'lua' }).map((h) => h.name)).toEqual(['a']);
    expect(registry.list({ priority: 'high' }).map((h) => h.name)).toEqual(['b']);
    expect(registry.list({ priority: -100 }).map((h) => h.name)).toEqual(['b']);
    expect(registry.list({ tag: 'x' }).map((h) => h.name)).toEqual(['a', 'c']);
    expect(registry.list({ point: 'SessionEnd' }).map((h) => h.name)).toEqual(['c']);
  });

  it('rejects bad registrations with coded errors, registering nothing', () => {
    const registry = new HookRegistry();
    registry.register('SessionStart', () => {}, { name: 'a' });
    expect(code(() => registry.register('SessionStart', () => {}, { name: 'a' }))).toBe(
      'HOOKSPELL_DUPLICATE_HOOK',
    );
    expect(code(() => registry.register('SessionEnd', () => {}, { name: 'a' }))).toBeUndefined();
    expect(code(() => registry.register('SessionStart', () => {}, { name: 'b', dependsOn: ['zzz'] }))).toBe(
      'HOOKSPELL_UNKNOWN_DEPENDENCY',
    );
    expect(
      code(() => registry.register('SessionStart', () => {}, { name: 'self', dependsOn: ['self'] })),
    ).toBe('HOOKSPELL_HOOK_CYCLE');
    expect(code(() => registry.register('SessionStart', 42 as never))).toBe('HOOKSPELL_INVALID_ARGUMENT');
    expect(code(() => registry.register('SessionStart', () => {}, { priority: 'urgent' as never }))).toBe(
      'HOOKSPELL_INVALID_ARGUMENT',
    );
    expect(code(() => registry.register('SessionStart', () => {}, { breaker: 'fast' as never }))).toBe(
      'HOOKSPELL_INVALID_ARGUMENT',
    );
    expect(code(() => registry.register('SessionStart', () => {}, { timeoutMs: 0 }))).toBe(
      'HOOKSPELL_INVALID_ARGUMENT',
    );
    expect(registry.list({ point: 'SessionStart' }).map((h) => h.name)).toEqual(['a']);
  });

  it('detects cycles made across a batch and after re-registration', () => {
    const registry = new HookRegistry();
    expect(
      code(() =>
        registry.registerMany([
          { point: 'SessionStart', hook: () => {}, name: 'a', dependsOn: ['b'] },
          { point: 'SessionStart', hook: () => {}, name: 'b', dependsOn: ['a'] },
        ]),
      ),
    ).toBe('HOOKSPELL_HOOK_CYCLE');
    expect(registry.list()).toHaveLength(0);
    const a = registry.register('SessionStart', () => {}, { name: 'a' });
    registry.register('SessionStart', () => {}, { name: 'b', dependsOn: ['a'] });
    a.unregister();
    let message = '';
    try {
      registry.register('SessionStart', () => {}, { name: 'a', dependsOn: ['b'] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/cycle: (a → b → a|b → a → b)/);
  });

  it('registerMany accepts any order within the batch and has one undo', () => {
    const registry = new HookRegistry();
    const batch = registry.registerMany([
      { point: 'SessionStart', hook: () => {}, name: 'lint', dependsOn: ['format'] },
      { point: 'SessionStart', hook: () => {}, name: 'format' },
      { point: 'SessionEnd', hook: () => {}, name: 'bye' },
    ]);
    expect(batch.handles.map((h) => h.name)).toEqual(['lint', 'format', 'bye']);
    expect(registry.list()).toHaveLength(3);
    expect(batch.unregister()).toBe(3);
    expect(registry.list()).toHaveLength(0);
  });

  it('enables and disables by id or name@point, one or all', async () => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    const calls: string[] = [];
    const a = registry.register('SessionStart', () => void calls.push('a'), { name: 'a' });
    registry.register('SessionStart', () => void calls.push('b'), { name: 'b', enabled: false });
    await executor.fire('SessionStart');
    expect(calls).toEqual(['a']);
    expect(registry.enable('b@SessionStart')).toBe(true);
    expect(registry.disable(a.id)).toBe(true);
    expect(registry.disable('nope@SessionStart')).toBe(false);
    await executor.fire('SessionStart');
    expect(calls).toEqual(['a', 'b']);
    expect(registry.disableAll()).toBe(1);
    const out = await executor.fire('SessionStart');
    expect(out.records).toHaveLength(0);
    expect(registry.enableAll('SessionStart')).toBe(2);
    expect(registry.get('a@SessionStart')?.enabled).toBe(true);
  });

  it('unregister accepts a handle, an id or name@point', () => {
    const registry = new HookRegistry();
    const a = registry.register('SessionStart', () => {}, { name: 'a' });
    const b = registry.register('SessionStart', () => {}, { name: 'b' });
    registry.register('SessionStart', () => {}, { name: 'c' });
    expect(registry.unregister(a)).toBe(true);
    expect(registry.unregister(b.id)).toBe(true);
    expect(registry.unregister('c@SessionStart')).toBe(true);
    expect(registry.unregister('c@SessionStart')).toBe(false);
  });

  it('once runs a hook at most once, even with fires in flight', async () => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    let runs = 0;
    registry.register('SessionStart', () => sleep(5), { name: 'gate', priority: 'high' });
    registry.once('SessionStart', () => void runs++, { name: 'first' });
    // Both fires compile their plan while `first` is still registered.
    const [o1, o2] = await Promise.all([executor.fire('SessionStart'), executor.fire('SessionStart')]);
    const o3 = await executor.fire('SessionStart');
    expect(runs).toBe(1);
    expect([o1.records[1]?.status, o2.records[1]?.status].sort()).toEqual(['ok', 'skipped']);
    expect(o3.records.map((r) => r.name)).toEqual(['gate']);
    registry.unregister('gate@SessionStart');
    expect(registry.list()).toHaveLength(0);
  });

  it('configurePoint validates and sets mode and maxParallel', () => {
    const registry = new HookRegistry();
    registry.configurePoint('SessionStart', { mode: 'parallel', maxParallel: 3 });
    expect(registry.pointConfig('SessionStart')).toEqual({
      mode: 'parallel',
      maxParallel: 3,
      abortOnCritical: false,
      failClosed: false,
    });
    expect(code(() => registry.configurePoint('SessionStart', { failClosed: 'yes' as never }))).toBe(
      'HOOKSPELL_INVALID_ARGUMENT',
    );
    expect(code(() => registry.configurePoint('SessionStart', { maxParallel: 0 }))).toBe(
      'HOOKSPELL_INVALID_ARGUMENT',
    );
    expect(code(() => registry.configurePoint('Nope' as never, {}))).toBe('HOOKSPELL_UNKNOWN_HOOK_POINT');
  });

  it('registering or unregistering during a fire never changes that fire', async () => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    let late = 0;
    let removed = 0;
    const victim = registry.register('SessionStart', () => void removed++, {
      name: 'victim',
      priority: 'low',
    });
    registry.register(
      'SessionStart',
      async () => {
        registry.register('SessionStart', () => void late++, { name: 'late' });
        victim.unregister();
        await sleep(1);
      },
      { name: 'mutator' },
    );
    const out = await executor.fire('SessionStart');
    expect(out.records.map((r) => r.name)).toEqual(['mutator', 'victim']);
    expect(removed).toBe(1);
    expect(late).toBe(0);
    const next = await executor.fire('SessionStart');
    expect(next.records.map((r) => r.name)).toEqual(['mutator', 'late']);
    expect(late).toBe(1);
    expect(HookResult.is(next.decision)).toBe(true);
  });
});
