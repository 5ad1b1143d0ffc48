// A cluster started in a folder of its own (`up --data-dir <dir> --name X`) is found again by its
// name alone, by every command; `down --purge` forgets it, and a note of a folder that no longer
// holds the cluster says so and how to go on.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cli } from './helpers.js';

let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

describe('a cluster started with --data-dir', () => {
  test('is found by its --name, until purged', async () => {
    const folder = await mkdtemp(join(cli.home, 'elsewhere-'));
    const started = await cli.up('cliwhere', '--data-dir', folder, '--speed', 'fast', '3');
    expect(started.folder).toBe(folder);

    const status = await cli.status('cliwhere');
    expect(status.folder).toBe(folder);
    expect(status.name).toBe('cliwhere');
    expect((await cli.run('events', '--name', 'cliwhere', '--last', '1')).code).toBe(0);

    const down = await cli.run('down', '--name', 'cliwhere');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain(folder);
    // Stopped, it is still the cluster of that name: `up --name` starts it again where it was.
    expect((await cli.run('status', '--name', 'cliwhere')).code).toBe(3);

    const purge = await cli.run('down', '--purge', '--name', 'cliwhere');
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toContain(folder);
    const gone = await cli.run('status', '--name', 'cliwhere');
    expect(gone.code).toBe(3);
    expect(gone.stderr).toBe(
      'raft-console status: no cluster named cliwhere is running: start one with `raft-console up --name cliwhere`\n',
    );
  });

  test('whose folder was deleted behind its back is named with the way on', async () => {
    const folder = await mkdtemp(join(cli.home, 'vanishing-'));
    await cli.up('cligone', '--data-dir', folder, '--speed', 'fast', '1');
    expect((await cli.run('down', '--name', 'cligone')).code).toBe(0);
    await rm(folder, { recursive: true, force: true });

    const r = await cli.run('status', '--name', 'cligone');
    expect(r.code).toBe(3);
    const note = join(cli.home, 'state', 'raft-console', '.elsewhere', 'cligone.json');
    expect(r.stderr).toBe(
      `raft-console status: the cluster cligone was started with --data-dir ${folder}, which no longer holds it: give --data-dir for where it is now, or delete ${note} to forget it\n`,
    );
  });
});
