import { defineConfig } from 'vitest/config';

// Root config: `pnpm vitest` from the top runs every package's tests as one project each.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'examples/*'],
  },
});
