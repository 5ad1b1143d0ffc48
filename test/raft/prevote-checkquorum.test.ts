// PreVote (dissertation 9.6) and CheckQuorum / leader lease (dissertation 6.2 and 4.2.3).
import { describe, expect, it } from 'vitest';
import { newCluster, voteReq } from './harness.js';

const MIN = 10;
const MAX = 20;

describe('PreVote', () => {
  it('is on by default: a timed-out follower becomes pre-candidate without raising its term', () => {
    const c = newCluster([1, 2, 3], { seed: 2 });
    c.crash(2);
    c.crash(3);
    c.tick(1, 300);
    const s = c.status(1);
    expect(s.term).toBe(0);
    expect(c.node(1).storage.hardState.term).toBe(0);
    const campaigns = c.events(1, 'campaign');
    expect(campaigns.length).toBeGreaterThan(5);
    for (const e of campaigns) expect(e.round).toBe('pre-vote');
    expect(c.sentOf('vote', (m) => m.from === 1)).toEqual([]);
    expect(c.sentOf('pre-vote', (m) => m.from === 1).length).toBeGreaterThan(0);
  });

  it('pre-vote requests change neither the term nor the vote of the nodes that answer them', () => {
    const c = newCluster([1, 2, 3], { seed: 2 });
    c.raft(1).campaign();
    c.flush(1);
    expect(c.status(1).role).toBe('pre-candidate');
    c.deliverWhere((m) => m.type === 'pre-vote');
    for (const id of [2, 3]) {
      expect(c.status(id)).toMatchObject({ term: 0, vote: 0, role: 'follower' });
      expect(c.node(id).storage.hardState).toMatchObject({ term: 0, vote: 0 });
    }
    const answers = c.queued('pre-vote-response');
    expect(answers.map((m) => m.granted)).toEqual([true, true]);
    c.deliverAll();
    expect(c.status(1)).toMatchObject({ role: 'leader', term: 1 });
  });

  it('a node partitioned alone for a long time rejoins without deposing the leader or raising terms', () => {
    const c = newCluster([1, 2, 3], { seed: 9 });
    c.electLeader(1);
    c.propose(1, 'a');
    c.deliverAll();
    const term = c.status(1).term;
    c.isolate(3);
    c.tickAll(300);
    // it kept trying, with pre-votes only
    expect(c.events(3, 'campaign').length).toBeGreaterThan(3);
    expect(c.status(3).term).toBe(term);
    c.propose(1, 'b');
    c.deliverAll();
    c.heal();
    c.tickAll(30);
    for (const id of [1, 2, 3]) {
      expect(c.status(id).term).toBe(term);
      expect(c.status(id).leader).toBe(1);
    }
    expect(c.status(1).role).toBe('leader');
    expect(c.applied(3)).toEqual(['a', 'b']);
    expect(c.leadersByTerm.size).toBe(1);
  });

  it.each([true, false])(
    'a rejoining node whose log is still up to date does not disrupt the leader either (checkQuorum %s)',
    (checkQuorum) => {
      // Dissertation 9.6: a pre-vote is granted only if the candidate's log is up to date AND the
      // voter has not heard from a valid leader for at least a baseline election timeout.
      const c = newCluster([1, 2, 3], { seed: 9, config: { checkQuorum } });
      c.electLeader(1);
      c.propose(1, 'a');
      c.deliverAll();
      c.tickAll(1);
      const term = c.status(1).term;
      c.isolate(3);
      c.tickAll(300); // no proposals: n3's log stays as up to date as the others'
      expect(c.status(3).term).toBe(term);
      c.heal();
      // n3's timer fires again before the leader's next heartbeat reaches it
      c.dropQueued();
      const mark = c.mark();
      while (c.sentOf('pre-vote', (m) => m.from === 3, mark).length === 0) c.tick(3);
      c.deliverAll();
      c.tickAll(60);
      expect(c.status(1)).toMatchObject({ role: 'leader', term });
      for (const id of [2, 3]) expect(c.status(id)).toMatchObject({ term, leader: 1 });
      expect(c.sentOf('pre-vote-response', (m) => m.to === 3 && m.granted)).toEqual([]);
    },
  );

  it.each([true, false])(
    'with preVote off, a node rejoining from a partition disrupts the cluster: terms rise (checkQuorum %s), then it converges',
    (checkQuorum) => {
      const c = newCluster([1, 2, 3], { seed: 9, config: { preVote: false, checkQuorum } });
      c.electLeader(1);
      c.propose(1, 'a');
      c.deliverAll();
      const term = c.status(1).term;
      c.isolate(3);
      c.tickAll(300);
      expect(c.status(3).term).toBeGreaterThan(term + 3);
      c.heal();
      expect(c.tickUntil(() => c.status(1).term > term, 3 * MAX)).toBeGreaterThanOrEqual(0);
      expect(c.status(1).term).toBeGreaterThan(term);
      // and it is not stuck: a leader emerges that all three follow, with the same log
      const rounds = c.tickUntil(() => {
        const l = c.leader();
        return l !== undefined && [1, 2, 3].every((id) => c.status(id).leader === l && c.status(id).term === c.status(l).term);
      }, 300);
      expect(rounds).toBeGreaterThanOrEqual(0);
      c.propose(c.leader()!, 'b');
      c.tickAll(3);
      for (const id of [1, 2, 3]) expect(c.applied(id)).toEqual(['a', 'b']);
    },
  );
});

describe('CheckQuorum', () => {
  it('a leader that hears from no majority for an election timeout steps down', () => {
    const c = newCluster([1, 2, 3], { seed: 4 });
    c.electLeader(1);
    const term = c.status(1).term;
    c.isolate(1);
    let ticks = 0;
    while (c.status(1).role === 'leader' && ticks < 10 * MAX) {
      c.tick(1);
      ticks++;
    }
    expect(c.status(1).role).toBe('follower');
    expect(ticks).toBeGreaterThanOrEqual(MIN);
    expect(ticks).toBeLessThanOrEqual(2 * MAX);
    expect(c.status(1).term).toBe(term);
    expect(c.events(1, 'role-change').at(-1)).toMatchObject({ from: 'leader', to: 'follower', cause: 'check-quorum' });
  });

  it('with checkQuorum off, an isolated leader stays leader', () => {
    const c = newCluster([1, 2, 3], { seed: 4, config: { checkQuorum: false } });
    c.electLeader(1);
    c.isolate(1);
    c.tick(1, 10 * MAX);
    expect(c.status(1).role).toBe('leader');
  });

  it('a leader that hears from a majority keeps its leadership for as long as it does', () => {
    const c = newCluster([1, 2, 3, 4, 5], { seed: 4 });
    c.electLeader(1);
    const term = c.status(1).term;
    c.isolate(4);
    c.isolate(5);
    c.tickAll(20 * MAX);
    expect(c.status(1)).toMatchObject({ role: 'leader', term });
    expect(c.status(2)).toMatchObject({ role: 'follower', term, leader: 1 });
  });

  it("followers that heard from the leader within the election timeout refuse votes ('leader-alive')", () => {
    for (const kind of ['vote', 'pre-vote'] as const) {
      const c = newCluster([1, 2, 3], { seed: 4 });
      c.electLeader(1);
      const s = c.status(2);
      const out = c.inject(voteReq(3, 2, s.term + 1, s.lastIndex + 10, s.term, kind));
      const resp = out.messages.filter((m) => m.type === 'vote-response' || m.type === 'pre-vote-response');
      for (const m of resp) if (m.type === 'vote-response' || m.type === 'pre-vote-response') expect(m.granted).toBe(false);
      expect(c.status(2)).toMatchObject({ term: s.term, vote: s.vote, leader: 1, role: 'follower' });
      expect(out.events.filter((e) => e.type === 'vote-cast')).toEqual([
        expect.objectContaining({ round: kind, candidate: 3, granted: false, reason: 'leader-alive' }),
      ]);
    }
  });

  it('a node that campaigns while a healthy leader exists does not win or raise terms', () => {
    const c = newCluster([1, 2, 3], { seed: 4 });
    c.electLeader(1);
    const term = c.status(1).term;
    c.raft(3).campaign();
    c.deliverAll();
    expect(c.status(1)).toMatchObject({ role: 'leader', term });
    expect(c.status(3).term).toBe(term);
    expect(c.sentOf('pre-vote-response', (m) => m.to === 3 && m.granted)).toEqual([]);
  });

  it('a follower whose lease expired grants its vote', () => {
    const c = newCluster([1, 2, 3], { seed: 4 });
    c.electLeader(1);
    c.crash(1);
    // n2 and n3 stop hearing from the leader; whoever times out first wins
    const rounds = c.tickUntil(() => c.leader() !== undefined && c.leader() !== 1, 10 * MAX);
    expect(rounds).toBeGreaterThan(0);
    expect(rounds).toBeLessThanOrEqual(3 * MAX);
    const granted = c.sentOf('vote-response', (m) => m.granted);
    expect(granted.length).toBeGreaterThan(0);
    expect(c.sentOf('vote-response').every((m) => m.granted || m.reason !== undefined)).toBe(true);
  });
});
