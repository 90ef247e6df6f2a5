import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      sqlite: 'src/sqlite/index.ts',
      postgres: 'src/postgres/index.ts',
    },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    external: ['better-sqlite3', 'pg'],
  },
  {
    // The conformance suite is its own entry so vitest is only needed by those who import it.
    entry: { testing: 'src/testing/index.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    external: ['vitest', 'better-sqlite3', 'pg'],
  },
]);
