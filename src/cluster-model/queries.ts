// Questions asked of a cluster model by every client of it (the CLI, the dashboard, the exercises,
// the checker): who leads, which nodes a client should try. One answer each, imported everywhere.
import type { ClusterModel, NodeModel } from './model.js';

/** The running leader with the highest term, as the nodes last reported; null when there is none. */
export function leaderOf(model: Omit<ClusterModel, 'events'>): NodeModel | null {
  let best: NodeModel | null = null;
  for (const n of model.nodes)
    if (!n.removed && n.process.state === 'running' && n.raft?.role === 'leader' && (best === null || n.raft.term > best.raft!.term)) best = n;
  return best;
}

/**
 * The nodes a client should try, the leader of the highest term first: a leader stranded in a
 * minority still believes it leads and would take the write, which could then never commit.
 */
export function clientNodes(model: Omit<ClusterModel, 'events'>): Array<{ id: number; address: string }> {
  const leader = leaderOf(model);
  const members = model.nodes.filter((n) => !n.removed);
  const ordered = leader === null ? members : [leader, ...members.filter((n) => n !== leader)];
  return ordered.map((n) => ({ id: n.id, address: n.address }));
}
