import { defineConfig } from 'tsup';

// One build, three entries (one per subpath export). `./builtins` pulls pino, cockatiel and
// limiter; they stay external and are imported only from that entry's modules, so importing the
// main entry or `./lifecycle` never loads them.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', builtins: 'src/builtins/index.ts', lifecycle: 'src/lifecycle/index.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    external: ['@hookspell/storage', 'lru-cache', 'pino', 'cockatiel', 'limiter'],
  },
]);
