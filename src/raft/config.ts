// What a node's core is configured with. Times are in ticks: the runtime decides how long a tick is.
// They need not be whole: the election timeout range may be 15-15.1 ticks (150-151 ms at 10 ms).
import type { NodeId } from './types.js';

/**
 * Known bugs the core can be made to have, for tests and for the workshop exercise that shows why
 * each rule exists. All off unless a test or an exercise turns one on.
 */
export interface KnownBugs {
  /** Commit an entry of an earlier term by counting replicas (what Figure 8 of the paper forbids). */
  commitPreviousTermByCounting: boolean;
  /** Grant votes without the log up-to-date check of section 5.4.1. */
  voteWithoutLogCheck: boolean;
  /** Leave a new vote out of the hard state to persist, so a restart forgets it (a double vote). */
  voteNotPersisted: boolean;
  /**
   * A leader answers reads from its own state at once, with no ReadIndex round and no lease check:
   * what dissertation 6.4 forbids, since a leader cut off in a minority no longer knows it is not
   * the leader any more, and serves values a newer leader has already overwritten.
   */
  readWithoutQuorum: boolean;
  /**
   * Let a new leader append a configuration change before it has committed an entry of its own term
   * (the single-server change bug, Ongaro, raft-dev 2015): two changes by different leaders can then
   * leave two disjoint majorities, and two leaders in one term.
   */
  confChangeBeforeTermCommit: boolean;
  /**
   * A new leader appends no no-op entry of its own term (section 5.4.2 and 8; dissertation 6.4). Not
   * unsafe alone: it commits nothing of an earlier term until a client's entry of its term commits,
   * and serves no read until then. But it lets a leader reach a majority with an earlier term's entry
   * and none of its own, which is what commit-previous-term needs to break (Figure 8).
   */
  skipNoop: boolean;
}

export const NO_BUGS: KnownBugs = {
  commitPreviousTermByCounting: false,
  voteWithoutLogCheck: false,
  voteNotPersisted: false,
  readWithoutQuorum: false,
  confChangeBeforeTermCommit: false,
  skipNoop: false,
};

/**
 * The names the simulator, the node process and the cluster use for the known bugs (`--bug NAME`),
 * each with its switch and what it breaks, in a few words.
 */
export const KNOWN_BUGS = {
  'commit-previous-term': {
    flag: 'commitPreviousTermByCounting',
    breaks: 'commits entries of earlier terms by counting replicas (Figure 8)',
  },
  'vote-without-log-check': {
    flag: 'voteWithoutLogCheck',
    breaks: "votes without checking that the candidate's log is up to date (5.4.1)",
  },
  'vote-not-persisted': { flag: 'voteNotPersisted', breaks: 'forgets its vote on a restart, so it can vote twice in a term' },
  'read-without-quorum': {
    flag: 'readWithoutQuorum',
    breaks: 'answers reads as leader without confirming it still leads, so a cut-off leader serves stale values (6.4)',
  },
  'conf-change-before-term-commit': {
    flag: 'confChangeBeforeTermCommit',
    breaks: 'a new leader changes the configuration before committing an entry of its term (two leaders in a term)',
  },
  'skip-noop': {
    flag: 'skipNoop',
    breaks: 'appends no no-op entry when it becomes leader, so an earlier term can be committed by counting alone (5.4.2, Figure 8)',
  },
} as const satisfies Record<string, { flag: keyof KnownBugs; breaks: string }>;

export type BugName = keyof typeof KNOWN_BUGS;

export const KNOWN_BUG_NAMES = Object.keys(KNOWN_BUGS) as BugName[];

export function isBugName(name: string): name is BugName {
  return Object.hasOwn(KNOWN_BUGS, name);
}

/**
 * The switches a runtime takes from its command line, the same on every node of a cluster: PreVote,
 * CheckQuorum, and the known bugs by name.
 */
export interface RaftSwitches {
  preVote: boolean;
  checkQuorum: boolean;
  bugs: BugName[];
}

// Not a ternary at the call site: with today's defaults (both on) a difference can only be "off", and
// the line must still read right if a default changes.
const onOff = (on: boolean): string => (on ? 'on' : 'off');

/** "PreVote off", "CheckQuorum off", "BUG commit-previous-term ON": how `s` differs from the defaults. */
export function switchesChanged(s: RaftSwitches): string[] {
  return [
    ...(s.preVote === DEFAULTS.preVote ? [] : [`PreVote ${onOff(s.preVote)}`]),
    ...(s.checkQuorum === DEFAULTS.checkQuorum ? [] : [`CheckQuorum ${onOff(s.checkQuorum)}`]),
    ...s.bugs.map((b) => `BUG ${b} ON`),
  ];
}

/** The core's switches with exactly the named bugs on. */
export function knownBugs(names: readonly BugName[]): KnownBugs {
  const bugs = { ...NO_BUGS };
  for (const name of names) bugs[KNOWN_BUGS[name].flag] = true;
  return bugs;
}

/**
 * A node that lost data it had acknowledged (a wiped data directory, or one restored from an older
 * copy) may have helped commit entries it no longer holds, and may have voted in a term it no
 * longer remembers. Until it holds entries up to `untilIndex` again (its commit index reaches it)
 * AND its term is above `aboveTerm`, it does not campaign, and it grants a vote or pre-vote only in
 * a term above `aboveTerm` and to a candidate whose log is at least as up to date as an entry
 * `untilIndex` of term `aboveTerm`: its vote could otherwise elect a leader missing committed
 * entries (Leader Completeness, 5.4), or be a second vote in a term it already voted in (5.2).
 * Entries it acknowledged beyond `untilIndex` are not covered: the caller picks an `untilIndex`
 * at or above the commit index of the cluster when the data was lost, where it knows one.
 */
export interface Recovery {
  untilIndex: number;
  aboveTerm: number;
}

export interface RaftConfig {
  id: NodeId;
  /**
   * Voters at bootstrap: used only while the log holds no configuration entry and there is no
   * snapshot. A node that joins a running cluster starts with none and learns its configuration
   * from the leader.
   */
  voters: NodeId[];
  /**
   * Election timeout, drawn uniformly from the continuous range [min, max] ticks each time the timer
   * is reset (5.2); fractions of a tick allowed, so that any range of milliseconds is kept (9.3).
   */
  electionTimeoutMin: number;
  electionTimeoutMax: number;
  /** The leader sends heartbeats every this many ticks. Must be below electionTimeoutMin. */
  heartbeatInterval: number;
  /** Ask for votes without raising the term first (dissertation 9.6). */
  preVote: boolean;
  /** A leader that heard from no majority for an election timeout steps down (dissertation 6.2). */
  checkQuorum: boolean;
  /** Per-follower cap on AppendEntries messages in flight (pipelining window). */
  maxInflightMsgs: number;
  /** Caps on one AppendEntries message. At least one entry is always sent. */
  maxEntriesPerMsg: number;
  maxBytesPerMsg: number;
  /** Seeded source of randomness in [0, 1): the only randomness the core uses. */
  random: () => number;
  bugs: KnownBugs;
  /** Recovering mode after lost data, or null (the usual case). */
  recovery: Recovery | null;
}

export type RaftConfigInput = Pick<RaftConfig, 'id' | 'voters' | 'random'> & Partial<RaftConfig>;

export const DEFAULTS = {
  electionTimeoutMin: 10,
  electionTimeoutMax: 20,
  heartbeatInterval: 2,
  preVote: true,
  checkQuorum: true,
  maxInflightMsgs: 256,
  maxEntriesPerMsg: 1024,
  maxBytesPerMsg: 1024 * 1024,
} as const;

export function resolveConfig(input: RaftConfigInput): RaftConfig {
  const c: RaftConfig = { ...DEFAULTS, bugs: NO_BUGS, recovery: null, ...input };
  const problems: string[] = [];
  if (!Number.isInteger(c.id) || c.id <= 0) problems.push(`id must be a positive integer, got ${c.id}`);
  if (!(c.heartbeatInterval >= 1)) problems.push('heartbeatInterval must be at least 1 tick');
  if (!(c.electionTimeoutMin > c.heartbeatInterval)) problems.push('electionTimeoutMin must be greater than heartbeatInterval');
  if (!(c.electionTimeoutMax >= c.electionTimeoutMin)) problems.push('electionTimeoutMax must be at least electionTimeoutMin');
  if (!(c.maxInflightMsgs >= 1)) problems.push('maxInflightMsgs must be at least 1');
  if (!(c.maxEntriesPerMsg >= 1)) problems.push('maxEntriesPerMsg must be at least 1');
  if (!(c.maxBytesPerMsg >= 1)) problems.push('maxBytesPerMsg must be at least 1');
  const r = c.recovery;
  if (r !== null && !(Number.isSafeInteger(r.untilIndex) && r.untilIndex >= 0 && Number.isSafeInteger(r.aboveTerm) && r.aboveTerm >= 0))
    problems.push('recovery untilIndex and aboveTerm must be whole numbers of at least 0');
  if (problems.length > 0) throw new RangeError(`invalid raft config: ${problems.join('; ')}`);
  return c;
}
