import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const built = existsSync(join(here, '..', 'dist', 'index.js'));

describe('engines load lazily', () => {
  it.skipIf(!built)('a Lua-only host never loads QuickJS, and fengari only once a Lua script loads', () => {
    const dir = join(here, 'fixtures', 'lazy');
    const out = execFileSync(process.execPath, ['--import', './trace.mjs', 'child.mjs'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      atStart: { fengari: false, quickjs: false },
      afterLua: { fengari: true, quickjs: false },
      afterJs: { fengari: true, quickjs: true },
    });
  });
});
