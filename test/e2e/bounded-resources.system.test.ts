// What no number of connections or requests can take from a node (docs/PROTOCOL.md, "Limits"):
// its memory, its leadership, or the file descriptors its peers need.
import { describe, expect, it } from 'vitest';
import { FrameDecoder, encodeFrame, parseBody } from '../../src/transport/frame.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../../src/transport/transport.js';
import { waitFor } from '../support/wait.js';
import { Cluster } from './cluster.js';
import { withOpenFileLimit } from './node-process.js';

const MiB = 1024 * 1024;
/** The documented bound on a node's resident memory under this attack: its budgets, plus what a node needs anyway. */
const RSS_BOUND = 256 * MiB;

describe('bounded resources', () => {
  it('250 connections with unfinished maximum-size frames stay within the memory budget, and the cluster commits', async () => {
    const cluster = await Cluster.start(3);
    const { id: leader } = await cluster.leader();
    const node = cluster.node(leader);
    const client = cluster.client();
    await client.put('before', '1');
    const sockets = await Promise.all(Array.from({ length: 250 }, () => cluster.clientSocket(leader)));

    let peak = node.rss();
    const sample = setInterval(() => (peak = Math.max(peak, node.rss())), 10);
    try {
      // Announces a whole frame of the maximum size, sends all of it but the last 64 KiB. One body for all: it is not copied per socket.
      const header = Buffer.alloc(4);
      header.writeUInt32BE(DEFAULT_MAX_FRAME_BYTES);
      const body = Buffer.alloc(DEFAULT_MAX_FRAME_BYTES - 64 * 1024, 0x20);
      await Promise.all(
        sockets.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.once('close', () => resolve());
              s.write(header);
              s.write(body, () => resolve());
            }),
        ),
      );
      expect(peak, `peak RSS ${Math.round(peak / MiB)} MiB while the frames arrived`).toBeLessThan(RSS_BOUND);
      const refused = (): number => node.events.filter((e) => e.type === 'connection-rejected' && e.code === 'over-budget').length;
      // The clients' budget (32 MiB) holds four of these frames: every other connection is refused.
      await waitFor('the connections over the budget to be refused', () => refused() >= 246);
      expect((await client.put('during', '2')).result.ok).toBe(true);
      expect((await client.get('before')).value).toBe('1');
    } finally {
      clearInterval(sample);
    }
    expect(peak, `peak RSS ${Math.round(peak / MiB)} MiB`).toBeLessThan(RSS_BOUND);
    expect(node.running).toBe(true);
    const { kv } = await cluster.converged(cluster.ids);
    expect(kv.get('during')).toBe('2');
  });

  it('50,000 requests in flight leave the leader in place, each answered', async () => {
    const cluster = await Cluster.start(3);
    const before = await cluster.leader();
    const connections = 20;
    const perConnection = 2500;
    const sockets = await Promise.all(Array.from({ length: connections }, () => cluster.clientSocket(before.id)));
    const answers = await Promise.all(
      sockets.map((socket, c) => {
        // Pipelined: every request written at once; reads and writes alternate, the writes of one session in order.
        const requests = Array.from({ length: perConnection }, (_, i) =>
          encodeFrame(
            i % 2 === 0
              ? { id: i, type: 'get', key: `k${i % 50}` }
              : { id: i, type: 'put', clientId: `load-${c}`, seq: (i + 1) / 2, key: `k${i % 50}`, value: `${c}-${i}` },
          ),
        );
        return new Promise<Array<{ ok: boolean; error?: { code: string } }>>((resolve, reject) => {
          const decoder = new FrameDecoder(DEFAULT_MAX_FRAME_BYTES);
          const got = new Map<number, { ok: boolean; error?: { code: string } }>();
          socket.on('data', (chunk: Buffer) => {
            decoder.push(chunk);
            for (let next = decoder.next(); next.kind === 'frame'; next = decoder.next()) {
              const parsed = parseBody(next.body);
              if (!parsed.ok) return reject(new Error(parsed.problem));
              const answer = parsed.value as { id: number; ok: boolean; error?: { code: string } };
              got.set(answer.id, answer);
            }
            if (got.size === perConnection) resolve([...got.values()]);
          });
          socket.on('close', () => reject(new Error(`connection ${c} closed after ${got.size} answers`)));
          socket.write(Buffer.concat(requests));
        });
      }),
    );
    const all = answers.flat();
    expect(all).toHaveLength(connections * perConnection);
    const failed = all.filter((a) => !a.ok);
    // Refused cleanly at most (a request that waited too long), never redirected: the leader stayed.
    for (const a of failed) expect(a.error?.code).toBe('timeout');
    const after = await cluster.leader();
    expect(after).toEqual(before);
    expect(cluster.node(before.id).events.filter((e) => e.type === 'queue-overflow')).toEqual([]);
  });

  it('1,100 idle client connections under a 1,024-descriptor limit leave writes working and peers connecting', async () => {
    const cluster = await Cluster.start(3, [], withOpenFileLimit(1024));
    const { id: leader } = await cluster.leader();
    const client = cluster.client();
    await client.put('before', '1');

    const opened = await Promise.allSettled(Array.from({ length: 1100 }, () => cluster.clientSocket(leader)));
    expect((await client.put('during', '2')).result.ok).toBe(true);
    // A client that connects now (as every command-line `put` does) gets in: the idle longest made room.
    expect((await cluster.client().put('newcomer', '5')).result.ok).toBe(true);
    // A follower killed and restarted reconnects both ways, and catches up.
    const follower = cluster.ids.find((id) => id !== leader)!;
    await cluster.node(follower).kill();
    expect((await client.put('while-down', '3')).result.ok).toBe(true);
    await cluster.startNode(follower);
    expect((await client.put('after', '4')).result.ok).toBe(true);
    const { kv } = await cluster.converged(cluster.ids);
    expect(kv.get('while-down')).toBe('3');

    // Any refused were told why; none of them took a descriptor the peers need.
    const admitted = opened.filter((o) => o.status === 'fulfilled').length;
    const refusals = opened.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
    for (const r of refusals) expect(r).toMatch(/too-many-connections|closed the connection during the handshake/);
    expect(admitted).toBeGreaterThan(500);
    expect(cluster.node(leader).running).toBe(true);
  });
});
