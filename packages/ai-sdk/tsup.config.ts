import { defineConfig } from 'tsup';

// Two entries, one per subpath export. Only `./mcp` imports the MCP SDK (an optional peer
// dependency, kept external), so `@hookspell/ai-sdk` never loads it. Neither entry imports `ai` at
// run time: the middleware and guardTools use its types only.
export default defineConfig({
  entry: { index: 'src/index.ts', mcp: 'src/mcp/index.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  target: 'node20',
  external: ['@hookspell/core', '@hookspell/hooks', 'lru-cache', 'ai', '@modelcontextprotocol/sdk'],
});
