// When the check counts a cluster as settled after healing: one leader every running member
// follows, every member caught up. raft-console's nodes report their last index; etcd's members
// do not (their model holds 0 there), so on etcd the leader's commit index is what every member
// must have committed and applied.
import { describe, expect, test } from 'vitest';
import { settled } from '../../src/check/settle.js';
import type { ClusterModel, NodeRaftState } from '../../src/cluster-model/index.js';
import { ETCD_UNREPORTED } from '../../src/cluster-model/engine.js';
import { model, node } from '../cluster-model/fixtures.js';

const ETCD: ClusterModel['engine'] = {
  kind: 'etcd',
  version: '3.4.23',
  clusterIdHex: 'abc',
  remote: false,
  writable: true,
  unreported: [...ETCD_UNREPORTED],
};

function three(raft: (id: number) => Partial<NodeRaftState>, engine: ClusterModel['engine'] = { kind: 'raft-console' }): ClusterModel {
  return model(
    [1, 2, 3].map((id) => node(id, { role: id === 1 ? 'leader' : 'follower', term: 4, leader: 1, ...raft(id) })),
    { engine },
  );
}

describe('settled', () => {
  test('raft-console: every node has the leader last index, committed and applied', () => {
    expect(settled(three(() => ({ lastIndex: 9, commit: 9, applied: 9 })))).toBe(true);
    expect(settled(three((id) => ({ lastIndex: 9, commit: 9, applied: id === 3 ? 8 : 9 })))).toBe(false);
    // An uncommitted tail on the leader: not settled yet.
    expect(settled(three((id) => ({ lastIndex: id === 1 ? 10 : 9, commit: 9, applied: 9 })))).toBe(false);
  });

  test('etcd: with no last index reported, every member committed and applied the leader commit index', () => {
    expect(settled(three(() => ({ lastIndex: 0, commit: 9, applied: 9 }), ETCD))).toBe(true);
    expect(settled(three((id) => ({ lastIndex: 0, commit: id === 2 ? 8 : 9, applied: id === 2 ? 8 : 9 }), ETCD))).toBe(false);
    expect(settled(three((id) => ({ lastIndex: 0, commit: 9, applied: id === 3 ? 7 : 9 }), ETCD))).toBe(false);
  });

  test('not while a member is down, or two claim to lead, or one follows another leader', () => {
    const down = three(() => ({ commit: 9, applied: 9 }), ETCD);
    down.nodes[2]!.process.state = 'killed';
    expect(settled(down)).toBe(false);
    expect(settled(three((id) => ({ role: id === 2 ? 'leader' : id === 1 ? 'leader' : 'follower', commit: 9, applied: 9 }), ETCD))).toBe(
      false,
    );
    expect(settled(three((id) => ({ leader: id === 3 ? 2 : 1, commit: 9, applied: 9 }), ETCD))).toBe(false);
  });
});
