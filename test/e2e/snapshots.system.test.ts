// Nodes snapshot their state machine and compact their log as they go (--compact-every): the
// cluster keeps serving through many snapshots, a node restarted from a compacted data directory
// recovers from its snapshot, and every node answers the same values. Each snapshot on disk is told
// with what it cost.
import { describe, expect, it } from 'vitest';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';
import { Cluster } from './cluster.js';

describe('snapshots on real nodes', () => {
  it('a cluster compacting every 20 entries keeps serving, and a restarted node recovers from its snapshot', async () => {
    const cluster = await Cluster.start(3, ['--compact-every', '20']);
    const client = cluster.client({ timeoutMs: 10_000 });
    for (let i = 0; i < 70; i++) await client.put(`k${i % 7}`, `${i}`);

    const statuses = await waitFor(
      'every node to have compacted',
      async () => {
        const s = await cluster.statuses();
        return s.length === 3 && s.every((n) => n.snapshotIndex >= 40) ? s : undefined;
      },
      COSTLY_PROBE,
    );
    expect(statuses.map((s) => s.firstIndex).every((f) => f > 1)).toBe(true);
    expect(cluster.running).toEqual([1, 2, 3]);

    const { id } = await cluster.leader();
    const follower = [1, 2, 3].find((n) => n !== id)!;
    // The core compacts at once; the snapshot's file is written after. Killed only once it is on disk.
    const saved = await cluster
      .node(follower)
      .waitFor('its snapshot at 40 or later on disk', (e) => e.type === 'snapshot-saved' && Number(e.index) >= 40);
    expect(saved).toMatchObject({ kind: 'node', superseded: false });
    for (const field of ['bytes', 'serializeMs', 'durableMs']) expect(saved[field]).toBeTypeOf('number');
    await cluster.node(follower).kill();
    await client.put('after', 'kill');
    const restarted = await cluster.startNode(follower);
    const recovered = restarted.events.find((e) => e.type === 'started')!.recovered as { snapshotIndex: number };
    expect(recovered.snapshotIndex).toBeGreaterThanOrEqual(40);

    for (let i = 0; i < 7; i++) expect((await client.get(`k${i}`)).value).toBe(`${63 + i}`);
    await waitFor(
      'the restarted node to catch up',
      async () => {
        const [s] = await cluster.statuses([follower]);
        const [l] = await cluster.statuses([id]);
        return s && l && s.applied >= l.commit ? true : undefined;
      },
      COSTLY_PROBE,
    );
  });
});
