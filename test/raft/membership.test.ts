// Membership changes, one server at a time (dissertation chapter 4): learners, promotion, removal.
import { describe, expect, it } from 'vitest';
import { knownBugs, type BugName } from '../../src/raft/config.js';
import type { ProposeResult } from '../../src/raft/raft.js';
import type { Entry, Membership, NodeId } from '../../src/raft/types.js';
import { confEntry, newCluster, noop } from './harness.js';

const MAX = 20;
const mem = (voters: NodeId[], learners: NodeId[] = []): Membership => ({ voters, learners });
const indexOf = (r: ProposeResult): number => {
  if (!r.ok) throw new Error(`proposal refused: ${r.reason}`);
  return r.index;
};

function withLearner4() {
  const c = newCluster([1, 2, 3], { seed: 10 });
  c.electLeader(1);
  c.propose(1, 'a');
  c.propose(1, 'b');
  c.deliverAll();
  c.addNode(4, { voters: [] });
  const r = c.proposeConfChange(1, { type: 'add-learner', node: 4 });
  c.deliverAll();
  c.tickAll(4);
  return { c, index: indexOf(r) };
}

describe('learners', () => {
  it('add-learner: the learner receives the whole log and everyone records it as a learner', () => {
    const { c, index } = withLearner4();
    for (const id of [1, 2, 3, 4]) expect(c.status(id).membership).toEqual(mem([1, 2, 3], [4]));
    expect(c.applied(4)).toEqual(['a', 'b']);
    expect(c.logEntries(4)).toEqual(c.logEntries(1));
    expect(c.status(4).commit).toBe(c.status(1).commit);
    expect(c.status(1).progress[4]).toMatchObject({ learner: true, match: c.status(1).lastIndex });
    const ev = c.events(1, 'membership');
    expect(ev.length).toBeGreaterThan(0);
    expect(ev.at(-1)).toMatchObject({ change: { type: 'add-learner', node: 4 }, membership: mem([1, 2, 3], [4]), index });
  });

  it('a learner is not counted in quorums', () => {
    const { c } = withLearner4();
    c.crash(2);
    c.crash(3);
    const i = indexOf(c.propose(1, 'c'));
    c.deliverAll();
    c.tickAll(2);
    expect(c.status(4).lastIndex).toBeGreaterThanOrEqual(i);
    expect(c.status(1).commit).toBeLessThan(i);
  });

  it('a candidate does not ask a learner for its vote, and a learner never campaigns', () => {
    const { c } = withLearner4();
    const mark = c.mark();
    c.crash(1);
    expect(c.tickUntil(() => [2, 3].some((id) => c.status(id).role === 'leader'), 10 * MAX)).toBeGreaterThan(0);
    expect(c.sentOf('vote', (m) => m.to === 4, mark)).toEqual([]);
    expect(c.sentOf('pre-vote', (m) => m.to === 4, mark)).toEqual([]);
    const leader = c.leader()!;
    c.tickAll(2);
    expect(c.status(4).leader).toBe(leader);
    // alone, the learner waits forever
    c.crash(2);
    c.crash(3);
    c.tick(4, 10 * MAX);
    expect(c.status(4).role).toBe('follower');
    expect(c.events(4, 'campaign')).toEqual([]);
    expect(c.sentOf('pre-vote', (m) => m.from === 4)).toEqual([]);
    expect(c.sentOf('vote', (m) => m.from === 4)).toEqual([]);
    c.raft(4).campaign();
    c.flush(4);
    expect(c.status(4).role).toBe('follower');
  });

  it("a candidate does not count a learner's vote", () => {
    // n1's configuration: voters 1 2 3, learner 4. Its own vote plus n4's is not a majority of 3.
    const entries: Entry[] = [noop(1, 1), confEntry(2, 1, { type: 'add-learner', node: 4 }, mem([1, 2, 3], [4]))];
    const c = newCluster([1, 2, 3], {
      config: { preVote: false },
      restored: { 1: { hardState: { term: 1, vote: 0, commit: 2 }, snapshot: null, entries } },
    });
    c.raft(1).campaign();
    c.flush(1);
    expect(c.status(1)).toMatchObject({ role: 'candidate', term: 2 });
    expect(
      c
        .queued('vote')
        .map((m) => m.to)
        .sort(),
    ).toEqual([2, 3]);
    c.inject({ type: 'vote-response', from: 4, to: 1, term: 2, granted: true });
    expect(c.status(1).role).toBe('candidate');
    c.inject({ type: 'vote-response', from: 2, to: 1, term: 2, granted: true });
    expect(c.status(1).role).toBe('leader');
  });

  it('promote is refused while the learner is behind, then it becomes a voter that counts', () => {
    const c = newCluster([1, 2, 3], { seed: 10 });
    c.electLeader(1);
    // n4 does not exist yet: everything sent to it is lost
    indexOf(c.proposeConfChange(1, { type: 'add-learner', node: 4 }));
    c.deliverAll();
    for (let i = 0; i < 5; i++) c.propose(1, `p${i}`);
    c.deliverAll();
    expect(c.proposeConfChange(1, { type: 'promote', node: 4 })).toMatchObject({
      ok: false,
      reason: 'learner-not-caught-up',
      leader: 1,
    });
    expect(c.status(1).membership).toEqual(mem([1, 2, 3], [4]));
    c.addNode(4, { voters: [] });
    const caught = c.tickUntil(() => c.status(1).progress[4]?.match === c.status(1).lastIndex, 30);
    expect(caught).toBeGreaterThanOrEqual(0);
    indexOf(c.proposeConfChange(1, { type: 'promote', node: 4 }));
    c.deliverAll();
    c.tickAll(2);
    for (const id of [1, 2, 3, 4]) expect(c.status(id).membership).toEqual(mem([1, 2, 3, 4]));
    expect(c.status(1).progress[4]!.learner).toBe(false);
    // n1, n3, n4: 3 of 4 voters
    c.crash(2);
    const x = indexOf(c.propose(1, 'x'));
    c.deliverAll();
    expect(c.status(1).commit).toBeGreaterThanOrEqual(x);
    // n1, n4: 2 of 4 is not a majority
    c.crash(3);
    const y = indexOf(c.propose(1, 'y'));
    c.deliverAll();
    c.tickAll(2);
    expect(c.status(1).commit).toBeLessThan(y);
  });
});

describe('removing servers', () => {
  it('removing a voter shrinks the quorum, and the leader stops sending to it', () => {
    const c = newCluster([1, 2, 3], { seed: 10 });
    c.electLeader(1);
    const term = c.status(1).term;
    indexOf(c.proposeConfChange(1, { type: 'remove', node: 3 }));
    c.deliverAll();
    c.tickAll(2);
    expect(c.status(1).membership).toEqual(mem([1, 2]));
    expect(c.status(2).membership).toEqual(mem([1, 2]));
    expect(c.status(1).progress[3]).toBeUndefined();
    const mark = c.mark();
    c.propose(1, 'after');
    c.tickAll(2);
    expect(c.applied(2)).toEqual(['after']);
    expect(c.sent.filter((r) => r.seq >= mark && r.msg.from === 1 && r.msg.to === 3)).toEqual([]);
    // with two voters, both are needed
    c.crash(2);
    const i = indexOf(c.propose(1, 'stuck'));
    c.tickAll(3);
    expect(c.status(1).commit).toBeLessThan(i);
    c.restart(2);
    c.tickAll(3);
    expect(c.status(1).commit).toBeGreaterThanOrEqual(i);
    // the removed server does not disrupt the cluster it left
    c.tickAll(10 * MAX);
    expect(c.status(1)).toMatchObject({ role: 'leader', term });
  });

  it('removing the leader: it steps down once the entry commits (cause removed), and the others elect a new leader', () => {
    const c = newCluster([1, 2, 3], { seed: 10 });
    c.electLeader(1);
    const term = c.status(1).term;
    const i = indexOf(c.proposeConfChange(1, { type: 'remove', node: 1 }));
    // in effect at once, but the leader keeps leading until the entry commits
    expect(c.status(1).membership).toEqual(mem([2, 3]));
    expect(c.status(1).role).toBe('leader');
    c.deliverAll();
    expect(c.status(1).role).toBe('follower');
    expect(c.events(1, 'role-change').at(-1)).toMatchObject({ from: 'leader', to: 'follower', cause: 'removed' });
    expect(c.node(1).storage.hardState.commit).toBeGreaterThanOrEqual(i);
    const campaignsBefore = c.events(1, 'campaign').length;
    expect(c.tickUntil(() => [2, 3].some((id) => c.status(id).role === 'leader'), 10 * MAX)).toBeGreaterThanOrEqual(0);
    const leader = [2, 3].find((id) => c.status(id).role === 'leader')!;
    expect(c.status(leader).term).toBeGreaterThan(term);
    expect(c.status(leader).membership).toEqual(mem([2, 3]));
    c.propose(leader, 'without n1');
    c.tickAll(3);
    expect(c.applied(2)).toEqual(['without n1']);
    expect(c.applied(3)).toEqual(['without n1']);
    c.tickAll(10 * MAX);
    expect(c.events(1, 'campaign').length).toBe(campaignsBefore);
    expect(c.status(1).role).toBe('follower');
  });
});

describe('one change at a time', () => {
  it("a second change is refused ('config-change-pending') while the first is uncommitted", () => {
    const c = newCluster([1, 2, 3], { seed: 10 });
    c.electLeader(1);
    indexOf(c.proposeConfChange(1, { type: 'add-learner', node: 4 }));
    expect(c.proposeConfChange(1, { type: 'add-learner', node: 5 })).toMatchObject({
      ok: false,
      reason: 'config-change-pending',
      leader: 1,
    });
    // normal proposals are fine meanwhile
    expect(c.propose(1, 'x').ok).toBe(true);
    c.deliverAll();
    c.tickAll(1);
    expect(c.proposeConfChange(1, { type: 'add-learner', node: 5 }).ok).toBe(true);
  });

  it('a new leader whose log holds an uncommitted change refuses another until it commits', () => {
    const entries: Entry[] = [noop(1, 1), confEntry(2, 1, { type: 'add-learner', node: 4 }, mem([1, 2, 3], [4]))];
    const st = () => ({ hardState: { term: 1, vote: 0, commit: 1 }, snapshot: null, entries });
    const c = newCluster([1, 2, 3], { restored: { 1: st(), 2: st(), 3: st() } });
    c.raft(1).campaign();
    expect(c.deliverUntil(() => c.status(1).role === 'leader')).toBe(true);
    expect(c.status(1).commit).toBe(1);
    expect(c.raft(1).proposeConfChange({ type: 'add-learner', node: 5 })).toMatchObject({
      ok: false,
      reason: 'config-change-pending',
    });
    c.deliverAll();
    expect(c.status(1).commit).toBe(3);
    expect(c.proposeConfChange(1, { type: 'add-learner', node: 5 }).ok).toBe(true);
  });

  it('invalid changes are refused, and followers refuse changes with not-leader', () => {
    const c = newCluster([1, 2, 3], { seed: 10 });
    c.electLeader(1);
    expect(c.raft(1).proposeConfChange({ type: 'promote', node: 2 })).toMatchObject({ ok: false, reason: 'invalid-change' });
    expect(c.raft(1).proposeConfChange({ type: 'remove', node: 9 })).toMatchObject({ ok: false, reason: 'invalid-change' });
    expect(c.raft(1).proposeConfChange({ type: 'promote', node: 9 })).toMatchObject({ ok: false, reason: 'invalid-change' });
    expect(c.raft(2).proposeConfChange({ type: 'add-learner', node: 4 })).toMatchObject({ ok: false, reason: 'not-leader', leader: 1 });
    expect(c.status(1).membership).toEqual(mem([1, 2, 3]));
  });
});

describe('configuration entries take effect when appended', () => {
  it('on the leader and on a follower, before the entry commits', () => {
    const c = newCluster([1, 2, 3], { seed: 10 });
    c.electLeader(1);
    const i = indexOf(c.proposeConfChange(1, { type: 'add-learner', node: 4 }));
    expect(c.status(1).membership).toEqual(mem([1, 2, 3], [4]));
    expect(c.status(1).commit).toBeLessThan(i);
    c.deliverWhere((m) => m.type === 'append' && m.to === 2);
    expect(c.status(2).lastIndex).toBe(i);
    expect(c.status(2).commit).toBeLessThan(i);
    expect(c.status(2).membership).toEqual(mem([1, 2, 3], [4]));
    expect(c.status(3).membership).toEqual(mem([1, 2, 3]));
  });

  const cases: { name: string; entries: Entry[]; commit: number; before: Membership; after: Membership }[] = [
    {
      name: 'an added learner',
      entries: [noop(1, 1), confEntry(2, 1, { type: 'add-learner', node: 4 }, mem([1, 2, 3], [4]))],
      commit: 1,
      before: mem([1, 2, 3], [4]),
      after: mem([1, 2, 3]),
    },
    {
      name: 'a removed voter',
      entries: [noop(1, 1), confEntry(2, 1, { type: 'remove', node: 3 }, mem([1, 2]))],
      commit: 1,
      before: mem([1, 2]),
      after: mem([1, 2, 3]),
    },
    {
      name: 'a promotion, back to the committed configuration before it',
      entries: [
        noop(1, 1),
        confEntry(2, 1, { type: 'add-learner', node: 4 }, mem([1, 2, 3], [4])),
        confEntry(3, 1, { type: 'promote', node: 4 }, mem([1, 2, 3, 4])),
      ],
      commit: 2,
      before: mem([1, 2, 3, 4]),
      after: mem([1, 2, 3], [4]),
    },
  ];
  it.each(cases)('truncating an uncommitted configuration entry rolls the membership back: $name', ({ entries, commit, before, after }) => {
    const c = newCluster([1, 2, 3], {
      restored: { 2: { hardState: { term: 1, vote: 0, commit }, snapshot: null, entries } },
    });
    expect(c.status(2).membership).toEqual(before);
    // a leader of term 2 that never had the last entry overwrites it
    const last = entries.length;
    c.inject({
      type: 'append',
      from: 3,
      to: 2,
      term: 2,
      prevLogIndex: last - 1,
      prevLogTerm: 1,
      entries: [noop(last, 2)],
      leaderCommit: commit,
    });
    expect(c.logTerms(2).at(-1)).toBe(2);
    expect(c.status(2).membership).toEqual(after);
  });
});

// Dissertation 4.1, as corrected after the single-server change bug found in 2015 (raft-dev,
// "bug in single-server membership changes"): a leader may not append a new configuration entry
// until it has committed an entry of its own term. Otherwise a configuration an old leader left
// uncommitted in a minority of logs and the new leader's next one can have disjoint majorities.
describe('a new leader and configuration changes', () => {
  /** n2, handed leadership by n1, the moment it leads: its no-op is not committed yet. */
  function newLeaderBeforeItsNoOp(bugs: BugName[] = []) {
    const c = newCluster([1, 2, 3], { seed: 10, ...(bugs.length === 0 ? {} : { config: { bugs: knownBugs(bugs) } }) });
    c.electLeader(1);
    c.tickAll(1);
    expect(c.raft(1).transferLeadership(2).ok).toBe(true);
    c.flush(1);
    expect(c.deliverUntil(() => c.status(2).role === 'leader')).toBe(true);
    const s = c.status(2);
    expect(c.raft(2).termAt(s.commit)).toBeLessThan(s.term);
    return { c, s };
  }

  it('a new leader refuses a configuration change until it has committed an entry of its own term', () => {
    const { c } = newLeaderBeforeItsNoOp();
    expect(c.raft(2).proposeConfChange({ type: 'add-learner', node: 4 })).toMatchObject({
      ok: false,
      reason: 'config-change-pending',
    });
    c.deliverAll();
    expect(c.proposeConfChange(2, { type: 'add-learner', node: 4 }).ok).toBe(true);
  });

  it('with the conf-change-before-term-commit bug switch on, the same new leader appends the change at once', () => {
    const { c, s } = newLeaderBeforeItsNoOp(['conf-change-before-term-commit']);
    expect(c.raft(2).proposeConfChange({ type: 'add-learner', node: 4 })).toMatchObject({ ok: true, index: s.lastIndex + 1 });
  });

  it('the 2015 single-server change scenario: no committed entry is lost', () => {
    // Committed on all: 1 no-op, 2 add-learner n5. n1 (leader of term 1) then appended
    // 3 "promote n5" (voters 1-5) and got it only to n5 before crashing.
    const e1 = noop(1, 1);
    const e2 = confEntry(2, 1, { type: 'add-learner', node: 5 }, mem([1, 2, 3, 4], [5]));
    const e3 = confEntry(3, 1, { type: 'promote', node: 5 }, mem([1, 2, 3, 4, 5]));
    const st = (entries: Entry[]) => ({ hardState: { term: 1, vote: 1, commit: 2 }, snapshot: null, entries });
    const c = newCluster([1, 2, 3, 4], {
      seed: 3,
      checkContract: false, // the check below says what went wrong more clearly
      config: { preVote: false, checkQuorum: false },
      restored: { 1: st([e1, e2, e3]), 2: st([e1, e2]), 3: st([e1, e2]), 4: st([e1, e2]) },
    });
    c.addNode(5, { voters: [] }, st([e1, e2, e3]));
    c.crash(1);
    c.cut(2, 5);
    c.cut(3, 5);
    // n2 wins term 2 with n2, n3, n4 (a majority of voters 1-4); n4 then loses touch with n2
    c.raft(2).campaign();
    expect(c.deliverUntil(() => c.status(2).role === 'leader')).toBe(true);
    c.cut(2, 4);
    c.cut(3, 4);
    // n2 asks to remove n1 at once. A correct leader refuses until its no-op commits, which
    // cannot happen here (n1 down, n4 cut off). A leader that accepts commits it with n3 alone.
    c.raft(2).proposeConfChange({ type: 'remove', node: 1 });
    c.flush(2);
    c.deliverAll();
    c.tickAll(4);
    const committedByN2 = c.status(2).commit;
    // n2 and n3 go away; n1 returns and is elected for term 3 by n1, n4 and n5 (voters 1-5 in its log)
    c.crash(2);
    c.crash(3);
    c.restart(1);
    for (let i = 0; i < 4 && c.status(1).role !== 'leader'; i++) {
      c.raft(1).campaign();
      c.deliverAll();
    }
    expect(c.status(1).role).toBe('leader');
    c.tickAll(4);
    // State Machine Safety: what n1 applied agrees with what n2 applied
    const a = c.node(1).sm.log;
    const b = c.node(2).sm.log;
    const conflicts: string[] = [];
    for (const [i, r] of b) {
      const o = a.get(i);
      if (o && o.term !== r.term)
        conflicts.push(`index ${i}: n2 applied term ${r.term} (${r.type}), n1 applied term ${o.term} (${o.type})`);
    }
    expect(conflicts, `n2 had committed up to ${committedByN2}`).toEqual([]);
  });
});
