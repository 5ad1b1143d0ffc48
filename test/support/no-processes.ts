// The unit project's guard (vitest.config.ts): a unit test starts no process, so that `npm run
// test:unit` needs no build and leaves nothing running. Every way node:child_process has to start one
// throws here, and a test that tried fails even where the code under test swallowed the error. A
// test that needs processes is a system test: its file is named *.system.test.ts. Each test file
// runs in a worker process of its own (vitest's isolation), so the change ends with the file.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { afterEach } from 'vitest';

/** A unit test asked for a process. */
export class ProcessInUnitTest extends Error {
  readonly code = 'process-in-unit-test';

  constructor(
    readonly call: string,
    readonly command: string,
  ) {
    super(
      `a unit test started a process (child_process.${call}: ${command}); unit tests start none: move this test to the system project by naming its file *.system.test.ts`,
    );
  }
}

const CALLS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

const refused: ProcessInUnitTest[] = [];

for (const call of CALLS) {
  Object.assign(childProcess, {
    [call]: (command: unknown) => {
      const err = new ProcessInUnitTest(call, String(command));
      refused.push(err);
      throw err;
    },
  });
}
// Named imports (`import { spawn } from 'node:child_process'`), in the tests and in dependencies, see the change too.
syncBuiltinESMExports();

/** The refusals since the last call: the guard's own test takes those it provoked. */
export function takeRefusals(): ProcessInUnitTest[] {
  return refused.splice(0);
}

afterEach(() => {
  const [first] = takeRefusals();
  if (first !== undefined) throw first;
});
