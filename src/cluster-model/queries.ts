// Questions asked of a cluster model by every client of it (the CLI, the dashboard, the exercises,
// the checker) and by the supervisor of its own live model: who is a member, who leads, which
// configuration is the latest, which partition group a node is in and whether it holds a majority.
// One answer each, imported everywhere. How many voters make a majority is the core's question
// (raft/membership.ts), asked from here.
import { holdsMajority } from '../raft/membership.js';
import type { Membership, NodeId } from '../raft/types.js';
import type { ClusterModel, HeldMessage, NodeModel } from './model.js';

/** What the node questions read: a model with or without its event history. */
type Nodes = Pick<ClusterModel, 'nodes'>;
/** What the network questions read. */
type Network = Pick<ClusterModel, 'nodes' | 'partition' | 'links'>;

/** The nodes still in the cluster (not removed), in the model's order. */
export function members(model: Nodes): NodeModel[] {
  return model.nodes.filter((n) => !n.removed);
}

/** The ids of the members, in the model's order. */
export function memberIds(model: Nodes): NodeId[] {
  return members(model).map((n) => n.id);
}

/** The running leader with the highest term, as the nodes last reported; null when there is none. */
export function leaderOf(model: Nodes): NodeModel | null {
  let best: NodeModel | null = null;
  for (const n of members(model))
    if (n.process.state === 'running' && n.raft?.role === 'leader' && (best === null || n.raft.term > best.raft!.term)) best = n;
  return best;
}

/**
 * The leader (leaderOf) once every running member is in its term and follows it; undefined while
 * another node still campaigns or has not heard of it. Stricter than leaderOf, which names a leader
 * as soon as one is elected.
 */
export function settledLeader(model: Nodes): NodeModel | undefined {
  const l = leaderOf(model);
  if (l === null) return undefined;
  const running = members(model).filter((n) => n.process.state === 'running');
  return running.every((n) => n.raft !== null && n.raft.term === l.raft!.term && n.raft.leader === l.id) ? l : undefined;
}

/**
 * The nodes a client should try, the leader of the highest term first: a leader stranded in a
 * minority still believes it leads and would take the write, which could then never commit.
 */
export function clientNodes(model: Nodes): Array<{ id: number; address: string }> {
  const leader = leaderOf(model);
  const all = members(model);
  const ordered = leader === null ? all : [leader, ...all.filter((n) => n !== leader)];
  return ordered.map((n) => ({ id: n.id, address: n.address }));
}

/**
 * The client URLs of an etcd cluster's members in the order a client should try them: the leader
 * first, then the other running members, then the rest (a member marked down may be back).
 */
export function etcdClientUrls(model: Nodes): string[] {
  const leader = leaderOf(model);
  const all = members(model).filter((n) => n.etcd !== undefined && n.etcd.clientUrl !== '');
  const rank = (n: NodeModel): number => (n === leader ? 0 : n.process.state === 'running' ? 1 : 2);
  return [...all].sort((a, b) => rank(a) - rank(b)).map((n) => n.etcd!.clientUrl);
}

/**
 * The highest term any node has reported, removed nodes included (what the dashboard shows; a
 * removed node's last report still counts).
 */
export function highestTerm(model: Nodes): number {
  return Math.max(0, ...model.nodes.map((n) => n.raft?.term ?? 0));
}

/** The cluster's commit index: the leader's, else the highest any node (removed ones included) reported. */
export function clusterCommit(model: Nodes): number {
  const leader = leaderOf(model);
  return leader?.raft?.commit ?? knownCommitted(model);
}

/** The highest index any node knows committed: an entry above it is committed nowhere yet (as far as the reports go). */
export function knownCommitted(model: Nodes): number {
  return Math.max(0, ...model.nodes.map((n) => n.raft?.commit ?? 0));
}

/**
 * The configuration as the most advanced member knows it (the highest term, then the longest log);
 * null before any member has reported one.
 */
export function latestMembership(model: Nodes): Membership | null {
  let best: NodeModel | null = null;
  for (const n of members(model))
    if (
      n.raft !== null &&
      (best === null || n.raft.term > best.raft!.term || (n.raft.term === best.raft!.term && n.raft.lastIndex > best.raft!.lastIndex))
    )
      best = n;
  return best?.raft?.membership ?? null;
}

/** The voters of the latest configuration; every member before any has reported one. */
export function voters(model: Nodes): NodeId[] {
  return latestMembership(model)?.voters ?? memberIds(model);
}

/** The members frozen with `pause`, by id. */
export function pausedNodes(model: Nodes): NodeId[] {
  return members(model).flatMap((n) => (n.process.state === 'paused' ? [n.id] : []));
}

/** The partition group holding `id` (every member, when the network is whole). */
export function groupOf(model: Pick<Network, 'nodes' | 'partition'>, id: NodeId): NodeId[] {
  return model.partition.find((g) => g.includes(id)) ?? memberIds(model);
}

/** Whether the group holds a majority of the latest configuration's voters (voters). */
export function hasMajority(model: Nodes, group: readonly NodeId[]): boolean {
  return holdsMajority(group, voters(model));
}

/** No partition and no faulty link. */
export function healed(model: Pick<Network, 'partition' | 'links'>): boolean {
  return model.partition.length === 0 && model.links.length === 0;
}

/** The nodes cut off alone (each in a partition group of its own), lowest id first. */
export function isolatedNodes(model: Pick<Network, 'partition'>): NodeId[] {
  return model.partition
    .filter((g) => g.length === 1)
    .map((g) => g[0]!)
    .sort((a, b) => a - b);
}

/**
 * The messages held in step mode on links no fault blocks, oldest first: what a network would
 * deliver now. A message on a cut link waits (a partition in step mode holds it until healed or
 * dropped), and so does one whose sender is not running (paused: it cannot send).
 */
export function dueMessages(model: Pick<ClusterModel, 'nodes' | 'links' | 'step'>): HeldMessage[] {
  const up = new Set(model.nodes.filter((n) => !n.removed && n.process.state === 'running').map((n) => n.id));
  return (model.step?.held ?? []).filter(
    (h) => up.has(h.from) && !model.links.some((l) => l.from === h.from && l.to === h.to && l.blocked),
  );
}
