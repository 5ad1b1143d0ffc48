// Edge cases where implementations tend to slip: duplicated and reordered responses, timers,
// lost probes and snapshots, learners in quorum checks, the Ready contract's "only what changed".
import { describe, expect, it } from 'vitest';
import type { Message, Snapshot } from '../../src/raft/types.js';
import { appendReq, heartbeat, newCluster, normal, restoredLog, voteReq, type Cluster } from './harness.js';

const MIN = 10;
const MAX = 20;

/** A filter that drops the first `n` messages matching `pred`. */
function dropFirst(n: number, pred: (m: Message) => boolean): (m: Message) => Message | null {
  let left = n;
  return (m) => {
    if (left > 0 && pred(m)) {
      left--;
      return null;
    }
    return m;
  };
}

describe('vote counting', () => {
  it('duplicate votes from the same voter are counted once', () => {
    const c = newCluster([1, 2, 3, 4, 5], { config: { preVote: false } });
    c.raft(1).campaign();
    c.flush(1);
    const v: Message = { type: 'vote-response', from: 2, to: 1, term: 1, granted: true };
    c.inject(v);
    c.inject(v);
    c.inject(v);
    expect(c.status(1).role).toBe('candidate');
    c.inject({ ...v, from: 3 });
    expect(c.status(1).role).toBe('leader');
  });

  it('duplicate pre-votes from the same voter are counted once', () => {
    const c = newCluster([1, 2, 3, 4, 5]);
    c.raft(1).campaign();
    c.flush(1);
    expect(c.status(1).role).toBe('pre-candidate');
    const term = c.queued('pre-vote')[0]!.term;
    const v: Message = { type: 'pre-vote-response', from: 2, to: 1, term, granted: true };
    c.inject(v);
    c.inject(v);
    c.inject(v);
    expect(c.status(1).role).toBe('pre-candidate');
    c.inject({ ...v, from: 3 });
    expect(c.status(1)).toMatchObject({ role: 'candidate', term: 1 });
  });

  it('votes granted in an earlier term do not count in a later election', () => {
    const c = newCluster([1, 2, 3], { config: { preVote: false } });
    c.crash(2);
    c.crash(3);
    c.raft(1).campaign();
    c.flush(1);
    while (c.status(1).term < 2) c.tick(1);
    expect(c.status(1)).toMatchObject({ role: 'candidate', term: 2 });
    c.inject({ type: 'vote-response', from: 2, to: 1, term: 1, granted: true });
    c.inject({ type: 'vote-response', from: 3, to: 1, term: 1, granted: true });
    expect(c.status(1).role).toBe('candidate');
  });

  it('a pre-vote granted for an earlier pre-election does not count in a later one', () => {
    const c = newCluster([1, 2, 3], { seed: 2 });
    // n1 pre-campaigns for term 1; n2's grant is delayed in the network
    c.raft(1).campaign();
    c.flush(1);
    c.deliverWhere((m) => m.type === 'pre-vote' && m.to === 2);
    const late = c.queued('pre-vote-response', (m) => m.to === 1 && m.granted);
    expect(late).toHaveLength(1);
    c.dropQueued();
    // meanwhile n2 becomes leader of term 1 and n1 follows it
    c.electLeader(2);
    expect(c.status(1)).toMatchObject({ role: 'follower', term: 1, leader: 2 });
    // n1 loses touch with n2 and pre-campaigns again, now for term 2
    c.cut(1, 2);
    while (c.status(1).role !== 'pre-candidate') c.tick(1);
    expect(c.status(1).term).toBe(1);
    // the old grant (for term 1) arrives: it says nothing about term 2
    c.inject(late[0]!);
    expect(c.status(1)).toMatchObject({ role: 'pre-candidate', term: 1 });
  });

  it('a refused pre-vote that carries a higher term makes the pre-candidate adopt it', () => {
    const c = newCluster([1, 2, 3]);
    c.raft(1).campaign();
    c.flush(1);
    c.inject({ type: 'pre-vote-response', from: 2, to: 1, term: 5, granted: false, reason: 'log-not-up-to-date' });
    expect(c.status(1)).toMatchObject({ role: 'follower', term: 5 });
  });

  it('with four voters, two acknowledgements are not a majority', () => {
    const c = newCluster([1, 2, 3, 4]);
    c.electLeader(1);
    c.isolate(3);
    c.isolate(4);
    const r = c.propose(1, 'x');
    c.deliverAll();
    c.tickAll(3);
    expect(r.ok).toBe(true);
    expect(c.status(1).commit).toBe(1);
    c.heal();
    c.isolate(4);
    c.tickAll(3);
    expect(c.status(1).commit).toBe(2);
  });

  it('a single-node cluster commits and applies a proposal at once', () => {
    const c = newCluster([1]);
    c.electLeader(1);
    const r = c.propose(1, 'solo');
    expect(r).toMatchObject({ ok: true, index: 2 });
    expect(c.status(1).commit).toBe(2);
    expect(c.applied(1)).toEqual(['solo']);
  });

  it('a single node left alone elects itself by ticking', () => {
    const c = newCluster([1]);
    c.tickUntil(() => c.status(1).role === 'leader', MAX + 1);
    expect(c.status(1)).toMatchObject({ role: 'leader', term: 1, commit: 1 });
  });
});

describe('election timer (Figure 2, rules for followers)', () => {
  /** Ticks at which node 3 of a fresh cluster with this seed would start campaigning. */
  function fireTick(seed: number): number {
    const probe = newCluster([1, 2, 3], { seed });
    let k = 0;
    while (probe.status(3).role === 'follower') {
      probe.tick(3);
      k++;
    }
    return k;
  }
  const campaigned = (c: Cluster): boolean => c.status(3).role !== 'follower' || c.events(3, 'campaign').length > 0;

  it('granting a vote resets the election timer', () => {
    const seed = 17;
    const k = fireTick(seed);
    const c = newCluster([1, 2, 3], { seed });
    c.tick(3, k - 1);
    const out = c.inject(voteReq(1, 3, 1, 0, 0));
    expect(out.messages.some((m) => m.type === 'vote-response' && m.granted)).toBe(true);
    c.tick(3, MIN - 1);
    expect(campaigned(c)).toBe(false);
    c.tick(3, MAX);
    expect(campaigned(c)).toBe(true);
  });

  it('a message from the current leader resets the election timer', () => {
    const seed = 17;
    for (const m of [heartbeat(1, 3, 1, 0), appendReq(1, 3, 1, 0, 0, [], 0)]) {
      const c = newCluster([1, 2, 3], { seed });
      c.inject(heartbeat(1, 3, 1, 0)); // n1 is the leader of term 1
      // to the brink of the (redrawn) timeout
      while (c.status(3).electionElapsed < c.status(3).electionTimeout - 1) c.tick(3);
      expect(c.status(3).role).toBe('follower');
      c.inject(m);
      c.tick(3, MIN - 1);
      expect(campaigned(c)).toBe(false);
      c.tick(3, MAX);
      expect(campaigned(c)).toBe(true);
    }
  });

  it('refusing a vote does not reset the election timer', () => {
    const seed = 17;
    const restored = { 3: restoredLog([1, 2], { term: 2 }) };
    const probe = newCluster([1, 2, 3], { seed, restored });
    let k = 0;
    while (probe.status(3).role === 'follower') {
      probe.tick(3);
      k++;
    }
    const c = newCluster([1, 2, 3], { seed, restored });
    c.tick(3, k - 1);
    const out = c.inject(voteReq(1, 3, 2, 5, 1)); // same term, stale log: refused
    expect(out.messages.some((m) => m.type === 'vote-response' && m.granted)).toBe(false);
    c.tick(3, 1);
    expect(c.status(3).role).not.toBe('follower');
  });
});

describe('reordered and duplicated replication messages', () => {
  it('a late rejection of an old probe does not move the match index back', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    for (const d of ['a', 'b', 'c']) c.propose(1, d);
    c.deliverAll();
    expect(c.status(1).progress[2]!.match).toBe(4);
    c.inject({ type: 'append-response', from: 2, to: 1, term: 1, success: false, index: 2, conflictTerm: 0, conflictIndex: 2 });
    const p = c.status(1).progress[2]!;
    expect(p.match).toBe(4);
    expect(p.next).toBeGreaterThan(4);
    c.propose(1, 'd');
    c.deliverAll();
    c.tickAll(2);
    expect(c.applied(2)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a late success for an old append does not move the match index back', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    for (const d of ['a', 'b', 'c']) c.propose(1, d);
    c.deliverAll();
    c.inject({ type: 'append-response', from: 2, to: 1, term: 1, success: true, index: 2, conflictTerm: 0, conflictIndex: 0 });
    expect(c.status(1).progress[2]!.match).toBe(4);
    expect(c.status(1).commit).toBe(4);
  });

  it('a duplicated, older append does not truncate entries the follower got later', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    c.propose(1, 'a');
    const first = c.queued('append', (m) => m.to === 2)[0]!;
    c.deliverAll();
    c.propose(1, 'b');
    c.deliverAll();
    expect(c.logTerms(2)).toEqual([1, 1, 1]);
    c.inject(first); // the first append again, long after
    expect(c.logTerms(2)).toEqual([1, 1, 1]);
    expect(c.events(2, 'truncate')).toEqual([]);
  });

  it('an append that starts inside the follower snapshot is handled without disturbing the log', () => {
    const snapshot: Snapshot = { meta: { index: 10, term: 2, membership: { voters: [1, 2, 3], learners: [] } }, data: 'snap' };
    const c = newCluster([1, 2, 3], {
      restored: {
        1: { hardState: { term: 2, vote: 0, commit: 10 }, snapshot, entries: [normal(11, 2), normal(12, 2)] },
      },
    });
    const ents = [9, 10, 11, 12, 13].map((i) => normal(i, 2));
    const out = c.inject(appendReq(2, 1, 2, 8, 1, ents, 12));
    const s = c.status(1);
    expect(s.snapshotIndex).toBe(10);
    expect(s.lastIndex).toBeGreaterThanOrEqual(12);
    expect(c.raft(1).termAt(11)).toBe(2);
    expect(c.raft(1).termAt(12)).toBe(2);
    const resp = out.messages.filter((m) => m.type === 'append-response');
    expect(resp.length).toBe(1);
    expect(resp[0]!.success).toBe(true);
    expect(resp[0]!.index).toBeGreaterThanOrEqual(10);
    expect(c.events(1, 'truncate')).toEqual([]);
  });

  it('a stale timeout-now is ignored', () => {
    const c = newCluster([1, 2, 3], { restored: { 3: restoredLog([1], { term: 3 }) } });
    c.inject({ type: 'timeout-now', from: 1, to: 3, term: 2 });
    expect(c.status(3)).toMatchObject({ role: 'follower', term: 3 });
    expect(c.events(3, 'campaign')).toEqual([]);
  });
});

describe('recovery from lost messages', () => {
  it('a lost probe is retried, and the follower catches up', () => {
    const c = newCluster([1, 2, 3]);
    c.crash(3);
    c.electLeader(1);
    for (const d of ['a', 'b', 'c']) c.propose(1, d);
    c.deliverAll();
    c.restart(3);
    c.addFilter(dropFirst(1, (m) => m.type === 'append' && m.to === 3));
    expect(c.tickUntil(() => c.applied(3).length === 3, 40)).toBeGreaterThanOrEqual(0);
  });

  it('a follower whose appends were all lost with the window full catches up from heartbeats alone', () => {
    const c = newCluster([1, 2, 3], { config: { maxInflightMsgs: 2 } });
    c.electLeader(1);
    const undo = c.addFilter((m) => (m.type === 'append' && m.to === 2 ? null : m));
    for (let i = 0; i < 6; i++) {
      c.propose(1, `p${i}`);
      c.deliverAll();
    }
    undo();
    expect(c.tickUntil(() => c.applied(2).length === 6, 40)).toBeGreaterThanOrEqual(0);
  });

  it('a lost snapshot is sent again', () => {
    const c = newCluster([1, 2, 3], { seed: 4 });
    c.electLeader(1);
    c.crash(3);
    for (let i = 0; i < 5; i++) c.propose(1, `e${i}`);
    c.deliverAll();
    c.tickAll(1);
    c.compact(1);
    c.restart(3);
    c.addFilter(dropFirst(1, (m) => m.type === 'snapshot'));
    expect(c.tickUntil(() => c.applied(3).length === 5, 80)).toBeGreaterThanOrEqual(0);
    expect(c.sentOf('snapshot', (m) => m.to === 3).length).toBeGreaterThanOrEqual(2);
  });

  it('a lost timeout-now leaves the leader in charge, and proposals work after the transfer times out', () => {
    const c = newCluster([1, 2, 3], { seed: 4 });
    c.electLeader(1);
    c.addFilter(dropFirst(1, (m) => m.type === 'timeout-now'));
    expect(c.raft(1).transferLeadership(2).ok).toBe(true);
    c.flush(1);
    c.tickAll(2 * MAX);
    expect(c.leader()).toBeDefined();
    const l = c.leader()!;
    expect(c.propose(l, 'x').ok).toBe(true);
    c.tickAll(2);
    expect(c.applied(3)).toEqual(['x']);
  });
});

describe('learners do not count for check-quorum or reads', () => {
  function leaderWithLearner(): Cluster {
    const c = newCluster([1, 2, 3], { seed: 10 });
    c.electLeader(1);
    c.addNode(4, { voters: [] });
    expect(c.proposeConfChange(1, { type: 'add-learner', node: 4 }).ok).toBe(true);
    c.deliverAll();
    c.tickAll(3);
    expect(c.status(4).membership.learners).toEqual([4]);
    return c;
  }

  it('a leader that hears only from a learner steps down (check-quorum)', () => {
    const c = leaderWithLearner();
    c.partition([1, 4], [2, 3]);
    let ticks = 0;
    while (c.status(1).role === 'leader' && ticks < 10 * MAX) {
      c.tick(1);
      c.tick(4);
      c.deliverAll();
      ticks++;
    }
    expect(c.status(1).role).not.toBe('leader');
    expect(ticks).toBeLessThanOrEqual(2 * MAX);
    expect(c.events(1, 'role-change').at(-1)).toMatchObject({ cause: 'check-quorum' });
  });

  it("a learner's heartbeat acknowledgement does not confirm a read", () => {
    const c = leaderWithLearner();
    c.partition([1, 4], [2, 3]);
    c.raft(1).readIndex('r');
    c.flush(1);
    for (let i = 0; i < MIN - 2; i++) {
      c.tick(1);
      c.tick(4);
      c.deliverAll();
    }
    expect(c.node(1).readStates).toEqual([]);
  });
});

describe('Ready carries only what changed', () => {
  it('a heartbeat-only Ready has no soft state, hard state, entries or committed entries', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    c.tickAll(2);
    c.raft(1).tick();
    c.raft(1).tick();
    const readies = c.flush(1);
    const hb = readies.filter((r) => r.messagesBeforePersist.some((m) => m.type === 'heartbeat'));
    expect(hb).toHaveLength(1);
    expect(hb[0]).toMatchObject({ softState: null, hardState: null, entries: [], committedEntries: [], snapshot: null });
    c.deliverAll();
    expect(c.raft(1).hasReady()).toBe(false);
  });

  it('softState reports role and leader when they change', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    const soft1 = c
      .node(1)
      .readies.map((r) => r.softState)
      .filter((s) => s !== null);
    expect(soft1.at(-1)).toEqual({ role: 'leader', leader: 1 });
    const soft2 = c
      .node(2)
      .readies.map((r) => r.softState)
      .filter((s) => s !== null);
    expect(soft2.at(-1)).toEqual({ role: 'follower', leader: 1 });
  });

  it('entries() and termAt() are clipped to the log', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    c.propose(1, 'a');
    c.deliverAll();
    expect(
      c
        .raft(1)
        .entries(0, 100)
        .map((e) => e.index),
    ).toEqual([1, 2]);
    expect(c.raft(1).termAt(3)).toBeUndefined();
    expect(c.raft(1).termAt(2)).toBe(1);
  });
});
