// The published shape of every package, as a consumer meets it: require() works on Node ≥ 20.19
// (ESM loaded through require), every export has a default condition, tarballs hold the built
// JavaScript and types and a LICENSE — no sources, no source maps.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const packages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')));

interface Manifest {
  name: string;
  exports: Record<string, string | Record<string, string>>;
}
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

describe.each(packages.map((dir) => [manifest(dir).name, dir] as const))('%s', (name, dir) => {
  const entries = Object.entries(manifest(dir).exports).filter(([, v]) => typeof v === 'object');

  it('every export has types, import and default conditions', () => {
    for (const [, conditions] of entries) {
      expect(Object.keys(conditions as object)).toEqual(['types', 'import', 'default']);
    }
  });

  it('require() loads every entry (Node ≥ 20.19 loads ESM through require)', () => {
    // Optional peers (pg, vitest, ai, MCP) are only needed by the entries that use them; the
    // docs package installs them, so every entry loads here.
    for (const [subpath] of entries) {
      const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
      const run = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(specifier)})`], {
        cwd: join(root, 'docs'),
        encoding: 'utf8',
      });
      expect(run.stderr, specifier).toBe('');
      expect(run.status, specifier).toBe(0);
    }
  });

  it('the tarball holds built JavaScript, types, README and LICENSE — no src, no source maps', () => {
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: dir,
        encoding: 'utf8',
      }),
    ) as [{ files: { path: string }[] }];
    const files = pack.files.map((f) => f.path);
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(files).toContain('package.json');
    expect(files.filter((f) => f.startsWith('src/') || f.endsWith('.map'))).toEqual([]);
    expect(files.some((f) => f.startsWith('dist/') && f.endsWith('.d.ts'))).toBe(true);
  });
});
