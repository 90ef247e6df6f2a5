import { defineConfig } from 'tsup';

// One entry. `@opentelemetry/api` is a peer dependency (the host's copy holds the global tracer
// provider and context manager, so ours must be the same one): kept external.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: ['@hookspell/core', '@hookspell/hooks', '@opentelemetry/api'],
});
