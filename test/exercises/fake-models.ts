// Hand-made clusters and events for the tracker's tests: five nodes with one leader, nodes in a
// chosen process state, a partition, and the core's events as the nodes report them.
import type { ClusterEvent, ClusterModel, NodeModel, NodeRaftState, ProcessState } from '../../src/cluster-model/index.js';
import type { RaftEvent } from '../../src/raft/events.js';
import { model } from '../cluster-model/fixtures.js';

type Raft = Partial<NodeRaftState> & Pick<NodeRaftState, 'role' | 'term'>;

export function nodeModel(id: number, raft: Raft, state: ProcessState = 'running'): NodeModel {
  return {
    id,
    address: `127.0.0.1:${7000 + id}`,
    dataDir: `/tmp/n${id}`,
    removed: false,
    process: { state, pid: state === 'running' ? 100 + id : null, exitCode: null, signal: null, stderrTail: [], startedAt: 0, restarts: 0 },
    raft: {
      vote: 0,
      leader: 0,
      lastIndex: 1,
      lastTerm: raft.term,
      commit: 1,
      applied: 1,
      firstIndex: 1,
      snapshotIndex: 0,
      membership: { voters: [1, 2, 3, 4, 5], learners: [] },
      runs: [[1, raft.term]],
      timer: null,
      progress: {},
      digests: [],
      ...raft,
    },
  };
}

/** Five nodes: `leader` leads `term`, the others follow it; `changes` overrides some nodes. */
export function cluster(leader: number, term: number, changes: Record<number, NodeModel> = {}, partition: number[][] = []): ClusterModel {
  const nodes = [1, 2, 3, 4, 5].map((id) => changes[id] ?? nodeModel(id, { role: id === leader ? 'leader' : 'follower', term, leader }));
  return model(nodes, {
    name: 'exercise',
    links: partition.length > 0 ? [{ from: 1, to: 3, blocked: true, delayMs: 0, loss: 0 }] : [],
    partition,
  });
}

let clock = 0;
export function raft(node: number, e: RaftEvent): ClusterEvent {
  const { type, ...data } = e;
  return { ts: ++clock, node, kind: 'raft', type, text: `${type} on n${node}`, data };
}
export const becomes = (node: number, to: 'leader' | 'candidate' | 'follower', term: number): ClusterEvent =>
  raft(node, {
    type: 'role-change',
    from: to === 'leader' ? 'candidate' : 'follower',
    to,
    term,
    cause: to === 'leader' ? 'won-election' : 'election-timeout',
  });
export const timeout = (node: number, term: number): ClusterEvent => raft(node, { type: 'election-timeout', term, ticks: 20, leader: 1 });
