// Every decision the core takes is reported as a structured event, plain data that the runtime
// stamps with a time and the dashboard turns into a sentence a learner can follow.
import type { ConfChange, Membership, MessageType, NodeId, Role, VoteRefusal } from './types.js';

export type RoleChangeCause =
  | 'election-timeout' // heard nothing from a leader for a whole election timeout
  | 'pre-vote-won' // a majority would vote for us: start the real election
  | 'won-election'
  | 'higher-term' // a message carried a higher term (section 5.1)
  | 'leader-found' // a candidate hears from the leader of its term (section 5.2)
  | 'check-quorum' // a leader that heard from no majority for an election timeout
  | 'removed' // this node left the configuration
  | 'transfer' // leadership transfer: TimeoutNow received
  | 'campaign-requested' // the runtime asked for an election now
  | 'election-lost'; // a majority refused its votes

export type AppendRejection =
  | 'missing-entries' // our log has no entry at prevLogIndex
  | 'term-mismatch' // our entry at prevLogIndex has another term
  // the leader's entry at prevLogIndex (of term prevLogTerm) differs from our committed one (of term
  // conflictTerm): the leader lacks a committed entry, which only a known bug allows (5.4.1)
  | 'overwrites-committed';

export type ProposalRefusal =
  | 'not-leader'
  | 'transfer-in-progress'
  | 'config-change-pending' // one membership change at a time: the previous one is not committed yet
  | 'learner-not-caught-up' // a learner is promoted only once its log has caught up
  | 'invalid-change';

export type RaftEvent =
  | { type: 'election-timeout'; term: number; ticks: number; leader: NodeId }
  | { type: 'role-change'; from: Role; to: Role; term: number; cause: RoleChangeCause }
  | { type: 'campaign'; round: 'pre-vote' | 'vote'; term: number; voters: number; transfer: boolean }
  | { type: 'vote-cast'; round: 'pre-vote' | 'vote'; candidate: NodeId; term: number; granted: boolean; reason?: VoteRefusal }
  | {
      type: 'vote-received';
      round: 'pre-vote' | 'vote';
      from: NodeId;
      term: number;
      granted: boolean;
      reason?: VoteRefusal;
      grantedTotal: number;
      rejectedTotal: number;
      needed: number;
    }
  | { type: 'election-won'; term: number; votes: number; voters: number }
  | { type: 'election-lost'; round: 'pre-vote' | 'vote'; term: number; rejections: number; voters: number }
  | {
      type: 'append-rejected';
      leader: NodeId;
      term: number;
      prevLogIndex: number;
      prevLogTerm: number;
      reason: AppendRejection;
      conflictTerm: number;
      conflictIndex: number;
    }
  | { type: 'truncate'; leader: NodeId; term: number; from: number; to: number; terms: number[] }
  | { type: 'commit'; from: number; to: number; term: number; replicas: number; voters: number }
  | { type: 'snapshot-sent'; to: NodeId; index: number; term: number }
  | { type: 'snapshot-installed'; from: NodeId; index: number; term: number }
  | { type: 'snapshot-taken'; index: number; term: number }
  | { type: 'membership'; change: ConfChange; membership: Membership; index: number }
  /** Leader: the configuration entry at `index` is committed (the change is done; the next may start). */
  | { type: 'config-committed'; change: ConfChange; membership: Membership; index: number }
  | { type: 'proposal-refused'; reason: ProposalRefusal; leader: NodeId }
  | { type: 'transfer-started'; target: NodeId; term: number }
  | { type: 'transfer-aborted'; target: NodeId; term: number }
  | { type: 'stale-message'; from: NodeId; message: MessageType; messageTerm: number; term: number }
  /** Leader: a follower's answer shows it no longer holds entries it acknowledged in this term. */
  | { type: 'follower-lost-data'; follower: NodeId; acknowledged: number; term: number }
  /** A node in recovering mode caught up and may vote and campaign again. */
  | { type: 'recovery-finished'; index: number; aboveTerm: number; term: number };

export type RaftEventType = RaftEvent['type'];

const name = (id: NodeId): string => (id === 0 ? 'nobody' : `n${id}`);

const refusalText: Record<VoteRefusal, string> = {
  'stale-term': 'its term is behind',
  'already-voted': 'it already voted in this term',
  'log-not-up-to-date': 'its own log is more up to date',
  'leader-alive': 'it heard from a leader recently',
  recovering: 'it lost data and votes again only once caught up',
};

const causeText: Record<RoleChangeCause, string> = {
  'election-timeout': 'its election timer fired',
  'pre-vote-won': 'a majority would vote for it',
  'won-election': 'it won the election',
  'higher-term': 'it saw a higher term',
  'leader-found': 'it heard from the leader of its term',
  'check-quorum': 'it heard from no majority for an election timeout',
  removed: 'it was removed from the cluster',
  transfer: 'the leader handed leadership over',
  'campaign-requested': 'it was asked to start an election',
  'election-lost': 'a majority refused to vote for it',
};

/**
 * The event as a sentence, using the words the dashboard shows. `tickMs`, when known, turns tick
 * counts into seconds.
 */
export function describeEvent(node: NodeId, e: RaftEvent, tickMs?: number): string {
  const me = name(node);
  const span = (ticks: number): string => (tickMs === undefined ? `${ticks} ticks` : `${((ticks * tickMs) / 1000).toFixed(1)} s`);
  switch (e.type) {
    case 'election-timeout':
      return e.leader === 0
        ? `${me} heard from no leader for ${span(e.ticks)} and starts an election`
        : `${me} heard nothing from ${name(e.leader)} for ${span(e.ticks)} and starts an election`;
    case 'role-change':
      return `${me} becomes ${e.to} in term ${e.term}: ${causeText[e.cause]}`;
    case 'campaign':
      return e.round === 'pre-vote'
        ? `${me} asks whether the ${e.voters} voters would elect it in term ${e.term} (pre-vote)`
        : `${me} starts an election for term ${e.term}${e.transfer ? ' (leadership transfer)' : ''}`;
    case 'vote-cast':
      return e.granted
        ? `${me} ${e.round === 'pre-vote' ? 'would vote' : 'votes'} for ${name(e.candidate)} in term ${e.term}`
        : `${me} refuses ${name(e.candidate)}${e.round === 'pre-vote' ? ' (pre-vote)' : ''} in term ${e.term}: ${refusalText[e.reason ?? 'stale-term']}`;
    case 'vote-received':
      return `${me} got ${e.granted ? `a ${e.round}` : `a ${e.round} refusal`} from ${name(e.from)} for term ${e.term} (${e.grantedTotal} granted, ${e.needed} needed)`;
    case 'election-won':
      return `${me} wins term ${e.term} with ${e.votes} of ${e.voters} votes`;
    case 'election-lost':
      return `${me} loses the ${e.round === 'pre-vote' ? 'pre-vote' : 'election'} for term ${e.term}: ${e.rejections} of ${e.voters} refused`;
    case 'append-rejected':
      return appendRejectedText(me, e);
    case 'truncate':
      return e.from === e.to
        ? `${me} removes entry ${e.from} of term ${e.terms.join(', ')}, which conflicts with leader ${name(e.leader)}`
        : `${me} removes entries ${e.from}-${e.to} of term ${e.terms.join(', ')} that conflict with leader ${name(e.leader)}`;
    case 'commit':
      return e.voters > 0
        ? `${e.from === e.to ? `entry ${e.to}` : `entries ${e.from}-${e.to}`} committed: stored on ${e.replicas} of ${e.voters}`
        : `${me} learns that ${e.from === e.to ? `entry ${e.to} is` : `entries ${e.from}-${e.to} are`} committed`;
    case 'snapshot-sent':
      return `${me} sends a snapshot up to entry ${e.index} to ${name(e.to)}, which is behind the compacted log`;
    case 'snapshot-installed':
      return `${me} installs a snapshot from ${name(e.from)} up to entry ${e.index} (term ${e.term})`;
    case 'snapshot-taken':
      return `${me} compacts its log up to entry ${e.index}`;
    case 'membership': {
      const verb = { 'add-learner': 'adds learner', promote: 'promotes', remove: 'removes' }[e.change.type];
      return `configuration at entry ${e.index}: ${verb} ${name(e.change.node)} (voters ${e.membership.voters.map(name).join(' ') || 'none'})`;
    }
    case 'config-committed':
      return `configuration at entry ${e.index} is committed: voters ${e.membership.voters.map(name).join(' ') || 'none'}, learners ${e.membership.learners.map(name).join(' ') || 'none'}`;
    case 'proposal-refused':
      return `${me} refuses a proposal: ${e.reason.replace(/-/g, ' ')}${e.leader !== 0 ? ` (leader is ${name(e.leader)})` : ''}`;
    case 'transfer-started':
      return `${me} hands leadership to ${name(e.target)} in term ${e.term}`;
    case 'transfer-aborted':
      return `${me} gives up handing leadership to ${name(e.target)}: it did not take over in time`;
    case 'stale-message':
      return `${me} ignores a ${e.message} from ${name(e.from)} of old term ${e.messageTerm} (its term is ${e.term})`;
    case 'follower-lost-data':
      return `${name(e.follower)} no longer has entries up to ${e.acknowledged} it had acknowledged: it lost data; ${me} sends it the log again`;
    case 'recovery-finished':
      return `${me} caught up to entry ${e.index} after losing data and may vote again (term ${e.term} is above ${e.aboveTerm})`;
  }
}

function appendRejectedText(me: string, e: Extract<RaftEvent, { type: 'append-rejected' }>): string {
  switch (e.reason) {
    case 'missing-entries':
      return `${me} rejects entries from ${name(e.leader)}: it has nothing at index ${e.prevLogIndex} yet`;
    case 'term-mismatch':
      return `${me} rejects entries from ${name(e.leader)}: its entry ${e.prevLogIndex} is of term ${e.conflictTerm}, not ${e.prevLogTerm}`;
    case 'overwrites-committed':
      return `${me} refuses entry ${e.prevLogIndex} of term ${e.prevLogTerm} from leader ${name(e.leader)}: its own entry ${e.prevLogIndex} of term ${e.conflictTerm} is committed, and a leader must hold every committed entry`;
  }
}
