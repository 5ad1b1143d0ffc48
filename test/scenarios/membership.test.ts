// Membership changes, one server at a time (Raft dissertation chapter 4): a learner joins and
// catches up without voting (4.2.1), is promoted and counts in the quorum, voters and the leader
// are removed (4.2.2). Not part of the MIT lab; built the same way on SimCluster.
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../src/raft/types.js';
import type { SimCluster } from '../../src/sim/cluster.js';
import {
  ELECTION_TIMEOUT,
  LabNet,
  checkOneLeader,
  converge,
  eventsOf,
  expectAllAgree,
  newCluster,
  recordEvents,
  seeds,
  type Recorded,
} from './helpers.js';

/** A 3-voter cluster with 10 committed values, and learner n4 added and caught up. */
function withLearner(seed: number): { c: SimCluster; rec: Recorded[]; learner: NodeId; values: string[] } {
  const c = newCluster(3, seed);
  const rec = recordEvents(c);
  const values = Array.from({ length: 10 }, (_, i) => `m-${i}`);
  for (const v of values) expect(c.one(v, 3), v).toBeGreaterThan(0);
  const { id: learner, result } = c.addLearner();
  expect(result.ok).toBe(true);
  expect(learner).toBe(4);
  expect(c.runUntil(() => c.membership().learners.includes(learner), 100)).toBe(true);
  expect(converge(c, c.ids(), values.length)).toBe(true);
  return { c, rec, learner, values };
}

/** Retries a change until the leader accepts it (another may still be pending), then waits for it to commit. */
function change(c: SimCluster, propose: () => { ok: boolean }, done: () => boolean): void {
  expect(c.runUntil(() => propose().ok, 300)).toBe(true);
  expect(c.runUntil(done, 300)).toBe(true);
}

describe('membership', () => {
  it.each(seeds(3))('an added learner catches up on the whole log but does not vote and does not count in the quorum (seed %i)', (seed) => {
    const { c, rec, learner, values } = withLearner(seed);
    const net = new LabNet(c);
    expect(c.membership()).toEqual({ voters: [1, 2, 3], learners: [4] });
    expect(c.appliedValues(learner)).toEqual(values);
    expect(c.status(learner)!.membership).toEqual({ voters: [1, 2, 3], learners: [4] });

    // The leader and the learner alone: two of four nodes hold the entry, but only one of three
    // voters, so it does not commit.
    const leader = checkOneLeader(c);
    net.only(leader, learner);
    const r = c.propose('m-learner-only', leader);
    expect(r.ok).toBe(true);
    c.runFor(ELECTION_TIMEOUT / 2);
    expect(c.node(learner).storage.entries.some((e) => e.type === 'normal' && e.data === 'm-learner-only')).toBe(true);
    if (r.ok) expect(c.nCommitted(r.index).count).toBe(0);

    // The leader is cut off: the two other voters elect a leader; the learner, asked nothing,
    // casts no vote and never campaigns, even though it heard from no leader for a long while.
    net.only(...c.ids().filter((id) => id !== leader));
    const leader2 = checkOneLeader(c, net.list);
    expect(leader2).not.toBe(leader);
    expect(leader2).not.toBe(learner);
    c.runFor(5 * ELECTION_TIMEOUT);
    net.connectAll();
    expect(c.one('m-after', 4)).toBeGreaterThan(0);
    expect(eventsOf(rec, 'vote-cast', learner)).toEqual([]);
    expect(eventsOf(rec, 'campaign', learner)).toEqual([]);
    // It only ever adopts terms (follower to follower), never leaves the follower role.
    expect(eventsOf(rec, 'role-change', learner).every((e) => e.to === 'follower')).toBe(true);
    expect(c.role(learner)).toBe('follower');
    expect(converge(c, c.ids(), values.length + 1)).toBe(true);
    expectAllAgree(c);
    c.assertSafe();
  });

  it.each(seeds(3))(
    'a learner added after the log was compacted catches up through InstallSnapshot and can then be promoted (seed %i)',
    (seed) => {
      const c = newCluster(3, seed, { compactEvery: 5 });
      const rec = recordEvents(c);
      const values = Array.from({ length: 30 }, (_, i) => `ms-${i}`);
      for (const v of values) expect(c.one(v, 3), v).toBeGreaterThan(0);
      const leader = checkOneLeader(c);
      expect(c.node(leader).storage.snapshotIndex).toBeGreaterThan(20);
      const { id: learner, result } = c.addLearner();
      expect(result.ok).toBe(true);
      expect(converge(c, c.ids(), values.length)).toBe(true);
      // The start of the log is gone: only a snapshot could bring it up to date.
      expect(eventsOf(rec, 'snapshot-installed', learner).length).toBeGreaterThanOrEqual(1);
      expect(c.status(learner)!.snapshotIndex).toBeGreaterThan(20);
      expect(c.appliedValues(learner)).toEqual(values);
      change(
        c,
        () => c.promote(learner),
        () => c.membership().voters.includes(learner),
      );
      expect(c.one('ms-end', 4)).toBeGreaterThan(0);
      expect(expectAllAgree(c)).toEqual([...values, 'ms-end']);
      c.assertSafe();
    },
  );

  it.each(seeds(3))('a promoted learner becomes a voter that counts in the quorum and votes (seed %i)', (seed) => {
    const { c, rec, learner } = withLearner(seed);
    const net = new LabNet(c);
    change(
      c,
      () => c.promote(learner),
      () => c.membership().voters.includes(learner) && c.status(c.leader())!.commit >= c.status(c.leader())!.lastIndex,
    );
    expect(c.membership()).toEqual({ voters: [1, 2, 3, 4], learners: [] });

    // Four voters: a quorum is three. With one original follower cut off, the leader commits
    // with the other and the promoted node...
    const leader = checkOneLeader(c);
    const [a, b] = [1, 2, 3].filter((id) => id !== leader) as [NodeId, NodeId];
    net.disconnect(a);
    expect(c.one('p-with-new-voter', 3)).toBeGreaterThan(0);
    // ...and without the promoted node, two of four is not enough.
    net.disconnect(learner);
    const r = c.propose('p-two-of-four', leader);
    expect(r.ok).toBe(true);
    c.runFor(2 * ELECTION_TIMEOUT);
    if (r.ok) expect(c.nCommitted(r.index).count).toBe(0);

    // It takes part in elections: the leader is cut off, the three others elect one of them.
    const mark = rec.length;
    net.only(a, b, learner);
    const leader2 = checkOneLeader(c, [a, b, learner]);
    expect([a, b, learner]).toContain(leader2);
    const votes = eventsOf(rec.slice(mark), 'vote-cast', learner).filter((e) => e.round === 'vote' && e.granted);
    expect(leader2 === learner || votes.length > 0, 'n4 neither won nor voted').toBe(true);

    net.connectAll();
    expect(c.one('p-end', 4)).toBeGreaterThan(0);
    expect(converge(c, c.ids(), 12)).toBe(true);
    expectAllAgree(c);
    c.assertSafe();
  });

  it.each(seeds(3))('a removed voter no longer counts, receives nothing more, and does not disrupt the cluster (seed %i)', (seed) => {
    const c = newCluster(3, seed);
    expect(c.one('rv-0', 3)).toBeGreaterThan(0);
    const leader = checkOneLeader(c);
    const victim = c.ids().find((id) => id !== leader)!;
    const rest = c.ids().filter((id) => id !== victim);
    change(
      c,
      () => c.remove(victim),
      () => !c.membership().voters.includes(victim) && c.status(leader)!.commit >= c.status(leader)!.lastIndex,
    );
    expect(c.membership().voters).toEqual(rest);

    // Two voters now: both are needed, the removed node is not.
    const term = c.term(leader);
    expect(c.one('rv-1', 2)).toBeGreaterThan(0);
    c.runFor(10 * ELECTION_TIMEOUT);
    expect(c.appliedValues(victim)).not.toContain('rv-1');
    // Whatever it does (it may never learn it was removed, and campaign), the leader stays.
    expect(c.leader()).toBe(leader);
    expect(c.term(leader)).toBe(term);
    expect(c.role(victim)).not.toBe('leader');
    // The remaining two really are the quorum: cut one and nothing commits.
    const other = rest.find((id) => id !== leader)!;
    c.disconnect(other);
    const r = c.propose('rv-alone', leader);
    c.runFor(2 * ELECTION_TIMEOUT);
    if (r.ok) expect(c.nCommitted(r.index).count).toBe(0);
    c.connect(other);
    expect(c.one('rv-2', 2)).toBeGreaterThan(0);
    expect(expectAllAgree(c, rest).slice(0, 2)).toEqual(['rv-0', 'rv-1']);
    c.assertSafe();
  });

  it.each(seeds(3))(
    'removing the leader: it steps down once the change commits, a new leader is elected without it, and the cluster keeps committing (seed %i)',
    (seed) => {
      const c = newCluster(3, seed);
      const rec = recordEvents(c);
      expect(c.one('rl-0', 3)).toBeGreaterThan(0);
      const leader = checkOneLeader(c);
      const rest = c.ids().filter((id) => id !== leader);
      const winsBefore = eventsOf(rec, 'election-won', leader).length;
      const r = c.remove(leader);
      expect(r.ok).toBe(true);
      // A leader that is leaving takes no new work.
      expect(c.propose('rl-refused', leader).ok).toBe(false);

      const leader2 = checkOneLeader(c, rest);
      expect(rest).toContain(leader2);
      expect(c.membership().voters).toEqual(rest);
      expect(eventsOf(rec, 'role-change', leader).some((e) => e.to === 'follower' && e.cause === 'removed')).toBe(true);

      for (const v of ['rl-1', 'rl-2', 'rl-3']) expect(c.one(v, 2), v).toBeGreaterThan(0);
      c.runFor(10 * ELECTION_TIMEOUT);
      // The old leader never leads again, and the new one is not disturbed.
      expect(c.role(leader)).not.toBe('leader');
      expect(c.leader()).toBe(leader2);
      expect(eventsOf(rec, 'election-won', leader)).toHaveLength(winsBefore);
      expect(c.one('rl-4', 2)).toBeGreaterThan(0);
      expect(expectAllAgree(c, rest)).toEqual(['rl-0', 'rl-1', 'rl-2', 'rl-3', 'rl-4']);
      c.assertSafe();
    },
  );
});
