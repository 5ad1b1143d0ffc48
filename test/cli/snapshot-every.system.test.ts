// `up --snapshot-every N`: kept in cluster.json, shown by status, given to every node as
// --compact-every; with a small N a follower cut off while the log moved on catches up from a
// snapshot, as a workshop shows it. A bad N is a one-line usage error with an example.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ClusterEvent } from '../../src/cluster-model/index.js';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';
import { Cli } from './helpers.js';

let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

const events = async (name: string): Promise<ClusterEvent[]> =>
  (await cli.ok('events', '--json', '--name', name))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ClusterEvent);

describe("a cluster's snapshot threshold", () => {
  test('is kept, shown, given to every node, and a follower cut off meanwhile catches up from a snapshot', async () => {
    const status = await cli.up('snaps', '3', '--snapshot-every', '5');
    expect(status.snapshotEvery).toBe(5);
    const file = JSON.parse(await readFile(join(status.folder, 'cluster.json'), 'utf8')) as { snapshotEvery: unknown };
    expect(file.snapshotEvery).toBe(5);
    for (const n of status.nodes) {
      const args = readFileSync(`/proc/${n.process.pid}/cmdline`, 'utf8').split('\0');
      expect(args[args.indexOf('--compact-every') + 1], `n${n.id}'s command line`).toBe('5');
    }
    expect(await cli.ok('status', '--name', 'snaps')).toContain('; a snapshot every 5 entries');

    // Cut off (not killed: a killed follower's leader may still hold the appends it sent meanwhile in
    // the queue of its link, and deliver them when the follower is back), then past the threshold:
    // the leader compacts away the entries the follower lacks, and must send it a snapshot.
    const { leader } = await cli.settled('snaps');
    const follower = status.nodes.find((n) => n.id !== leader.id)!.id;
    await cli.ok('isolate', String(follower), '--name', 'snaps');
    for (let i = 0; i < 8; i++) await cli.ok('put', `k${i}`, `v${i}`, '--name', 'snaps');
    await cli.ok('heal', '--name', 'snaps');
    await waitFor(
      `n${follower} to install a snapshot`,
      async () => ((await events('snaps')).some((e) => e.node === follower && e.type === 'snapshot-installed') ? true : undefined),
      COSTLY_PROBE,
    );
    await cli.settled('snaps', (s, l) => s.nodes.find((n) => n.id === follower)!.raft!.applied >= l.raft!.commit);
  });

  test('a later `up` of the cluster with another threshold keeps the new one, and an `up` without one keeps it too', async () => {
    await cli.ok('down', '--name', 'snaps');
    const status = await cli.up('snaps', '--snapshot-every', '1000');
    expect(status.snapshotEvery).toBe(1000);
    await cli.ok('down', '--name', 'snaps');
    expect((await cli.up('snaps')).snapshotEvery).toBe(1000);
  });

  test('a threshold that is not a whole number from 1 is a usage error with an example', async () => {
    for (const bad of ['0', 'ten']) {
      const r = await cli.run('up', '--detach', '--name', 'nope', '--snapshot-every', bad);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        `error: option '--snapshot-every <n>' argument '${bad}' is invalid. --snapshot-every must be a whole number 1 or more, got "${bad}" (e.g. 100) (see --help)`,
      );
      expect(r.stdout).toBe('');
    }
  });
});
