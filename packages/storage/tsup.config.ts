import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    sqlite: 'src/sqlite/index.ts',
    postgres: 'src/postgres/index.ts',
    // The conformance suite is its own entry: only those who import it need vitest.
    testing: 'src/testing/index.ts',
    // PostgreSQL test helpers, apart from the public suite.
    'testing-postgres': 'src/testing/postgres.ts',
  },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'vitest'],
});
