// What the exercises' checks read from the cluster beyond the questions every client asks of the
// model (cluster-model/queries.ts: members, leader, voters, partition groups): the core's events as
// typed data, and single nodes by id.
import type { ClusterEvent, ClusterModel, NodeModel, NodeRaftState } from '../cluster-model/index.js';
import type { RaftEvent, RaftEventType } from '../raft/events.js';
import type { NodeId } from '../raft/types.js';

export type RaftEventOf<T extends RaftEventType> = Extract<RaftEvent, { type: T }> & { node: NodeId; ts: number };

/** The core's events of one type, with the node they happened on, oldest first. */
export function raftEvents<T extends RaftEventType>(events: readonly ClusterEvent[], type: T, node?: NodeId): RaftEventOf<T>[] {
  return events.flatMap((e) =>
    e.kind === 'raft' && e.type === type && e.node !== null && (node === undefined || e.node === node)
      ? [{ ...e.data, type, node: e.node, ts: e.ts } as RaftEventOf<T>]
      : [],
  );
}

/** Role changes to `role` (e.g. every node that became candidate), oldest first. */
export function becameRole(events: readonly ClusterEvent[], role: RaftEventOf<'role-change'>['to']): RaftEventOf<'role-change'>[] {
  return raftEvents(events, 'role-change').filter((e) => e.to === role);
}

/** Commits seen by a leader (a follower's say `voters: 0`): they tell on how many nodes the entry is stored. */
export function leaderCommits(events: readonly ClusterEvent[]): RaftEventOf<'commit'>[] {
  return raftEvents(events, 'commit').filter((e) => e.voters > 0);
}

export function node(model: ClusterModel, id: NodeId | undefined): NodeModel | undefined {
  return model.nodes.find((n) => n.id === id);
}

/** What the node last reported of its Raft state; undefined for no such node, or none reported yet. */
export function raftOf(model: ClusterModel, id: NodeId | undefined): NodeRaftState | undefined {
  return node(model, id)?.raft ?? undefined;
}

export function isRunning(n: NodeModel | undefined): boolean {
  return n?.process.state === 'running';
}

/** Down: killed, stopped, crashed or paused (it answers nothing). */
export function isDown(n: NodeModel | undefined): boolean {
  return n !== undefined && n.process.state !== 'running' && n.process.state !== 'starting';
}
