// Leader election: the MIT 6.5840 lab's part 3A (TestInitialElection3A, TestReElection3A,
// TestManyElections3A), on SimCluster. Raft paper section 5.2.
import { describe, expect, it } from 'vitest';
import {
  ELECTION_TIMEOUT,
  LabNet,
  checkOneLeader,
  eventsOf,
  newCluster,
  noLeaderAmong,
  recordEvents,
  seeds,
  terms,
  testRandom,
  watchLeaders,
} from './helpers.js';

describe('initial election (lab TestInitialElection3A)', () => {
  it.each(seeds(5))('one leader is elected and terms stay stable without failures (seed %i)', (seed) => {
    const c = newCluster(3, seed);
    const leaders = watchLeaders(c);
    expect(c.leader()).toBe(0);

    const leader = checkOneLeader(c);
    expect(leader).not.toBe(0);
    // Every node learns the new term within a heartbeat or two.
    expect(c.runUntil(() => new Set(terms(c)).size === 1, 2 * ELECTION_TIMEOUT)).toBe(true);
    const term = c.term(leader);
    expect(term).toBeGreaterThanOrEqual(1);

    // No failures: nothing changes for many election timeouts.
    c.runFor(10 * ELECTION_TIMEOUT);
    expect(c.leader()).toBe(leader);
    expect(terms(c)).toEqual([term, term, term]);
    expect(c.leaders()).toHaveLength(1);
    for (const id of c.ids()) expect(c.node(id).leader).toBe(leader);
    expect([...leaders.keys()]).toEqual([term]);
    c.assertSafe();
  });
});

describe('re-election (lab TestReElection3A)', () => {
  it.each(seeds(5))(
    'a new leader is elected when the leader is cut off, the old leader rejoining does not disturb it, and there is no leader without a quorum (seed %i)',
    (seed) => {
      const c = newCluster(3, seed);
      const net = new LabNet(c);
      watchLeaders(c);
      const rec = recordEvents(c);
      const leader1 = checkOneLeader(c);
      expect(leader1).not.toBe(0);
      const term1 = c.term(leader1);

      // The leader is cut off: the two others elect one of them in a later term.
      net.disconnect(leader1);
      const rest = c.ids().filter((id) => id !== leader1);
      const leader2 = checkOneLeader(c, rest);
      expect(rest).toContain(leader2);
      const term2 = c.term(leader2);
      expect(term2).toBeGreaterThan(term1);

      // The old leader rejoins: it learns the new term and follows; the new leader keeps its term.
      net.connect(leader1);
      c.runFor(5 * ELECTION_TIMEOUT);
      expect(c.leader()).toBe(leader2);
      expect(c.term(leader2)).toBe(term2);
      expect(c.role(leader1)).toBe('follower');
      expect(c.term(leader1)).toBe(term2);
      expect(c.node(leader1).leader).toBe(leader2);

      // Two of three cut off: no quorum, so no leader anywhere (CheckQuorum makes the stranded
      // leader step down) and no term is won.
      const other = rest.find((id) => id !== leader2)!;
      const alone = leader1;
      net.disconnect(leader2, other);
      const mark = rec.length;
      c.runFor(10 * ELECTION_TIMEOUT);
      expect(noLeaderAmong(c, c.ids())).toBe(true);
      expect(eventsOf(rec.slice(mark), 'election-won')).toEqual([]);
      expect(eventsOf(rec.slice(mark), 'role-change', leader2).map((e) => e.cause)).toContain('check-quorum');

      // A quorum again: a leader.
      net.connect(other);
      expect(checkOneLeader(c, [alone, other])).not.toBe(0);
      // Everyone back: still exactly one leader.
      net.connect(leader2);
      c.runFor(3 * ELECTION_TIMEOUT);
      const final = checkOneLeader(c);
      expect(final).not.toBe(0);
      expect(c.leaders()).toHaveLength(1);
      c.assertSafe();
    },
  );
});

describe('many elections (lab TestManyElections3A)', () => {
  it.each(seeds(3))(
    'with random nodes repeatedly disconnected there is at most one leader per term, and a leader whenever a majority is connected (seed %i)',
    (seed) => {
      const c = newCluster(7, seed);
      const net = new LabNet(c);
      const rnd = testRandom(seed, 'many-elections');
      // Fails the step at once if any term gets a second leader.
      const byTerm = watchLeaders(c);
      expect(checkOneLeader(c)).not.toBe(0);

      let leaderCut = 0;
      for (let iter = 0; iter < 10; iter++) {
        const before = c.leader();
        const beforeTerm = c.term(before);
        // Disconnect three random nodes: four of seven remain, a majority.
        const out = rnd.shuffled(c.ids()).slice(0, 3);
        net.disconnect(...out);
        const connected = c.ids().filter((id) => !out.includes(id));
        c.runFor(rnd.int(0, 2 * ELECTION_TIMEOUT));
        const leader = checkOneLeader(c, connected);
        expect(connected, `iteration ${iter}: no leader among the connected majority`).toContain(leader);
        if (out.includes(before)) {
          // The leader was cut off: the majority had to elect another, in a later term.
          leaderCut++;
          expect(leader).not.toBe(before);
          expect(c.term(leader)).toBeGreaterThan(beforeTerm);
        }
        net.connect(...out);
      }
      expect(checkOneLeader(c)).not.toBe(0);
      // Every cut-off leader forced an election, each won by a single leader.
      expect(byTerm.size).toBeGreaterThanOrEqual(1 + leaderCut);
      expect(c.elections).toBe(byTerm.size);
      c.assertSafe();
    },
  );
});
