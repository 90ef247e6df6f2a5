import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const s = statSync(path);
    t = Math.max(t, s.isDirectory() ? newest(path) : s.mtimeMs);
  }
  return t;
}

/** The tests run the built binary: build it when dist/ is missing or older than src/. */
export default function setup(): void {
  const outputs = ['cli.js', 'index.js', 'index.d.ts'].map((f) => join(root, 'dist', f));
  const sources = Math.max(newest(join(root, 'src')), statSync(join(root, 'hookspell.schema.json')).mtimeMs);
  // A build that failed halfway (e.g. in its .d.ts step) leaves some outputs behind: rebuild then too.
  const stale = outputs.some((f) => !existsSync(f) || statSync(f).mtimeMs < sources);
  if (!stale) return;
  const build = spawnSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('building the CLI (pnpm run build in apps/cli) failed');
}
