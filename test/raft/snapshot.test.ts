// Log compaction and InstallSnapshot (Raft paper section 7), and restarts from persisted state.
import { describe, expect, it } from 'vitest';
import type { Membership, NodeId, Snapshot } from '../../src/raft/types.js';
import { isMsg, newCluster, restoredLog } from './harness.js';

const mem = (voters: NodeId[], learners: NodeId[] = []): Membership => ({ voters, learners });

describe('compaction', () => {
  it('compact(index) drops the log up to index and moves firstIndex', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    for (let i = 0; i < 10; i++) c.propose(1, `e${i}`);
    c.deliverAll();
    c.tickAll(1);
    const s0 = c.status(1);
    expect(s0).toMatchObject({ lastIndex: 11, commit: 11, applied: 11 });
    const t5 = c.raft(1).termAt(5);
    const snap = c.compact(1, 5);
    expect(snap.meta).toEqual({ index: 5, term: t5, membership: mem([1, 2, 3]) });
    const s = c.status(1);
    expect(s).toMatchObject({ firstIndex: 6, snapshotIndex: 5, snapshotTerm: t5, lastIndex: 11, lastTerm: s0.lastTerm, commit: 11 });
    expect(c.raft(1).termAt(4)).toBeUndefined();
    expect(c.raft(1).termAt(6)).toBe(s0.term);
    expect(
      c
        .raft(1)
        .entries(1, 11)
        .map((e) => e.index),
    ).toEqual([6, 7, 8, 9, 10, 11]);
    expect(c.events(1, 'snapshot-taken').at(-1)).toMatchObject({ index: 5, term: t5 });
    // the node and the cluster carry on
    c.propose(1, 'after');
    c.tickAll(2);
    expect(c.applied(2).at(-1)).toBe('after');
    expect(c.status(1).firstIndex).toBe(6);
  });

  it('a follower can compact its own log too', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    for (let i = 0; i < 4; i++) c.propose(1, `e${i}`);
    c.tickAll(2);
    expect(c.status(2).applied).toBe(5);
    c.compact(2, 5);
    expect(c.status(2)).toMatchObject({ firstIndex: 6, snapshotIndex: 5, lastIndex: 5 });
    c.propose(1, 'more');
    c.tickAll(2);
    expect(c.applied(2).at(-1)).toBe('more');
    expect(c.status(2).lastIndex).toBe(6);
  });
});

describe('InstallSnapshot', () => {
  it('a follower behind the compacted log receives a snapshot, installs it, then catches up with appends', () => {
    const c = newCluster([1, 2, 3], { seed: 12 });
    c.electLeader(1);
    c.crash(3);
    for (let i = 0; i < 10; i++) {
      c.propose(1, `e${i}`);
      c.deliverAll();
    }
    c.tickAll(1);
    const snap = c.compact(1);
    expect(snap.meta.index).toBe(11);
    c.propose(1, 'x1');
    c.propose(1, 'x2');
    c.deliverAll();
    c.tickAll(1);
    const mark = c.mark();
    c.restart(3);
    const rounds = c.tickUntil(() => c.status(3).lastIndex === c.status(1).lastIndex && c.status(3).commit === c.status(1).commit, 40);
    expect(rounds).toBeGreaterThanOrEqual(0);
    const sent = c.sentOf('snapshot', (m) => m.to === 3, mark);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent[0]!.snapshot.meta).toMatchObject({ index: snap.meta.index, term: snap.meta.term });
    expect(c.events(1, 'snapshot-sent')).toContainEqual(expect.objectContaining({ to: 3, index: snap.meta.index }));
    const installed = c.node(3).readies.filter((r) => r.snapshot !== null);
    expect(installed.length).toBeGreaterThanOrEqual(1);
    expect(installed[0]!.snapshot!.meta.index).toBe(snap.meta.index);
    expect(c.events(3, 'snapshot-installed')[0]).toMatchObject({ from: 1, index: snap.meta.index, term: snap.meta.term });
    // what follows the snapshot came by append
    const appends = c.sentOf('append', (m) => m.to === 3 && m.entries.some((e) => e.index > snap.meta.index), mark);
    expect(appends.length).toBeGreaterThan(0);
    expect(c.status(3)).toMatchObject({ snapshotIndex: 11, firstIndex: 12, lastIndex: 13 });
    expect(c.node(3).storage.snapshot?.meta.index).toBe(11);
    expect(c.node(3).storage.entries.map((e) => e.index)).toEqual([12, 13]);
    expect(c.applied(3)).toEqual(c.applied(1));
    expect(c.applied(3)).toHaveLength(12);
  });

  it('a snapshot that conflicts with the log replaces the whole log', () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 1, 2, 2], { term: 2, commit: 2 }) } });
    const snapshot: Snapshot = { meta: { index: 4, term: 3, membership: mem([1, 2, 3]) }, data: 'opaque' };
    const out = c.inject({ type: 'snapshot', from: 2, to: 1, term: 3, snapshot });
    expect(c.status(1)).toMatchObject({ term: 3, leader: 2, snapshotIndex: 4, snapshotTerm: 3, firstIndex: 5, lastIndex: 4, commit: 4 });
    expect(c.raft(1).entries(1, 10)).toEqual([]);
    expect(out.readies.some((r) => r.snapshot?.meta.index === 4)).toBe(true);
    expect(c.node(1).storage.entries).toEqual([]);
    expect(out.events.filter((e) => e.type === 'snapshot-installed')).toEqual([expect.objectContaining({ from: 2, index: 4, term: 3 })]);
    expect(out.messages.filter(isMsg('append-response'))).toEqual([expect.objectContaining({ to: 2, success: true, index: 4 })]);
  });

  it('a snapshot the follower has already committed past is ignored', () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 1, 1, 1, 1], { term: 1, commit: 5 }) } });
    expect(c.node(1).sm.appliedIndex).toBe(5);
    const snapshot: Snapshot = { meta: { index: 3, term: 1, membership: mem([1, 2, 3]) }, data: 'old' };
    const out = c.inject({ type: 'snapshot', from: 2, to: 1, term: 1, snapshot });
    expect(c.status(1)).toMatchObject({ lastIndex: 5, commit: 5, snapshotIndex: 0 });
    expect(out.readies.some((r) => r.snapshot !== null)).toBe(false);
    expect(c.node(1).sm.appliedIndex).toBe(5);
    expect(c.logTerms(1)).toEqual([1, 1, 1, 1, 1]);
  });

  it('a snapshot whose last entry matches the log keeps the entries after it', () => {
    const c = newCluster([1, 2, 3], { restored: { 1: restoredLog([1, 1, 1, 2, 2], { term: 2, commit: 1 }) } });
    const snapshot: Snapshot = { meta: { index: 3, term: 1, membership: mem([1, 2, 3]) }, data: 'keep' };
    c.inject({ type: 'snapshot', from: 2, to: 1, term: 2, snapshot });
    const s = c.status(1);
    expect(s.commit).toBeGreaterThanOrEqual(3);
    expect(s.lastIndex).toBe(5);
    expect(c.raft(1).termAt(5)).toBe(2);
  });
});

describe('restart from persisted state', () => {
  it('restores term, vote, commit, membership and the log (snapshot + entries)', () => {
    const c = newCluster([1, 2, 3], { seed: 13 });
    c.electLeader(1);
    c.addNode(4, { voters: [] });
    expect(c.proposeConfChange(1, { type: 'add-learner', node: 4 }).ok).toBe(true);
    c.deliverAll();
    for (let i = 0; i < 6; i++) {
      c.propose(1, `e${i}`);
      c.deliverAll();
    }
    c.tickAll(2);
    c.compact(2);
    for (let i = 0; i < 2; i++) c.propose(1, `f${i}`);
    c.deliverAll();
    c.tickAll(2);
    const before = c.status(2);
    expect(before.snapshotIndex).toBeGreaterThan(0);
    expect(before.lastIndex).toBeGreaterThan(before.snapshotIndex);
    c.crash(2);
    c.restart(2);
    const after = c.status(2);
    for (const k of ['term', 'vote', 'lastIndex', 'lastTerm', 'snapshotIndex', 'snapshotTerm', 'firstIndex'] as const)
      expect({ [k]: after[k] }).toEqual({ [k]: before[k] });
    // The commit index as of the last synced write: the writes after it only moved it, without an
    // fsync (Ready.mustSync), and the crash took them; the leader tells it again.
    expect(after.commit).toBeLessThan(before.commit);
    expect(after.commit).toBeGreaterThanOrEqual(after.snapshotIndex);
    expect(after.membership).toEqual(mem([1, 2, 3], [4]));
    expect(after.role).toBe('follower');
    expect(c.logEntries(2)).toEqual(c.node(2).storage.entries);
    c.propose(1, 'post');
    c.tickAll(3);
    expect(c.applied(2)).toEqual(c.applied(1));
    expect(c.applied(2).at(-1)).toBe('post');
  });

  it('a node that installed a snapshot restarts with the membership the snapshot carries', () => {
    const c = newCluster([1, 2, 3], { seed: 14 });
    c.electLeader(1);
    c.crash(3);
    expect(c.proposeConfChange(1, { type: 'add-learner', node: 4 }).ok).toBe(true); // n4 never shows up
    c.deliverAll();
    for (let i = 0; i < 3; i++) c.propose(1, `e${i}`);
    c.deliverAll();
    c.tickAll(1);
    const snap = c.compact(1);
    expect(snap.meta.membership).toEqual(mem([1, 2, 3], [4]));
    c.restart(3);
    expect(c.tickUntil(() => c.status(3).commit === c.status(1).commit, 40)).toBeGreaterThanOrEqual(0);
    expect(c.status(3).snapshotIndex).toBe(snap.meta.index);
    expect(c.status(3).membership).toEqual(mem([1, 2, 3], [4]));
    c.crash(3);
    c.restart(3);
    expect(c.status(3)).toMatchObject({ snapshotIndex: snap.meta.index, membership: mem([1, 2, 3], [4]) });
    expect(c.status(3).commit).toBeGreaterThanOrEqual(snap.meta.index);
  });

  it('a restarted candidate remembers its vote and term; a restarted leader comes back as follower', () => {
    const c = newCluster([1, 2, 3], { seed: 15, config: { preVote: false } });
    c.raft(3).campaign();
    c.flush(3);
    c.crash(3);
    c.dropQueued(); // its vote requests died with it
    c.restart(3);
    expect(c.status(3)).toMatchObject({ role: 'follower', term: 1, vote: 3 });
    c.electLeader(1);
    const t = c.status(1).term;
    c.crash(1);
    c.restart(1);
    expect(c.status(1)).toMatchObject({ role: 'follower', term: t, vote: 1 });
  });
});
