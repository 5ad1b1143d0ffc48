// What a Ready asks the runtime to sync, and what may leave before its persist: a commit index is
// written without an fsync (etcd's MustSync); a leader's appends leave while it writes the same
// entries (dissertation 10.2.1), and it counts its own entries towards a commit only once they
// are durable (Raft.persisted).
import { describe, expect, it } from 'vitest';
import type { Ready } from '../../src/raft/ready.js';
import { isMsg, newCluster, voteReq } from './harness.js';

const types = (rd: Ready, which: 'messagesBeforePersist' | 'messages') => rd[which].map((m) => `${m.type}>n${m.to}`);

describe('mustSync', () => {
  it('a Ready that only moves the commit index is not synced', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    const elected = c.node(1).readies.length;
    c.propose(1, 'a');
    // The followers learn the commit from the next append or heartbeat, alone in their Ready.
    c.deliverAll();
    const last = c.node(2).readies.at(-1)!;
    expect(last.hardState?.commit).toBe(2);
    expect(last.entries).toEqual([]);
    expect(last.mustSync).toBe(false);
    const commitOnly = c
      .node(1)
      .readies.slice(elected)
      .filter((rd) => rd.hardState !== null && rd.entries.length === 0);
    expect(commitOnly.length).toBeGreaterThan(0);
    for (const rd of commitOnly) expect(rd.mustSync).toBe(false);
  });

  it('entries, a new term and a vote are synced', () => {
    const c = newCluster([1, 2, 3], { config: { preVote: false } });
    c.raft(1).campaign();
    const [campaign] = c.flush(1);
    expect(campaign).toMatchObject({ hardState: { term: 1, vote: 1 }, mustSync: true });
    c.raft(2).step(voteReq(1, 2, 1, 0, 0));
    const [voted] = c.flush(2);
    expect(voted).toMatchObject({ hardState: { term: 1, vote: 1 }, mustSync: true });
    c.deliverAll();
    const withEntries = c.node(3).readies.filter((rd) => rd.entries.length > 0);
    expect(withEntries.length).toBeGreaterThan(0);
    for (const rd of withEntries) expect(rd.mustSync).toBe(true);
  });

  it('a vote in the current term alone is synced, and its grant waits for the persist', () => {
    const c = newCluster([1, 2, 3], { config: { preVote: false } });
    c.raft(1).campaign();
    c.flush(1);
    c.raft(2).step(voteReq(3, 2, 1, 0, 0)); // n2 takes term 1 from n3's request, votes for n3
    const [first] = c.flush(2);
    expect(first).toMatchObject({ hardState: { term: 1, vote: 3 }, mustSync: true, messagesBeforePersist: [] });
    expect(types(first!, 'messages')).toEqual(['vote-response>n3']);
  });
});

describe('a leader writes and sends in parallel', () => {
  it("its appends and heartbeats may leave before the persist; a follower's answers may not", () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    c.propose(1, 'a');
    const sent = c.node(1).readies.at(-1)!;
    expect(sent.entries.map((e) => e.index)).toEqual([2]);
    expect(types(sent, 'messagesBeforePersist')).toEqual(['append>n2', 'append>n3']);
    expect(sent.messages).toEqual([]);
    c.deliverWhere(isMsg('append'));
    for (const id of [2, 3]) {
      const rd = c.node(id).readies.at(-1)!;
      expect(rd.messagesBeforePersist).toEqual([]);
      expect(types(rd, 'messages')).toEqual(['append-response>n1']);
    }
  });

  it('a Ready that changes the term sends nothing before its persist', () => {
    const c = newCluster([1, 2, 3], { config: { preVote: false } });
    c.raft(1).campaign();
    const [rd] = c.flush(1);
    expect(rd!.messagesBeforePersist).toEqual([]);
    expect(types(rd!, 'messages')).toEqual(['vote>n2', 'vote>n3']);
  });

  it('does not count its own entries until they are durable', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    c.holdWrites(1);
    c.propose(1, 'a');
    expect(c.queued('append').map((m) => m.to)).toEqual([2, 3]);
    c.isolate(3);
    c.deliverAll();
    // n2 stored entry 2 and said so; the leader's own copy is not on its disk: 1 of 3.
    expect(c.node(2).storage.lastIndex).toBe(2);
    expect(c.status(1).commit).toBe(1);
    expect(c.node(1).storage.lastIndex).toBe(1);
    c.releaseWrites(1);
    expect(c.status(1).commit).toBe(2);
    c.deliverAll();
    expect(c.applied(1)).toEqual(['a']);
    expect(c.applied(2)).toEqual(['a']);
  });

  it('commits without its own copy once a majority of followers hold it', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    c.holdWrites(1);
    c.propose(1, 'a');
    c.deliverAll();
    expect(c.status(1).commit).toBe(2);
    // The commit, and applying it, wait for the write under way: one Ready at a time.
    expect(c.applied(1)).toEqual([]);
    c.releaseWrites(1);
    expect(c.applied(1)).toEqual(['a']);
  });

  it('a leader that crashes after sending, before its write is done, loses nothing acknowledged', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    c.propose(1, 'a');
    c.deliverAll();
    expect(c.applied(2)).toEqual(['a']);
    c.holdWrites(1);
    c.propose(1, 'b');
    c.deliverAll();
    expect(c.node(2).storage.lastIndex).toBe(3);
    c.crash(1);
    // Entry 3 is lost on n1's disk but stored on n2 and n3, which elect one of themselves.
    expect(c.node(1).storage.lastIndex).toBe(2);
    c.tickUntil(() => c.leader() !== undefined && c.leader() !== 1);
    const leader = c.leader()!;
    c.deliverAll();
    expect(c.applied(leader)).toEqual(['a', 'b']);
    c.restart(1);
    c.tickUntil(() => c.applied(1).length === 2);
    expect(c.applied(1)).toEqual(['a', 'b']);
    c.checkCommittedPrefixes();
  });
});
