// The known-bug switches (config.bugs): each must really produce the anomaly it names, so the
// workshop exercises show something. The commitPreviousTermByCounting switch is tested with
// Figure 8 in commit.test.ts.
import { describe, expect, it } from 'vitest';
import { NO_BUGS } from '../../src/raft/config.js';
import { OVERWRITE_REFUSAL } from '../node/fixtures.js';
import { appendReq, isEvent, isMsg, newCluster, noop, restoredLog, voteReq } from './harness.js';

describe('bugs.voteWithoutLogCheck', () => {
  it.each([false, true])('a candidate with a stale log gets the vote only with the bug on (bug %s)', (bug) => {
    const c = newCluster([1, 2, 3], {
      config: { bugs: { ...NO_BUGS, voteWithoutLogCheck: bug } },
      restored: { 1: restoredLog([1, 1, 2], { term: 2 }) },
    });
    // last term 1 < 2: not up to date (section 5.4.1)
    const out = c.inject(voteReq(2, 1, 3, 5, 1));
    expect(out.messages.filter(isMsg('vote-response')).map((m) => m.granted)).toEqual([bug]);
    expect(c.status(1).vote).toBe(bug ? 2 : 0);
  });
});

describe('bugs.voteNotPersisted', () => {
  it('without the bug, a restarted voter remembers its vote and refuses a second candidate in the same term', () => {
    const c = newCluster([1, 2, 3]);
    c.inject(voteReq(1, 3, 2, 0, 0));
    expect(c.node(3).storage.hardState).toMatchObject({ term: 2, vote: 1 });
    c.crash(3);
    c.restart(3);
    const out = c.inject(voteReq(2, 3, 2, 0, 0));
    expect(out.messages.filter(isMsg('vote-response')).map((m) => m.granted)).toEqual([false]);
  });

  it('with the bug, the Ready carrying the vote leaves it out of the hard state, so a restart forgets it (double vote)', () => {
    const c = newCluster([1, 2, 3], {
      checkContract: false,
      config: { bugs: { ...NO_BUGS, voteNotPersisted: true } },
    });
    const out = c.inject(voteReq(1, 3, 2, 0, 0));
    const rd = out.readies.find((r) => r.messages.some((m) => m.type === 'vote-response' && m.granted && m.to === 1));
    expect(rd).toBeDefined();
    expect(rd!.hardState?.vote ?? 0).not.toBe(1);
    expect(c.status(3).vote).toBe(1); // in memory it did vote
    expect(c.node(3).storage.hardState.vote).not.toBe(1);
    c.crash(3);
    c.restart(3);
    expect(c.status(3).vote).not.toBe(1);
    const again = c.inject(voteReq(2, 3, 2, 0, 0));
    // two votes in term 2, for n1 and for n2
    expect(again.messages.filter(isMsg('vote-response')).map((m) => m.granted)).toEqual([true]);
  });

  it("the harness's persist-before-send check catches it", () => {
    const c = newCluster([1, 2, 3], { config: { bugs: { ...NO_BUGS, voteNotPersisted: true } } });
    expect(() => c.inject(voteReq(1, 3, 2, 0, 0))).toThrow(/contract violation/);
  });
});

describe('a leader that lacks a committed entry (elected through voteWithoutLogCheck)', () => {
  it('is never told that a follower stores its entry at that index: the follower keeps its committed entry and says why', () => {
    // n3 committed entries 1 and 2 of term 1; n1, elected in term 4 without entry 2, sends its own
    // entry 2 of term 4 after the matching entry 1.
    const c = newCluster([1, 2, 3], { checkContract: false, restored: { 3: restoredLog([1, 1], { term: 1, commit: 2 }) } });
    const first = c.inject(appendReq(1, 3, 4, 1, 1, [noop(2, 4)], 1));
    const acks = first.messages.filter(isMsg('append-response'));
    expect(acks.map((m) => [m.success, m.index])).toEqual([[true, 1]]);
    expect(c.logTerms(3)).toEqual([1, 1]);
    expect(first.events.filter(isEvent('append-rejected'))).toEqual([OVERWRITE_REFUSAL]);
    // The leader asks again at every heartbeat: the same answer, told once.
    const again = c.inject(appendReq(1, 3, 4, 1, 1, [noop(2, 4)], 1));
    expect(again.messages.filter(isMsg('append-response')).map((m) => [m.success, m.index])).toEqual([[true, 1]]);
    expect(again.events.filter(isEvent('append-rejected'))).toEqual([]);
  });

  it('is still acknowledged at once for the committed entries it does hold', () => {
    const c = newCluster([1, 2, 3], { restored: { 3: restoredLog([1, 1], { term: 1, commit: 2 }) } });
    const out = c.inject(appendReq(1, 3, 2, 0, 0, [noop(1, 1), noop(2, 1), noop(3, 2)], 2));
    expect(out.messages.filter(isMsg('append-response')).map((m) => [m.success, m.index])).toEqual([[true, 2]]);
    expect(out.events.filter(isEvent('append-rejected'))).toEqual([]);
  });
});

describe('bugs.skipNoop', () => {
  it('a new leader appends no entry of its term, commits nothing of an earlier term, and serves no read until a client entry of its term commits (6.4)', () => {
    // n1 holds entry 1 of term 1 from an earlier leader, uncommitted.
    const restored = restoredLog([1], { term: 1 });
    const c = newCluster([1, 2, 3], { config: { bugs: { ...NO_BUGS, skipNoop: true } }, restored: { 1: restored, 2: restored } });
    c.electLeader(1);
    c.tickAll(4);
    expect(c.logTerms(1)).toEqual([1]);
    expect(c.status(1).commit).toBe(0);
    c.raft(1).readIndex('r');
    c.tickAll(4);
    expect(c.node(1).readStates).toEqual([]);
    // The first client entry of its term commits it and what lies before, and the read goes ahead.
    c.propose(1, 'x');
    c.tickAll(4);
    expect(c.status(1).commit).toBe(2);
    expect(c.node(1).readStates.map((r) => r.context)).toEqual(['r']);
  });

  it('without the bug, the no-op commits at once', () => {
    const restored = restoredLog([1], { term: 1 });
    const c = newCluster([1, 2, 3], { restored: { 1: restored, 2: restored } });
    c.electLeader(1);
    c.tickAll(4);
    expect(c.status(1).commit).toBe(2);
  });
});
