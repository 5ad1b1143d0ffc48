// What the exercises' checks read from the cluster beyond the questions every client asks of the
// model (cluster-model/queries.ts: members, leader, voters, partition groups): the core's events as
// typed data, and single nodes by id. On etcd (engine.ts) some state is not reported and its events
// come from its log lines: the helpers below the node helpers read what each engine does tell.
import { reports } from '../cluster-model/engine.js';
import { leaderOf, type ClusterEvent, type ClusterModel, type NodeModel, type NodeRaftState } from '../cluster-model/index.js';
import type { ReadEvent } from '../node/read-event.js';
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

export type ReadEventOf<T extends ReadEvent['type']> = Extract<ReadEvent, { type: T }> & { node: NodeId; ts: number };

/** The reads nodes told they answered (read-served) or refused (read-refused), on `node` when given, oldest first. */
export function readsTold<T extends ReadEvent['type']>(events: readonly ClusterEvent[], type: T, node?: NodeId): ReadEventOf<T>[] {
  return events.flatMap((e) =>
    e.kind === 'node' && e.type === type && e.node !== null && (node === undefined || e.node === node)
      ? [{ ...e.data, type, node: e.node, ts: e.ts } as ReadEventOf<T>]
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

/**
 * How far a node's log reaches, as far as its engine tells: its last index; where that is not
 * reported (etcd), its commit index, which reaches an entry only once the node holds it.
 */
export function logReach(model: ClusterModel, r: NodeRaftState): number {
  return reports(model.engine, 'lastIndex') ? r.lastIndex : r.commit;
}

/**
 * Whether the engine's timers are hidden (etcd): then no event says that an election timer fired,
 * and a candidacy, or a leader in a higher term in the model, is the first sign of an election.
 */
function timersHidden(model: ClusterModel): boolean {
  return !reports(model.engine, 'timer');
}

/**
 * Elections seen starting, oldest first, by the node that started each: its election timeout; where
 * timers are hidden (etcd), also its campaign or its becoming a (pre-)candidate, as its logs tell.
 */
export function electionsStarted(model: ClusterModel, events: readonly ClusterEvent[]): Array<{ node: NodeId; term: number }> {
  const hidden = timersHidden(model);
  return events.flatMap((e) => {
    if (e.kind !== 'raft' || e.node === null) return [];
    const d = e.data as { term?: unknown; to?: unknown } | undefined;
    const term = typeof d?.term === 'number' ? d.term : 0;
    const started =
      e.type === 'election-timeout' ||
      (hidden && (e.type === 'campaign' || (e.type === 'role-change' && (d?.to === 'candidate' || d?.to === 'pre-candidate'))));
    return started ? [{ node: e.node, term }] : [];
  });
}

/**
 * How many pre-vote rounds the node was seen to start: its pre-vote campaigns. Where timers are
 * hidden (etcd), what its log lines tell instead: with PreVote on, each election timeout starts a
 * pre-vote round ("is starting a new election", then "became pre-candidate", which is told as a
 * change of role only the first time); whichever counts more.
 */
export function preVoteRounds(model: ClusterModel, events: readonly ClusterEvent[], node: NodeId | undefined): number {
  const campaigns = raftEvents(events, 'campaign', node).filter((e) => e.round === 'pre-vote').length;
  if (!timersHidden(model)) return campaigns;
  const became = raftEvents(events, 'role-change', node).filter((e) => e.to === 'pre-candidate').length;
  const timeouts = model.switches.preVote ? raftEvents(events, 'election-timeout', node).length : 0;
  return Math.max(campaigns, became, timeouts);
}

/**
 * A node's term as far as it is known: its report; where the model is read from outside (etcd),
 * also the terms its log lines gave in `events`. etcd's status reports the term of the member's last
 * applied entry, which a candidate cut off from the others never moves, while its log says at each
 * election timeout the term it had ("is starting a new election at term N"), and at a change of
 * role the term it took.
 */
export function termSeen(model: ClusterModel, events: readonly ClusterEvent[], id: NodeId | undefined): number {
  const reported = raftOf(model, id)?.term ?? 0;
  if (!watchedFromOutside(model)) return reported;
  const logged = [...raftEvents(events, 'role-change', id), ...raftEvents(events, 'election-timeout', id)].map((e) => e.term);
  return Math.max(reported, ...logged);
}

/**
 * Whether the model is read from outside the nodes (etcd: its members' status and member list,
 * polled) with events from their log lines, which tell less than raft-console's nodes tell of
 * themselves, or nothing when they are not read: a check may then find an outcome in the model
 * that no event announced.
 */
export function watchedFromOutside(model: ClusterModel): boolean {
  return model.engine.kind === 'etcd';
}

/**
 * Where the model is read from outside (etcd), the leader it shows in a term above `term`, other
 * than `not`: an election's outcome, seen even when no event told it. Undefined on raft-console,
 * whose events tell every election.
 */
export function leaderSeenAbove(model: ClusterModel, term: number, not?: NodeId): NodeModel | undefined {
  if (!watchedFromOutside(model)) return undefined;
  const l = leaderOf(model);
  return l !== null && l.id !== not && l.raft!.term > term ? l : undefined;
}
