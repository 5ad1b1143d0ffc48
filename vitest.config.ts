import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The simulator drives time itself; no test waits on the wall clock.
    testTimeout: 60_000,
  },
});
