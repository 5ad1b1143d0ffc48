// SIGKILL of the leader: the survivors elect a new one in a higher term, no acknowledged write is
// lost, and the killed node, restarted from its data directory, catches up.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { Cluster } from './cluster.js';

describe('the leader crashes', () => {
  it('a new leader takes over, keeps every acknowledged write, and the restarted node catches up', async () => {
    const cluster = await Cluster.start(3);
    const client = cluster.client({ timeoutMs: 10_000 });
    const acknowledged = new Map<string, string>();
    for (let i = 0; i < 10; i++) {
      await client.put(`before${i}`, `${i}`);
      acknowledged.set(`before${i}`, `${i}`);
    }

    // Writes keep coming while the leader dies: each one resolved is acknowledged, and must survive.
    const writer = (async () => {
      for (let i = 0; i < 30; i++) {
        await client.put(`during${i}`, `${i}`);
        acknowledged.set(`during${i}`, `${i}`);
      }
    })();
    await waitFor('the first write of the writer', () => acknowledged.has('during0'));
    const old = await cluster.leader();
    await cluster.node(old.id).kill();
    await writer;

    const survivors = cluster.running;
    expect(survivors).toHaveLength(2);
    const next = await cluster.leader(survivors, old.term + 1);
    expect(next.id).not.toBe(old.id);
    expect(next.term).toBeGreaterThan(old.term);

    for (const [key, value] of acknowledged) expect((await client.get(key)).value, key).toBe(value);
    const survived = await cluster.converged(survivors);
    for (const [key, value] of acknowledged) expect(survived.kv.get(key), key).toBe(value);

    // Back from its data directory: it rejoins as a follower and gets what it missed.
    const restarted = await cluster.startNode(old.id);
    const recovered = restarted.events.find((e) => e.type === 'started')!.recovered as { entries: number; term: number };
    expect(recovered.entries).toBeGreaterThan(0);
    expect(recovered.term).toBeGreaterThanOrEqual(old.term);
    await client.put('after', 'restart');
    const all = await cluster.converged(cluster.ids, survived.commit + 1);
    expect(all.kv.serialize()).toBe((await cluster.converged(survivors)).kv.serialize());
    expect(all.kv.get('after')).toBe('restart');
    expect((await cluster.leader()).term).toBeGreaterThanOrEqual(next.term);
  });
});
