import { defineConfig } from 'tsup';

// Two entries, one per subpath export. `./nats` is the only one importing the NATS client (an
// optional peer dependency, kept external), so importing `@hookspell/events` never loads it.
export default defineConfig({
  entry: { index: 'src/index.ts', nats: 'src/nats/index.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: ['@hookspell/hooks', '@hookspell/storage', '@nats-io/transport-node', '@nats-io/jetstream'],
});
