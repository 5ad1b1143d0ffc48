// A supervisor whose cluster folder is deleted under it stops its nodes and exits, instead of
// running on where no command can reach it.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { alive, Cli } from '../cli/helpers.js';
import { waitFor } from '../support/wait.js';

let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

describe('a cluster folder deleted under its supervisor', () => {
  test('stops the nodes and the supervisor', async () => {
    const folder = await mkdtemp(join(cli.home, 'doomed-'));
    const status = await cli.up('clidoomed', '--data-dir', folder, '--speed', 'fast', '3');
    const pids = [status.supervisorPid, ...status.nodes.map((n) => n.process.pid!)];
    expect(pids.every(alive)).toBe(true);

    await rm(folder, { recursive: true, force: true });
    await waitFor('the supervisor and its nodes to exit', () => (pids.some(alive) ? undefined : true));
  });
});
