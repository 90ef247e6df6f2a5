import { defineConfig } from 'tsup';

// One build, two entries (one per subpath export). The built-in hooks are @hookspell/builtins.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', lifecycle: 'src/lifecycle/index.ts' },
    format: ['esm'],
    // @internal members (`_plan`, `_spend`, `_resolve`, run state) stay out of the published types.
    dts: { compilerOptions: { stripInternal: true } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    external: ['@hookspell/core', '@hookspell/storage', 'lru-cache'],
  },
]);
