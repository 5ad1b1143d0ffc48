// Damage to a node's write-ahead log on disk. A torn last record (a crash in the middle of a write)
// is cut off at restart, and the node catches up from the leader. Damage in the middle of the log
// (which no crash explains) stops the node with the file and byte offset, before it does anything.
import { appendFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFrame, scanFrames } from '../../src/storage/record-frame.js';
import { decodeWalRecord, encodeWalRecord, type WalRecord } from '../../src/storage/wal-record.js';
import { Cluster } from './cluster.js';
import { NodeProcess } from './node-process.js';

async function segments(dataDir: string): Promise<string[]> {
  return (await readdir(dataDir))
    .filter((name) => /^wal-\d+\.log$/.test(name))
    .sort()
    .map((name) => join(dataDir, name));
}

/** A running cluster with some writes in it, and one follower killed. */
async function clusterWithDeadFollower(): Promise<{ cluster: Cluster; follower: number }> {
  const cluster = await Cluster.start(3);
  const { id: leader } = await cluster.leader();
  const client = cluster.client();
  for (let i = 0; i < 10; i++) await client.put(`k${i}`, `v${i}`);
  await cluster.converged();
  const follower = cluster.ids.find((id) => id !== leader)!;
  await cluster.node(follower).kill();
  return { cluster, follower };
}

describe('a damaged write-ahead log', () => {
  it('a torn last record is cut off at restart, and the node catches up', async () => {
    const { cluster, follower } = await clusterWithDeadFollower();
    // The crash is taken to have hit while the node wrote its next record, so that record is on
    // disk cut short. (Cutting a record that was already complete would not model a crash: it was
    // fsynced, and so perhaps acknowledged, before the node went on; a node that forgets an entry
    // it acknowledged is outside Raft's model, and its leader never sends that entry again.)
    const file = (await segments(cluster.dataDir(follower))).at(-1)!;
    const bytes = await readFile(file);
    const { hardState } = decodeWalRecord(scanFrames(bytes).frames.at(-1)!.body) as WalRecord;
    const next = encodeFrame(encodeWalRecord({ entries: [], hardState }));
    await appendFile(file, next.subarray(0, Math.floor(next.length / 2)));

    const client = cluster.client();
    for (let i = 0; i < 5; i++) await client.put(`while-down${i}`, `${i}`);

    const restarted = await cluster.startNode(follower);
    const repaired = await restarted.waitFor('the repair', (e) => e.type === 'storage-repaired');
    expect(repaired.text).toContain(`${file} at byte ${bytes.length}`);
    const { kv } = await cluster.converged(cluster.ids);
    expect(kv.get('k9')).toBe('v9');
    expect(kv.get('while-down4')).toBe('4');
  });

  it('a damaged record in the middle of the log stops the node, naming the file and the offset', async () => {
    const { cluster, follower } = await clusterWithDeadFollower();
    const file = (await segments(cluster.dataDir(follower)))[0]!;
    const bytes = await readFile(file);
    const second = scanFrames(bytes).frames[1]!;
    bytes[second.offset + 8 + 1]! ^= 0x01; // one bit of the second record's body (after its 8-byte header)
    await writeFile(file, bytes);

    const node = NodeProcess.spawn(cluster.args(follower));
    const exit = await node.ended();
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    const lines = node.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toContain(`corrupt at byte ${second.offset}`);
    expect(node.events.some((e) => e.type === 'started')).toBe(false);
  });
});
