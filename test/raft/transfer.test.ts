// Leadership transfer (dissertation section 3.10).
import { describe, expect, it } from 'vitest';
import { newCluster } from './harness.js';

const MIN = 10;
const MAX = 20;

describe('leadership transfer', () => {
  it('to an up-to-date follower: the leader sends timeout-now and the target wins the next term', () => {
    const c = newCluster([1, 2, 3], { seed: 6 });
    c.electLeader(1);
    c.tickAll(1);
    const term = c.status(1).term;
    const mark = c.mark();
    expect(c.raft(1).transferLeadership(2)).toEqual({ ok: true });
    c.flush(1);
    expect(c.sentOf('timeout-now', () => true, mark)).toEqual([expect.objectContaining({ from: 1, to: 2, term })]);
    expect(c.events(1, 'transfer-started')).toEqual([expect.objectContaining({ target: 2, term })]);
    c.deliverAll();
    expect(c.status(2)).toMatchObject({ role: 'leader', term: term + 1 });
    expect(c.status(1)).toMatchObject({ role: 'follower', term: term + 1, leader: 2 });
    expect(c.status(3)).toMatchObject({ role: 'follower', term: term + 1, leader: 2 });
    // the target campaigns at once, for real (no pre-vote), and the voters skip their lease
    const rc = c.events(2, 'role-change');
    expect(rc.some((e) => e.to === 'candidate' && e.cause === 'transfer')).toBe(true);
    const votes = c.sentOf('vote', (m) => m.from === 2, mark);
    expect(votes.length).toBeGreaterThan(0);
    expect(votes.every((m) => m.transfer === true)).toBe(true);
    expect(c.sentOf('pre-vote', (m) => m.from === 2, mark)).toEqual([]);
    expect(c.events(2, 'campaign').at(-1)).toMatchObject({ round: 'vote', transfer: true });
    // the new leader works
    c.propose(2, 'after');
    c.tickAll(2);
    for (const id of [1, 2, 3]) expect(c.applied(id)).toEqual(['after']);
  });

  it('to a lagging follower: the leader first catches it up, then sends timeout-now', () => {
    const c = newCluster([1, 2, 3], { seed: 6 });
    c.electLeader(1);
    const drop = c.addFilter((m) => (m.type === 'append' && m.to === 3 ? null : m));
    for (let i = 0; i < 5; i++) c.propose(1, `p${i}`);
    c.deliverAll();
    drop();
    const last = c.status(1).lastIndex;
    expect(c.status(3).lastIndex).toBeLessThan(last);
    const mark = c.mark();
    expect(c.raft(1).transferLeadership(3)).toEqual({ ok: true });
    c.flush(1);
    // not yet: n3 lacks entries
    expect(c.sentOf('timeout-now', () => true, mark)).toEqual([]);
    expect(c.raft(1).propose('during')).toMatchObject({ ok: false, reason: 'transfer-in-progress', leader: 1 });
    c.deliverAll();
    c.tickUntil(() => c.status(3).role === 'leader', 2 * MIN);
    expect(c.status(3).role).toBe('leader');
    // the timeout-now left only after n3 acknowledged the leader's whole log
    const seqNow = c.sent.find((r) => r.seq >= mark && r.msg.type === 'timeout-now')!.seq;
    const caughtUp = c.sent.find(
      (r) => r.seq >= mark && r.msg.type === 'append-response' && r.msg.from === 3 && r.msg.success && r.msg.index >= last,
    );
    expect(caughtUp).toBeDefined();
    expect(caughtUp!.seq).toBeLessThan(seqNow);
    expect(c.applied(3)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it('proposals are refused while a transfer is in progress', () => {
    const c = newCluster([1, 2, 3], { seed: 6 });
    c.electLeader(1);
    c.crash(3);
    expect(c.raft(1).transferLeadership(3).ok).toBe(true);
    const r = c.raft(1).propose('x');
    expect(r).toMatchObject({ ok: false, reason: 'transfer-in-progress', leader: 1 });
    c.flush(1);
    expect(c.events(1, 'proposal-refused').at(-1)).toMatchObject({ reason: 'transfer-in-progress', leader: 1 });
    expect(c.status(1).transferee).toBe(3);
  });

  it('a transfer aborts after an election timeout if the target does not take over', () => {
    const c = newCluster([1, 2, 3], { seed: 6 });
    c.electLeader(1);
    c.crash(3);
    const term = c.status(1).term;
    expect(c.raft(1).transferLeadership(3).ok).toBe(true);
    c.flush(1);
    c.tickAll(MIN - 1);
    expect(c.status(1).transferee).toBe(3);
    let ticks = MIN - 1;
    while (c.status(1).transferee !== 0 && ticks < 5 * MAX) {
      c.tickAll(1);
      ticks++;
    }
    expect(ticks).toBeLessThanOrEqual(MAX + 1);
    expect(c.status(1)).toMatchObject({ role: 'leader', term, transferee: 0 });
    expect(c.events(1, 'transfer-aborted')).toEqual([expect.objectContaining({ target: 3 })]);
    expect(c.propose(1, 'again').ok).toBe(true);
    c.tickAll(2);
    expect(c.applied(2)).toEqual(['again']);
  });

  it('a transfer to a node outside the configuration, or asked of a follower, is refused', () => {
    const c = newCluster([1, 2, 3], { seed: 6 });
    c.electLeader(1);
    expect(c.raft(1).transferLeadership(9).ok).toBe(false);
    expect(c.raft(2).transferLeadership(3).ok).toBe(false);
    expect(c.status(1).transferee).toBe(0);
    expect(c.propose(1, 'fine').ok).toBe(true);
  });
});
