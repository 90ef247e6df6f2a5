// `@hookspell/hooks` as a new user installs it: packed tarballs into a fresh npm project (no
// workspace, no registry), then used from strict TypeScript without skipLibCheck, from ESM and
// from require(). An app that only registers and fires hooks must not pull storage, a native
// build or anything else: two packages, a few hundred KB.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let app = '';

function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? sizeOf(path) : statSync(path).size;
  }
  return total;
}

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'hookspell-consumer-'));
  const packs = join(app, 'packs');
  for (const name of ['core', 'hooks']) {
    execFileSync('pnpm', ['pack', '--pack-destination', packs], {
      cwd: join(root, 'packages', name),
      stdio: 'pipe',
    });
  }
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  const tarballs = readdirSync(packs).map((f) => join(packs, f));
  // --offline: nothing may come from a registry — the two tarballs are all it takes.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', ...tarballs], {
    cwd: app,
    stdio: 'pipe',
  });
}, 180_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

describe('@hookspell/hooks installed from its tarball into a fresh npm project', () => {
  it('installs two packages, no native build, under 1 MB', () => {
    const modules = join(app, 'node_modules');
    const installed = readdirSync(modules).flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(modules, name)).map((n) => `${name}/${n}`) : [name],
    );
    expect(installed.filter((n) => !n.startsWith('.')).sort()).toEqual([
      '@hookspell/core',
      '@hookspell/hooks',
    ]);
    const bytes = sizeOf(modules);
    console.log(
      `node_modules after installing @hookspell/hooks: ${installed.length} packages, ${Math.round(bytes / 1024)} KB`,
    );
    expect(bytes).toBeLessThan(1024 * 1024);
  });

  it('compiles under strict TypeScript without skipLibCheck, ctx.data typed by the point map', () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          types: [],
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
        },
        files: ['main.ts'],
      }),
    );
    writeFileSync(
      join(app, 'main.ts'),
      `import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';

const registry = new HookRegistry();
registry.register('BeforeToolExecution', (ctx) => {
  // typed: the built-in point's data
  const name: string | undefined = ctx.data.toolName;
  return name === 'shell' ? HookResult.cancel('no shell') : HookResult.continue();
});
const executor = new HookExecutor(registry);
const outcome = await executor.fire('BeforeToolExecution', { data: { toolName: 'shell' } });
const decided: string = outcome.decision.type;
export { decided };
`,
    );
    const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('loads through require() and through import, and fires', () => {
    const cjs = spawnSync(
      process.execPath,
      [
        '-e',
        `const { HookExecutor, HookRegistry, HookResult } = require('@hookspell/hooks');
         const registry = new HookRegistry();
         registry.register('custom:check', () => HookResult.cancel('denied'));
         new HookExecutor(registry).fire('custom:check').then((o) => console.log(o.decision.type));`,
      ],
      { cwd: app, encoding: 'utf8' },
    );
    expect(cjs.stderr).toBe('');
    expect(cjs.stdout.trim()).toBe('cancel');
    const esm = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { HookExecutor, HookRegistry } from '@hookspell/hooks';
         const o = await new HookExecutor(new HookRegistry()).fire('SessionStart');
         console.log(o.decision.type);`,
      ],
      { cwd: app, encoding: 'utf8' },
    );
    expect(esm.stderr).toBe('');
    expect(esm.stdout.trim()).toBe('continue');
  });
});
