import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'example-pii-redaction', include: ['test/**/*.test.ts'], testTimeout: 30_000 },
});
