// One look at an etcd cluster from outside: its member list, then every member's status, asked at
// once. What a member says of itself becomes the same state a raft-console node reports in its
// state lines (src/node/state-line.ts), as far as etcd exposes it: role, term, leader, commit,
// applied and the configuration. Its log entries, timers and a leader's view of each follower it
// never exposes; those fields stay empty and the model says so (src/cluster-model/engine.ts).
import type { StateLine } from '../node/state-line.js';
import type { NodeId, Role } from '../raft/types.js';
import { EtcdError } from './errors.js';
import type { EtcdGateway, EtcdMember, EtcdStatus } from './gateway.js';

/** What one member answered: its status, or why it did not. */
export type MemberAnswer = { ok: true; status: EtcdStatus } | { ok: false; error: EtcdError };

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
        const status = await gateway.status(endpoint);
        return [status.memberId, { ok: true, status }];
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
 * A member's state as a state line. The role is "leader" when the member names itself leader; a
 * candidate or pre-candidate only when its log said so for a term at least its status term and it
 * knows no leader (etcd's status has no role field); "follower" otherwise, a learner included (the
 * membership says it is one). `idOf` turns member ids into node ids (0 for one it cannot name).
 */
export function stateOf(
  status: EtcdStatus,
  members: readonly EtcdMember[],
  idOf: (hex: string) => NodeId | null,
  logged: LoggedState = {},
): StateLine {
  const self = status.leader === status.memberId;
  let role: Role = self ? 'leader' : 'follower';
  if (!self && status.leader === null && logged.role !== undefined && logged.role.term >= status.raftTerm) {
    if (logged.role.role === 'candidate' || logged.role.role === 'pre-candidate') role = logged.role.role;
  }
  const ids = (learner: boolean): NodeId[] =>
    members
      .filter((m) => m.learner === learner)
      .map((m) => idOf(m.id))
      .filter((id): id is NodeId => id !== null)
      .sort((a, b) => a - b);
  return {
    role,
    term: status.raftTerm,
    vote: logged.vote !== undefined && logged.vote.term === status.raftTerm ? logged.vote.vote : 0,
    leader: status.leader === null ? 0 : (idOf(status.leader) ?? 0),
    lastIndex: 0,
    lastTerm: 0,
    commit: status.raftIndex,
    applied: status.raftAppliedIndex,
    firstIndex: 0,
    snapshotIndex: 0,
    membership: { voters: ids(false), learners: ids(true) },
    runs: [],
    timer: null,
    progress: {},
    digests: [],
  };
}
