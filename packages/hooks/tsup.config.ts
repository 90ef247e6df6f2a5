import { defineConfig } from 'tsup';

// One build, two entries (one per subpath export). The built-in hooks are @hookspell/builtins.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', lifecycle: 'src/lifecycle/index.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    external: ['@hookspell/core', '@hookspell/storage', 'lru-cache'],
  },
]);
