// The two hard ones, each shown with its contrast: the same scenario, same seed, with the
// mechanism switched off.
//
// PreVote (Raft dissertation 9.6): a server partitioned alone keeps timing out; without PreVote
// each timeout raises its term, and when it rejoins that term deposes a healthy leader.
//
// CheckQuorum (dissertation 6.2): a leader that has not heard from a majority for an election
// timeout steps down; without it, a leader stranded in a minority believes it leads forever.
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../src/raft/types.js';
import {
  ELECTION_MIN,
  ELECTION_TIMEOUT,
  LabNet,
  checkOneLeader,
  converge,
  eventsOf,
  expectAllAgree,
  newCluster,
  recordEvents,
  seeds,
  watchLeaders,
} from './helpers.js';

/** A 5-node cluster; one follower is partitioned alone for 20 election timeouts, then rejoins. */
function partitionedCandidate(seed: number, preVote: boolean) {
  // CheckQuorum (and so the leader lease) stays at its default, on, in both runs.
  const c = newCluster(5, seed, { raft: { preVote } });
  const net = new LabNet(c);
  const rec = recordEvents(c);
  watchLeaders(c);
  expect(c.one('pv-0', 5)).toBeGreaterThan(0);
  const leader = checkOneLeader(c);
  const term = c.term(leader);
  const lone = c.ids().find((id) => id !== leader)!;

  net.disconnect(lone);
  const mark = rec.length;
  c.runFor(20 * ELECTION_TIMEOUT);
  // Meanwhile the majority goes on: the lone node's log falls behind.
  expect(c.one('pv-1', 4)).toBeGreaterThan(0);
  const campaigns = eventsOf(rec.slice(mark), 'campaign', lone);
  // It kept trying, alone, all along.
  expect(campaigns.length).toBeGreaterThanOrEqual(10);
  const loneTerm = c.term(lone);

  net.connect(lone);
  const rejoined = rec.length;
  c.runFor(10 * ELECTION_TIMEOUT);
  expect(c.one('pv-2', 5)).toBeGreaterThan(0);
  expect(converge(c, c.ids(), 3)).toBe(true);
  expect(expectAllAgree(c)).toEqual(['pv-0', 'pv-1', 'pv-2']);
  const leaderChanges = eventsOf(rec.slice(rejoined), 'role-change', leader);
  return { c, leader, term, lone, loneTerm, campaigns, leaderChanges };
}

describe('PreVote: a candidate partitioned alone for a long time', () => {
  it.each(seeds(3))('rejoins without deposing the leader when PreVote is on: the leader keeps its term (seed %i)', (seed) => {
    const r = partitionedCandidate(seed, true);
    // Alone it only ever asked for pre-votes, which raise no term.
    expect(r.campaigns.every((e) => e.round === 'pre-vote')).toBe(true);
    expect(r.loneTerm).toBe(r.term);
    // Back, it simply follows.
    expect(r.c.leader()).toBe(r.leader);
    expect(r.c.term(r.leader)).toBe(r.term);
    expect(r.leaderChanges).toEqual([]);
    for (const id of r.c.ids()) expect(r.c.term(id)).toBe(r.term);
    expect(r.c.node(r.lone).leader).toBe(r.leader);
    r.c.assertSafe();
  });

  it.each(seeds(3))('deposes the leader when PreVote is off: its inflated term forces a new election (seed %i)', (seed) => {
    const r = partitionedCandidate(seed, false);
    // Alone, every timeout was a real election in a new term.
    expect(r.campaigns.every((e) => e.round === 'vote')).toBe(true);
    expect(r.loneTerm).toBeGreaterThanOrEqual(r.term + 10);
    // Back, its term reaches the leader (a reply to a heartbeat is enough), which steps down.
    expect(r.leaderChanges.some((e) => e.to === 'follower' && e.cause === 'higher-term')).toBe(true);
    const now = r.c.leader();
    expect(r.c.term(now)).toBeGreaterThan(r.loneTerm);
    // The disruptor itself cannot win: its log misses pv-1 (section 5.4.1).
    expect(now).not.toBe(r.lone);
    r.c.assertSafe();
  });
});

/** A 5-node cluster whose leader is left in a minority (alone, or with one follower) for 20 election timeouts. */
function strandedLeader(seed: number, checkQuorum: boolean, minority: 1 | 2) {
  const c = newCluster(5, seed, { raft: { checkQuorum } });
  const rec = recordEvents(c);
  watchLeaders(c);
  expect(c.one('cq-0', 5)).toBeGreaterThan(0);
  const leader = checkOneLeader(c);
  const term = c.term(leader);
  const followers = c.ids().filter((id) => id !== leader);
  const withLeader: NodeId[] = [leader, ...followers.slice(0, minority - 1)];
  const majority = followers.slice(minority - 1);

  const cutAt = c.now;
  c.partition(withLeader, majority);
  const mark = rec.length;
  // The majority elects a leader of its own and commits.
  const leader2 = checkOneLeader(c, majority);
  expect(majority).toContain(leader2);
  expect(c.one('cq-1', 3)).toBeGreaterThan(0);
  c.runFor(20 * ELECTION_TIMEOUT);
  const stepDown = eventsOf(rec.slice(mark), 'role-change', leader).find((e) => e.to === 'follower');
  const stranded = c.propose('cq-stranded', leader);
  c.runFor(ELECTION_TIMEOUT);
  const strandedRole = c.role(leader);

  c.heal();
  expect(c.one('cq-2', 5)).toBeGreaterThan(0);
  expect(converge(c, c.ids(), 3)).toBe(true);
  expect(expectAllAgree(c)).toEqual(['cq-0', 'cq-1', 'cq-2']);
  return { c, leader, term, cutAt, stepDown, stranded, strandedRole, leader2 };
}

describe('CheckQuorum: a leader left in a minority', () => {
  for (const minority of [1, 2] as const) {
    const where = minority === 1 ? 'alone' : 'with one follower';
    it.each(seeds(2))(`${where}, steps down within two election timeouts when CheckQuorum is on (seed %i)`, (seed) => {
      const r = strandedLeader(seed, true, minority);
      expect(r.stepDown).toBeDefined();
      expect(r.stepDown!.cause).toBe('check-quorum');
      expect(r.stepDown!.term).toBe(r.term);
      expect(r.stepDown!.t - r.cutAt).toBeLessThanOrEqual(2 * ELECTION_MIN + 1);
      // No longer leader, it refuses clients instead of taking writes that cannot commit.
      expect(r.stranded.ok).toBe(false);
      expect(r.strandedRole).not.toBe('leader');
      expect(r.c.acknowledged).not.toContain('cq-stranded');
      r.c.assertSafe();
    });

    it.each(seeds(2))(`${where}, stays leader indefinitely when CheckQuorum is off (seed %i)`, (seed) => {
      const r = strandedLeader(seed, false, minority);
      // Twenty election timeouts later it still believes it leads its old term, next to the real leader.
      expect(r.stepDown).toBeUndefined();
      expect(r.strandedRole).toBe('leader');
      expect(r.stranded.ok).toBe(true);
      // Its write never commits: it is lost when the partition heals.
      expect(r.c.acknowledged).not.toContain('cq-stranded');
      expect(r.c.role(r.leader)).toBe('follower');
      r.c.assertSafe();
    });
  }
});
