// The snapshot threshold of a cluster (`up --snapshot-every N`): kept in cluster.json, read back
// from it (the default from a file written before it was kept, a bad value refused), carried by the
// model, and passed on the `supervise` command line that `up --detach` runs.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { superviseArgs } from '../../src/cli/supervisor-options.js';
import { DEFAULT_SNAPSHOT_EVERY, checkSnapshotEvery, describeSnapshotEvery } from '../../src/cluster-model/snapshots.js';
import { DEFAULT_SWITCHES } from '../../src/cluster-model/switches.js';
import { presetTiming } from '../../src/cluster-model/timing.js';
import { clusterFileOf, fromClusterFile, newClusterFile, readClusterFile, writeClusterFile } from '../../src/supervisor/cluster-file.js';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'raft-console-snapshot-every-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const run = { name: 'demo', folder: '/f', supervisorPid: 1, startedAt: 0 };

describe("a cluster's snapshot threshold", () => {
  test('round-trips through cluster.json and the model', async () => {
    const file = newClusterFile('demo', [7001, 7002, 7003], null, true, presetTiming('normal'), DEFAULT_SWITCHES, 25);
    await writeClusterFile(folder, file);
    const read = (await readClusterFile(folder))!;
    expect(read.snapshotEvery).toBe(25);
    const { model, setup } = fromClusterFile(read, run);
    expect(model.snapshotEvery).toBe(25);
    expect(clusterFileOf(model, setup)).toEqual(file);
  });

  test('an older cluster.json without it has the default; a bad value is refused, naming the file', async () => {
    await writeClusterFile(folder, newClusterFile('demo', [7001], null, true, presetTiming('normal'), DEFAULT_SWITCHES, 25));
    const { snapshotEvery: _kept, ...older } = JSON.parse(await readFile(join(folder, 'cluster.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(folder, 'cluster.json'), JSON.stringify(older));
    expect((await readClusterFile(folder))!.snapshotEvery).toBe(DEFAULT_SNAPSHOT_EVERY);

    await writeFile(join(folder, 'cluster.json'), JSON.stringify({ ...older, snapshotEvery: 0 }));
    const err = await readClusterFile(folder).catch((e: unknown) => e);
    expect(err).toMatchObject({ problem: { code: 'bad-file', path: join(folder, 'cluster.json') } });
    expect((err as Error).message).toMatch(/snapshotEvery must be an integer of at least 1, got 0/);
  });

  test('is passed to the supervisor `up --detach` starts, and only when given', () => {
    expect(superviseArgs({ name: 'demo', snapshotEvery: 100 })).toEqual(['supervise', '--name', 'demo', '--snapshot-every', '100']);
    expect(superviseArgs({ name: 'demo' })).toEqual(['supervise', '--name', 'demo']);
  });

  test('is a whole number of entries from 1, said in words', () => {
    expect(checkSnapshotEvery(1)).toBe(1);
    for (const bad of [0, -3, 2.5, Number.NaN])
      expect(() => checkSnapshotEvery(bad)).toThrow(
        /^the snapshot threshold must be a whole number of entries from 1, got .* \(e\.g\. --snapshot-every 100\)$/,
      );
    expect(describeSnapshotEvery(10_000)).toBe('a snapshot every 10,000 entries');
    expect(describeSnapshotEvery(1)).toBe('a snapshot every 1 entry');
  });
});
