// Cluster models as the supervisor reports them, built node by node, for tests that need a model
// without a cluster (the live model, the safety verdict, the nemesis, the dashboard).
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
