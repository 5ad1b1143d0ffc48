// Cluster models as the supervisor reports them, built node by node, for tests that need a model
// without a cluster (the live model, the safety verdict, the nemesis, the dashboard).
import type { Action, ActionOp, ClusterModel, NodeModel, NodeRaftState } from '../../src/cluster-model/index.js';

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

/** An etcd member as a node: the state etcd's status API gives (the fields it does not report left at their placeholders, as src/etcd/observe.ts leaves them). */
export function etcdNode(
  id: number,
  raft: RaftFields | null,
  clientUrl = `http://127.0.0.1:${2379 + 10 * id}`,
  state: NodeModel['process']['state'] = 'running',
): NodeModel {
  const n = node(id, raft === null ? null : { firstIndex: 0, ...raft }, state);
  return {
    ...n,
    address: clientUrl.replace(/^https?:\/\//, ''),
    etcd: {
      memberId: `8e9e05c52164694${id}`,
      name: `n${id}`,
      clientUrl,
      peerUrl: `http://127.0.0.1:${2380 + 10 * id}`,
      learner: false,
      dbSize: 20480,
    },
  };
}

/** A model of an etcd cluster: local (`up --engine etcd`) unless `remote` (dashboard --etcd), read-only unless `writable`. */
export function etcdModel(
  nodes: NodeModel[],
  o: { remote?: boolean; writable?: boolean } = {},
  extra: Partial<ClusterModel> = {},
): ClusterModel {
  const remote = o.remote ?? false;
  return model(nodes, {
    engine: {
      kind: 'etcd',
      version: '3.4.23',
      clusterIdHex: 'cdf818194e3a8c32',
      remote,
      writable: o.writable ?? !remote,
      unreported: ['lastIndex', 'lastTerm', 'firstIndex', 'snapshotIndex', 'runs', 'timer', 'progress', 'digests'],
    },
    ...extra,
  });
}

/** One action of each op, as the dashboard's keys and the command line send them. */
export const ACTION_SAMPLES: { [Op in ActionOp]: Extract<Action, { op: Op }> } = {
  kill: { op: 'kill', nodes: [1] },
  stop: { op: 'stop', nodes: [1] },
  restart: { op: 'restart', nodes: [1] },
  replace: { op: 'replace', node: 1 },
  pause: { op: 'pause', nodes: [1] },
  resume: { op: 'resume', nodes: [1] },
  partition: { op: 'partition', groups: [[1], [2, 3]] },
  isolate: { op: 'isolate', node: 1 },
  link: { op: 'link', from: 1, to: 2, drop: 1 },
  heal: { op: 'heal' },
  campaign: { op: 'campaign', node: 2 },
  transfer: { op: 'transfer', node: 2 },
  add: { op: 'add' },
  promote: { op: 'promote', node: 2 },
  remove: { op: 'remove', node: 2 },
  speed: { op: 'speed', preset: 'fast' },
  step: { op: 'step', on: true },
  deliver: { op: 'deliver', ids: 'due' },
  drop: { op: 'drop', ids: ['1.1'] },
  fire: { op: 'fire', node: 2, timer: 'election' },
  advance: { op: 'advance' },
  down: { op: 'down' },
};
