import { defineConfig } from 'tsup';

export default defineConfig({
  // cli.js is the binary (its `#!/usr/bin/env node` line is kept); index.js is the programmatic API.
  entry: { cli: 'src/cli.ts', index: 'src/index.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  splitting: true,
  target: 'node20',
  external: [
    '@hookspell/bridge',
    '@hookspell/events',
    '@hookspell/hooks',
    '@hookspell/storage',
    'ajv',
    'commander',
    'jsonc-parser',
    'pg',
    'yaml',
  ],
});
