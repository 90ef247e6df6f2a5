import { defineConfig } from 'tsup';

// One entry for now. `./builtins` and `./lifecycle` (journal, built-in hooks, lifecycle helpers)
// will be further entries of this array, each its own subpath export.
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    external: ['@hookspell/storage', 'lru-cache'],
  },
]);
