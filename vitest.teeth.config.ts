import { defineConfig } from 'vitest/config';

// Tests whose outcome depends on real-time moments they cannot drive (an aimed episode of `check`
// against real processes catches its bug in most runs, not all): run with `npm run test:teeth` to
// measure them, never by `npm test`, which must not pass or fail on timing.
export default defineConfig({
  test: {
    include: ['test/**/*.teeth.test.ts'],
    testTimeout: 120_000,
  },
});
