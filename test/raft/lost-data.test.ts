// A follower that lost data it had acknowledged (wiped, or restored from an older copy): the leader
// recognises it, resets its progress instead of looping on its rejections, and the node in
// recovering mode neither votes nor campaigns until it has caught up in a later term.
import { describe, expect, it } from 'vitest';
import type { Recovery } from '../../src/raft/config.js';
import { Progress } from '../../src/raft/progress.js';
import type { RestoredState } from '../../src/raft/raft.js';
import { StateMachine, heartbeat, newCluster, voteReq, type Cluster } from './harness.js';

const empty = (): RestoredState => ({ hardState: { term: 0, vote: 0, commit: 0 }, snapshot: null, entries: [] });

/** Replaces n`id`'s disk with `storage` (a wiped or restored data directory) and restarts it. */
function restartWith(c: Cluster, id: number, storage: RestoredState, recovery: Recovery | null = null): void {
  c.crash(id);
  c.dropQueued((m) => m.to === id || m.from === id);
  const n = c.node(id);
  n.storage.load(storage);
  n.sm = new StateMachine();
  if (storage.snapshot) n.sm.restore(storage.snapshot);
  c.restart(id, { recovery });
}

const rejectionsFrom = (c: Cluster, id: number, sinceSeq: number): number =>
  c.sentOf('append-response', (m) => m.from === id && !m.success, sinceSeq).length;

function writes(c: Cluster, leader: number, from: number, count: number): void {
  for (let i = from; i < from + count; i++) c.propose(leader, `v${i}`);
  c.deliverAll();
}

describe('Progress.maybeDecrTo', () => {
  it('a probe rejected at or below match means lost data: match resets and the probe goes back to the hint', () => {
    const pr = new Progress(121, 8, false);
    pr.maybeUpdate(120);
    pr.becomeProbe();
    expect(pr.next).toBe(121);
    expect(pr.maybeDecrTo(120, 1)).toBe('lost');
    expect(pr.match).toBe(0);
    expect(pr.next).toBe(1);
    expect(pr.isPaused()).toBe(false);
  });

  it('a probe rejected above match moves next strictly back, so probes never repeat an index', () => {
    const pr = new Progress(51, 8, false);
    pr.maybeUpdate(10);
    pr.next = 51;
    let probes = 0;
    while (pr.next > pr.match + 1) {
      const before = pr.next;
      expect(pr.maybeDecrTo(pr.next - 1, pr.next - 1)).toBe('decreased');
      expect(pr.next).toBeLessThan(before);
      probes++;
    }
    expect(pr.next).toBe(11);
    expect(probes).toBe(40);
  });

  it('in replicate state a rejection at or below match sends the leader back to probing at match', () => {
    const pr = new Progress(1, 8, false);
    pr.maybeUpdate(120);
    pr.becomeReplicate();
    expect(pr.maybeDecrTo(120, 1)).toBe('decreased');
    expect(pr.next).toBe(121);
    expect(pr.match).toBe(120); // not trusted yet: a reordered old answer looks the same
  });

  it('an answer to another probe than the one in flight is stale', () => {
    const pr = new Progress(31, 8, false);
    expect(pr.maybeDecrTo(50, 1)).toBe('stale');
    expect(pr.next).toBe(31);
  });
});

describe('a follower that lost data', () => {
  it('wiped under an idle leader: recognised at the next heartbeat, caught up, without a reject loop', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    writes(c, 1, 0, 20);
    const acknowledged = c.status(1).progress[2]!.match;
    expect(acknowledged).toBe(21);
    const commitBefore = c.status(1).commit;

    const mark = c.mark();
    restartWith(c, 2, empty());
    c.tickAll(4);
    const lost = c.events(1, 'follower-lost-data');
    expect(lost).toEqual([{ type: 'follower-lost-data', follower: 2, acknowledged, term: c.status(1).term }]);
    expect(c.logEntries(2)).toEqual(c.logEntries(1));
    expect(c.status(2).commit).toBe(c.status(1).commit);
    expect(c.status(1).commit).toBeGreaterThanOrEqual(commitBefore);
    expect(c.status(1).progress[2]!.match).toBe(c.status(1).lastIndex);
    // One heartbeat-driven rejection and one probe at match; today's main loops here for ever.
    expect(rejectionsFrom(c, 2, mark)).toBeLessThanOrEqual(3);
    expect(c.applied(2)).toEqual(c.applied(1));
  });

  it('answers a burst of heartbeats queued while it was down with one rejection', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    writes(c, 1, 0, 5);
    restartWith(c, 2, empty());
    const term = c.status(1).term;
    let rejections = 0;
    for (let i = 0; i < 30; i++) {
      const { messages } = c.inject(heartbeat(1, 2, term, 6));
      rejections += messages.filter((m) => m.type === 'append-response' && !m.success).length;
    }
    expect(rejections).toBe(1);
  });

  it('wiped while writes go on: the leader does not loop on its rejections', () => {
    const c = newCluster([1, 2, 3], { maxDeliveries: 20_000 });
    c.electLeader(1);
    writes(c, 1, 0, 10);
    const mark = c.mark();
    restartWith(c, 2, empty());
    writes(c, 1, 10, 10); // ten pipelined appends, the first rejected below match
    c.tickAll(3);
    expect(c.events(1, 'follower-lost-data').map((e) => e.follower)).toEqual([2]);
    // The ten appends in flight, then one probe at match: bounded, where today's main loops.
    expect(rejectionsFrom(c, 2, mark)).toBeLessThanOrEqual(12);
    expect(c.logEntries(2)).toEqual(c.logEntries(1));
    const later = c.mark();
    c.tickAll(50);
    expect(rejectionsFrom(c, 2, later)).toBe(0);
  });

  it('restored from an older copy of its own disk: caught up from where the copy ends', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    writes(c, 1, 0, 10);
    const copy = c.node(2).storage.restored();
    writes(c, 1, 10, 15);
    const copyEnd = copy.entries.at(-1)!.index;
    const mark = c.mark();
    restartWith(c, 2, copy);
    c.tickAll(4);
    expect(c.events(1, 'follower-lost-data').length).toBe(1);
    expect(c.logEntries(2)).toEqual(c.logEntries(1));
    // Probing resumed from the copy's end, not from index 1.
    const resent = c.sentOf('append', (m) => m.to === 2 && m.entries.length > 0, mark);
    expect(Math.min(...resent.map((m) => m.entries[0]!.index))).toBe(copyEnd + 1);
    expect(rejectionsFrom(c, 2, mark)).toBeLessThanOrEqual(3);
  });

  it('two followers restored from older copies do not stall writes', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    writes(c, 1, 0, 5);
    const copies = [c.node(2).storage.restored(), c.node(3).storage.restored()];
    writes(c, 1, 5, 5);
    restartWith(c, 2, copies[0]!);
    restartWith(c, 3, copies[1]!);
    c.tickAll(4);
    const commit = c.status(1).commit;
    writes(c, 1, 10, 3);
    c.tickAll(2);
    expect(c.status(1).commit).toBe(commit + 3);
    for (const id of [2, 3]) expect(c.logEntries(id)).toEqual(c.logEntries(1));
  });
});

describe('recovering mode', () => {
  it('never campaigns, and refuses votes and pre-votes to candidates that may lack what it lost', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    writes(c, 1, 0, 10);
    const term = c.status(1).term;
    const commit = c.status(1).commit;
    restartWith(c, 2, empty(), { untilIndex: commit, aboveTerm: term });
    expect(c.status(2).recovery).toEqual({ untilIndex: commit, aboveTerm: term });

    // In the term it may have voted in, even the best candidate is refused (5.2).
    const sameTerm = c.inject(voteReq(3, 2, term, commit + 5, term));
    expect(sameTerm.messages).toEqual([expect.objectContaining({ granted: false, reason: 'recovering' })]);
    // A candidate of a later term whose log may lack entries up to the commit n2 had is refused.
    const asked = c.inject(voteReq(3, 2, term + 1, commit - 1, term));
    expect(asked.messages).toEqual([expect.objectContaining({ type: 'vote-response', granted: false, reason: 'recovering' })]);
    const preAsked = c.inject(voteReq(3, 2, term + 2, commit - 1, term, 'pre-vote'));
    expect(preAsked.messages).toEqual([expect.objectContaining({ type: 'pre-vote-response', granted: false, reason: 'recovering' })]);
    // A candidate at least as up to date as entry `commit` of `term`, in a later term, holds
    // everything committed up to there: the vote is granted (the holder of the data can be elected).
    const good = c.inject(voteReq(3, 2, term + 3, commit, term, 'pre-vote'));
    expect(good.messages).toEqual([expect.objectContaining({ type: 'pre-vote-response', granted: true })]);
    expect(c.status(2).recovery).not.toBeNull();
    // Left alone for many election timeouts, it never campaigns.
    c.isolate(2);
    c.tickAll(100);
    expect(c.events(2, 'campaign')).toEqual([]);
    expect(c.status(2).role).toBe('follower');
    c.heal();
  });

  it('caught up in the term it may have voted in, it still refuses that term; the next term ends recovery', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    writes(c, 1, 0, 10);
    const term = c.status(1).term;
    const commit = c.status(1).commit;
    restartWith(c, 2, empty(), { untilIndex: commit, aboveTerm: term });
    c.tickAll(4);
    expect(c.status(2).commit).toBeGreaterThanOrEqual(commit);
    expect(c.status(2).term).toBe(term);
    expect(c.status(2).recovery).not.toBeNull();
    // A vote in the term n2 voted in before it lost its disk would be a second vote (5.2).
    const same = c.inject(voteReq(3, 2, term, c.status(1).lastIndex, term));
    expect(same.messages[0]).toMatchObject({ granted: false, reason: 'recovering' });

    // n1 is gone: once n2's election timeout passed without a leader, n3 asks for term + 1.
    c.isolate(2);
    c.tick(2, 25);
    c.heal();
    const next = c.inject(voteReq(3, 2, term + 1, c.status(1).lastIndex, term));
    expect(next.events).toContainEqual({ type: 'recovery-finished', index: c.status(2).commit, aboveTerm: term, term: term + 1 });
    expect(next.messages[0]).toMatchObject({ type: 'vote-response', granted: true });
    expect(c.status(2).recovery).toBeNull();
  });

  it('keeps an entry committed with the lost follower: the stale node cannot win with its vote', () => {
    // n1 commits entries with n2 while n3 is cut off; n2 then loses its disk and n1 dies. Without
    // recovering mode, n2's vote would elect n3, which lacks the committed entries.
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    writes(c, 1, 0, 3);
    c.isolate(3);
    writes(c, 1, 3, 5);
    const committed = c.status(1).commit;
    expect(c.status(3).lastIndex).toBeLessThan(committed);
    restartWith(c, 2, empty(), { untilIndex: committed, aboveTerm: c.status(1).term });
    const since = c.eventLog.length;
    c.crash(1);
    c.heal();
    c.tickAll(200);
    expect(c.leader()).toBeUndefined();
    const granted = c.eventLog.slice(since).filter(({ node, event }) => node === 2 && event.type === 'vote-cast' && event.granted);
    expect(granted).toEqual([]);
    expect(
      c.eventLog.slice(since).some(({ node, event }) => node === 2 && event.type === 'vote-cast' && event.reason === 'recovering'),
    ).toBe(true);
  });
});
