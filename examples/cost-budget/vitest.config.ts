import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'example-cost-budget', include: ['test/**/*.test.ts'], testTimeout: 30_000 },
});
