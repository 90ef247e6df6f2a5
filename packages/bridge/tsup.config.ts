import { defineConfig } from 'tsup';

export default defineConfig({
  // Engines are separate chunks, imported on first use: a Lua-only host never loads QuickJS.
  entry: {
    index: 'src/index.ts',
    command: 'src/command/index.ts',
    'claude-code': 'src/claude-code/index.ts',
  },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  target: 'node20',
  external: [
    '@hookspell/hooks',
    '@hookspell/events',
    '@hookspell/storage',
    'fengari',
    'quickjs-emscripten-core',
    '@jitl/quickjs-wasmfile-release-sync',
  ],
});
