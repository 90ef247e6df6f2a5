import { HookExecutor, HookRegistry } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { BUILTINS, caching, logging, security } from '../src/index.js';

describe('built-in hooks', () => {
  it('all eight, by name, with their default priority and version', () => {
    expect(Object.keys(BUILTINS)).toEqual([
      'logging',
      'metrics',
      'caching',
      'rateLimit',
      'retry',
      'costTracking',
      'security',
      'debugging',
    ]);
    const priorities = Object.fromEntries(
      Object.entries(BUILTINS).map(([name, make]) => [name, make().priority]),
    );
    expect(priorities).toEqual({
      logging: 'low',
      metrics: 'low',
      caching: 'high',
      rateLimit: 'highest',
      retry: 'high',
      costTracking: 'low',
      security: 'highest',
      debugging: 'lowest',
    });
    for (const make of Object.values(BUILTINS)) expect(make().version).toBe('1.0.0');
  });

  it('register() uses its points and options, returns one undo; points can be given', () => {
    const registry = new HookRegistry();
    const batch = security().register(registry);
    expect(registry.list().map((h) => h.point)).toEqual(security().points);
    expect(batch.unregister()).toBe(4);
    expect(registry.list()).toEqual([]);
    caching().register(registry, ['BeforeToolExecution'], { priority: 7 });
    expect(registry.list().map((h) => [h.name, h.point, h.priority])).toEqual([
      ['caching', 'BeforeToolExecution', 7],
    ]);
  });

  it('each is also a plain hook object for registry.register()', async () => {
    const registry = new HookRegistry();
    const hook = logging({ destination: { write: () => {} } as never });
    registry.register('SessionStart', hook);
    expect(registry.list()[0]).toMatchObject({ name: 'logging', version: '1.0.0', priority: 100 });
    const out = await new HookExecutor(registry).fire('SessionStart', { data: {} });
    expect(out.records[0]!.status).toBe('ok');
  });
});

describe('start-up cost', () => {
  it('importing the package (and making security) loads none of pino, cockatiel, limiter, lru-cache; the factories that need them do', async () => {
    const { spawnSync } = await import('node:child_process');
    const probe = (code: string) =>
      spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { createRequire } from 'node:module';
           const m = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)});
           ${code}
           const loaded = Object.keys(createRequire(import.meta.url).cache);
           console.log(JSON.stringify(['pino', 'cockatiel', 'limiter', 'lru-cache'].filter((p) => loaded.some((f) => f.includes('/node_modules/' + p + '/')))));`,
        ],
        { encoding: 'utf8' },
      );
    const bare = probe('m.security();');
    expect(bare.stderr).toBe('');
    expect(JSON.parse(bare.stdout)).toEqual([]);
    expect(JSON.parse(probe('m.logging({ destination: { write() {} } }); m.retry();').stdout)).toEqual([
      'pino',
      'cockatiel',
    ]);
  });
});
