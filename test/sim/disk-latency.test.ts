// A disk that takes ticks to write: a leader's appends are in the network, and answered, while its
// own write of the same entries is under way (dissertation 10.2.1); a crash then loses that write.
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../src/sim/cluster.js';

describe('disk latency', () => {
  it('followers store a leader’s entries before it does, and commit needs no leader copy', () => {
    const c = new SimCluster({ nodes: 3, seed: 4, diskLatency: 3 });
    c.waitForLeader();
    let ahead = 0;
    for (let i = 0; i < 40; i++) {
      c.write();
      c.step();
      const leader = c.leader();
      if (leader === 0) continue;
      const own = c.node(leader).storage.lastIndex;
      if (c.ids().some((id) => id !== leader && c.node(id).storage.lastIndex > own)) ahead++;
    }
    expect(ahead, `seed ${c.seed}`).toBeGreaterThan(0);
    expect(c.runUntil(() => c.pendingWrites === 0, 500)).toBe(true);
    c.assertSafe();
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`leaders crashed with a write under way lose no acknowledged write (seed ${seed})`, () => {
      const c = new SimCluster({ nodes: 5, seed, diskLatency: 3 });
      c.waitForLeader();
      const restarts: { id: number; at: number }[] = [];
      let crashes = 0;
      while (crashes < 8 && c.now < 3000) {
        if (c.pendingWrites < 16) c.write();
        c.step();
        for (const r of restarts.filter((r) => r.at <= c.now)) c.restart(r.id);
        restarts.splice(0, restarts.length, ...restarts.filter((r) => r.at > c.now));
        const leader = c.leader();
        if (leader === 0 || !c.node(leader).persisting) continue;
        // Followers hold entries that the leader's write under way would have added to its disk.
        const own = c.node(leader).storage.lastIndex;
        if (!c.ids().some((id) => id !== leader && c.node(id).storage.lastIndex > own)) continue;
        c.crash(leader);
        crashes++;
        restarts.push({ id: leader, at: c.now + 10 });
      }
      expect(crashes, `seed ${seed}`).toBe(8);
      for (const r of restarts) c.restart(r.id);
      expect(
        c.runUntil(() => c.pendingWrites === 0, 1000),
        `seed ${seed}`,
      ).toBe(true);
      const acknowledged = [...c.acknowledged];
      expect(c.runUntil(() => c.ids().every((id) => c.appliedValues(id).length === acknowledged.length), 500)).toBe(true);
      for (const id of c.ids()) expect(c.appliedValues(id), `n${id}, seed ${seed}`).toEqual(acknowledged);
      c.assertSafe();
    });
  }
});
