// The tracker on hand-made models and event sequences: steps are done in order, only on what
// happened after the step before them, facts are remembered, and the panel shows the right texts.
import { describe, expect, it } from 'vitest';
import type { ClusterEvent, ClusterModel } from '../../src/cluster-model/index.js';
import { firstElection } from '../../src/exercises/catalog/first-election.js';
import { leaderFailure } from '../../src/exercises/catalog/leader-failure.js';
import { minorityPartition } from '../../src/exercises/catalog/minority-partition.js';
import { splitVote } from '../../src/exercises/catalog/split-vote.js';
import { createTracker } from '../../src/exercises/tracker.js';
import { becomes, cluster, nodeModel, raft, timeout } from './fake-models.js';

describe('the tracker of exercise 1 (first election)', () => {
  const resumed: ClusterEvent = {
    ts: 0,
    node: null,
    kind: 'supervisor',
    type: 'resume',
    text: 'resumed n1, n2, n3, n4, n5',
    data: { ok: true },
  };
  const election = [timeout(3, 0), becomes(3, 'candidate', 1), becomes(3, 'leader', 1)];

  it('waits for the frozen nodes to be let go, then follows the election', () => {
    const t = createTracker(firstElection, 'en');
    const frozen = cluster(
      0,
      0,
      Object.fromEntries([1, 2, 3, 4, 5].map((id) => [id, nodeModel(id, { role: 'follower', term: 0 }, 'paused')])),
    );
    expect(t.update(frozen, [])).toEqual([]);
    expect(t.view({ hint: false }).trigger?.label).toBe('let the nodes run: their election timers start');
    expect(t.update(cluster(3, 1), [resumed, ...election]).map((c) => c.id)).toEqual(['start', 'timeout', 'candidate', 'leader', 'follow']);
    expect(t.context().facts).toMatchObject({ first: 3, leader: 3, term: 1 });
  });

  it('still follows an election that began before the nodes could be frozen', () => {
    const t = createTracker(firstElection, 'en');
    expect(t.update(cluster(3, 1), election).map((c) => c.id)).toEqual(['start', 'timeout', 'candidate', 'leader', 'follow']);
  });
});

describe('the tracker of exercise 3 (leader failure)', () => {
  const killed = (m: ClusterModel): ClusterModel => ({
    ...m,
    nodes: m.nodes.map((n) => (n.id === 1 ? { ...n, process: { ...n.process, state: 'killed', pid: null } } : n)),
  });

  it('remembers the leader at the start, and counts the kill of that node only', () => {
    const t = createTracker(leaderFailure, 'en');
    expect(t.update(cluster(1, 2), []).map((c) => c.id)).toEqual(['leader']);
    expect(t.context().facts).toMatchObject({ leader: 1, term: 2 });
    const otherKilled = {
      ...cluster(1, 2),
      nodes: cluster(1, 2).nodes.map((n) => (n.id === 3 ? { ...n, process: { ...n.process, state: 'killed' as const } } : n)),
    };
    expect(t.update(otherKilled, [])).toEqual([]);
    expect(t.update(killed(cluster(1, 2)), []).map((c) => c.id)).toEqual(['kill']);
  });

  it('does not count an election timeout that came before the leader was killed', () => {
    const t = createTracker(leaderFailure, 'en');
    expect(t.update(cluster(1, 2), [timeout(4, 2)]).map((c) => c.id)).toEqual(['leader']);
    expect(t.update(killed(cluster(1, 2)), []).map((c) => c.id)).toEqual(['kill']);
    expect(t.progress().find((s) => s.id === 'timeout')!.done).toBe(false);
    expect(t.update(killed(cluster(1, 2)), [timeout(4, 2)]).map((c) => c.id)).toEqual(['timeout']);
  });

  it('does not count a leader of the same term as the new leader; one of a higher term does', () => {
    const t = createTracker(leaderFailure, 'en');
    t.update(cluster(1, 2), []);
    t.update(killed(cluster(1, 2)), [timeout(4, 2)]);
    expect(t.update(killed(cluster(1, 2)), [becomes(4, 'leader', 2)])).toEqual([]);
    expect(t.update(killed(cluster(1, 2)), [becomes(4, 'candidate', 3), becomes(4, 'leader', 3)]).map((c) => c.id)).toEqual(['new-leader']);
    expect(t.context().facts).toMatchObject({ newLeader: 4, newTerm: 3 });
  });

  it('keeps the answer to the prediction hidden until the step that reveals it', () => {
    const t = createTracker(leaderFailure, 'en');
    t.update(cluster(1, 2), []);
    const before = t.view({ hint: false });
    expect(before.prediction).toBe(leaderFailure.prediction.question.en);
    expect(before.answer).toBeNull();
    expect(before.explanation).toBeNull();
    t.update(killed(cluster(1, 2)), [timeout(4, 2), becomes(4, 'candidate', 3), becomes(4, 'leader', 3)]);
    const back = cluster(4, 3, { 1: nodeModel(1, { role: 'follower', term: 3, leader: 4 }) });
    expect(t.update(back, []).map((c) => c.id)).toEqual(['restart', 'rejoin']);
    const after = t.view({ hint: false });
    expect(after.prediction).toBeNull();
    expect(after.answer).toBe(leaderFailure.prediction.answer.en);
    expect(after.explanation).toBe(leaderFailure.explanation.en);
    expect(t.done).toBe(true);
  });

  it('shows the current step, and its hint with the command for this cluster only when asked', () => {
    const t = createTracker(leaderFailure, 'zh', { cluster: 'alice' });
    t.update(cluster(1, 2), []);
    const v = t.view({ hint: true });
    expect(v.title).toBe('领导者故障');
    expect(v.steps.map((s) => [s.done, s.current])).toEqual([
      [true, false],
      [false, true],
      [false, false],
      [false, false],
      [false, false],
      [false, false],
    ]);
    expect(v.hint).toBe(`${leaderFailure.steps[1]!.hint.zh}（raft-console kill <id> --name alice）`);
    expect(t.view({ hint: false }).hint).toBeNull();
    const plain = createTracker(leaderFailure, 'en', { cluster: 'default' });
    plain.update(cluster(1, 2), []);
    expect(plain.view({ hint: true }).hint).toBe(`${leaderFailure.steps[1]!.hint.en} (raft-console kill <id>)`);
    // The step's command, hint or not: the dashboard offers its key first.
    expect(plain.view({ hint: false }).command).toBe('kill <id>');
  });
});

describe('the tracker of exercise 5 (split vote)', () => {
  it('does not count two candidacies in a term that one of them won; a later split does', () => {
    const t = createTracker(splitVote, 'en');
    t.update(cluster(1, 2), []);
    expect(t.view({ hint: false }).trigger?.label).toMatch(/pause the leader n1; n2 and n3 start an election/);
    t.update(cluster(1, 2), [becomes(2, 'candidate', 3), becomes(3, 'candidate', 3), becomes(2, 'leader', 3), becomes(4, 'candidate', 4)]);
    expect(t.progress()[1]!.done).toBe(false);
    const changes = t.update(cluster(1, 4), [becomes(3, 'candidate', 5), becomes(4, 'candidate', 5), becomes(4, 'candidate', 6)]);
    expect(changes.map((c) => c.id)).toEqual(['split']);
    expect(t.context().facts.splitTerm).toBe(5);
  });

  it('offers the trigger only while every node runs under one leader', () => {
    const t = createTracker(splitVote, 'en');
    t.update(cluster(1, 2), []);
    const paused = cluster(1, 2, { 1: nodeModel(1, { role: 'leader', term: 2, leader: 1 }, 'paused') });
    t.update(paused, []);
    expect(t.view({ hint: false }).trigger).toBeNull();
  });
});

describe('the tracker of exercise 6 (a leader cut off in a minority)', () => {
  const cut = [
    [1, 2],
    [3, 4, 5],
  ];
  const oldLeader = nodeModel(1, { role: 'leader', term: 2, leader: 1, lastIndex: 2, commit: 1 });
  const healed = cluster(3, 3, { 1: nodeModel(1, { role: 'follower', term: 3, leader: 3, lastIndex: 3, commit: 3 }) });

  /** Up to the majority's commit, with the network still cut. */
  function untilCommitted() {
    const t = createTracker(minorityPartition, 'en');
    t.update(cluster(1, 2), []);
    expect(t.update(cluster(1, 2, { 1: oldLeader }, cut), []).map((c) => c.id)).toEqual(['partition', 'stranded']);
    expect(
      t
        .update(cluster(3, 3, { 1: oldLeader, 3: nodeModel(3, { role: 'leader', term: 3, leader: 3, lastIndex: 2, commit: 2 }) }, cut), [])
        .map((c) => c.id),
    ).toEqual(['new-leader']);
    expect(
      t
        .update(cluster(3, 3, { 1: oldLeader, 3: nodeModel(3, { role: 'leader', term: 3, leader: 3, lastIndex: 3, commit: 3 }) }, cut), [])
        .map((c) => c.id),
    ).toEqual(['majority-commits']);
    return t;
  }

  it('counts a model change before the events that arrive with it: the truncation right after the heal', () => {
    const t = untilCommitted();
    const truncated = raft(1, { type: 'truncate', leader: 3, term: 3, from: 2, to: 2, terms: [2] });
    expect(t.update(healed, [truncated]).map((c) => c.id)).toEqual(['heal', 'step-down', 'replaced']);
    expect(t.done).toBe(true);
  });

  it('does not count a truncation on another node than the old leader', () => {
    const t = untilCommitted();
    t.update(healed, [raft(2, { type: 'truncate', leader: 3, term: 3, from: 2, to: 2, terms: [2] })]);
    expect(
      t
        .progress()
        .filter((s) => !s.done)
        .map((s) => s.id),
    ).toEqual(['replaced']);
  });

  it('offers to hand the old leader an entry only while it still leads, cut off; else to set the step up again', () => {
    const t = createTracker(minorityPartition, 'en');
    t.update(cluster(1, 2), []);
    t.update(cluster(1, 2, {}, cut), []);
    expect(t.view({ hint: false }).trigger?.label).toBe('hand the entry "lost" to n1, the leader cut off in the minority');
    t.update(cluster(3, 3, { 1: nodeModel(1, { role: 'follower', term: 3, leader: 0 }) }, cut), []);
    expect(t.view({ hint: false }).trigger?.label).toBe('set the step up again');
    expect(t.view({ hint: false }).detour?.what).toEqual([
      'n1 no longer leads, the old leader: this step hands it an entry while it still leads its term.',
    ]);
  });
});
