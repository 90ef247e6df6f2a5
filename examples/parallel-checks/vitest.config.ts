import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'example-parallel-checks', include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
