import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'example-lua-subscriber', include: ['test/**/*.test.ts'], testTimeout: 30_000 },
});
