import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // cli.js is the binary (its `#!/usr/bin/env node` line is kept); index.js is the programmatic API.
    entry: { cli: 'src/cli.ts', index: 'src/index.ts' },
    format: ['esm'],
    dts: { entry: { index: 'src/index.ts' } },
    sourcemap: true,
    // dist/inspect/ is the web app's, built by the config below at the same time.
    clean: ['!inspect/**'],
    splitting: true,
    target: 'node20',
    external: [
      '@hookspell/bridge',
      '@hookspell/events',
      '@hookspell/hooks',
      '@hookspell/journal',
      '@hookspell/storage',
      'ajv',
      'commander',
      'jsonc-parser',
      'pg',
      'yaml',
    ],
  },
  // `hookspell inspect`'s web app: plain TypeScript and CSS bundled for the browser (one app.js,
  // one app.css), shipped in dist/ and served by the CLI — no CDN, works offline.
  {
    entry: { app: 'src/inspect/web/main.ts' },
    outDir: 'dist/inspect',
    format: ['iife'],
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: false,
    clean: true,
    dts: false,
    outExtension: () => ({ js: '.js' }),
  },
]);
