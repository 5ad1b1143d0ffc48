// SimCluster's controls, each exercised once. (The full MIT-lab style scenarios live elsewhere.)
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../src/sim/cluster.js';

function cluster(nodes = 3, seed = 1, extra: ConstructorParameters<typeof SimCluster>[0] = {}): SimCluster {
  return new SimCluster({ nodes, seed, ...extra });
}

describe('SimCluster', () => {
  it('elects one leader and agrees on writes', () => {
    const c = cluster(3);
    const leader = c.waitForLeader();
    expect(leader).not.toBe(0);
    const index = c.one('x', 3);
    expect(index).toBeGreaterThan(0);
    expect(c.nCommitted(index)).toEqual({ count: 3, entry: { term: c.term(leader), key: 'x' } });
    for (const id of c.ids()) expect(c.appliedValues(id)).toEqual(['x']);
    c.assertSafe();
  });

  it('serves a linearizable read that sees every acknowledged write', () => {
    const c = cluster(3);
    c.waitForLeader();
    c.one('a', 3);
    c.one('b', 3);
    const read = c.read();
    expect(c.runUntil(() => read.completedAt >= 0, 100)).toBe(true);
    expect(c.readValues(read)).toEqual(['a', 'b']);
    c.assertSafe();
  });

  it('re-elects after the leader crashes, and the old leader rejoins from its disk', () => {
    const c = cluster(3, 2);
    const first = c.waitForLeader();
    c.one('before', 3);
    c.crash(first);
    expect(c.isUp(first)).toBe(false);
    const second = c.waitForLeader();
    expect(second).not.toBe(0);
    expect(second).not.toBe(first);
    c.one('during', 2);
    c.restart(first);
    expect(c.node(first).storage.lastIndex).toBeGreaterThan(0);
    expect(c.runUntil(() => c.appliedValues(first).length === 2, 200)).toBe(true);
    expect(c.appliedValues(first)).toEqual(['before', 'during']);
    c.assertSafe();
  });

  it('commits nothing in a minority, and catches it up after the heal', () => {
    const c = cluster(5, 3);
    const leader = c.waitForLeader();
    const others = c.ids().filter((id) => id !== leader);
    c.partition([leader, others[0]!], others.slice(1));
    const stranded = c.propose('lost?', leader);
    expect(stranded.ok).toBe(true);
    c.step(50);
    expect(c.acknowledged).not.toContain('lost?');
    const majorityLeader = c.waitForLeader();
    expect(others.slice(1)).toContain(majorityLeader);
    expect(c.one('kept', 3)).toBeGreaterThan(0);
    c.heal();
    expect(c.runUntil(() => c.ids().every((id) => c.appliedValues(id).includes('kept')), 300)).toBe(true);
    expect(c.acknowledged).not.toContain('lost?');
    c.assertSafe();
  });

  it('isolates a node with disconnect, and a one-way cut keeps the other direction', () => {
    const c = cluster(3, 4);
    const leader = c.waitForLeader();
    const follower = c.ids().find((id) => id !== leader)!;
    c.disconnect(follower);
    c.one('while away', 2);
    expect(c.appliedValues(follower)).toEqual([]);
    c.connect(follower);
    expect(c.runUntil(() => c.appliedValues(follower).length === 1, 100)).toBe(true);
    c.cut(follower, leader);
    expect(c.network.isBlocked(follower, leader)).toBe(true);
    expect(c.network.isBlocked(leader, follower)).toBe(false);
    c.heal();
    c.assertSafe();
  });

  it('keeps working over an unreliable network', () => {
    const c = cluster(5, 5);
    c.setUnreliable(true);
    c.waitForLeader(500);
    for (let i = 0; i < 10; i++) c.write(`u${i}`);
    expect(c.runUntil(() => c.pendingWrites === 0, 2000)).toBe(true);
    c.setUnreliable(false);
    expect(new Set(c.acknowledged)).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `u${i}`)));
    c.assertSafe();
  });

  it('sends a snapshot to a follower that fell behind the compacted log', () => {
    const c = cluster(3, 6, { compactEvery: 5 });
    const leader = c.waitForLeader();
    const behind = c.ids().find((id) => id !== leader)!;
    c.crash(behind);
    for (let i = 0; i < 20; i++) c.one(`s${i}`, 2);
    expect(c.node(leader).storage.snapshotIndex).toBeGreaterThan(c.node(behind).storage.lastIndex);
    c.restart(behind);
    expect(c.runUntil(() => c.appliedValues(behind).length === 20, 300)).toBe(true);
    expect(c.node(behind).storage.snapshot).not.toBeNull();
    expect(c.traceLines().some((l) => l.includes('installs a snapshot'))).toBe(true);
    c.assertSafe();
  });

  it('adds a learner, promotes it and removes a voter', () => {
    const c = cluster(3, 7);
    c.waitForLeader();
    c.one('a', 3);
    const { id, result } = c.addLearner();
    expect(result.ok).toBe(true);
    expect(c.runUntil(() => c.membership().learners.includes(id) && c.appliedValues(id).includes('a'), 200)).toBe(true);
    expect(c.runUntil(() => c.promote(id).ok, 200)).toBe(true);
    expect(c.runUntil(() => c.membership().voters.includes(id), 200)).toBe(true);
    const victim = c.membership().voters.find((v) => v !== c.leader() && v !== id)!;
    expect(c.runUntil(() => c.remove(victim).ok, 200)).toBe(true);
    expect(c.runUntil(() => !c.membership().voters.includes(victim), 200)).toBe(true);
    expect(c.one('after', 3)).toBeGreaterThan(0);
    c.assertSafe();
  });

  it('hands leadership over on request', () => {
    const c = cluster(3, 8);
    const leader = c.waitForLeader();
    c.one('a', 3);
    const target = c.ids().find((id) => id !== leader)!;
    expect(c.transferLeadership(target).ok).toBe(true);
    expect(c.runUntil(() => c.leader() === target, 100)).toBe(true);
    c.assertSafe();
  });

  it('loses what a node had not persisted when it crashes mid-step', () => {
    const c = cluster(3, 9);
    const leader = c.waitForLeader();
    const follower = c.ids().find((id) => id !== leader)!;
    c.propose('x', leader);
    c.crashBeforePersist(follower);
    c.step(3);
    expect(c.isUp(follower)).toBe(false);
    expect(c.node(follower).storage.lastIndex).toBeLessThan(c.node(leader).storage.lastIndex);
    c.restart(follower);
    expect(c.runUntil(() => c.appliedValues(follower).includes('x'), 100)).toBe(true);
    c.assertSafe();
  });

  it('keeps a readable trace', () => {
    const c = cluster(3);
    c.waitForLeader();
    const lines = c.traceLines();
    expect(lines.some((l) => /^t=\d+ n\d becomes leader in term 1/.test(l))).toBe(true);
    expect(c.traceLines(5)).toHaveLength(5);
  });
});
