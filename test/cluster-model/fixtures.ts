// Cluster models as the supervisor reports them, built node by node, for tests that need a model
// without a cluster (the live model, the safety verdict, the nemesis, the dashboard).
import { ETCD_UNREPORTED } from '../../src/cluster-model/engine.js';
import type { ClusterModel, NodeModel, NodeRaftState } from '../../src/cluster-model/index.js';

type RaftFields = Partial<NodeRaftState>;

export function node(id: number, raft: RaftFields | null, state: NodeModel['process']['state'] = 'running'): NodeModel {
  return {
    id,
    address: `127.0.0.1:${7000 + id}`,
    dataDir: `/tmp/n${id}`,
    process: { state, pid: 1000 + id, exitCode: null, signal: null, stderrTail: [], startedAt: 0, restarts: 0 },
    raft:
      raft === null
        ? null
        : {
            role: 'follower',
            term: 1,
            vote: 0,
            leader: 0,
            lastIndex: 0,
            lastTerm: 0,
            commit: 0,
            applied: 0,
            firstIndex: 1,
            snapshotIndex: 0,
            membership: { voters: [1, 2, 3], learners: [] },
            runs: [],
            timer: null,
            progress: {},
            digests: [],
            ...raft,
          },
    removed: false,
  };
}

export function model(nodes: NodeModel[], extra: Partial<ClusterModel> = {}): ClusterModel {
  return {
    name: 'demo',
    clusterId: 'c1',
    engine: { kind: 'raft-console' },
    folder: '/tmp/demo',
    supervisorPid: 1,
    startedAt: 0,
    timing: { preset: 'normal', electionTimeoutMs: { min: 150, max: 300 }, heartbeatMs: 50, tickMs: 10 },
    fsync: true,
    snapshotEvery: 10_000,
    nodes,
    links: [],
    partition: [],
    events: [],
    switches: { preVote: true, checkQuorum: true, bugs: [] },
    safety: { ok: true, checkedReports: 0 },
    ...extra,
  };
}

/** A local etcd cluster's engine as the supervisor reports it: the fields its members do not report listed. */
export const ETCD_ENGINE: ClusterModel['engine'] = {
  kind: 'etcd',
  version: '3.4.23',
  clusterIdHex: 'cdf818194e3a8c32',
  remote: false,
  writable: true,
  unreported: [...ETCD_UNREPORTED],
};

/**
 * An etcd member as a node: what its status, member list and log lines give (role, term, vote,
 * leader, commit, applied, membership), and the fields etcd does not report left at zero and empty,
 * as src/etcd/observe.ts leaves them.
 */
export function etcdNode(
  id: number,
  raft: Partial<Pick<NodeRaftState, 'role' | 'term' | 'vote' | 'leader' | 'commit' | 'applied' | 'membership'>> | null,
  state: NodeModel['process']['state'] = 'running',
): NodeModel {
  const n = node(
    id,
    raft === null
      ? null
      : { ...raft, lastIndex: 0, lastTerm: 0, firstIndex: 0, snapshotIndex: 0, runs: [], timer: null, progress: {}, digests: [] },
    state,
  );
  return {
    ...n,
    address: `127.0.0.1:${2379 + 10 * id}`,
    etcd: {
      memberId: (0x1000 + id).toString(16),
      name: `n${id}`,
      clientUrl: `http://127.0.0.1:${2379 + 10 * id}`,
      peerUrl: `http://127.0.0.1:${2380 + 10 * id}`,
      learner: raft?.membership?.learners.includes(id) ?? false,
      dbSize: 20_480,
    },
  };
}
