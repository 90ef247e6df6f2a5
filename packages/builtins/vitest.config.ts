import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'builtins',
    include: ['test/**/*.test.ts'],
  },
});
