// What the aimed episodes share: reading one node's reported Raft state, and waiting until the
// cluster reaches the state a schedule's next step needs (or giving up on this try).
import { members, until, type ClusterModel, type NodeRaftState } from '../../cluster-model/index.js';
import type { NodeId } from '../../raft/types.js';
import type { AimedContext } from './types.js';

/** A running member's Raft state as it last reported it; null when it is not running or has not reported. */
export function raftOf(m: ClusterModel, id: NodeId): NodeRaftState | null {
  const n = members(m).find((x) => x.id === id);
  return n === undefined || n.process.state !== 'running' ? null : n.raft;
}

/** The members, when every one of them runs and has reported its state; null otherwise (a schedule starts from a whole cluster). */
export function allRunning(m: ClusterModel): NodeId[] | null {
  const ids = members(m).map((n) => n.id);
  return ids.every((id) => raftOf(m, id) !== null) ? ids : null;
}

/** A running member of `group` that leads a term above `aboveTerm`, the highest such term's; null when none. */
export function leaderIn(m: ClusterModel, group: readonly NodeId[], aboveTerm: number): NodeId | null {
  let best: { id: NodeId; term: number } | null = null;
  for (const id of group) {
    const r = raftOf(m, id);
    if (r?.role === 'leader' && r.term > aboveTerm && (best === null || r.term > best.term)) best = { id, term: r.term };
  }
  return best?.id ?? null;
}

/** Whether `node` reported winning an election at or after `since` (ms epoch): sooner than its next state line. */
export function wonSince(m: ClusterModel, node: NodeId, since: number): boolean {
  return m.events.some((e) => e.node === node && e.kind === 'raft' && e.type === 'election-won' && e.ts >= since);
}

/**
 * Waits until `test` holds of the model, for at most `elections` of the cluster's longest election
 * timeouts (and a second at least); false when it did not, or the run was aborted.
 */
export async function reached(ctx: AimedContext, test: (m: ClusterModel) => boolean, elections: number): Promise<boolean> {
  if (ctx.signal?.aborted === true) return false;
  return until(ctx.target, test, Math.max(1000, elections * ctx.electionMs));
}
