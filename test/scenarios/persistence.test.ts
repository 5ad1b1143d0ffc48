// Persistence and unreliable agreement: the MIT 6.5840 lab's part 3C (TestPersist13C,
// TestPersist23C, TestUnreliableAgree3C), on SimCluster. Figure 8 is in figure8.test.ts.
// A crash keeps only what the node persisted (Figure 2, "persistent state on all servers").
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../src/raft/types.js';
import { ELECTION_TIMEOUT, checkOneLeader, converge, expectAllAgree, newCluster, seeds, testRandom, watchLeaders } from './helpers.js';

describe('persistence across crashes (lab TestPersist13C)', () => {
  it.each(seeds(3))('committed data survives when every node crashes and restarts, and when leaders crash (seed %i)', (seed) => {
    const c = newCluster(3, seed);
    expect(c.one('p-11', 3)).toBeGreaterThan(0);

    // Everyone crashes: what was committed is on every disk, and comes back.
    for (const id of c.ids()) c.crash(id);
    for (const id of c.ids()) {
      expect(c.isUp(id)).toBe(false);
      expect(c.node(id).storage.entries.some((e) => e.type === 'normal' && e.data === 'p-11')).toBe(true);
    }
    for (const id of c.ids()) c.restart(id);
    // A restarted node re-applies what its persisted commit index covers.
    expect(converge(c, c.ids(), 1, 100)).toBe(true);
    expect(c.one('p-12', 3)).toBeGreaterThan(0);
    expect(expectAllAgree(c)).toEqual(['p-11', 'p-12']);

    // The leader crashes and comes back.
    const leader1 = checkOneLeader(c);
    c.crash(leader1);
    c.restart(leader1);
    expect(c.one('p-13', 3)).toBeGreaterThan(0);

    // The leader crashes and stays down for a while: the two others commit without it.
    const leader2 = checkOneLeader(c);
    c.crash(leader2);
    expect(c.one('p-14', 2)).toBeGreaterThan(0);
    c.restart(leader2);
    expect(converge(c, c.ids(), 4)).toBe(true);

    // A follower crashes.
    const leader3 = checkOneLeader(c);
    const follower = c.ids().find((id) => id !== leader3)!;
    c.crash(follower);
    expect(c.one('p-15', 2)).toBeGreaterThan(0);
    c.restart(follower);
    expect(c.one('p-16', 3)).toBeGreaterThan(0);
    expect(converge(c, c.ids(), 6)).toBe(true);
    expect(expectAllAgree(c)).toEqual(['p-11', 'p-12', 'p-13', 'p-14', 'p-15', 'p-16']);
    c.assertSafe();
  });
});

describe('leaders crashed repeatedly while writing (in the spirit of lab TestPersist23C)', () => {
  it.each(seeds(5))(
    'writes keep succeeding while the leader is crashed again and again, and nothing acknowledged is lost (seed %i)',
    (seed) => {
      const c = newCluster(5, seed);
      const rnd = testRandom(seed, 'crash-leaders');
      const byTerm = watchLeaders(c);
      expect(checkOneLeader(c)).not.toBe(0);
      const down: NodeId[] = [];
      let crashes = 0;
      let written = 0;
      for (let round = 0; round < 12; round++) {
        // A burst of client writes, then some time, then the leader crashes.
        for (let i = rnd.int(1, 6); i > 0; i--) c.write(`cl-${written++}`);
        c.runFor(rnd.int(1, 2 * ELECTION_TIMEOUT));
        // At most two of five down: the oldest crash comes back first if need be.
        if (down.length === 2) c.restart(down.shift()!);
        const leader = c.leader();
        if (leader !== 0) {
          // Sometimes in the middle of a step, losing what it had received but not yet persisted.
          if (rnd.chance(0.3)) {
            c.crashBeforePersist(leader);
            c.step();
          } else c.crash(leader);
          expect(c.isUp(leader)).toBe(false);
          down.push(leader);
          crashes++;
        }
        // Durability: every acknowledged write is on the disk of a majority, crashed nodes included.
        for (const v of c.acknowledged) {
          const onDisk = c.ids().filter((id) => c.node(id).storage.entries.some((e) => e.type === 'normal' && e.data === v));
          expect(onDisk.length, `${v} is on ${onDisk.length} disks`).toBeGreaterThanOrEqual(3);
        }
        // A crashed node comes back after a while.
        if (down.length > 0 && rnd.chance(0.6)) c.restart(down.shift()!);
        c.runFor(rnd.int(0, ELECTION_TIMEOUT));
      }
      for (const id of down) c.restart(id);
      expect(c.runUntil(() => c.pendingWrites === 0, 1000)).toBe(true);
      expect(c.one('cl-final', 5)).toBeGreaterThan(0);
      expect(converge(c, c.ids(), written + 1)).toBe(true);
      const values = expectAllAgree(c);
      expect(values).toEqual([...c.acknowledged]);
      expect(new Set(values)).toEqual(new Set([...Array.from({ length: written }, (_, i) => `cl-${i}`), 'cl-final']));
      // A leader was crashed in most rounds, and each crash forced a new election.
      expect(crashes).toBeGreaterThanOrEqual(6);
      expect(byTerm.size).toBeGreaterThanOrEqual(crashes + 1);
      c.assertSafe();
    },
  );
});

describe('unreliable agreement (lab TestUnreliableAgree3C)', () => {
  it.each(seeds(3))('many concurrent proposals over a lossy, duplicating, reordering network all commit, once each (seed %i)', (seed) => {
    const c = newCluster(5, seed);
    c.setUnreliable(true);
    const all: string[] = [];
    for (let iter = 1; iter < 50; iter++) {
      for (let j = 0; j < 4; j++) {
        const v = `ua-${iter}-${j}`;
        all.push(v);
        c.write(v);
      }
      all.push(`ua-${iter}`);
      expect(c.one(`ua-${iter}`, 1), `ua-${iter}`).toBeGreaterThan(0);
    }
    c.setUnreliable(false);
    expect(c.runUntil(() => c.pendingWrites === 0, 1000)).toBe(true);
    expect(c.one('ua-final', 5)).toBeGreaterThan(0);
    expect(converge(c, c.ids(), all.length + 1)).toBe(true);
    const values = expectAllAgree(c);
    expect(values).toHaveLength(all.length + 1);
    expect(new Set(values)).toEqual(new Set([...all, 'ua-final']));
    c.assertSafe();
  });
});
