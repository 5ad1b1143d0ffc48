// Log replication (Raft paper section 5.3, Figure 2 "AppendEntries RPC", Figure 7).
import { describe, expect, it } from 'vitest';
import { appendReq, heartbeat, isMsg, logOfTerms, newCluster, normal, restoredLog } from './harness.js';

const uniqSorted = (xs: number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);

describe('AppendEntries consistency check', () => {
  it("rejects when the follower has no entry at prevLogIndex ('missing-entries'), hinting its log end", () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 1, 2], { term: 2 }) } });
    const out = c.inject(appendReq(2, 1, 2, 5, 2, [normal(6, 2)], 0));
    const resp = out.messages.filter(isMsg('append-response'));
    expect(resp).toEqual([expect.objectContaining({ to: 2, term: 2, success: false, index: 5, conflictTerm: 0, conflictIndex: 4 })]);
    expect(c.logTerms(1)).toEqual([1, 1, 2]);
    expect(out.events.filter((e) => e.type === 'append-rejected')).toEqual([
      expect.objectContaining({ leader: 2, prevLogIndex: 5, prevLogTerm: 2, reason: 'missing-entries', conflictTerm: 0, conflictIndex: 4 }),
    ]);
  });

  it("rejects when the entry at prevLogIndex has another term ('term-mismatch'), hinting the first index of that term", () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 1, 2, 2, 2], { term: 2 }) } });
    const out = c.inject(appendReq(2, 1, 3, 5, 3, [normal(6, 3)], 0));
    expect(out.messages.filter(isMsg('append-response'))).toEqual([
      expect.objectContaining({ to: 2, term: 3, success: false, index: 5, conflictTerm: 2, conflictIndex: 3 }),
    ]);
    expect(c.logTerms(1)).toEqual([1, 1, 2, 2, 2]);
    expect(c.status(1).leader).toBe(2);
    expect(out.events.filter((e) => e.type === 'append-rejected')).toEqual([
      expect.objectContaining({ reason: 'term-mismatch', prevLogIndex: 5, prevLogTerm: 3, conflictTerm: 2, conflictIndex: 3 }),
    ]);
  });

  it('accepts entries that follow a matching entry and reports the last matching index', () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 1, 2], { term: 2 }) } });
    const out = c.inject(appendReq(2, 1, 3, 3, 2, [normal(4, 3), normal(5, 3)], 0));
    expect(out.messages.filter(isMsg('append-response'))).toEqual([expect.objectContaining({ to: 2, term: 3, success: true, index: 5 })]);
    expect(c.logTerms(1)).toEqual([1, 1, 2, 3, 3]);
    expect(c.storedTerms(1)).toEqual([1, 1, 2, 3, 3]);
    expect(out.readies.flatMap((r) => r.entries).map((e) => e.index)).toEqual([4, 5]);
  });

  it('an append of entries the follower already holds does not truncate what follows them', () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 1, 2, 3, 3], { term: 3 }) } });
    const out = c.inject(appendReq(2, 1, 3, 2, 1, [normal(3, 2, 't2i3')], 0));
    expect(out.messages.filter(isMsg('append-response'))).toEqual([expect.objectContaining({ success: true, index: 3 })]);
    expect(c.logTerms(1)).toEqual([1, 1, 2, 3, 3]);
    expect(c.storedTerms(1)).toEqual([1, 1, 2, 3, 3]);
    expect(out.events.filter((e) => e.type === 'truncate')).toEqual([]);
  });

  it('a conflicting suffix is truncated and replaced, with a truncate event naming the range and removed terms', () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 1, 2, 2, 2], { term: 2 }) } });
    const out = c.inject(appendReq(2, 1, 3, 2, 1, [normal(3, 3), normal(4, 3)], 0));
    expect(out.messages.filter(isMsg('append-response'))).toEqual([expect.objectContaining({ success: true, index: 4 })]);
    expect(c.logTerms(1)).toEqual([1, 1, 3, 3]);
    expect(c.storedTerms(1)).toEqual([1, 1, 3, 3]);
    const tr = out.events.filter((e) => e.type === 'truncate');
    expect(tr).toHaveLength(1);
    const t = tr[0]!;
    expect(t).toMatchObject({ leader: 2, term: 3, from: 3, to: 5 });
    expect(uniqSorted(t.terms)).toEqual([2]);
  });

  it('a truncate event lists every term it removes', () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 2, 2, 3, 3], { term: 3 }) } });
    const out = c.inject(appendReq(2, 1, 4, 1, 1, [normal(2, 4)], 0));
    expect(c.logTerms(1)).toEqual([1, 4]);
    const t = out.events.find((e) => e.type === 'truncate');
    if (t?.type !== 'truncate') throw new Error('no truncate event');
    expect(t).toMatchObject({ from: 2, to: 5 });
    expect(uniqSorted(t.terms)).toEqual([2, 3]);
  });
});

describe('Figure 7: a new leader (term 8) brings every follower log in line with its own', () => {
  const LEADER = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  const cases = [
    { name: '(a) missing one entry', log: [1, 1, 1, 4, 4, 5, 5, 6, 6], truncate: null },
    { name: '(b) missing many entries', log: [1, 1, 1, 4], truncate: null },
    { name: '(c) one extra entry of term 6', log: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6], truncate: { from: 11, to: 11, terms: [6] } },
    { name: '(d) extra entries of term 7', log: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7], truncate: { from: 11, to: 12, terms: [7] } },
    { name: '(e) extra entries of term 4, missing the rest', log: [1, 1, 1, 4, 4, 4, 4], truncate: { from: 6, to: 7, terms: [4] } },
    {
      name: '(f) entries of terms 2 and 3 the leader never had',
      log: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
      truncate: { from: 4, to: 11, terms: [2, 3] },
    },
  ];
  it.each(cases)('$name', ({ log, truncate }) => {
    const c = newCluster([1, 2, 3], {
      seed: 7,
      restored: {
        1: restoredLog(LEADER, { term: 7 }),
        2: restoredLog(log, { term: 7 }),
        3: restoredLog([], { term: 7 }),
      },
    });
    c.electLeader(1);
    expect(c.status(1).term).toBe(8);
    c.tickAll(4);
    const want = [...LEADER, 8];
    expect(c.logTerms(1)).toEqual(want);
    expect(c.logTerms(2)).toEqual(want);
    expect(c.storedTerms(2)).toEqual(want);
    expect(c.logTerms(3)).toEqual(want);
    expect(c.status(2).commit).toBe(11);
    // the entries themselves, not only the terms, are the leader's
    expect(c.logEntries(2)).toEqual(c.logEntries(1));
    const tr = c.events(2, 'truncate');
    if (truncate === null) expect(tr).toEqual([]);
    else {
      expect(tr).toHaveLength(1);
      expect(tr[0]).toMatchObject({ leader: 1, term: 8, from: truncate.from, to: truncate.to });
      expect(uniqSorted(tr[0]!.terms)).toEqual(truncate.terms);
    }
  });
});

describe('fast log backtracking', () => {
  it('conflict hints repair a far-behind follower in about one round trip per divergent term, not per entry', () => {
    const leaderLog = [...Array<number>(10).fill(1), ...Array<number>(40).fill(6)];
    const followerLog = [1, 2, 3, 4, 5].flatMap((t) => Array<number>(10).fill(t));
    const c = newCluster([1, 2, 3], {
      restored: {
        1: restoredLog(leaderLog, { term: 6 }),
        2: restoredLog(followerLog, { term: 5 }),
        3: restoredLog(leaderLog, { term: 6 }),
      },
    });
    c.electLeader(1);
    c.tickAll(4);
    const want = [...leaderLog, 7];
    expect(c.logTerms(2)).toEqual(want);
    const rejections = c.sentOf('append-response', (m) => m.from === 2 && !m.success);
    // 4 divergent terms (2..5) and one "log too short": one-entry-at-a-time backtracking would need 40+
    expect(rejections.length).toBeGreaterThan(0);
    expect(rejections.length).toBeLessThanOrEqual(6);
  });

  it('a follower that is simply behind is caught up without per-entry probing', () => {
    const leaderLog = Array<number>(60).fill(1);
    const c = newCluster([1, 2, 3], {
      restored: {
        1: restoredLog(leaderLog, { term: 1 }),
        2: restoredLog(leaderLog.slice(0, 5), { term: 1 }),
        3: restoredLog(leaderLog, { term: 1 }),
      },
    });
    c.electLeader(1);
    c.tickAll(4);
    expect(c.logTerms(2)).toEqual([...leaderLog, 2]);
    expect(c.sentOf('append-response', (m) => m.from === 2 && !m.success).length).toBeLessThanOrEqual(2);
  });
});

describe('commit index propagation', () => {
  it("a follower's commit follows leaderCommit but never passes the last entry the append vouched for", () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 1, 1, 1, 1, 1, 1], { term: 1 }) } });
    // entries 4..7 are not known to match the leader's log: only up to prevLogIndex 3 is
    c.inject(appendReq(2, 1, 2, 3, 1, [], 10));
    expect(c.status(1).commit).toBe(3);
    expect(c.node(1).sm.appliedIndex).toBe(3);
    c.inject(appendReq(2, 1, 2, 3, 1, [normal(4, 2), normal(5, 2)], 10));
    expect(c.logTerms(1)).toEqual([1, 1, 1, 2, 2]);
    expect(c.status(1).commit).toBe(5);
    expect(c.node(1).sm.appliedIndex).toBe(5);
    expect(c.node(1).storage.hardState.commit).toBe(5);
  });

  it('a follower never lowers its commit index on a message with a smaller leaderCommit', () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 1, 1], { term: 1, commit: 2 }) } });
    expect(c.status(1).commit).toBe(2);
    c.inject(heartbeat(2, 1, 1, 1));
    c.inject(appendReq(2, 1, 1, 1, 1, [], 1));
    expect(c.status(1).commit).toBe(2);
  });

  it('the leader sends heartbeats every heartbeatInterval ticks', () => {
    const c = newCluster([1, 2, 3], { config: { heartbeatInterval: 3 } });
    c.electLeader(1);
    const mark = c.mark();
    c.tick(1, 2);
    expect(c.sentOf('heartbeat', () => true, mark)).toEqual([]);
    c.tick(1, 1);
    expect(
      c
        .sentOf('heartbeat', () => true, mark)
        .map((m) => m.to)
        .sort(),
    ).toEqual([2, 3]);
    c.tick(1, 3);
    expect(c.sentOf('heartbeat', () => true, mark)).toHaveLength(4);
  });

  it('heartbeats carry commit = min(follower match, leader commit), so a lagging follower never commits past its log', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    const drop = c.addFilter((m) => (m.type === 'append' && m.to === 3 ? null : m));
    for (const d of ['a', 'b', 'c']) c.propose(1, d);
    c.deliverAll();
    const leader = c.status(1);
    expect(leader.commit).toBe(4);
    const match3 = leader.progress[3]!.match;
    expect(match3).toBe(1);
    const mark = c.mark();
    c.tick(1, 2);
    const hbs = c.sentOf('heartbeat', () => true, mark);
    expect(hbs.find((m) => m.to === 2)?.commit).toBe(4);
    expect(hbs.find((m) => m.to === 3)?.commit).toBe(match3);
    c.deliverAll();
    expect(c.status(3).commit).toBeLessThanOrEqual(c.status(3).lastIndex);
    expect(c.status(2).commit).toBe(4);
    drop();
    c.tickAll(3);
    expect(c.status(3).commit).toBe(4);
    expect(c.applied(3)).toEqual(['a', 'b', 'c']);
  });

  it('followers learn that entries committed from the leader', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    c.propose(1, 'x');
    c.deliverAll();
    c.tickAll(2);
    for (const id of [2, 3]) {
      expect(c.status(id).commit).toBe(2);
      expect(c.applied(id)).toEqual(['x']);
    }
  });

  it('a leader with a minority of followers cut off still commits; without a majority it does not', () => {
    const c = newCluster([1, 2, 3, 4, 5]);
    c.electLeader(1);
    c.isolate(4);
    c.isolate(5);
    const r = c.propose(1, 'ok');
    c.deliverAll();
    expect(r.ok).toBe(true);
    expect(c.status(1).commit).toBe(2);
    c.isolate(3);
    const r2 = c.propose(1, 'stuck');
    c.deliverAll();
    c.tickAll(3);
    expect(r2.ok).toBe(true);
    expect(c.status(1).commit).toBe(2);
    expect(c.applied(1)).toEqual(['ok']);
    c.heal();
    c.tickAll(3);
    expect(c.status(1).commit).toBe(3);
  });
});

describe('logs', () => {
  it('logOfTerms builds contiguous entries (harness sanity)', () => {
    expect(logOfTerms([1, 2], 3).map((e) => [e.index, e.term])).toEqual([
      [3, 1],
      [4, 2],
    ]);
  });
});
