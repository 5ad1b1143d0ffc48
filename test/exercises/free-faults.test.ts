// Free faults on hand-made clusters: the exercise's own path never leaves a step's needs broken;
// a fault of the learner's that breaks one is told in plain words, in English and Chinese, with how
// to put it right, and the set-up key's actions (or its rewind) put the step back on its path.
import { describe, expect, it } from 'vitest';
import type { ClusterModel, ProcessState } from '../../src/cluster-model/index.js';
import { EXERCISES } from '../../src/exercises/catalog/index.js';
import { followerFailure } from '../../src/exercises/catalog/follower-failure.js';
import { leaderFailure } from '../../src/exercises/catalog/leader-failure.js';
import { quorumLoss } from '../../src/exercises/catalog/quorum-loss.js';
import { createTracker, type Tracker } from '../../src/exercises/tracker.js';
import { exerciseLines } from '../../src/tui/exercise-panel.js';
import { labelsFor } from '../../src/tui/labels.js';
import { cluster, nodeModel, raft } from './fake-models.js';

/** The cluster with node `id` in process state `state` (its Raft state as a follower of `leader`). */
function withNode(m: ClusterModel, id: number, state: ProcessState, leader = 1, term = 2): ClusterModel {
  return { ...m, nodes: m.nodes.map((n) => (n.id === id ? nodeModel(id, { role: 'follower', term, leader }, state) : n)) };
}

function states(m: ClusterModel, changes: Record<number, ProcessState>): ClusterModel {
  return Object.entries(changes).reduce((acc, [id, s]) => withNode(acc, Number(id), s), m);
}

const commit = (to: number) => raft(1, { type: 'commit', from: to - 1, to, term: 2, replicas: 4, voters: 5 });

/** Exercise 4 up to its last step: n1 leads, n3 was killed, an entry committed, n3 restarted. */
function atCatchUp(lang: 'en' | 'zh' = 'en'): { t: Tracker; healthy: ClusterModel } {
  const t = createTracker(followerFailure, lang);
  const base = cluster(1, 2);
  const down = withNode(base, 3, 'killed');
  t.update(base, []);
  t.update(down, []);
  t.update(down, [commit(2)]);
  // Restarted, still behind: the step that waits for it to catch up is current.
  const back = withNode(base, 3, 'running');
  t.update(back, []);
  expect(t.progress().find((s) => !s.done)?.id).toBe('catch-up');
  expect(t.offPath()).toEqual([]);
  return { t, healthy: back };
}

describe('free faults: a need broken by a learner', () => {
  it('says in plain words that the node the step waits for was killed, and restarts it', () => {
    const { t, healthy } = atCatchUp();
    t.update(withNode(healthy, 3, 'killed'), []);
    const v = t.view({ hint: false });
    expect(v.detour).toEqual({
      what: ['you killed n3, the node this step waits to see catch up: the step cannot finish while it is down.'],
      fix: ['restart n3 (select it, press r)'],
    });
    expect(v.trigger?.label).toBe('set the step up again');
    expect(t.restore()).toEqual({ actions: [{ op: 'restart', nodes: [3] }], rewind: null });
    // Restarted, the step is on its path again and finishes as written.
    t.update(healthy, []);
    expect(t.view({ hint: false }).detour).toBeNull();
    t.update(
      {
        ...healthy,
        nodes: healthy.nodes.map((n) =>
          n.id === 3 ? nodeModel(3, { role: 'follower', term: 2, leader: 1, lastIndex: 2, applied: 2 }) : n,
        ),
      },
      [],
    );
    expect(t.done).toBe(true);
  });

  it('tells it in Chinese too, and a paused node is resumed rather than restarted', () => {
    const { t, healthy } = atCatchUp('zh');
    t.update(withNode(healthy, 3, 'paused'), []);
    expect(t.view({ hint: false }).detour).toEqual({
      what: ['你暂停了 n3，即这一步等着看它追上进度的节点：它宕机时这一步无法完成。'],
      fix: ['恢复 n3（选中它，按 z）'],
    });
    expect(t.view({ hint: false }).trigger?.label).toBe('重新布置这一步');
    expect(t.restore()?.actions).toEqual([{ op: 'resume', nodes: [3] }]);
  });

  it('tells a partition that cuts the node off from the majority, and heals it', () => {
    const { t, healthy } = atCatchUp();
    t.update({ ...healthy, partition: [[3], [1, 2, 4, 5]], links: [{ from: 1, to: 3, blocked: true, delayMs: 0, loss: 0 }] }, []);
    expect(t.view({ hint: false }).detour?.what).toEqual([
      'you cut n3, the node this step waits to see catch up, off from the majority: it cannot hear the leader, so it cannot catch up.',
    ]);
    expect(t.restore()?.actions).toEqual([{ op: 'heal' }]);
  });

  it('tells a node brought back too early, and kills it again (exercise 4, while entries are written)', () => {
    const t = createTracker(followerFailure, 'en');
    const base = cluster(1, 2);
    t.update(base, []);
    t.update(withNode(base, 3, 'killed'), []);
    expect(t.progress().find((s) => !s.done)?.id).toBe('write');
    t.update(base, []);
    expect(t.view({ hint: false }).detour?.what).toEqual([
      'you brought n3, the follower that must miss these entries, back: an entry written now reaches it at once, and it would have nothing to catch up on.',
    ]);
    expect(t.restore()?.actions).toEqual([{ op: 'kill', nodes: [3] }]);
  });

  it('tells a lost majority, naming what was done to each node, and brings back just enough, never the node the step keeps down (exercise 3)', () => {
    const t = createTracker(leaderFailure, 'en');
    t.update(cluster(1, 2), []);
    t.update(withNode(cluster(1, 2), 1, 'killed'), []);
    expect(t.progress().find((s) => !s.done)?.id).toBe('timeout');
    t.update(states(cluster(1, 2), { 1: 'killed', 2: 'stopped', 4: 'paused' }), []);
    const v = t.view({ hint: false });
    expect(v.detour?.what).toEqual([
      'you stopped n2 and you paused n4: only 2 of 5 voters run besides n1, and electing a leader or committing needs a majority (3), so the step cannot go on.',
    ]);
    // n1 must stay down in this step: only n2 comes back, a killed or stopped node before a paused one.
    expect(v.detour?.fix).toEqual(['restart n2 (select it, press r)']);
    expect(t.restore()?.actions).toEqual([{ op: 'restart', nodes: [2] }]);
  });

  it('goes back to the step that finds the leader when the leader it watched is gone (exercise 7)', () => {
    const t = createTracker(quorumLoss, 'en');
    const base = cluster(1, 2);
    t.update(base, []);
    const committed = {
      ...base,
      nodes: base.nodes.map((n) => (n.id === 1 ? nodeModel(1, { role: 'leader', term: 2, leader: 1, commit: 2, lastIndex: 2 }) : n)),
    };
    t.update(committed, []);
    expect(t.progress().find((s) => !s.done)?.id).toBe('stop-three');
    t.update(states(committed, { 1: 'stopped', 2: 'stopped' }), []);
    expect(t.view({ hint: false }).detour?.what).toEqual([
      'you stopped n1, the leader: this exercise watches it keep an entry that it cannot commit.',
    ]);
    const setUp = t.restore();
    expect(setUp).toEqual({
      actions: [
        { op: 'restart', nodes: [1] },
        { op: 'restart', nodes: [2] },
      ],
      rewind: 'leader',
    });
    t.rewind(setUp!.rewind!);
    expect(t.progress().map((s) => s.done)).toEqual([false, false, false, false, false, false]);
    expect(t.context().facts).toEqual({});
    // Back on its path: a new leader is found, and its facts are the new ones.
    t.update(cluster(4, 3), []);
    expect(t.context().facts).toMatchObject({ leader: 4, term: 3 });
    expect(t.offPath()).toEqual([]);
  });

  it('draws what happened and how to put it right on the panel', () => {
    const { t, healthy } = atCatchUp();
    t.update(withNode(healthy, 3, 'stopped'), []);
    const text = exerciseLines(t.view({ hint: false }), labelsFor('en'), 60)
      .map((l) => l.map((s) => s.text).join(''))
      .join('\n');
    expect(text).toContain('⚠ off the path: you stopped n3');
    expect(text).toContain('to put it right: restart n3 (select it, press r)');
    expect(text).toContain('[X: set the step up again]');
  });
});

describe('the needs of the catalogue', () => {
  it('go back only to steps of their own exercise', () => {
    for (const e of EXERCISES)
      for (const s of e.steps)
        for (const n of s.needs ?? [])
          if (n.rewind !== undefined)
            expect(
              e.steps.map((x) => x.id),
              `${e.id}/${s.id}`,
            ).toContain(n.rewind);
  });

  it('hold all along exercise 4 as its solution takes it', () => {
    const t = createTracker(followerFailure, 'en');
    const base = cluster(1, 2);
    const path: Array<[ClusterModel, ReturnType<typeof commit>[]]> = [
      [base, []],
      [withNode(base, 3, 'killed'), []],
      [withNode(base, 3, 'killed'), [commit(2)]],
      [withNode(base, 3, 'starting'), []],
      [withNode(base, 3, 'running'), []],
    ];
    for (const [m, events] of path) {
      t.update(m, events);
      expect(t.offPath(), t.progress().find((s) => !s.done)?.id).toEqual([]);
    }
  });
});
