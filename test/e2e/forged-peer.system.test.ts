// Forged peers at a live cluster's port, as another local user could send them: without the
// cluster secret, with a wrong one, or from a node id that is not a member. Each is refused at the
// handshake with the error code that says why, the forged message after it (a heartbeat at term
// 2^53-1, which could wedge the cluster for good if it were read) never reaches the core, and the
// cluster keeps committing. The secret is on no command line and in no environment.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Cluster } from './cluster.js';
import { Wire, handshake } from './wire.js';

const WEDGE_TERM = Number.MAX_SAFE_INTEGER;

describe('a forged peer', () => {
  it('is refused at the hello, whatever it proves, and the cluster keeps committing', async () => {
    const cluster = await Cluster.start(3);
    const { id: leader, term } = await cluster.leader();
    const port = cluster.ports.get(leader)!;
    const follower = cluster.ids.find((id) => id !== leader)!;
    const client = cluster.client();
    await client.put('before', '1');
    const forged = { type: 'heartbeat', from: follower, to: leader, term: WEDGE_TERM, commit: 0 };

    // Posing as a member, with no secret (an empty key), then with a wrong one.
    for (const secret of [Buffer.alloc(0), randomBytes(32)]) {
      const wire = await handshake(port, cluster.clusterId, secret, 'peer', follower);
      wire.send(forged);
      expect(await wire.refusal()).toBe('auth-failed');
    }
    // As a peer of today's protocol would: the hello, then messages at once, no proof.
    const bare = await Wire.open(port);
    bare.send({
      type: 'hello',
      version: 2,
      clusterId: cluster.clusterId,
      from: follower,
      kind: 'peer',
      nonce: randomBytes(32).toString('hex'),
    });
    bare.send(forged);
    expect(await bare.refusal()).toBe('auth-failed');
    // A node id that is not a member is refused before it is asked for anything.
    const stranger = await Wire.open(port);
    stranger.send({
      type: 'hello',
      version: 2,
      clusterId: cluster.clusterId,
      from: 7,
      kind: 'peer',
      nonce: randomBytes(32).toString('hex'),
    });
    expect(await stranger.refusal()).toBe('unknown-peer');
    // The same forgeries as a client: no write gets in.
    const intruder = await handshake(port, cluster.clusterId, randomBytes(32), 'client', 0);
    intruder.send({ id: 1, type: 'put', clientId: 'intruder', seq: 1, key: 'before', value: 'forged' });
    expect(await intruder.refusal()).toBe('auth-failed');

    const rejected = cluster
      .node(leader)
      .events.filter((e) => e.type === 'connection-rejected')
      .map((e) => e.code);
    expect(rejected).toEqual(['auth-failed', 'auth-failed', 'auth-failed', 'unknown-peer', 'auth-failed']);
    expect((await client.put('after', '2')).result.ok).toBe(true);
    expect(await cluster.leader()).toEqual({ id: leader, term });
    const { kv } = await cluster.converged(cluster.ids);
    expect(kv.get('before')).toBe('1');
    expect(kv.get('after')).toBe('2');
    expect((await cluster.statuses()).every((s) => s.term === term)).toBe(true);

    // What another user can read of a node process: its command line and (as the same user) its environment.
    const secretHex = cluster.secret.toString('hex');
    for (const id of cluster.ids) {
      const pid = cluster.node(id).child.pid!;
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(secretHex);
      expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain(secretHex);
    }
  });
});
