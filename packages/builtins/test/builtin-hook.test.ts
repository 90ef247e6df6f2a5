import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTINS, caching, logging, security } from '../src/builtins/index.js';
import { HookExecutor, HookRegistry } from '../src/index.js';

const packageDir = new URL('..', import.meta.url).pathname;

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

  it('the main entry and ./lifecycle do not load pino, cockatiel or limiter; ./builtins does', () => {
    const probe = (entry: string) =>
      spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { createRequire } from 'node:module';
           await import(${JSON.stringify(`./dist/${entry}.js`)});
           const loaded = Object.keys(createRequire(import.meta.url).cache);
           console.log(JSON.stringify(['pino', 'cockatiel', 'limiter'].filter((p) => loaded.some((f) => f.includes('/node_modules/' + p + '/')))));`,
        ],
        { cwd: packageDir, encoding: 'utf8' },
      );
    const main = probe('index');
    expect(main.stderr).toBe('');
    expect(JSON.parse(main.stdout)).toEqual([]);
    expect(JSON.parse(probe('lifecycle').stdout)).toEqual([]);
    // limiter is ESM, so it never shows in the CommonJS cache: the imports are checked in the files.
    expect(JSON.parse(probe('builtins').stdout)).toEqual(['pino', 'cockatiel']);
    const importsOf = (file: string, seen = new Set<string>()): string[] => {
      if (seen.has(file)) return [];
      seen.add(file);
      const text = readFileSync(join(packageDir, 'dist', file), 'utf8');
      const specs = [...text.matchAll(/from "([^"]+)"/g)].map((m) => m[1]!);
      return specs.flatMap((s) => (s.startsWith('./') ? importsOf(s.slice(2), seen) : [s]));
    };
    for (const entry of ['index.js', 'lifecycle.js']) {
      expect(importsOf(entry).filter((s) => ['pino', 'cockatiel', 'limiter'].includes(s))).toEqual([]);
    }
    expect(importsOf('builtins.js')).toEqual(expect.arrayContaining(['pino', 'cockatiel', 'limiter']));
  });
});
