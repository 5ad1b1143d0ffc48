// The supervisor `up --detach` leaves behind, killed with SIGKILL (no chance to clean up): every
// node process is gone within a second, the CLI says no cluster is running, and `up` starts the
// same cluster again.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '../support/wait.js';
import { Cli, alive } from './helpers.js';

const NAME = 'orphans';
let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

describe('SIGKILL to a detached supervisor', () => {
  test('takes every node process with it within a second', async () => {
    const status = await cli.up(NAME, '3');
    const nodes = status.nodes.map((n) => n.process.pid!);
    expect(nodes.every(alive)).toBe(true);

    process.kill(status.supervisorPid, 'SIGKILL');
    await waitFor('the supervisor to die', () => !alive(status.supervisorPid), { timeoutMs: 5000 });
    const killedAt = Date.now();
    await waitFor('every node to exit', () => !nodes.some(alive), { timeoutMs: 1000 });
    expect(Date.now() - killedAt).toBeLessThan(1000);

    // Until its parent (init, since `up` has exited) reaps it, the dead supervisor is a zombie that
    // still holds its pid, which the CLI cannot tell from a live one.
    await waitFor('the supervisor to be reaped', () => !existsSync(`/proc/${status.supervisorPid}`), { timeoutMs: 10_000 });
    const gone = await cli.run('status', '--name', NAME);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(
      new RegExp(
        `^raft-console status: no cluster named ${NAME} is running \\(its supervisor, pid ${status.supervisorPid}, is gone\\): start one with \`raft-console up --name ${NAME}\`\\n$`,
      ),
    );

    const again = await cli.up(NAME);
    expect(again.clusterId).toBe(status.clusterId);
    expect(again.supervisorPid).not.toBe(status.supervisorPid);
  });
});
