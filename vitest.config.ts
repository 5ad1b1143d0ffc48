import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

// Two projects, told apart by file name. A test that starts processes (nodes, the CLI, a supervisor,
// openssl, tmux) is a system test: its file ends in .system.test.ts and it runs against the build in
// dist/. Every other test is a unit test: it starts no process (test/support/no-processes.ts fails
// one that tries), needs no build, and drives time through injected clocks, or the simulator's.
// Where a test of either kind waits on something it does not drive (a process, a loopback socket,
// ink's rendering) it waits on the condition with test/support/wait.ts. Two fixed pauses are left,
// each with no event yet to wait on instead: between keystrokes in test/tui/keys.test.tsx, and
// before the leader freezes in test/e2e/exactly-once.system.test.ts.
//
// The test timeout only turns a hang into a failure. It is as long for unit tests as for system
// tests: the seeded simulator runs are CPU-bound, and on a loaded two-core machine one takes tens
// of seconds; no test may fail on timing.
const SYSTEM = 'test/**/*.system.test.{ts,tsx}';
const TIMEOUT_MS = 60_000;
// Unit tests are CPU-bound and start nothing, so they take every core (vitest's default leaves one
// free); system tests keep the default, one file at a time beside the processes they start.
const UNIT_WORKERS = availableParallelism();

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.{ts,tsx}'],
          exclude: [...configDefaults.exclude, SYSTEM],
          setupFiles: ['test/support/no-processes.ts'],
          testTimeout: TIMEOUT_MS,
          maxWorkers: UNIT_WORKERS,
          // Run as a group of their own before the system tests (vitest asks for an order when projects differ in workers).
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'system',
          include: [SYSTEM],
          testTimeout: TIMEOUT_MS,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
