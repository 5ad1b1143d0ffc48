// The data the consensus core reads and writes. Everything here is plain JSON-able data: it is what
// the storage persists, what the transport carries and what the dashboard shows.

/** A node's id: a positive integer. 0 means "nobody" (no vote, no known leader). */
export type NodeId = number;
export const NONE: NodeId = 0;

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/**
 * The largest term or log index a node takes from outside (peers, clients, its own disk): 2^48.
 * The core computes term + 1 and index + 1, which stops being exact at 2^53 - 1, so a message
 * with a term there would leave a node stuck at it for good; and an election a millisecond
 * would take 8,900 years to get to 2^48.
 */
export const MAX_TERM_OR_INDEX = 2 ** 48;

export function isTermOrIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_TERM_OR_INDEX;
}

/**
 * One server at a time (Raft dissertation, section 4.1): a new node joins as a non-voting learner,
 * is promoted to voter once it has caught up, and any node (the leader included) can be removed.
 */
export type ConfChangeType = 'add-learner' | 'promote' | 'remove';
export interface ConfChange {
  type: ConfChangeType;
  node: NodeId;
}

/** Who votes and who only receives the log. Ids are kept sorted. */
export interface Membership {
  voters: NodeId[];
  learners: NodeId[];
}

interface EntryBase {
  /** Term of the leader that created the entry. */
  term: number;
  /** Position in the log, from 1. */
  index: number;
}
/** An opaque command for the state machine. */
export interface NormalEntry extends EntryBase {
  type: 'normal';
  data: string;
}
/** Appended by every new leader at once, so it can commit entries of earlier terms (section 5.4.2). */
export interface NoopEntry extends EntryBase {
  type: 'noop';
}
/**
 * A membership change. It carries the full membership that results from it, so the latest
 * configuration entry in a log (or the snapshot under it) defines the configuration alone.
 */
export interface ConfigEntry extends EntryBase {
  type: 'config';
  change: ConfChange;
  membership: Membership;
}
export type Entry = NormalEntry | NoopEntry | ConfigEntry;
export type EntryType = Entry['type'];

/** What must be on stable storage before any message that depends on it leaves the node. */
export interface HardState {
  term: number;
  /** Candidate voted for in `term`, or NONE. */
  vote: NodeId;
  commit: number;
}

export interface SnapshotMeta {
  /** Last index the snapshot covers, and its term. */
  index: number;
  term: number;
  /** The configuration in force at `index`. */
  membership: Membership;
}
export interface Snapshot {
  meta: SnapshotMeta;
  /** The state machine's serialized state, opaque to the core. */
  data: string;
}

// ---------------------------------------------------------------------------------------------
// Messages between nodes. Every message carries the sender's term (section 5.1: a higher term
// makes the receiver adopt it; a lower one is stale).

interface MessageBase {
  from: NodeId;
  to: NodeId;
  term: number;
}

/** RequestVote (section 5.2), and its PreVote twin (dissertation section 9.6). */
export interface VoteRequest extends MessageBase {
  type: 'pre-vote' | 'vote';
  lastLogIndex: number;
  lastLogTerm: number;
  /** Set when the election is a leadership transfer: voters skip their leader lease. */
  transfer?: boolean;
}

export type VoteRefusal =
  | 'stale-term' // the candidate's term is lower than ours
  | 'already-voted' // we voted for someone else in this term
  | 'log-not-up-to-date' // our log is more up to date than the candidate's (section 5.4.1)
  | 'leader-alive' // we follow a leader heard from within the election timeout (lease, section 9.6)
  | 'recovering'; // we lost data and may not vote until caught up (see Recovery in config.ts)

export interface VoteResponse extends MessageBase {
  type: 'pre-vote-response' | 'vote-response';
  granted: boolean;
  reason?: VoteRefusal;
}

/** AppendEntries (section 5.3). */
export interface AppendRequest extends MessageBase {
  type: 'append';
  prevLogIndex: number;
  prevLogTerm: number;
  entries: Entry[];
  leaderCommit: number;
}

export interface AppendResponse extends MessageBase {
  type: 'append-response';
  success: boolean;
  /**
   * On success: the last index the follower now holds that matches the leader's log.
   * On rejection: the prevLogIndex that was rejected.
   */
  index: number;
  /**
   * Conflict hint on rejection (the fast backup of the Raft paper, end of section 5.3): the term of
   * the follower's entry at prevLogIndex (0 when its log is too short) and the first index the
   * follower holds of that term (its lastIndex + 1 when too short).
   */
  conflictTerm: number;
  conflictIndex: number;
}

/** Leader to follower every heartbeat interval; `context` carries a ReadIndex round. */
export interface Heartbeat extends MessageBase {
  type: 'heartbeat';
  /** min(follower's matchIndex, leader's commitIndex): never beyond what the follower holds. */
  commit: number;
  context?: string;
}
export interface HeartbeatResponse extends MessageBase {
  type: 'heartbeat-response';
  context?: string;
}

/** InstallSnapshot (section 7), sent to a follower whose next entry was compacted away. */
export interface InstallSnapshot extends MessageBase {
  type: 'snapshot';
  snapshot: Snapshot;
}

/** Leadership transfer (dissertation section 3.10): the target starts an election at once. */
export interface TimeoutNow extends MessageBase {
  type: 'timeout-now';
}

export type Message =
  VoteRequest | VoteResponse | AppendRequest | AppendResponse | Heartbeat | HeartbeatResponse | InstallSnapshot | TimeoutNow;
export type MessageType = Message['type'];

/** A ReadIndex round that completed: reads at `index` (once applied) are linearizable. */
export interface ReadState {
  context: string;
  index: number;
  /**
   * Set only under the read-without-quorum known bug: no round confirmed the leadership, `index` is
   * the leader's own commit index, and the read may be stale (dissertation 6.4).
   */
  unconfirmed?: true;
}

/** Role and leader, as the dashboard shows them; not persisted. */
export interface SoftState {
  role: Role;
  leader: NodeId;
}
