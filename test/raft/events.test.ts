// Structured events: every decision is reported with its cause, and every event reads as a sentence.
import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/raft/events.js';
import { variants } from './event-samples.js';
import { appendReq, heartbeat, newCluster, restoredLog, voteReq, type EventOf } from './harness.js';

describe('role-change events carry their cause', () => {
  it('a full election: election-timeout, pre-vote-won, won-election', () => {
    const c = newCluster([1, 2, 3], { seed: 21 });
    while (c.status(1).role === 'follower') c.tick(1);
    c.deliverAll();
    expect(c.status(1).role).toBe('leader');
    const rc = c.events(1, 'role-change');
    expect(rc.map((e) => [e.from, e.to, e.cause])).toEqual([
      ['follower', 'pre-candidate', 'election-timeout'],
      ['pre-candidate', 'candidate', 'pre-vote-won'],
      ['candidate', 'leader', 'won-election'],
    ]);
    expect(rc.slice(1).map((e) => e.term)).toEqual([1, 1]);
    expect(c.events(1, 'campaign').map((e) => [e.round, e.term, e.voters])).toEqual([
      ['pre-vote', 1, 3],
      ['vote', 1, 3],
    ]);
    expect(c.events(1, 'election-won')).toEqual([expect.objectContaining({ term: 1, voters: 3 })]);
    const received = c.events(1, 'vote-received');
    expect(received.length).toBeGreaterThan(0);
    for (const e of received) expect(e).toMatchObject({ needed: 2 });
  });

  it('without preVote the follower goes straight to candidate on election-timeout', () => {
    const c = newCluster([1, 2, 3], { seed: 21, config: { preVote: false } });
    while (c.status(1).role === 'follower') c.tick(1);
    expect(c.events(1, 'role-change')).toEqual([
      expect.objectContaining({ from: 'follower', to: 'candidate', cause: 'election-timeout', term: 1 }),
    ]);
  });

  it('a leader that sees a higher term steps down with cause higher-term', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    c.inject(heartbeat(2, 1, 9, 0));
    expect(c.events(1, 'role-change').at(-1)).toMatchObject({ from: 'leader', to: 'follower', term: 9, cause: 'higher-term' });
  });

  it('a losing election is reported', () => {
    const c = newCluster([1, 2, 3], {
      config: { preVote: false },
      restored: { 1: restoredLog([1], { term: 1 }), 2: restoredLog([1, 1], { term: 1 }), 3: restoredLog([1, 1], { term: 1 }) },
    });
    c.raft(1).campaign();
    c.deliverAll();
    expect(c.events(1, 'election-lost')).toEqual([expect.objectContaining({ round: 'vote', term: 2, rejections: 2, voters: 3 })]);
  });
});

describe('vote-cast events', () => {
  it('report grants, and refusals with their reason', () => {
    const c = newCluster([1, 2, 3], { restored: { 3: restoredLog([1, 1, 2], { term: 2 }) } });
    const cast = (m: ReturnType<typeof voteReq>): EventOf<'vote-cast'>[] =>
      c.inject(m).events.filter((e): e is EventOf<'vote-cast'> => e.type === 'vote-cast');
    expect(cast(voteReq(1, 3, 3, 3, 2))).toEqual([expect.objectContaining({ round: 'vote', candidate: 1, term: 3, granted: true })]);
    expect(cast(voteReq(2, 3, 3, 3, 2))).toEqual([
      expect.objectContaining({ round: 'vote', candidate: 2, term: 3, granted: false, reason: 'already-voted' }),
    ]);
    expect(cast(voteReq(2, 3, 4, 2, 1))).toEqual([
      expect.objectContaining({ round: 'vote', candidate: 2, term: 4, granted: false, reason: 'log-not-up-to-date' }),
    ]);
    expect(cast(voteReq(2, 3, 5, 2, 1, 'pre-vote'))).toEqual([
      expect.objectContaining({ round: 'pre-vote', candidate: 2, granted: false, reason: 'log-not-up-to-date' }),
    ]);
    // a request of an older term: refused as stale (or reported as a stale message), never granted
    const out = c.inject(voteReq(1, 3, 2, 10, 2));
    const staleCast = out.events.filter((e) => e.type === 'vote-cast');
    const staleMsg = out.events.filter((e) => e.type === 'stale-message');
    expect(staleCast.length + staleMsg.length).toBeGreaterThan(0);
    for (const e of staleCast) expect(e).toMatchObject({ granted: false, reason: 'stale-term' });
  });
});

describe('append-rejected events', () => {
  it('carry the reason and the same hint as the response', () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 2, 2], { term: 2 }) } });
    for (const [m, reason] of [
      [appendReq(2, 1, 3, 7, 3, [], 0), 'missing-entries'],
      [appendReq(2, 1, 3, 3, 3, [], 0), 'term-mismatch'],
    ] as const) {
      const out = c.inject(m);
      const ev = out.events.filter((e): e is EventOf<'append-rejected'> => e.type === 'append-rejected');
      const resp = out.messages.find((x) => x.type === 'append-response');
      if (resp?.type !== 'append-response') throw new Error('no append-response');
      expect(ev).toHaveLength(1);
      expect(ev[0]).toMatchObject({
        leader: 2,
        term: 3,
        prevLogIndex: m.type === 'append' ? m.prevLogIndex : -1,
        prevLogTerm: 3,
        reason,
        conflictTerm: resp.conflictTerm,
        conflictIndex: resp.conflictIndex,
      });
    }
  });

  it('a stale append is reported as a stale message', () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1], { term: 4 }) } });
    const out = c.inject(appendReq(2, 1, 3, 1, 1, [], 0));
    expect(out.events).toContainEqual(
      expect.objectContaining({ type: 'stale-message', from: 2, message: 'append', messageTerm: 3, term: 4 }),
    );
  });
});

describe('commit events', () => {
  it('the leader reports each committed index exactly once, with replicas and voters', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    for (let i = 0; i < 5; i++) {
      c.propose(1, `c${i}`);
      c.deliverAll();
    }
    c.raft(1).propose('batch1');
    c.raft(1).propose('batch2');
    c.deliverAll();
    const commits = c.events(1, 'commit');
    expect(commits.length).toBeGreaterThan(0);
    let next = 1;
    for (const e of commits) {
      expect(e.from).toBe(next);
      expect(e.to).toBeGreaterThanOrEqual(e.from);
      expect(e.voters).toBe(3);
      expect(e.replicas).toBeGreaterThanOrEqual(2);
      expect(e.replicas).toBeLessThanOrEqual(3);
      next = e.to + 1;
    }
    expect(next - 1).toBe(c.status(1).commit);
  });

  it('followers report what they learn is committed', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    c.propose(1, 'x');
    c.tickAll(2);
    const commits = c.events(2, 'commit');
    expect(commits.length).toBeGreaterThan(0);
    expect(commits.at(-1)!.to).toBe(2);
  });
});

describe('describeEvent', () => {
  it('produces a non-empty sentence for every event kind and variant, with and without tickMs', () => {
    for (const e of variants)
      for (const tickMs of [undefined, 100]) {
        const s = describeEvent(1, e, tickMs);
        expect(typeof s).toBe('string');
        expect(s.trim().length, JSON.stringify(e)).toBeGreaterThan(0);
        expect(s, JSON.stringify(e)).not.toMatch(/undefined|NaN|\[object/);
      }
  });

  it('describes every event a busy cluster produces', () => {
    const c = newCluster([1, 2, 3, 4, 5], { seed: 31 });
    c.tickUntil(() => c.leader() !== undefined, 100);
    const l = c.leader()!;
    for (let i = 0; i < 5; i++) c.propose(l, `v${i}`);
    c.tickAll(3);
    c.isolate(l);
    c.tickAll(60);
    c.heal();
    c.tickAll(30);
    expect(c.eventLog.length).toBeGreaterThan(20);
    const kinds = new Set<string>();
    for (const { node, event } of c.eventLog) {
      kinds.add(event.type);
      const s = describeEvent(node, event);
      expect(s.trim().length).toBeGreaterThan(0);
      expect(s).not.toMatch(/undefined|NaN|\[object/);
    }
    expect(kinds.size).toBeGreaterThan(5);
  });
});
