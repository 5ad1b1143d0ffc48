// Models for the dashboard's tests: a cluster as the supervisor would report it, built node by node.
import type { ClusterEvent, ClusterModel, NodeModel, NodeRaftState } from '../../src/cluster/index.js';
import type { Snapshot } from '../../src/tui/store.js';

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
        : ({
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
            ...raft,
          }),
    removed: false,
  };
}

export function model(nodes: NodeModel[], extra: Partial<ClusterModel> = {}): ClusterModel {
  return {
    name: 'demo',
    clusterId: 'c1',
    folder: '/tmp/demo',
    supervisorPid: 1,
    startedAt: 0,
    timing: { preset: 'normal', electionTimeoutMs: { min: 150, max: 300 }, heartbeatMs: 50, tickMs: 10 },
    fsync: true,
    nodes,
    links: [],
    partition: [],
    events: [],
    switches: { preVote: true, checkQuorum: true, bugs: [] },
    safety: { ok: true, checkedReports: 0 },
    ...extra,
  };
}

export function snapshot(m: ClusterModel, extra: Partial<Snapshot> = {}): Snapshot {
  const { events, ...rest } = m;
  return { model: rest, events, eventCount: events.length, truncations: [], flash: null, gone: null, now: 1_000_000, ...extra };
}

export function event(node: number | null, type: string, text: string, data?: Record<string, unknown>): ClusterEvent {
  return { ts: 1_000_000, node, kind: node === null ? 'supervisor' : 'raft', type, text, ...(data === undefined ? {} : { data }) };
}

/** A healthy three-node cluster in term 2 led by n1, with entries 1-5 (term 1 then 2), 4 committed. */
export function healthy(): ClusterModel {
  const runs: Array<[number, number]> = [
    [1, 1],
    [3, 2],
  ];
  return model([
    node(1, { role: 'leader', term: 2, vote: 1, leader: 1, lastIndex: 5, lastTerm: 2, commit: 4, applied: 4, runs, timer: { kind: 'heartbeat', deadline: 1_000_025, intervalMs: 50 } }),
    node(2, { role: 'follower', term: 2, vote: 1, leader: 1, lastIndex: 5, lastTerm: 2, commit: 4, applied: 4, runs, timer: { kind: 'election', deadline: 1_000_100, timeoutMs: 200 } }),
    node(3, { role: 'follower', term: 2, vote: 1, leader: 1, lastIndex: 4, lastTerm: 2, commit: 3, applied: 3, runs, timer: { kind: 'election', deadline: 1_000_150, timeoutMs: 200 } }),
  ]);
}
