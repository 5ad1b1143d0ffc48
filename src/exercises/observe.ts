// What the exercises' checks read from the cluster: the core's events as typed data, and the
// questions a step asks of the model (who leads, who runs, which group is cut off).
import { leaderOf } from '../cluster-model/index.js';
import type { ClusterEvent, ClusterModel, NodeModel, NodeRaftState } from '../cluster-model/index.js';
import type { RaftEvent, RaftEventType } from '../raft/events.js';
import type { NodeId } from '../raft/types.js';

export type RaftEventOf<T extends RaftEventType> = Extract<RaftEvent, { type: T }> & { node: NodeId; ts: number };

/** The core's events of one type, with the node they happened on, oldest first. */
export function raftEvents<T extends RaftEventType>(events: readonly ClusterEvent[], type: T, node?: NodeId): RaftEventOf<T>[] {
  return events.flatMap((e) =>
    e.kind === 'raft' && e.type === type && e.node !== null && (node === undefined || e.node === node) ? [{ ...e.data, type, node: e.node, ts: e.ts } as RaftEventOf<T>] : [],
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

export function members(model: ClusterModel): NodeModel[] {
  return model.nodes.filter((n) => !n.removed);
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

/** The members frozen with `pause`, by id. */
export function pausedNodes(model: ClusterModel): NodeId[] {
  return members(model).flatMap((n) => (n.process.state === 'paused' ? [n.id] : []));
}

/** Down: killed, stopped, crashed or paused (it answers nothing). */
export function isDown(n: NodeModel | undefined): boolean {
  return n !== undefined && n.process.state !== 'running' && n.process.state !== 'starting';
}

/** The voters of the configuration the most advanced node knows. */
export function voters(model: ClusterModel): NodeId[] {
  let best: NodeModel | null = null;
  for (const n of members(model))
    if (n.raft !== null && (best === null || n.raft.term > best.raft!.term || (n.raft.term === best.raft!.term && n.raft.lastIndex > best.raft!.lastIndex))) best = n;
  return best?.raft?.membership.voters ?? members(model).map((n) => n.id);
}

export function majority(count: number): number {
  return Math.floor(count / 2) + 1;
}

/** The leader, once every running member is in its term and follows it. */
export function settledLeader(model: ClusterModel): NodeModel | undefined {
  const l = leaderOf(model);
  if (l === null) return undefined;
  const running = members(model).filter(isRunning);
  return running.every((n) => n.raft !== null && n.raft.term === l.raft!.term && n.raft.leader === l.id) ? l : undefined;
}

/** The partition group holding `id` (every node, when the network is whole). */
export function groupOf(model: ClusterModel, id: NodeId): NodeId[] {
  return model.partition.find((g) => g.includes(id)) ?? members(model).map((n) => n.id);
}

/** Whether the group holds a majority of the voters. */
export function hasMajority(model: ClusterModel, group: readonly NodeId[]): boolean {
  const v = voters(model);
  return group.filter((id) => v.includes(id)).length >= majority(v.length);
}

/** No partition and no faulty link. */
export function healed(model: ClusterModel): boolean {
  return model.partition.length === 0 && model.links.length === 0;
}

/** The nodes cut off alone (each in a partition group of its own), lowest id first. */
export function isolatedNodes(model: ClusterModel): NodeId[] {
  return model.partition.filter((g) => g.length === 1).map((g) => g[0]!).sort((a, b) => a - b);
}
