// One look at an etcd cluster from outside: its member list, then every member's status, asked at
// once. What a member says of itself becomes the same state a raft-console node reports in its
// state lines (src/node/state-line.ts), as far as etcd exposes it: role, term, leader, commit,
// applied and the configuration. Its log entries, timers and a leader's view of each follower it
// never exposes; those fields stay empty and the model says so (src/cluster-model/engine.ts).
import type { StateLine } from '../node/state-line.js';
import type { NodeId, Role } from '../raft/types.js';
import { EtcdError } from './errors.js';
import type { EtcdGateway, EtcdMember, EtcdRaftStatus, EtcdStatus } from './gateway.js';

/**
 * What one member answered: its status (and its Raft node's own account, when /debug/vars answered
 * too: a member behind a proxy that passes only the gRPC gateway may not serve it), or why it did not.
 */
export type MemberAnswer = { ok: true; status: EtcdStatus; raft: EtcdRaftStatus | null } | { ok: false; error: EtcdError };

export interface EtcdObservation {
  /** When the look began (the caller's clock). */
  at: number;
  /** The member list, or null when no endpoint answered for it. */
  members: EtcdMember[] | null;
  /** By member id (hex): each member with a client URL, asked directly. */
  answers: Map<string, MemberAnswer>;
}

/**
 * Asks for the member list (from `endpoints`, the first that answers), then each listed member's
 * status on its own first client URL, all at once. A member that has no client URL yet (added, not
 * started) is not asked. With no member list, each endpoint is asked for its status instead, so a
 * cluster that lost its quorum still shows who answers.
 */
export async function observe(gateway: EtcdGateway, now: number, endpoints?: readonly string[]): Promise<EtcdObservation> {
  let members: EtcdMember[] | null = null;
  for (const e of endpoints ?? gateway.endpoints) {
    try {
      members = await gateway.members(e);
      break;
    } catch (err) {
      if (!(err instanceof EtcdError)) throw err;
    }
  }
  const targets =
    members !== null ? members.flatMap((m) => (m.clientUrls[0] === undefined ? [] : [m.clientUrls[0]])) : [...gateway.endpoints];
  const answers = new Map<string, MemberAnswer>();
  const results = await Promise.all(
    targets.map(async (endpoint): Promise<[string, MemberAnswer]> => {
      try {
        const [status, raft] = await Promise.all([gateway.status(endpoint), gateway.raftStatus(endpoint).catch(() => null)]);
        return [status.memberId, { ok: true, status, raft }];
      } catch (err) {
        if (!(err instanceof EtcdError)) throw err;
        const member = members?.find((m) => m.clientUrls[0] === endpoint);
        return [member?.id ?? endpoint, { ok: false, error: err }];
      }
    }),
  );
  for (const [id, answer] of results) answers.set(id, answer);
  return { at: now, members, answers };
}

/** What a member's log lines told that its status cannot: a vote it cast, and a candidacy in progress. */
export interface LoggedState {
  /** The member it voted for in `term`, as a node id. */
  vote?: { term: number; vote: NodeId };
  /** The role it last said it took, and in which term. */
  role?: { role: Role; term: number };
}

/**
 * A member's state as a state line. With its Raft node's own account (`raft`), the role, term, vote,
 * leader, commit and a leader's view of each follower are its; applied is the state machine's (the
 * status API's). Without it: the role is "leader" when the member names itself leader, a candidate
 * or pre-candidate only when its log said so for a term at least its status term and it knows no
 * leader (etcd's status has no role field), "follower" otherwise, a learner included (the
 * membership says it is one). `idOf` turns member ids into node ids (0 for one it cannot name).
 */
export function stateOf(
  status: EtcdStatus,
  members: readonly EtcdMember[],
  idOf: (hex: string) => NodeId | null,
  logged: LoggedState = {},
  raft: EtcdRaftStatus | null = null,
): StateLine {
  const ids = (learner: boolean): NodeId[] =>
    members
      .filter((m) => m.learner === learner)
      .map((m) => idOf(m.id))
      .filter((id): id is NodeId => id !== null)
      .sort((a, b) => a - b);
  const unreported = { lastIndex: 0, lastTerm: 0, firstIndex: 0, snapshotIndex: 0, runs: [], timer: null, digests: [] };
  const membership = { voters: ids(false), learners: ids(true) };
  if (raft !== null) {
    const progress: StateLine['progress'] = {};
    if (raft.role === 'leader')
      for (const [hex, p] of Object.entries(raft.progress)) {
        const id = idOf(hex);
        if (id !== null && hex !== status.memberId) progress[id] = p;
      }
    return {
      ...unreported,
      role: raft.role,
      term: raft.term,
      vote: raft.vote === null ? 0 : (idOf(raft.vote) ?? 0),
      leader: raft.lead === null ? 0 : (idOf(raft.lead) ?? 0),
      commit: raft.commit,
      applied: status.raftAppliedIndex,
      membership,
      progress,
    };
  }
  const self = status.leader === status.memberId;
  let role: Role = self ? 'leader' : 'follower';
  if (!self && status.leader === null && logged.role !== undefined && logged.role.term >= status.raftTerm) {
    if (logged.role.role === 'candidate' || logged.role.role === 'pre-candidate') role = logged.role.role;
  }
  return {
    ...unreported,
    role,
    term: status.raftTerm,
    vote: logged.vote !== undefined && logged.vote.term === status.raftTerm ? logged.vote.vote : 0,
    leader: status.leader === null ? 0 : (idOf(status.leader) ?? 0),
    commit: status.raftIndex,
    applied: status.raftAppliedIndex,
    membership,
    progress: {},
  };
}
