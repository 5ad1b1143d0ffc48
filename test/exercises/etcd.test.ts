// The exercises on etcd (issue 15): which run there and why the others do not, and the trackers of
// those that run on etcd-shaped models: members whose log's end, timers and progress are not
// reported (zeros and empty lists, as src/etcd/observe.ts leaves them), and events from etcd's log
// lines, or none at all.
import { describe, expect, it } from 'vitest';
import type { ClusterEvent, ClusterModel, NodeModel } from '../../src/cluster-model/index.js';
import { EXERCISES } from '../../src/exercises/catalog/index.js';
import { disruptiveServer } from '../../src/exercises/catalog/disruptive-server.js';
import { firstElection } from '../../src/exercises/catalog/first-election.js';
import { followerFailure } from '../../src/exercises/catalog/follower-failure.js';
import { leaderFailure } from '../../src/exercises/catalog/leader-failure.js';
import { minorityPartition } from '../../src/exercises/catalog/minority-partition.js';
import { newNode } from '../../src/exercises/catalog/new-node.js';
import { quorumLoss } from '../../src/exercises/catalog/quorum-loss.js';
import { splitVote } from '../../src/exercises/catalog/split-vote.js';
import { ExerciseError, exerciseOn, notOnEngine, whyNotOn } from '../../src/exercises/engine.js';
import { createTracker, type Tracker } from '../../src/exercises/tracker.js';
import type { Exercise } from '../../src/exercises/types.js';
import type { RaftEvent } from '../../src/raft/events.js';
import { etcdModel, etcdNode } from '../cluster-model/fixtures.js';

const FIVE = { voters: [1, 2, 3, 4, 5], learners: [] };

type Member = NonNullable<Parameters<typeof etcdNode>[1]>;

/** Five etcd members: `leader` leads `term` (0: none), the others follow it at `commit`; `changes` replaces some members. */
function etcd(
  leader: number,
  term: number,
  o: { commit?: number; changes?: Record<number, NodeModel>; partition?: number[][] } = {},
): ClusterModel {
  const commit = o.commit ?? 8;
  const nodes = [1, 2, 3, 4, 5].map(
    (id) =>
      o.changes?.[id] ??
      etcdNode(id, { role: id === leader ? 'leader' : 'follower', term, leader, commit, applied: commit, membership: FIVE }),
  );
  const partition = o.partition ?? [];
  return etcdModel(
    nodes,
    {},
    {
      name: 'exercise',
      partition,
      links: partition.length > 0 ? [{ from: 1, to: 3, blocked: true, delayMs: 0, loss: 0 }] : [],
    },
  );
}

/** A member with other state than its peers'. */
function member(id: number, m: Member, state: NodeModel['process']['state'] = 'running'): NodeModel {
  return etcdNode(id, { membership: FIVE, commit: 8, applied: 8, ...m }, undefined, state);
}

let clock = 0;
/** An event as the etcd log reader tells it, in raft-console's event types. */
function logged(node: number, e: RaftEvent): ClusterEvent {
  const { type, ...data } = e;
  return { ts: ++clock, node, kind: 'raft', type, text: `${type} on n${node}`, data };
}
const becomes = (node: number, to: 'leader' | 'candidate' | 'pre-candidate' | 'follower', term: number): ClusterEvent =>
  logged(node, { type: 'role-change', from: 'follower', to, term, cause: to === 'leader' ? 'won-election' : 'election-timeout' });

/** The tracker of the exercise's etcd form. */
function onEtcd(exercise: Exercise): Tracker {
  return createTracker(exerciseOn(exercise, 'etcd'), 'en');
}

const ids = (t: Tracker): string[] => t.progress().flatMap((s) => (s.done ? [s.id] : []));

describe('which exercises run on etcd', () => {
  it('first election, leader and follower failure, the minority partition, quorum loss, the new node, the disruptive server and membership do', () => {
    expect(EXERCISES.filter((e) => e.etcd.runs).map((e) => e.number)).toEqual([1, 3, 4, 6, 7, 8, 9, 12]);
  });

  it('the others are refused with their reason, in both languages, and run unchanged on raft-console', () => {
    for (const e of EXERCISES.filter((x) => !x.etcd.runs)) {
      const why = whyNotOn(e, 'etcd')!;
      expect(why.en).toMatch(/etcd/);
      expect(why.zh).toMatch(/etcd/);
      expect(whyNotOn(e, 'raft-console')).toBeNull();
      expect(exerciseOn(e, 'raft-console')).toBe(e);
      expect(() => exerciseOn(e, 'etcd')).toThrow(ExerciseError);
    }
  });

  it('a refusal carries the exercise, the engine and the reason, and says it in one line', () => {
    let caught: unknown;
    try {
      exerciseOn(splitVote, 'etcd');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ExerciseError);
    const p = (caught as ExerciseError).problem;
    expect(p).toMatchObject({ code: 'not-on-engine', exercise: 'split-vote', engine: 'etcd' });
    expect((caught as Error).message).toBe(`exercise split-vote does not run on etcd: ${splitVote.etcd.runs ? '' : splitVote.etcd.why.en}`);
    expect(notOnEngine(p, 'zh')).toMatch(/^练习 split-vote 不能在 etcd 上运行：它的设置/);
    expect(notOnEngine(p, 'en')).not.toContain('\n');
  });

  it.each(EXERCISES.filter((e) => e.etcd.runs).map((e) => [e.id, e] as const))(
    "%s's etcd form names only steps it has, and needs no switch etcd lacks",
    (_, e) => {
      const form = exerciseOn(e, 'etcd');
      const stepIds = form.steps.map((s) => s.id);
      expect(new Set(stepIds).size).toBe(stepIds.length);
      expect(stepIds).toContain(form.prediction.revealAfter);
      for (const id of form.trigger?.steps ?? []) expect(stepIds).toContain(id);
      if (form.rebuild !== undefined) expect(stepIds).toContain(form.rebuild.after);
      const renamed = e.etcd.runs ? Object.keys(e.etcd.differs?.stepTexts ?? {}) : [];
      for (const id of renamed) expect(stepIds).toContain(id);
      // etcd always runs CheckQuorum and has no known-bug switches.
      expect(form.setup.raft?.checkQuorum).not.toBe(false);
      expect(form.setup.raft?.bugs ?? []).toEqual([]);
    },
  );

  it('no etcd form tells the learner to start an election or change the speed, which etcd refuses', () => {
    for (const e of EXERCISES.filter((x) => x.etcd.runs)) {
      const form = exerciseOn(e, 'etcd');
      for (const s of form.steps) {
        expect(s.command ?? '', `${e.id}/${s.id}`).not.toMatch(/^(campaign|speed)\b/);
        expect(s.hint.en, `${e.id}/${s.id}`).not.toMatch(/\bcampaign\b|--speed|:speed/);
      }
      expect(form.solution.toString()).not.toMatch(/op: '(campaign|speed|replace)'/);
      expect(form.trigger?.run.toString() ?? '').not.toMatch(/op: '(campaign|speed|replace)'/);
    }
  });
});

describe('exercise 1 (first election) on etcd', () => {
  // etcd's first election is over once its members serve: the exercise stops them all and the
  // learner starts them again.
  const firstElectionAtStart = [becomes(2, 'candidate', 2), becomes(2, 'leader', 2)];
  const stoppedEvent: ClusterEvent = { ts: 0, node: null, kind: 'supervisor', type: 'stop', text: 'stopped', data: { ok: true } };
  const all = (state: NodeModel['process']['state']): ClusterModel =>
    etcd(2, 2, {
      changes: Object.fromEntries(
        [1, 2, 3, 4, 5].map((id) => [id, member(id, { role: id === 2 ? 'leader' : 'follower', term: 2, leader: 2 }, state)]),
      ),
    });

  it('follows the election of the members started again, not the one they held as the cluster started', () => {
    const form = exerciseOn(firstElection, 'etcd');
    const t = createTracker(form, 'en');
    t.update(etcd(2, 2), firstElectionAtStart);
    t.update(all('stopped'), [stoppedEvent]);
    expect(ids(t)).toEqual([]);
    expect(t.view({ hint: false }).steps[0]!.text).toMatch(/^etcd holds its first election while its members start/);
    expect(t.view({ hint: false }).trigger?.label).toBe('start every member again: with no leader, they elect one');
    t.update(all('starting'), []);
    expect(ids(t)).toEqual(['start']);
    expect(t.context().facts.before).toBe(2);
    // etcd's logs tell the election timeout and the candidacy.
    t.update(all('starting'), [logged(4, { type: 'election-timeout', term: 2, ticks: 0, leader: 0 }), becomes(4, 'pre-candidate', 2)]);
    expect(ids(t)).toEqual(['start', 'timeout']);
    t.update(etcd(4, 3), [becomes(4, 'candidate', 3), becomes(4, 'leader', 3)]);
    expect(t.done).toBe(true);
    expect(t.context().facts).toMatchObject({ before: 2, first: 4, candidate: 4, candidateTerm: 3, leader: 4, term: 3 });
    expect(t.view({ hint: false }).explanation).toMatch(/etcd held the very first election of this cluster in the same way/);
  });

  it('sees the election in the model when no log line tells it', () => {
    const t = onEtcd(firstElection);
    t.update(all('stopped'), [stoppedEvent]);
    t.update(all('starting'), []);
    t.update(etcd(2, 2), []);
    expect(ids(t)).toEqual(['start']);
    t.update(etcd(5, 3), []);
    expect(t.done).toBe(true);
    expect(t.context().facts).toMatchObject({ first: 5, candidate: 5, leader: 5, term: 3 });
  });

  it("keeps raft-console's own form unchanged: there a leader in the model without events is not an election seen", () => {
    const t = createTracker(firstElection, 'en');
    const rc = { ...etcd(2, 2), engine: { kind: 'raft-console' as const } };
    t.update(rc, [{ ts: 0, node: null, kind: 'supervisor', type: 'resume', text: 'resumed', data: { ok: true } }]);
    expect(ids(t)).toEqual(['start']);
  });
});

describe('exercise 3 (leader failure) on etcd', () => {
  const killed = (m: ClusterModel, id = 1): ClusterModel => ({
    ...m,
    nodes: m.nodes.map((n) => (n.id === id ? { ...n, process: { ...n.process, state: 'killed', pid: null } } : n)),
  });

  it('takes the leader from the status, and the new leader from a candidacy or from the model', () => {
    const t = onEtcd(leaderFailure);
    t.update(etcd(1, 2), []);
    expect(t.context().facts).toMatchObject({ leader: 1, term: 2, base: 8, commit: 8 });
    t.update(killed(etcd(1, 2)), []);
    expect(ids(t)).toEqual(['leader', 'kill']);
    // A pre-vote round of the old leader does not count, one of another member does.
    t.update(killed(etcd(1, 2)), [becomes(1, 'pre-candidate', 2)]);
    expect(ids(t)).toEqual(['leader', 'kill']);
    t.update(killed(etcd(1, 2)), [becomes(3, 'candidate', 3)]);
    expect(ids(t)).toEqual(['leader', 'kill', 'timeout']);
    t.update(killed(etcd(3, 3)), []);
    expect(t.context().facts).toMatchObject({ newLeader: 3, newTerm: 3 });
    const back = etcd(3, 3, { changes: { 1: member(1, { role: 'follower', term: 3, leader: 3 }) } });
    t.update(back, []);
    expect(t.done).toBe(true);
  });

  it('does not take the old leader, or a leader of the old term, for a new one', () => {
    const t = onEtcd(leaderFailure);
    t.update(etcd(1, 2), []);
    t.update(killed(etcd(1, 2)), []);
    t.update(killed(etcd(1, 2), 3), []);
    expect(ids(t)).toEqual(['leader', 'kill']);
  });

  it("words the timeout's hint without the timers etcd hides", () => {
    const t = onEtcd(leaderFailure);
    t.update(etcd(1, 2), []);
    t.update(killed(etcd(1, 2)), []);
    expect(t.view({ hint: true }).hint).toMatch(/etcd does not show its timers/);
  });
});

describe('exercise 4 (follower failure) on etcd', () => {
  const down = (m: ClusterModel, id: number): ClusterModel => ({
    ...m,
    nodes: m.nodes.map((n) => (n.id === id ? { ...n, process: { ...n.process, state: 'killed', pid: null } } : n)),
  });

  it("counts writes by the leader's commit index and the catch-up by the follower's commit and applied", () => {
    const t = onEtcd(followerFailure);
    t.update(etcd(1, 2), []);
    // The follower's own report lags the leader's: what was committed then counts as held.
    const lagging = etcd(1, 2, { commit: 9, changes: { 4: member(4, { role: 'follower', term: 2, leader: 1, commit: 8, applied: 8 }) } });
    t.update(down(lagging, 4), []);
    expect(t.context().facts).toMatchObject({ follower: 4, behind: 9 });
    expect(ids(t)).toEqual(['leader', 'kill']);
    t.update(down(etcd(1, 2, { commit: 11 }), 4), []);
    expect(t.context().facts.target).toBe(11);
    const restarted = (commit: number, applied: number) =>
      etcd(1, 2, { commit: 11, changes: { 4: member(4, { role: 'follower', term: 2, leader: 1, commit, applied }) } });
    t.update(restarted(9, 9), []);
    expect(ids(t)).toEqual(['leader', 'kill', 'write', 'restart']);
    t.update(restarted(11, 10), []);
    expect(t.done).toBe(false);
    t.update(restarted(11, 11), []);
    expect(t.done).toBe(true);
  });
});

describe('exercise 6 (a leader cut off in a minority) on etcd', () => {
  const cut = [
    [1, 2],
    [3, 4, 5],
  ];

  it('shows the old leader stepping down by itself (CheckQuorum), the majority going on, and the old leader catching up', () => {
    const form = exerciseOn(minorityPartition, 'etcd');
    expect(form.setup.raft).toBeUndefined();
    expect(form.trigger).toBeUndefined();
    const t = createTracker(form, 'en');
    t.update(etcd(1, 2), []);
    t.update(etcd(1, 2, { partition: cut }), []);
    expect(ids(t)).toEqual(['leader', 'partition']);
    const stepped = member(1, { role: 'follower', term: 2, leader: 0 });
    t.update(etcd(0, 2, { partition: cut, changes: { 1: stepped } }), []);
    expect(ids(t)).toEqual(['leader', 'partition', 'steps-down']);
    const majority = (commit: number) =>
      etcd(3, 3, { partition: cut, commit, changes: { 1: stepped, 2: member(2, { role: 'follower', term: 2, leader: 0 }) } });
    t.update(majority(9), []);
    expect(t.context().facts).toMatchObject({ newLeader: 3, newTerm: 3, newBase: 9 });
    t.update(majority(10), []);
    expect(t.context().facts.majorityCommit).toBe(10);
    const healed = (commit: number) =>
      etcd(3, 3, { commit: 10, changes: { 1: member(1, { role: 'follower', term: 3, leader: 3, commit, applied: commit }) } });
    t.update(healed(8), []);
    expect(ids(t).slice(-2)).toEqual(['heal', 'rejoin']);
    t.update(healed(10), []);
    expect(t.done).toBe(true);
  });

  it('takes a step-down its log lines tell before the status shows it', () => {
    const t = onEtcd(minorityPartition);
    t.update(etcd(1, 2), []);
    t.update(etcd(1, 2, { partition: cut }), [
      logged(1, { type: 'role-change', from: 'leader', to: 'follower', term: 2, cause: 'check-quorum' }),
    ]);
    expect(ids(t)).toEqual(['leader', 'partition', 'steps-down']);
  });
});

describe('exercise 7 (losing the majority) on etcd', () => {
  const stopped = (m: ClusterModel, gone: number[]): ClusterModel => ({
    ...m,
    nodes: m.nodes.map((n) => (gone.includes(n.id) ? { ...n, process: { ...n.process, state: 'stopped', pid: null } } : n)),
  });

  it('sees the leader step down and nothing commit while three are stopped, and a leader commit again once one returns', () => {
    const t = onEtcd(quorumLoss);
    t.update(etcd(1, 2), []);
    t.update(etcd(1, 2, { commit: 9 }), []);
    expect(t.context().facts.committed).toBe(9);
    t.update(stopped(etcd(1, 2, { commit: 9 }), [3, 4, 5]), []);
    expect(ids(t)).toEqual(['leader', 'commit', 'stop-three']);
    // Still leading (CheckQuorum has not fired yet): not yet.
    t.update(stopped(etcd(1, 2, { commit: 9 }), [3, 4, 5]), []);
    expect(ids(t)).not.toContain('no-leader');
    const leaderless = stopped(etcd(0, 3, { commit: 9 }), [3, 4, 5]);
    t.update(leaderless, []);
    expect(ids(t)).toContain('no-leader');
    t.update(stopped(etcd(0, 3, { commit: 9 }), [4, 5]), []);
    expect(ids(t)).toContain('restart-one');
    t.update(stopped(etcd(2, 4, { commit: 9 }), [4, 5]), []);
    expect(t.done).toBe(false);
    t.update(stopped(etcd(2, 4, { commit: 10 }), [4, 5]), []);
    expect(t.done).toBe(true);
  });
});

describe('exercise 8 (a new node joins) on etcd', () => {
  const six = (learner: boolean) => ({ voters: learner ? [1, 2, 3, 4, 5] : [1, 2, 3, 4, 5, 6], learners: learner ? [6] : [] });
  function withSixth(o: {
    learner: boolean;
    commit: number;
    newCommit: number;
    term?: number;
    vote?: number;
    leader?: number;
  }): ClusterModel {
    const term = o.term ?? 2;
    const leader = o.leader ?? 1;
    const m = etcd(leader, term, { commit: o.commit });
    const members = m.nodes.map((n) => ({ ...n, raft: { ...n.raft!, membership: six(o.learner) } }));
    const sixth = etcdNode(6, {
      role: 'follower',
      term,
      leader,
      vote: o.vote ?? 0,
      commit: o.newCommit,
      applied: o.newCommit,
      membership: six(o.learner),
    });
    return { ...m, nodes: [...members, sixth] };
  }

  it('finds the learner in the member list, sees it catch up by its commit index, and its vote in the election', () => {
    const t = onEtcd(newNode);
    t.update(etcd(1, 2), []);
    t.update(etcd(1, 2, { commit: 10 }), []);
    expect(ids(t)).toEqual(['leader', 'write']);
    t.update(withSixth({ learner: true, commit: 11, newCommit: 0 }), []);
    expect(t.context().facts).toMatchObject({ newNode: 6, target: 11 });
    expect(t.view({ hint: false }).trigger).toBeNull();
    t.update(withSixth({ learner: true, commit: 11, newCommit: 11 }), []);
    expect(ids(t)).toContain('caught-up');
    expect(t.view({ hint: false }).trigger?.label).toBe('promote the learner n6 to voter (promote 6)');
    t.update(withSixth({ learner: false, commit: 11, newCommit: 11 }), []);
    expect(t.context().facts.voterTerm).toBe(2);
    // Its vote in a higher term, from etcd's "cast MsgVote" log line.
    t.update(withSixth({ learner: false, commit: 11, newCommit: 11, term: 3, leader: 0, vote: 4 }), []);
    expect(t.done).toBe(true);
  });
});

describe('exercise 9 (a disruptive server, and PreVote) on etcd', () => {
  const preVote = (on: boolean, m: ClusterModel): ClusterModel => ({ ...m, switches: { ...m.switches, preVote: on } });
  const timeout = (node: number, term: number): ClusterEvent => logged(node, { type: 'election-timeout', term, ticks: 0, leader: 0 });

  it("reads the cut-off member's rising term from its log lines, where its status keeps the term of its last applied entry", () => {
    const t = onEtcd(disruptiveServer);
    t.update(preVote(false, etcd(1, 2)), []);
    // etcd's status: the candidate's term stays 2, whatever its raft term.
    const isolated = preVote(false, etcd(1, 2, { partition: [[2]], changes: { 2: member(2, { role: 'candidate', term: 2, leader: 0 }) } }));
    t.update(isolated, []);
    t.update(isolated, [timeout(2, 2), becomes(2, 'candidate', 3), timeout(2, 3), timeout(2, 4)]);
    expect(ids(t)).toEqual(['leader', 'isolate']);
    t.update(isolated, [timeout(2, 5)]);
    expect(ids(t)).toEqual(['leader', 'isolate', 'inflate']);
    expect(t.context().facts.inflated).toBe(5);
  });

  it('counts pre-vote rounds by election timeouts with PreVote on, and sees the deposed leader in the model', () => {
    const t = onEtcd(disruptiveServer);
    t.update(preVote(false, etcd(1, 2)), []);
    const isolated = (term: number) =>
      preVote(false, etcd(1, 2, { partition: [[2]], changes: { 2: member(2, { role: 'candidate', term, leader: 0 }) } }));
    t.update(isolated(2), []);
    t.update(isolated(5), []);
    expect(ids(t)).toEqual(['leader', 'isolate', 'inflate']);
    t.update(preVote(false, etcd(1, 2, { changes: { 2: member(2, { role: 'candidate', term: 5, leader: 0 }) } })), []);
    expect(ids(t)).toContain('heal');
    t.update(preVote(false, etcd(3, 6)), []);
    expect(ids(t)).toContain('deposed');
    expect(ids(t)).not.toContain('prevote-leader');
    // The second cluster, PreVote on.
    t.update(preVote(true, etcd(4, 2)), []);
    const cutOff = preVote(
      true,
      etcd(4, 2, { partition: [[1]], changes: { 1: member(1, { role: 'pre-candidate', term: 2, leader: 0 }) } }),
    );
    t.update(cutOff, []);
    expect(ids(t)).toContain('isolate-again');
    // etcd tells a change of role once: later rounds are its election timeouts.
    t.update(cutOff, [timeout(1, 2), becomes(1, 'pre-candidate', 2), timeout(1, 2)]);
    expect(ids(t)).not.toContain('no-inflate');
    t.update(cutOff, [timeout(1, 2)]);
    expect(ids(t)).toContain('no-inflate');
    t.update(preVote(true, etcd(4, 2)), []);
    expect(t.done).toBe(true);
  });
});
