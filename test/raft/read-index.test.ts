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
    expect(c.sentOf('heartbeat', (m) => m.context === 'r1').map((m) => m.to)).toEqual(expect.arrayContaining([2, 3]));
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
