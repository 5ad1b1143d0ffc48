import { describe, expect, it } from 'vitest';
import type { EtcdMember, EtcdStatus } from '../../src/etcd/gateway.js';
import { stateOf } from '../../src/etcd/observe.js';

const members: EtcdMember[] = [
  { id: 'a1', name: 'n1', peerUrls: [], clientUrls: ['http://127.0.0.1:1'], learner: false },
  { id: 'b2', name: 'n2', peerUrls: [], clientUrls: ['http://127.0.0.1:2'], learner: false },
  { id: 'c3', name: 'n3', peerUrls: [], clientUrls: [], learner: true },
];
const idOf = (hex: string): number | null => ({ a1: 1, b2: 2, c3: 3 })[hex] ?? null;

function status(over: Partial<EtcdStatus> = {}): EtcdStatus {
  return {
    endpoint: 'http://127.0.0.1:1',
    memberId: 'a1',
    clusterId: 'f',
    leader: 'b2',
    raftTerm: 4,
    raftIndex: 20,
    raftAppliedIndex: 19,
    dbSize: 1,
    version: '3.4.23',
    learner: false,
    errors: [],
    ...over,
  };
}

describe('an etcd member as a state line', () => {
  it('follows the leader it names, with its commit and applied index, and the members as the configuration', () => {
    const s = stateOf(status(), members, idOf);
    expect(s).toMatchObject({
      role: 'follower',
      term: 4,
      leader: 2,
      commit: 20,
      applied: 19,
      membership: { voters: [1, 2], learners: [3] },
    });
  });

  it('leads when it names itself', () => {
    expect(stateOf(status({ leader: 'a1' }), members, idOf).role).toBe('leader');
  });

  it('is a candidate only while its log says so for its current term and it knows no leader', () => {
    const candidate = { role: { role: 'candidate' as const, term: 5 } };
    expect(stateOf(status({ leader: null, raftTerm: 5 }), members, idOf, candidate).role).toBe('candidate');
    expect(stateOf(status({ leader: null, raftTerm: 6 }), members, idOf, candidate).role).toBe('follower');
    expect(stateOf(status({ leader: 'b2', raftTerm: 5 }), members, idOf, candidate).role).toBe('follower');
  });

  it('shows the vote its log told for the current term only', () => {
    expect(stateOf(status(), members, idOf, { vote: { term: 4, vote: 2 } }).vote).toBe(2);
    expect(stateOf(status(), members, idOf, { vote: { term: 3, vote: 2 } }).vote).toBe(0);
  });

  it('reports no log bounds, timers or follower progress: etcd does not expose them', () => {
    expect(stateOf(status(), members, idOf)).toMatchObject({ lastIndex: 0, runs: [], timer: null, progress: {}, digests: [] });
  });
});
