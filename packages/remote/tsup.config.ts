import { defineConfig } from 'tsup';

// One entry: every part of this package talks NATS, so the client is a plain dependency (kept
// external, like the workspace packages).
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: ['@hookspell/core', '@hookspell/hooks', '@nats-io/transport-node'],
});
