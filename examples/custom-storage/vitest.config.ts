import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'example-custom-storage', include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
