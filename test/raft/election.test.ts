// Leader election (Raft paper section 5.2, Figure 2 "RequestVote RPC" and "Rules for Servers").
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/raft/types.js';
import { appendReq, heartbeat, isMsg, newCluster, restoredLog, voteReq, type Cluster } from './harness.js';

const MIN = 10;
const MAX = 20;

/** Ticks node `id` alone until it leaves the follower role; returns the ticks it took. */
function ticksUntilCampaign(c: Cluster, id: number, limit = 200): number {
  let ticks = 0;
  while (c.status(id).role === 'follower' && ticks < limit) {
    c.tick(id);
    ticks++;
  }
  return ticks;
}

describe('election timeout', () => {
  it.each([true, false])(
    'a follower that hears nothing starts a campaign after its randomized timeout, within [min, max] ticks (preVote %s)',
    (preVote) => {
      const seen = new Set<number>();
      for (let seed = 1; seed <= 30; seed++) {
        const c = newCluster([1, 2, 3], { seed, config: { preVote, electionTimeoutMin: MIN, electionTimeoutMax: MAX } });
        const ticks = ticksUntilCampaign(c, 1);
        expect(ticks).toBeGreaterThanOrEqual(MIN);
        expect(ticks).toBeLessThanOrEqual(MAX);
        seen.add(ticks);
        const s = c.status(1);
        expect(s.role).toBe(preVote ? 'pre-candidate' : 'candidate');
        // a pre-candidate keeps its term; a candidate raises it and votes for itself
        expect(s.term).toBe(preVote ? 0 : 1);
        if (!preVote) expect(s.vote).toBe(1);
        const reqs = c.queue.filter((m) => m.type === (preVote ? 'pre-vote' : 'vote') && m.from === 1);
        expect(reqs.map((m) => m.to).sort()).toEqual([2, 3]);
        const timeouts = c.events(1, 'election-timeout');
        expect(timeouts).toHaveLength(1);
        expect(timeouts[0]!.ticks).toBe(ticks);
      }
      // drawn at random: 30 seeds do not all land on the same value
      expect(seen.size).toBeGreaterThan(3);
    },
  );

  it('randomized timeouts differ between nodes', () => {
    const c = newCluster([1, 2, 3, 4, 5], { seed: 42 });
    const fired = c.ids().map((id) => ticksUntilCampaign(c, id));
    for (const t of fired) {
      expect(t).toBeGreaterThanOrEqual(MIN);
      expect(t).toBeLessThanOrEqual(MAX);
    }
    expect(new Set(fired).size).toBeGreaterThan(1);
  });

  it('each new election timeout is drawn again, and each failed election starts a later term', () => {
    const c = newCluster([1, 2, 3], { seed: 5, config: { preVote: false } });
    c.crash(2);
    c.crash(3);
    const starts: number[] = [];
    let campaigns = 0;
    for (let t = 1; t <= 400; t++) {
      c.tick(1);
      const n = c.events(1, 'campaign').length;
      if (n > campaigns) {
        campaigns = n;
        starts.push(t);
        expect(c.status(1).term).toBe(campaigns);
        expect(c.status(1).role).toBe('candidate');
      }
    }
    expect(starts.length).toBeGreaterThan(10);
    const intervals = starts.map((t, i) => t - (i === 0 ? 0 : starts[i - 1]!));
    for (const d of intervals) {
      expect(d).toBeGreaterThanOrEqual(MIN);
      expect(d).toBeLessThanOrEqual(MAX);
    }
    expect(new Set(intervals).size).toBeGreaterThan(1);
  });
});

describe('winning and losing elections', () => {
  it('a candidate that gets votes from a majority becomes leader, and the others follow it', () => {
    const c = newCluster([1, 2, 3, 4, 5], { seed: 3 });
    c.isolate(4);
    c.isolate(5);
    ticksUntilCampaign(c, 1);
    c.deliverAll();
    const s = c.status(1);
    expect(s.role).toBe('leader');
    expect(s.term).toBe(1);
    expect(s.leader).toBe(1);
    for (const id of [2, 3]) {
      expect(c.status(id).role).toBe('follower');
      expect(c.status(id).leader).toBe(1);
      expect(c.status(id).term).toBe(1);
    }
    const won = c.events(1, 'election-won');
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ term: 1, voters: 5 });
    expect(won[0]!.votes).toBeGreaterThanOrEqual(3);
  });

  it('a candidate without a majority does not become leader', () => {
    const c = newCluster([1, 2, 3, 4, 5], { seed: 3, config: { preVote: false } });
    for (const id of [3, 4, 5]) c.isolate(id);
    c.raft(1).campaign();
    c.deliverAll();
    expect(c.status(1).role).toBe('candidate');
    c.tick(1, MAX * 3);
    c.deliverAll();
    expect(c.status(1).role).not.toBe('leader');
    expect(c.leadersByTerm.size).toBe(0);
  });

  it('campaign() on a leader changes nothing', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    const term = c.status(1).term;
    c.raft(1).campaign();
    c.deliverAll();
    expect(c.status(1).role).toBe('leader');
    expect(c.status(1).term).toBe(term);
  });

  it('a candidate whose log is behind a majority cannot win', () => {
    // n1 missed entry 2 (term 2); n2 and n3 hold it
    const c = newCluster([1, 2, 3], {
      config: { preVote: false },
      restored: {
        1: restoredLog([1], { term: 2 }),
        2: restoredLog([1, 2], { term: 2 }),
        3: restoredLog([1, 2], { term: 2 }),
      },
    });
    c.raft(1).campaign();
    c.deliverAll();
    expect(c.status(1).role).not.toBe('leader');
    expect(c.leadersByTerm.size).toBe(0);
    const refusals = c.sentOf('vote-response', (m) => m.to === 1 && !m.granted);
    expect(refusals.map((m) => m.from).sort()).toEqual([2, 3]);
    for (const r of refusals) expect(r.reason).toBe('log-not-up-to-date');
  });

  it('a split vote is followed by a new election in a later term', () => {
    const c = newCluster([1, 2, 3], { seed: 11, config: { preVote: false } });
    c.crash(3);
    c.raft(1).campaign();
    c.raft(2).campaign();
    c.deliverAll();
    // each voted for itself in term 1 and refused the other
    expect(c.status(1).role).toBe('candidate');
    expect(c.status(2).role).toBe('candidate');
    expect(c.status(1).term).toBe(1);
    expect(c.status(2).term).toBe(1);
    expect(c.leadersByTerm.has(1)).toBe(false);
    c.restart(3);
    const rounds = c.tickUntil(() => c.leader() !== undefined, 200);
    expect(rounds).toBeGreaterThanOrEqual(0);
    const leader = c.leader()!;
    expect(c.status(leader).term).toBeGreaterThanOrEqual(2);
  });
});

describe('voting rules', () => {
  const grantedTo = (msgs: Message[], to: number): boolean[] =>
    msgs
      .filter(isMsg('vote-response'))
      .filter((m) => m.to === to)
      .map((m) => m.granted);

  it('a node grants at most one vote per term (but repeats its vote to the same candidate)', () => {
    const c = newCluster([1, 2, 3]);
    let out = c.inject(voteReq(1, 3, 1, 0, 0));
    expect(grantedTo(out.messages, 1)).toEqual([true]);
    expect(c.status(3).vote).toBe(1);
    out = c.inject(voteReq(2, 3, 1, 0, 0));
    expect(grantedTo(out.messages, 2)).not.toContain(true);
    const refused = out.events.filter((e) => e.type === 'vote-cast');
    expect(refused).toEqual([expect.objectContaining({ granted: false, candidate: 2, reason: 'already-voted' })]);
    expect(c.status(3).vote).toBe(1);
    // a retransmitted request from the candidate it voted for gets the vote again
    out = c.inject(voteReq(1, 3, 1, 0, 0));
    expect(grantedTo(out.messages, 1)).toEqual([true]);
  });

  it('a node votes again in a later term', () => {
    const c = newCluster([1, 2, 3]);
    c.inject(voteReq(1, 3, 1, 0, 0));
    const out = c.inject(voteReq(2, 3, 2, 0, 0));
    expect(grantedTo(out.messages, 2)).toEqual([true]);
    expect(c.status(3)).toMatchObject({ term: 2, vote: 2 });
  });

  // The voter's log: terms [1, 1, 2], so lastLogTerm 2, lastLogIndex 3 (section 5.4.1).
  it.each([
    { lastLogTerm: 1, lastLogIndex: 5, granted: false, why: 'last term lower, even with a longer log' },
    { lastLogTerm: 2, lastLogIndex: 2, granted: false, why: 'same last term, shorter log' },
    { lastLogTerm: 2, lastLogIndex: 3, granted: true, why: 'same last term, same length' },
    { lastLogTerm: 2, lastLogIndex: 4, granted: true, why: 'same last term, longer log' },
    { lastLogTerm: 3, lastLogIndex: 1, granted: true, why: 'higher last term, even with a shorter log' },
  ])('up-to-date check: vote granted=$granted when $why', ({ lastLogTerm, lastLogIndex, granted }) => {
    for (const kind of ['vote', 'pre-vote'] as const) {
      const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 1, 2], { term: 2 }) } });
      const out = c.inject(voteReq(2, 1, 3, lastLogIndex, lastLogTerm, kind));
      const resp = out.messages.filter((m) => m.type === `${kind}-response` && m.to === 2);
      expect(resp).toHaveLength(1);
      const r = resp[0]!;
      if (r.type !== 'vote-response' && r.type !== 'pre-vote-response') throw new Error('unreachable');
      expect(r.granted).toBe(granted);
      if (!granted) expect(r.reason).toBe('log-not-up-to-date');
      const cast = out.events.filter((e) => e.type === 'vote-cast');
      expect(cast).toEqual([expect.objectContaining({ round: kind, candidate: 2, granted })]);
      if (kind === 'vote') expect(c.status(1).vote).toBe(granted ? 2 : 0);
      else expect(c.status(1)).toMatchObject({ term: 2, vote: 0 }); // a pre-vote changes nothing
    }
  });

  it('the vote and its term are in the hard state of the same Ready as the vote response', () => {
    const c = newCluster([1, 2, 3]);
    const out = c.inject(voteReq(2, 3, 4, 0, 0));
    const withResp = out.readies.filter((rd) => rd.messages.some((m) => m.type === 'vote-response' && m.granted && m.to === 2));
    expect(withResp).toHaveLength(1);
    expect(withResp[0]!.hardState).toMatchObject({ term: 4, vote: 2 });
    expect(c.node(3).storage.hardState).toMatchObject({ term: 4, vote: 2 });
  });

  it("a candidate's term and self-vote are in the hard state of the Ready that sends its vote requests", () => {
    const c = newCluster([1, 2, 3], { config: { preVote: false } });
    c.raft(1).campaign();
    const readies = c.flush(1);
    const withReq = readies.filter((rd) => rd.messages.some((m) => m.type === 'vote'));
    expect(withReq).toHaveLength(1);
    expect(withReq[0]!.hardState).toMatchObject({ term: 1, vote: 1 });
  });
});

describe('terms', () => {
  type RoleSetup = { role: string; setup: () => Cluster };
  const roles: RoleSetup[] = [
    { role: 'follower', setup: () => newCluster([1, 2, 3]) },
    {
      role: 'pre-candidate',
      setup: () => {
        const c = newCluster([1, 2, 3]);
        c.raft(1).campaign();
        c.flush(1);
        expect(c.status(1).role).toBe('pre-candidate');
        return c;
      },
    },
    {
      role: 'candidate',
      setup: () => {
        const c = newCluster([1, 2, 3], { config: { preVote: false } });
        c.raft(1).campaign();
        c.flush(1);
        expect(c.status(1).role).toBe('candidate');
        return c;
      },
    },
    {
      role: 'leader',
      setup: () => {
        const c = newCluster([1, 2, 3]);
        c.electLeader(1);
        return c;
      },
    },
  ];
  const T = 5;
  const messages: { kind: string; m: Message; leader: number | null }[] = [
    { kind: 'append', m: appendReq(2, 1, T, 0, 0, [], 0), leader: 2 },
    { kind: 'heartbeat', m: heartbeat(2, 1, T, 0), leader: 2 },
    {
      kind: 'append-response',
      m: { type: 'append-response', from: 2, to: 1, term: T, success: false, index: 0, conflictTerm: 0, conflictIndex: 1 },
      leader: null,
    },
    { kind: 'heartbeat-response', m: { type: 'heartbeat-response', from: 2, to: 1, term: T }, leader: null },
    { kind: 'vote-response', m: { type: 'vote-response', from: 2, to: 1, term: T, granted: false }, leader: null },
  ];
  for (const r of roles)
    for (const x of messages)
      it(`a ${r.role} that receives a ${x.kind} of a higher term adopts the term and becomes follower`, () => {
        const c = r.setup();
        const before = c.status(1);
        expect(before.term).toBeLessThan(T);
        c.inject(x.m);
        const s = c.status(1);
        expect(s.term).toBe(T);
        expect(s.role).toBe('follower');
        if (x.leader !== null) expect(s.leader).toBe(x.leader);
        expect(c.node(1).storage.hardState.term).toBe(T);
        if (before.role !== 'follower') {
          const rc = c.events(1, 'role-change').at(-1)!;
          expect(rc).toMatchObject({ from: before.role, to: 'follower', term: T, cause: 'higher-term' });
        }
      });

  it('a vote request of a higher term deposes the leader when checkQuorum is off', () => {
    const c = newCluster([1, 2, 3], { config: { checkQuorum: false } });
    c.electLeader(1);
    const last = c.status(1).lastIndex;
    c.inject(voteReq(3, 1, 7, last + 5, 1));
    expect(c.status(1)).toMatchObject({ role: 'follower', term: 7 });
  });

  it('a follower ignores an append of a lower term: no entries, no new leader, no commit', () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 1], { term: 5 }) } });
    const out = c.inject(appendReq(2, 1, 3, 2, 1, [{ type: 'normal', index: 3, term: 3, data: 'x' }], 3));
    const s = c.status(1);
    expect(s).toMatchObject({ term: 5, leader: 0, lastIndex: 2, commit: 0 });
    expect(out.readies.flatMap((r) => r.entries)).toEqual([]);
    // whatever it answers carries its own, higher term
    for (const m of out.messages) expect(m.term).toBe(5);
    const hb = c.inject(heartbeat(2, 1, 3, 2));
    expect(c.status(1)).toMatchObject({ term: 5, leader: 0, commit: 0 });
    for (const m of hb.messages) expect(m.term).toBe(5);
  });

  it('a node never grants a vote request of a lower term', () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 1], { term: 5 }) } });
    const out = c.inject(voteReq(2, 1, 4, 10, 4));
    expect(out.messages.filter(isMsg('vote-response')).filter((m) => m.granted)).toEqual([]);
    expect(c.status(1)).toMatchObject({ term: 5, vote: 0 });
  });

  it('a leader ignores a stale append response', () => {
    const at3 = () => restoredLog([], { term: 3 });
    const c = newCluster([1, 2, 3], { restored: { 1: at3(), 2: at3(), 3: at3() } });
    c.electLeader(1); // term 4
    const before = c.status(1);
    c.inject({ type: 'append-response', from: 2, to: 1, term: 2, success: true, index: 50, conflictTerm: 0, conflictIndex: 0 });
    const s = c.status(1);
    expect(s.role).toBe('leader');
    expect(s.term).toBe(before.term);
    expect(s.commit).toBe(before.commit);
    expect(s.progress[2]!.match).toBeLessThanOrEqual(before.lastIndex);
  });

  it('a leader cut off from the cluster steps down when a reply carries the newer term', () => {
    const c = newCluster([1, 2, 3], { seed: 8 });
    c.electLeader(1);
    const t1 = c.status(1).term;
    c.isolate(1);
    // only n2 and n3 see time pass: n1 cannot notice with check-quorum
    for (let i = 0; i < 200 && ![2, 3].some((id) => c.status(id).role === 'leader'); i++) {
      c.tick(2);
      c.tick(3);
      c.deliverAll();
    }
    const newLeader = [2, 3].find((id) => c.status(id).role === 'leader');
    expect(newLeader).toBeDefined();
    expect(c.status(1).role).toBe('leader');
    c.heal();
    c.dropQueued();
    // the old leader's next heartbeat is answered with the newer term
    c.tick(1, 2);
    c.deliverAll();
    expect(c.status(1).role).toBe('follower');
    expect(c.status(1).term).toBeGreaterThan(t1);
  });

  it('a candidate steps down when it hears from a leader of its own term', () => {
    for (const m of [appendReq(2, 1, 1, 0, 0, [], 0), heartbeat(2, 1, 1, 0)]) {
      const c = newCluster([1, 2, 3], { config: { preVote: false } });
      c.raft(1).campaign();
      c.flush(1);
      expect(c.status(1)).toMatchObject({ role: 'candidate', term: 1 });
      c.inject(m);
      expect(c.status(1)).toMatchObject({ role: 'follower', term: 1, leader: 2 });
      expect(c.events(1, 'role-change').at(-1)).toMatchObject({ from: 'candidate', to: 'follower', cause: 'leader-found' });
    }
  });

  it('a pre-candidate steps down when it hears from a leader of its term', () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1], { term: 3 }) } });
    c.raft(1).campaign();
    c.flush(1);
    expect(c.status(1)).toMatchObject({ role: 'pre-candidate', term: 3 });
    c.inject(heartbeat(2, 1, 3, 0));
    expect(c.status(1)).toMatchObject({ role: 'follower', term: 3, leader: 2 });
  });
});

describe('proposals', () => {
  it('a follower refuses proposals with not-leader and names the leader', () => {
    const c = newCluster([1, 2, 3]);
    expect(c.raft(2).propose('x')).toMatchObject({ ok: false, reason: 'not-leader', leader: 0 });
    c.electLeader(1);
    expect(c.raft(2).propose('x')).toMatchObject({ ok: false, reason: 'not-leader', leader: 1 });
  });

  it('entries proposed to the leader are applied by every node in the same order', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    const r = c.propose(1, 'a');
    expect(r).toMatchObject({ ok: true, index: 2, term: 1 });
    c.propose(1, 'b');
    c.deliverAll();
    c.propose(1, 'c');
    c.deliverAll();
    c.tickAll(2);
    for (const id of [1, 2, 3]) {
      expect(c.applied(id)).toEqual(['a', 'b', 'c']);
      expect(c.status(id).commit).toBe(4);
    }
  });
});
