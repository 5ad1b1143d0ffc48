// ReadIndex (dissertation section 6.4): linearizable reads without writing to the log.
import { describe, expect, it } from 'vitest';
import { newCluster, restoredLog } from './harness.js';

describe('ReadIndex', () => {
  it('the leader releases a read only after a quorum acknowledges its heartbeat round, at the commit index of the request', () => {
    const c = newCluster([1, 2, 3], { seed: 3 });
    c.electLeader(1);
    c.propose(1, 'a');
    c.deliverAll();
    c.tickAll(1);
    const commit0 = c.status(1).commit;
    expect(commit0).toBe(2);
    c.isolate(2);
    c.isolate(3);
    expect(c.raft(1).readIndex('r1')).toEqual({ ok: true });
    c.flush(1);
    c.tickAll(4);
    expect(c.sentOf('heartbeat', (m) => m.context !== undefined).map((m) => m.to)).toEqual(expect.arrayContaining([2, 3]));
    expect(c.node(1).readStates).toEqual([]);
    // one follower comes back: with the leader that is a quorum of 3
    c.heal();
    c.isolate(3);
    expect(c.tickUntil(() => c.node(1).readStates.length > 0, 6)).toBeGreaterThanOrEqual(0);
    expect(c.node(1).readStates).toEqual([{ context: 'r1', index: commit0 }]);
  });

  it('the read index is the commit index when the read was asked, even if more commits before it is confirmed', () => {
    const c = newCluster([1, 2, 3], { seed: 3 });
    c.electLeader(1);
    c.tickAll(1);
    const commit0 = c.status(1).commit;
    c.raft(1).readIndex('r2');
    c.flush(1);
    c.propose(1, 'later');
    c.deliverAll();
    c.tickUntil(() => c.node(1).readStates.length > 0, 4);
    expect(c.status(1).commit).toBe(commit0 + 1);
    expect(c.node(1).readStates).toEqual([{ context: 'r2', index: commit0 }]);
  });

  it('reads are released in the order they were asked', () => {
    const c = newCluster([1, 2, 3], { seed: 3 });
    c.electLeader(1);
    c.raft(1).readIndex('first');
    c.flush(1);
    c.propose(1, 'x');
    c.raft(1).readIndex('second');
    c.flush(1);
    c.deliverAll();
    c.tickUntil(() => c.node(1).readStates.length >= 2, 6);
    const rs = c.node(1).readStates;
    expect(rs.map((r) => r.context)).toEqual(['first', 'second']);
    expect(rs[0]!.index).toBeLessThanOrEqual(rs[1]!.index);
  });

  it('a new leader does not serve reads until it has committed an entry of its own term', () => {
    const at1 = () => restoredLog([1, 1], { term: 1, commit: 2 });
    const c = newCluster([1, 2, 3], { restored: { 1: at1(), 2: at1(), 3: at1() } });
    c.raft(1).campaign();
    expect(c.deliverUntil(() => c.status(1).role === 'leader')).toBe(true);
    expect(c.status(1).commit).toBe(2);
    expect(c.raft(1).readIndex('early')).toEqual({ ok: true });
    c.flush(1);
    // acknowledgements of heartbeats alone must not release it: entry 2 may not be the latest commit
    c.deliverWhere((m) => m.type === 'heartbeat' || m.type === 'heartbeat-response');
    expect(c.node(1).readStates).toEqual([]);
    c.deliverAll();
    c.tickUntil(() => c.node(1).readStates.length > 0, 6);
    const rs = c.node(1).readStates;
    expect(rs).toHaveLength(1);
    expect(rs[0]!.context).toBe('early');
    expect(rs[0]!.index).toBeGreaterThanOrEqual(3);
    expect(rs[0]!.index).toBeLessThanOrEqual(c.status(1).commit);
  });

  it('a single-node cluster answers a read at once', () => {
    const c = newCluster([1]);
    c.electLeader(1);
    const commit = c.status(1).commit;
    expect(commit).toBe(1);
    expect(c.raft(1).readIndex('solo')).toEqual({ ok: true });
    const readies = c.flush(1);
    expect(readies.flatMap((r) => r.readStates)).toEqual([{ context: 'solo', index: commit }]);
  });

  it('a follower refuses a read with not-leader and names the leader it knows', () => {
    const c = newCluster([1, 2, 3]);
    expect(c.raft(2).readIndex('x')).toMatchObject({ ok: false, reason: 'not-leader', leader: 0 });
    c.electLeader(1);
    expect(c.raft(2).readIndex('x')).toMatchObject({ ok: false, reason: 'not-leader', leader: 1 });
    c.flush(2);
    expect(c.node(2).readStates).toEqual([]);
  });

  it('a leader cut off from the majority never serves the read, even after it steps down and rejoins', () => {
    const c = newCluster([1, 2, 3], { seed: 5 });
    c.electLeader(1);
    c.isolate(1);
    c.raft(1).readIndex('stale');
    c.flush(1);
    c.tickAll(60);
    expect(c.status(1).role).not.toBe('leader');
    c.heal();
    c.tickAll(30);
    expect(c.node(1).readStates).toEqual([]);
  });
});

describe('ReadIndex rounds are shared by the reads that wait for them', () => {
  /** A 3-node cluster whose leader n1 has committed an entry of its term, the network quiet. */
  function ready3() {
    const c = newCluster([1, 2, 3], { seed: 3 });
    c.electLeader(1);
    c.tickAll(1);
    return c;
  }
  const heartbeatsSince = (c: ReturnType<typeof ready3>, seq: number) => c.sentOf('heartbeat', (m) => m.from === 1, seq).length;

  it('N reads arriving while a round is in flight cost exactly one more heartbeat broadcast, which releases them all', () => {
    const c = ready3();
    const start = c.mark();
    c.raft(1).readIndex('first');
    c.flush(1);
    const [round1] = c.readRounds(1, start);
    expect(heartbeatsSince(c, start)).toBe(2); // one heartbeat per follower
    const before = c.mark();
    const N = 20;
    for (let i = 0; i < N; i++) {
      c.raft(1).readIndex(`r${i}`);
      c.flush(1);
    }
    expect(heartbeatsSince(c, before)).toBe(0); // they wait for round 1 to end
    c.deliverReadRound(round1!);
    expect(c.node(1).readStates.map((r) => r.context)).toEqual(['first']);
    const rounds = c.readRounds(1, before);
    expect(rounds).toHaveLength(1); // round 1's end started one round for all N
    expect(heartbeatsSince(c, before)).toBe(2);
    c.deliverReadRound(rounds[0]!);
    const commit = c.status(1).commit;
    expect(c.node(1).readStates.slice(1)).toEqual(Array.from({ length: N }, (_, i) => ({ context: `r${i}`, index: commit })));
    expect(heartbeatsSince(c, before)).toBe(2);
    expect(c.queue).toEqual([]);
    expect(c.status(1).readRounds).toBe(2);
  });

  it('a read that arrives after a round sent its heartbeats is not released by their answers, and is read at the commit index it saw', () => {
    const c = ready3();
    const commit0 = c.status(1).commit;
    const start = c.mark();
    c.raft(1).readIndex('early');
    c.flush(1);
    const [round1] = c.readRounds(1, start);
    // A write is acknowledged after round 1's heartbeats left, then the late read arrives.
    c.propose(1, 'w');
    c.deliverWhere((m) => m.type === 'append' || m.type === 'append-response');
    expect(c.status(1).commit).toBe(commit0 + 1);
    c.raft(1).readIndex('late');
    c.flush(1);
    // Round 1's heartbeats are answered by both followers: a majority, and more.
    const answers = c.queued('heartbeat', (m) => m.context === round1);
    expect(answers).toHaveLength(2);
    c.deliverReadRound(round1!);
    expect(c.node(1).readStates).toEqual([{ context: 'early', index: commit0 }]);
    // Even answers to round 1 that arrive again (duplicated by the network) do not release it.
    for (const to of [2, 3]) c.inject({ type: 'heartbeat-response', from: to, to: 1, term: c.status(1).term, context: round1! });
    expect(c.node(1).readStates.map((r) => r.context)).toEqual(['early']);
    const [round2] = c.readRounds(1, start).slice(1);
    expect(round2).toBeDefined();
    c.deliverReadRound(round2!);
    expect(c.node(1).readStates).toEqual([
      { context: 'early', index: commit0 },
      { context: 'late', index: commit0 + 1 },
    ]);
  });

  it('one answer to a round is not a majority of 5: its reads wait for a second one', () => {
    const c = newCluster([1, 2, 3, 4, 5], { seed: 3 });
    c.electLeader(1);
    c.tickAll(1);
    const start = c.mark();
    c.raft(1).readIndex('a');
    c.flush(1);
    const [round] = c.readRounds(1, start);
    c.deliverWhere((m) => (m.type === 'heartbeat' && m.to === 2) || m.type === 'heartbeat-response');
    expect(c.node(1).readStates).toEqual([]);
    c.deliverWhere((m) => (m.type === 'heartbeat' && m.to === 3) || m.type === 'heartbeat-response');
    expect(c.node(1).readStates.map((r) => r.context)).toEqual(['a']);
    expect(c.readRounds(1, start)).toEqual([round]);
  });

  it('reads waiting behind a round whose heartbeats were lost start theirs with the next periodic heartbeat, at no extra broadcast', () => {
    const c = ready3();
    const start = c.mark();
    c.raft(1).readIndex('lost');
    c.flush(1);
    const [round1] = c.readRounds(1, start);
    c.dropQueued();
    c.raft(1).readIndex('waiting');
    c.flush(1);
    expect(c.readRounds(1, start)).toEqual([round1]);
    // Tick the leader alone until its heartbeat interval ends: that one broadcast carries round 2.
    const beforeTick = c.mark();
    c.tick(1, c.status(1).heartbeatElapsed === 0 ? 2 : 1);
    expect(heartbeatsSince(c, beforeTick)).toBe(2);
    const rounds = c.readRounds(1, start);
    expect(rounds).toHaveLength(2);
    c.deliverAll();
    // Round 2's majority confirms round 1 too: it started earlier in the same leadership.
    const commit = c.status(1).commit;
    expect(c.node(1).readStates).toEqual([
      { context: 'lost', index: commit },
      { context: 'waiting', index: commit },
    ]);
  });

  it('reads that arrive before the first commit of the term all join one round', () => {
    const at1 = () => restoredLog([1, 1], { term: 1, commit: 2 });
    const c = newCluster([1, 2, 3], { restored: { 1: at1(), 2: at1(), 3: at1() } });
    c.raft(1).campaign();
    expect(c.deliverUntil(() => c.status(1).role === 'leader')).toBe(true);
    const start = c.mark();
    for (const r of ['a', 'b', 'c']) expect(c.raft(1).readIndex(r)).toEqual({ ok: true });
    c.flush(1);
    expect(c.readRounds(1, start)).toEqual([]);
    c.deliverAll();
    expect(c.readRounds(1, start)).toHaveLength(1);
    const rs = c.node(1).readStates;
    expect(rs.map((r) => r.context)).toEqual(['a', 'b', 'c']);
    // The no-op of term 2 is entry 3: committed before the round started.
    expect(new Set(rs.map((r) => r.index))).toEqual(new Set([3]));
  });

  it('a single voter releases each read at once, with no heartbeats', () => {
    const c = newCluster([1]);
    c.electLeader(1);
    const start = c.mark();
    for (const r of ['a', 'b']) c.raft(1).readIndex(r);
    const readies = c.flush(1);
    expect(readies.flatMap((r) => r.readStates).map((r) => r.context)).toEqual(['a', 'b']);
    expect(c.sentOf('heartbeat', () => true, start)).toEqual([]);
  });

  it('a leader that steps down drops the reads of its rounds and those waiting: none is ever released', () => {
    const c = ready3();
    const start = c.mark();
    c.raft(1).readIndex('inFlight');
    c.flush(1);
    c.raft(1).readIndex('queued');
    c.flush(1);
    const [round1] = c.readRounds(1, start);
    c.dropQueued();
    // n1 learns of a higher term before any answer.
    c.inject({ type: 'heartbeat', from: 2, to: 1, term: c.status(1).term + 1, commit: 0 });
    expect(c.status(1).role).toBe('follower');
    c.inject({ type: 'heartbeat-response', from: 3, to: 1, term: c.status(1).term, context: round1! });
    expect(c.node(1).readStates).toEqual([]);
    expect(c.raft(1).readIndex('after')).toMatchObject({ ok: false, reason: 'not-leader', leader: 2 });
  });
});

describe('why a read may not join the round in flight', () => {
  it('answers sent before a new leader took over do not confirm a read that arrived after it committed a write', () => {
    const c = newCluster([1, 2, 3], { seed: 3 });
    c.electLeader(1);
    c.tickAll(1);
    const term = c.status(1).term;
    const commit0 = c.status(1).commit;
    const start = c.mark();
    c.raft(1).readIndex('early');
    c.flush(1);
    // n2 and n3 answer round 1 in term `term`, and their answers are held up in the network.
    c.deliverWhere((m) => m.type === 'heartbeat');
    expect(c.queued('heartbeat-response')).toHaveLength(2);
    // Meanwhile n2 takes over (a leadership transfer n1 does not hear about) and commits a write
    // with n3's help: the write is acknowledged.
    c.inject({ type: 'timeout-now', from: 1, to: 2, term });
    const without1 = (m: { from: number; to: number }) => m.from !== 1 && m.to !== 1;
    c.deliverWhere((m) => m.type !== 'heartbeat-response' && without1(m));
    expect(c.status(2)).toMatchObject({ role: 'leader', term: term + 1 });
    c.propose(2, 'w');
    c.deliverWhere((m) => m.type !== 'heartbeat-response' && without1(m));
    expect(c.applied(2)).toContain('w');
    // Then a read reaches n1, which still believes it leads; the held answers arrive.
    expect(c.raft(1).readIndex('late')).toEqual({ ok: true });
    c.flush(1);
    c.deliverWhere((m) => m.type === 'heartbeat-response');
    // They confirm n1 led when round 1 started, before n2's term: the early read is good at commit0.
    // They say nothing about n1 after the write, so they must not release the late read, which
    // would miss it: its own round reaches n2 and n3 in the new term and n1 learns it was deposed.
    expect(c.node(1).readStates).toEqual([{ context: 'early', index: commit0 }]);
    expect(c.readRounds(1, start)).toHaveLength(2);
    c.deliverAll();
    expect(c.status(1)).toMatchObject({ role: 'follower', term: term + 1 });
    expect(c.node(1).readStates.map((r) => r.context)).toEqual(['early']);
  });
});
