// Log agreement: the MIT 6.5840 lab's part 3B (TestBasicAgree3B, TestFailAgree3B,
// TestFailNoAgree3B, TestConcurrentStarts3B, TestRejoin3B, TestBackup3B), on SimCluster.
// Raft paper sections 5.3 and 5.4. Unlike the lab's Raft, every new leader appends a no-op entry
// (section 5.4.2 / dissertation 6.4), so indexes are checked relative to each other.
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../src/raft/types.js';
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
  storedEntries,
  testRandom,
} from './helpers.js';

describe('basic agreement (lab TestBasicAgree3B)', () => {
  it.each(seeds(3))('one(value) commits on all nodes, each value at the next index (seed %i)', (seed) => {
    const c = newCluster(3, seed);
    const leader = checkOneLeader(c);
    expect(leader).not.toBe(0);
    let prev = 0;
    for (let i = 1; i <= 3; i++) {
      const next = c.status(leader)!.lastIndex + 1;
      expect(c.nCommitted(next).count, 'some have committed before the proposal').toBe(0);
      const value = `basic-${i}`;
      const index = c.one(value, 3);
      expect(index).toBe(next);
      if (prev > 0) expect(index).toBe(prev + 1);
      expect(c.nCommitted(index)).toEqual({ count: 3, entry: { term: c.term(leader), key: value } });
      prev = index;
    }
    expect(expectAllAgree(c)).toEqual(['basic-1', 'basic-2', 'basic-3']);
    c.assertSafe();
  });
});

describe('agreement despite a disconnected follower (lab TestFailAgree3B)', () => {
  it.each(seeds(3))('the two others keep committing, and the follower catches up when it rejoins (seed %i)', (seed) => {
    const c = newCluster(3, seed);
    const net = new LabNet(c);
    expect(c.one('fa-101', 3)).toBeGreaterThan(0);
    const leader = checkOneLeader(c);
    const follower = c.ids().find((id) => id !== leader)!;
    net.disconnect(follower);

    for (const v of ['fa-102', 'fa-103']) expect(c.one(v, 2), v).toBeGreaterThan(0);
    c.runFor(ELECTION_TIMEOUT);
    for (const v of ['fa-104', 'fa-105']) expect(c.one(v, 2), v).toBeGreaterThan(0);
    // The follower holds none of it; the majority did not wait for it.
    expect(c.appliedValues(follower)).toEqual(['fa-101']);
    expect(c.leader()).toBe(leader);

    net.connect(follower);
    expect(c.one('fa-106', 3)).toBeGreaterThan(0);
    c.runFor(ELECTION_TIMEOUT);
    expect(c.one('fa-107', 3)).toBeGreaterThan(0);
    expect(expectAllAgree(c)).toEqual(['fa-101', 'fa-102', 'fa-103', 'fa-104', 'fa-105', 'fa-106', 'fa-107']);
    c.assertSafe();
  });
});

describe('no agreement without a quorum (lab TestFailNoAgree3B)', () => {
  it.each(seeds(3))(
    'with 3 of 5 disconnected a proposal to the leader does not commit; reconnected, the cluster proceeds (seed %i)',
    (seed) => {
      const c = newCluster(5, seed);
      const net = new LabNet(c);
      expect(c.one('na-10', 5)).toBeGreaterThan(0);
      const leader = checkOneLeader(c);
      const followers = c.ids().filter((id) => id !== leader);
      net.disconnect(...followers.slice(0, 3));

      const r = c.propose('na-20', leader);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.index).toBe(c.status(leader)!.commit + 1);
      c.runFor(2 * ELECTION_TIMEOUT);
      expect(c.nCommitted(r.index).count).toBe(0);
      expect(c.acknowledged).not.toContain('na-20');
      for (const id of c.ids()) expect(c.node(id).storage.hardState.commit).toBeLessThan(r.index);

      net.connectAll();
      const leader2 = checkOneLeader(c);
      expect(leader2).not.toBe(0);
      const r2 = c.propose('na-30', leader2);
      expect(r2.ok).toBe(true);
      // Like the lab (index2 in [2, 3]): na-20 was either kept or replaced, never duplicated in front.
      if (r2.ok) expect(r2.index).toBeGreaterThanOrEqual(r.index);
      expect(c.one('na-1000', 5)).toBeGreaterThan(0);
      const values = expectAllAgree(c);
      expect(values[0]).toBe('na-10');
      expect(values.slice(-2)).toEqual(['na-30', 'na-1000']);
      c.assertSafe();
    },
  );
});

describe('concurrent proposals (lab TestConcurrentStarts3B)', () => {
  it.each(seeds(3))('many proposals in one tick all commit, in one order on every node (seed %i)', (seed) => {
    const c = newCluster(3, seed);
    const leader = checkOneLeader(c);
    expect(c.one('cs-first', 3)).toBeGreaterThan(0);
    const term = c.term(leader);
    const values = Array.from({ length: 50 }, (_, i) => `cs-${i}`);
    const indexes: number[] = [];
    for (const v of values) {
      const r = c.propose(v, leader);
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect(r.term).toBe(term);
        indexes.push(r.index);
      }
    }
    // Consecutive slots, handed out in proposal order.
    expect(indexes).toEqual(indexes.map((_, i) => indexes[0]! + i));
    expect(converge(c, c.ids(), 51, 200)).toBe(true);
    expect(c.term(leader)).toBe(term);
    expect(expectAllAgree(c)).toEqual(['cs-first', ...values]);
    for (const [i, v] of values.entries()) expect(c.nCommitted(indexes[i]!)).toEqual({ count: 3, entry: { term, key: v } });
    c.assertSafe();
  });
});

describe('rejoin of a partitioned leader (lab TestRejoin3B)', () => {
  it.each(seeds(5))("an old leader with uncommitted entries rejoins and its entries are replaced by the new leader's (seed %i)", (seed) => {
    const c = newCluster(3, seed);
    const net = new LabNet(c);
    const rec = recordEvents(c);
    expect(c.one('rj-101', 3)).toBeGreaterThan(0);

    // The leader is partitioned away and takes proposals that can never commit.
    const leader1 = checkOneLeader(c);
    const term1 = c.term(leader1);
    net.disconnect(leader1);
    const stale = ['stale-102', 'stale-103', 'stale-104'];
    const staleIdx: number[] = [];
    for (const v of stale) {
      const r = c.propose(v, leader1);
      expect(r.ok).toBe(true);
      if (r.ok) staleIdx.push(r.index);
    }
    c.step();
    expect(
      storedEntries(c, leader1)
        .filter((e) => stale.includes(e.key))
        .map((e) => e.index),
    ).toEqual(staleIdx);

    // The others elect a new leader and commit.
    expect(c.one('rj-103', 2)).toBeGreaterThan(0);
    const leader2 = checkOneLeader(
      c,
      c.ids().filter((id) => id !== leader1),
    );
    expect(leader2).not.toBe(leader1);

    // The new leader is partitioned away; the old one comes back to the third node.
    net.disconnect(leader2);
    net.connect(leader1);
    expect(c.one('rj-104', 2)).toBeGreaterThan(0);
    // The old leader's log was less up to date: it did not win, and its entries were cut.
    expect(c.leader()).not.toBe(leader1);
    const cut = eventsOf(rec, 'truncate', leader1);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.flatMap((e) => e.terms)).toContain(term1);
    expect(cut[0]!.from).toBeLessThanOrEqual(staleIdx[0]!);

    net.connectAll();
    expect(c.one('rj-105', 3)).toBeGreaterThan(0);
    expect(converge(c, c.ids(), 4)).toBe(true);
    expect(expectAllAgree(c)).toEqual(['rj-101', 'rj-103', 'rj-104', 'rj-105']);
    for (const v of stale) expect(c.acknowledged).not.toContain(v);
    for (const e of storedEntries(c, leader1)) expect(stale).not.toContain(e.key);
    c.assertSafe();
  });
});

describe('backup (lab TestBackup3B)', () => {
  it.each(seeds(5))(
    'divergent logs of 50 uncommitted entries are repaired in about one round trip per divergent term, not per entry (seed %i)',
    (seed) => {
      const c = newCluster(5, seed);
      const net = new LabNet(c);
      const rnd = testRandom(seed, 'backup');
      let n = 0;
      const value = (tag: string): string => `${tag}-${n++}-${rnd.int(0, 9999)}`;
      const rec = recordEvents(c);
      const ids = c.ids();
      const at = (leader: NodeId, k: number): NodeId => ids[(ids.indexOf(leader) + k) % ids.length]!;

      expect(c.one(value('start'), 5)).toBeGreaterThan(0);

      // Leader and one follower are partitioned away: 50 proposals that cannot commit.
      const leader1 = checkOneLeader(c);
      net.only(leader1, at(leader1, 1));
      const lost1: string[] = [];
      for (let i = 0; i < 50; i++) {
        const v = value('lost1');
        lost1.push(v);
        expect(c.propose(v, leader1).ok).toBe(true);
      }
      c.runFor(ELECTION_TIMEOUT / 2);

      // The other three commit 50 entries.
      net.only(at(leader1, 2), at(leader1, 3), at(leader1, 4));
      for (let i = 0; i < 50; i++) expect(c.one(value('kept1'), 3), `kept1 #${i}`).toBeGreaterThan(0);

      // Their leader and one follower take 50 more that cannot commit.
      const leader2 = checkOneLeader(c, net.list);
      const other = net.list.find((id) => id !== leader2)!;
      net.disconnect(other);
      const lost2: string[] = [];
      for (let i = 0; i < 50; i++) {
        const v = value('lost2');
        lost2.push(v);
        expect(c.propose(v, leader2).ok).toBe(true);
      }
      c.runFor(ELECTION_TIMEOUT / 2);

      // The first pair comes back with the follower left out: 50 commits on that side.
      const repairFrom = rec.length;
      net.only(leader1, at(leader1, 1), other);
      for (let i = 0; i < 50; i++) expect(c.one(value('kept2'), 3), `kept2 #${i}`).toBeGreaterThan(0);

      // Everyone.
      net.connectAll();
      const last = value('end');
      expect(c.one(last, 5)).toBeGreaterThan(0);
      expect(converge(c, ids, 102)).toBe(true);
      const agreed = expectAllAgree(c);
      expect(agreed).toHaveLength(102);
      expect(agreed.filter((v) => v.startsWith('kept1'))).toHaveLength(50);
      expect(agreed.filter((v) => v.startsWith('kept2'))).toHaveLength(50);
      for (const v of [...lost1, ...lost2]) expect(c.acknowledged).not.toContain(v);

      // Repair cost. Each of leader1, its follower, leader2 and the node left with it held a
      // suffix of 50 entries of one divergent term. Probing entry by entry would take ~50
      // rejections each; the conflict hint (end of section 5.3) skips a whole term per round trip.
      const repaired = [leader1, at(leader1, 1), ...ids.filter((id) => id !== other && ![leader1, at(leader1, 1)].includes(id))];
      const rejections = eventsOf(rec.slice(repairFrom), 'append-rejected');
      for (const id of repaired) {
        const mine = rejections.filter((e) => e.node === id);
        expect(mine.length, `n${id} rejected ${mine.length} appends`).toBeLessThanOrEqual(3);
        // ...and its divergent suffix was cut in one go.
        const truncations = eventsOf(rec.slice(repairFrom), 'truncate', id);
        expect(truncations.length, `n${id} truncated ${truncations.length} times`).toBeGreaterThanOrEqual(1);
        expect(truncations.length).toBeLessThanOrEqual(2);
      }
      // The first pair did have to be backed up over its term-1 suffix (leader2's pair, whose
      // suffix starts right after the new leader's starting point, may need no rejection at all).
      expect(rejections.filter((e) => e.node === leader1 || e.node === at(leader1, 1)).length).toBeGreaterThanOrEqual(2);
      expect(rejections.length).toBeLessThanOrEqual(12);
      c.assertSafe();
    },
  );
});
