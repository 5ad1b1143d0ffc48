// The questions every client asks of a cluster model: who is a member, who leads, which
// configuration is the latest, which group a node is in and whether it holds a majority.
import { describe, expect, it } from 'vitest';
import {
  clientNodes,
  clusterCommit,
  groupOf,
  hasMajority,
  healed,
  highestTerm,
  isolatedNodes,
  latestMembership,
  leaderOf,
  memberIds,
  members,
  pausedNodes,
  settledLeader,
  voters,
} from '../../src/cluster-model/queries.js';
import { model, node } from './fixtures.js';

describe('clientNodes', () => {
  it('puts the leader of the highest term first, not a leader stranded in a minority', () => {
    const m = model([
      node(1, { role: 'leader', term: 1 }),
      node(2, { role: 'follower', term: 1 }),
      node(3, { role: 'leader', term: 2 }),
      node(4, { role: 'follower', term: 2 }),
    ]);
    expect(clientNodes(m).map((n) => n.id)).toEqual([3, 1, 2, 4]);
  });

  it('keeps the listed order when no node leads, and leaves removed nodes out', () => {
    const m = model([node(1, { role: 'follower' }), node(2, { role: 'candidate' }), node(3, null)]);
    m.nodes[1]!.removed = true;
    expect(clientNodes(m).map((n) => n.id)).toEqual([1, 3]);
  });
});

describe('members', () => {
  it('are the nodes not removed, in the listed order, whatever their process state', () => {
    const m = model([node(3, null), node(1, null, 'killed'), node(2, null, 'paused')]);
    m.nodes[0]!.removed = true;
    expect(members(m).map((n) => n.id)).toEqual([1, 2]);
    expect(memberIds(m)).toEqual([1, 2]);
  });

  it('that are paused are listed by pausedNodes, removed ones left out', () => {
    const m = model([node(1, null, 'paused'), node(2, null), node(3, null, 'paused'), node(4, null, 'killed')]);
    m.nodes[2]!.removed = true;
    expect(pausedNodes(m)).toEqual([1]);
  });
});

describe('leaderOf', () => {
  it('is the running leader of the highest term, the first listed on a tie', () => {
    const m = model([node(1, { role: 'leader', term: 3 }), node(2, { role: 'leader', term: 5 }), node(3, { role: 'leader', term: 5 })]);
    expect(leaderOf(m)?.id).toBe(2);
  });

  it('skips a leader that is removed, paused or down, and is null when none is left', () => {
    const m = model([
      node(1, { role: 'leader', term: 4 }),
      node(2, { role: 'leader', term: 3 }, 'paused'),
      node(3, { role: 'leader', term: 2 }, 'killed'),
      node(4, { role: 'follower', term: 4 }),
    ]);
    m.nodes[0]!.removed = true;
    expect(leaderOf(m)).toBeNull();
  });
});

describe('settledLeader', () => {
  it('is the leader once every running member is in its term and follows it; members that are down do not count', () => {
    const m = model([
      node(1, { role: 'leader', term: 2, leader: 1 }),
      node(2, { role: 'follower', term: 2, leader: 1 }),
      node(3, { role: 'follower', term: 1, leader: 0 }, 'killed'),
    ]);
    expect(settledLeader(m)?.id).toBe(1);
  });

  it('is undefined while a running member is in another term or follows no one, though leaderOf names the leader', () => {
    const behind = model([node(1, { role: 'leader', term: 2, leader: 1 }), node(2, { role: 'follower', term: 1, leader: 0 })]);
    expect(leaderOf(behind)?.id).toBe(1);
    expect(settledLeader(behind)).toBeUndefined();
    const unheard = model([node(1, { role: 'leader', term: 2, leader: 1 }), node(2, { role: 'follower', term: 2, leader: 0 })]);
    expect(settledLeader(unheard)).toBeUndefined();
  });

  it('is undefined while a running member has not reported', () => {
    const m = model([node(1, { role: 'leader', term: 2, leader: 1 }), node(2, null)]);
    expect(settledLeader(m)).toBeUndefined();
  });
});

describe('highestTerm and clusterCommit', () => {
  it('take the highest term and commit any node reported, a removed node included, when no node leads', () => {
    const m = model([node(1, { term: 2, commit: 5 }), node(2, { term: 7, commit: 9 }), node(3, null)]);
    m.nodes[1]!.removed = true;
    expect(highestTerm(m)).toBe(7);
    expect(clusterCommit(m)).toBe(9);
  });

  it("take the leader's commit when one leads, though another node reports a higher one", () => {
    const m = model([node(1, { role: 'leader', term: 3, commit: 4 }), node(2, { term: 3, commit: 6 })]);
    expect(clusterCommit(m)).toBe(4);
  });

  it('are 0 before any node reported', () => {
    const m = model([node(1, null), node(2, null)]);
    expect(highestTerm(m)).toBe(0);
    expect(clusterCommit(m)).toBe(0);
  });
});

describe('latestMembership and voters', () => {
  it('are the configuration of the member of the highest term, then of the longest log', () => {
    const m = model([
      node(1, { term: 2, lastIndex: 9, membership: { voters: [1, 2], learners: [] } }),
      node(2, { term: 3, lastIndex: 4, membership: { voters: [1, 2, 3], learners: [4] } }),
      node(3, { term: 3, lastIndex: 5, membership: { voters: [1, 2, 3, 4], learners: [] } }),
    ]);
    expect(latestMembership(m)).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    expect(voters(m)).toEqual([1, 2, 3, 4]);
  });

  it("leave a removed node's configuration out", () => {
    const m = model([
      node(1, { term: 9, membership: { voters: [1], learners: [] } }),
      node(2, { term: 2, membership: { voters: [2, 3], learners: [] } }),
      node(3, null),
    ]);
    m.nodes[0]!.removed = true;
    expect(voters(m)).toEqual([2, 3]);
  });

  it('before any member reported: no configuration, and every member counts as a voter', () => {
    const m = model([node(1, null), node(2, null), node(3, null)]);
    m.nodes[2]!.removed = true;
    expect(latestMembership(m)).toBeNull();
    expect(voters(m)).toEqual([1, 2]);
  });
});

describe('partition groups', () => {
  const five = (): ReturnType<typeof model> =>
    model([1, 2, 3, 4, 5].map((id) => node(id, { membership: { voters: [1, 2, 3, 4, 5], learners: [] } })));

  it('groupOf is the group holding the node, or every member when the network is whole', () => {
    const m = five();
    expect(groupOf(m, 4)).toEqual([1, 2, 3, 4, 5]);
    m.partition = [
      [1, 2],
      [3, 4, 5],
    ];
    expect(groupOf(m, 4)).toEqual([3, 4, 5]);
  });

  it('a group holds a majority with 3 of 5 voters, not with 2', () => {
    const m = five();
    expect(hasMajority(m, [3, 4, 5])).toBe(true);
    expect(hasMajority(m, [1, 2])).toBe(false);
  });

  it('only voters count toward a majority: learners and unknown ids do not, and 2 of 4 voters is not one', () => {
    const m = model([1, 2, 3, 4, 5].map((id) => node(id, { membership: { voters: [1, 2, 3, 4], learners: [5] } })));
    expect(hasMajority(m, [1, 2, 5, 9])).toBe(false);
    expect(hasMajority(m, [1, 2, 3])).toBe(true);
  });

  it('healed means no partition and no faulty link; isolatedNodes are the groups of one, lowest id first', () => {
    const m = five();
    expect(healed(m)).toBe(true);
    m.links = [{ from: 1, to: 2, blocked: false, delayMs: 100, loss: 0 }];
    expect(healed(m)).toBe(false);
    m.links = [];
    m.partition = [[5], [1, 2], [3]];
    expect(healed(m)).toBe(false);
    expect(isolatedNodes(m)).toEqual([3, 5]);
  });
});
