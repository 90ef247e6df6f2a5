/**
 * Runs every `src/*.bench.ts` (or those whose name contains one of the arguments), each in a
 * fresh Node process so that one benchmark's state (JIT, AsyncLocalStorage hooks, open
 * databases) can't change another's figures.
 *
 *   pnpm bench              # all
 *   pnpm bench storage      # only storage.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(
    `No benchmark matches ${filters.join(', ')}. Available: ${readdirSync(here)
      .filter((f) => f.endsWith('.bench.ts'))
      .join(', ')}`,
  );
  process.exit(2);
}
console.log(`Machine: ${machineLine()}\n`);
let failed = 0;
for (const file of files) {
  console.log(`## ${file.replace('.bench.ts', '')}\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, file)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
