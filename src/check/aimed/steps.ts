// What the aimed episodes share: reading one node's reported Raft state, waiting until the cluster
// reaches the state a schedule's next step needs (or giving up on this try), and, in step mode,
// finding held messages and letting the network deliver what is due.
import {
  ClusterError,
  dueMessages,
  members,
  until,
  voters,
  type ClusterModel,
  type HeldMessage,
  type NodeRaftState,
} from '../../cluster-model/index.js';
import type { NodeId } from '../../raft/types.js';
import type { AimedContext, AimedEpisode, ClusterFit } from './types.js';

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

/** The messages the nodes hold in step mode, oldest first (none when it is off). */
export function held(m: ClusterModel): readonly HeldMessage[] {
  return m.step?.held ?? [];
}

/** Waits for a held message that passes `test` and returns the oldest such; null when none came in time. */
export async function heldMessage(ctx: AimedContext, test: (h: HeldMessage) => boolean, elections = 5): Promise<HeldMessage | null> {
  if (!(await reached(ctx, (m) => held(m).some(test), elections))) return null;
  return held(ctx.target.model).find(test) ?? null;
}

/**
 * In step mode: delivers what is due (every held message no fault blocks, dueMessages) and `pick`
 * takes, round after round, as a network would among the groups the faults leave, until `test`
 * holds of the model. By id, the ids this model lists: the supervisor's own model may already list
 * newer messages the schedule has not seen, which 'due' would send too. False when the test did not
 * hold within `elections` of the cluster's election timeouts (the clocks stand still in step mode:
 * the limit only ends a schedule that went elsewhere), or a delivery was refused.
 */
export async function deliverUntil(
  ctx: AimedContext,
  test: (m: ClusterModel) => boolean,
  elections: number,
  pick: (h: HeldMessage) => boolean = () => true,
): Promise<boolean> {
  const deadline = Date.now() + Math.max(1000, elections * ctx.electionMs);
  for (;;) {
    if (ctx.signal?.aborted === true) return false;
    const m = ctx.target.model;
    if (test(m)) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    const ids = new Set(
      dueMessages(m)
        .filter(pick)
        .map((h) => h.id),
    );
    if (ids.size === 0) {
      await until(ctx.target, (x) => test(x) || dueMessages(x).some(pick), left);
      continue;
    }
    if (!(await ctx.act({ op: 'deliver', ids: [...ids] })).ok) return false;
    // The senders report what left: wait for the model to stop listing these as held.
    await until(ctx.target, (x) => !held(x).some((h) => ids.has(h.id)), Math.max(0, deadline - Date.now()));
  }
}

/** What decides whether the episodes can run on the cluster `model` describes (its latest configuration's voters). */
export function fitOf(model: ClusterModel): ClusterFit {
  return { voters: voters(model).length, preVote: model.switches.preVote, checkQuorum: model.switches.checkQuorum };
}

/**
 * Why `episode` cannot run on a cluster of that fit, as a ClusterError naming the bug, what the
 * schedule needs and the options that give it; null when it can. `check` refuses such a cluster
 * before it starts (a passing run of a bug it could not aim at would say nothing), and an episode
 * refuses the same way when the cluster changed under it.
 */
export function unfitError(episode: AimedEpisode, fit: ClusterFit): ClusterError | null {
  const needs = episode.unfit(fit);
  if (needs === null) return null;
  return new ClusterError(`--bug ${episode.bug}: its ${episode.name} schedule ${needs}`, {
    code: 'unfit-cluster',
    episode: episode.name,
    ...fit,
  });
}
