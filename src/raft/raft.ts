// The consensus core: a deterministic state machine in the style of etcd's raft. It never touches the
// world: time arrives through tick(), peers through step(), clients through propose() and
// readIndex(), and everything it wants done leaves through ready() (see ready.ts for the contract).
// Comments cite the rule of the Raft paper (Ongaro and Ousterhout, 2014) or of the Raft
// dissertation (Ongaro, 2014) that the code enforces.
import { resolveConfig, type RaftConfig, type RaftConfigInput, type Recovery } from './config.js';
import type { ProposalRefusal, RaftEvent, RoleChangeCause } from './events.js';
import { RaftLog } from './log.js';
import { applyChange, isMember, isVoter, majorityIndex, quorum } from './membership.js';
import { Progress, type ProgressState } from './progress.js';
import type { Ready } from './ready.js';
import { ReadIndexQueue } from './readindex.js';
import {
  NONE,
  type AppendRequest,
  type AppendResponse,
  type ConfChange,
  type ConfigEntry,
  type Entry,
  type HardState,
  type Heartbeat,
  type HeartbeatResponse,
  type InstallSnapshot,
  type Membership,
  type Message,
  type NodeId,
  type ReadState,
  type Role,
  type Snapshot,
  type SoftState,
  type VoteRequest,
  type VoteResponse,
} from './types.js';

/** What the runtime loaded from stable storage at start. */
export interface RestoredState {
  hardState: HardState;
  snapshot: Snapshot | null;
  /** Entries after the snapshot (or from index 1), contiguous. */
  entries: Entry[];
}

export type ProposeResult =
  { ok: true; index: number; term: number } | { ok: false; reason: ProposalRefusal; leader: NodeId; detail?: string };

export interface ProgressStatus {
  match: number;
  next: number;
  state: ProgressState;
  inflight: number;
  recentActive: boolean;
  learner: boolean;
}

/** Everything a node believes, for status commands and the dashboard. */
export interface RaftStatus {
  id: NodeId;
  role: Role;
  term: number;
  vote: NodeId;
  leader: NodeId;
  commit: number;
  applied: number;
  firstIndex: number;
  lastIndex: number;
  lastTerm: number;
  snapshotIndex: number;
  snapshotTerm: number;
  membership: Membership;
  /** Index of the configuration entry `membership` comes from; 0 when the bootstrap or a snapshot holds it (committed). */
  configIndex: number;
  electionElapsed: number;
  electionTimeout: number;
  heartbeatElapsed: number;
  transferee: NodeId;
  /** Recovering mode: what the node must reach before it votes again; null when not recovering. */
  recovery: Recovery | null;
  /** The leader's view of each follower; empty on other nodes. */
  progress: Record<number, ProgressStatus>;
  /** ReadIndex rounds this node started as leader, since it started: each confirms a batch of reads. */
  readRounds: number;
}

type VoteKind = 'pre-vote' | 'vote';

export class Raft {
  readonly id: NodeId;
  private readonly cfg: RaftConfig;
  private readonly raftLog: RaftLog;

  // Persistent state on all servers (Figure 2).
  private term: number;
  private vote: NodeId;

  private role: Role = 'follower';
  private leader: NodeId = NONE;
  private membership: Membership;
  /** The configuration used while neither the log nor a snapshot holds one. */
  private readonly bootstrap: Membership;
  /** Indexes of the configuration entries held in the in-memory log, ascending. */
  private configIndexes: number[] = [];

  /** Leader only: nextIndex and matchIndex of every other member (Figure 2). */
  private readonly progress = new Map<NodeId, Progress>();
  /** Candidate and pre-candidate: the answers received in this election. */
  private readonly votes = new Map<NodeId, boolean>();
  // Timers, in ticks. They are real numbers, not counts: a runtime may advance time by a fraction
  // of a tick (tick(elapsed)), and the election timeout is drawn from a continuous range, so that it
  // can be a deadline to the millisecond rather than a whole number of ticks (resetElectionTimeout).
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  /** Recovering mode after lost data (config.ts, Recovery): no votes, no campaigns until it ends. */
  private recovery: Recovery | null;
  /**
   * Follower: the commit index of the last heartbeat it answered with "I lost data", and the time
   * (in ticks) since, so that a burst of heartbeats (queued while it was down) gets one answer, not one each.
   */
  private lostDataAnswer = { commit: -1, ticks: 0 };
  /** Follower: the last leader entry refused because it would replace a committed one (told once). */
  private refusedOverwrite = { term: 0, index: 0 };
  /** Leader only: the node leadership is being handed to. */
  private transferee: NodeId = NONE;
  private readonly reads = new ReadIndexQueue();
  /** Proposals were appended since the last ready(): send them all in one message per follower. */
  private broadcastPending = false;

  /** Messages that may leave before this node's pending writes are durable (see send()). */
  private msgsBeforePersist: Message[] = [];
  private msgs: Message[] = [];
  private events: RaftEvent[] = [];
  private readStates: ReadState[] = [];
  private prevHardState: HardState;
  private prevSoftState: SoftState = { role: 'follower', leader: NONE };

  constructor(config: RaftConfigInput, restored?: RestoredState) {
    this.cfg = resolveConfig(config);
    this.id = this.cfg.id;
    const hs = restored?.hardState ?? { term: 0, vote: NONE, commit: 0 };
    this.raftLog = new RaftLog(restored?.snapshot ?? null, restored?.entries ?? [], hs.commit);
    if (this.raftLog.lastTerm() > hs.term)
      throw new RangeError(`restored term ${hs.term} is below the term ${this.raftLog.lastTerm()} of the last log entry`);
    this.term = hs.term;
    this.vote = hs.vote;
    this.prevHardState = { ...hs };
    this.bootstrap = { voters: [...new Set(this.cfg.voters)].sort((a, b) => a - b), learners: [] };
    for (const e of restored?.entries ?? []) if (e.type === 'config') this.configIndexes.push(e.index);
    this.membership = this.membershipAt(this.raftLog.lastIndex());
    this.recovery = this.cfg.recovery;
    this.resetElectionTimeout();
  }

  // -------------------------------------------------------------------------------------------
  // Inputs

  /**
   * Time passed: `elapsed` ticks, 1 unless the runtime says otherwise. A fraction of a tick is
   * allowed (and 0, which only fires a timer already due): a runtime that brings the core's time up
   * to the moment of each input has a timer reset on a message count from the message's arrival,
   * not from the last whole tick, and can wake the core at its election deadline (electionDueIn).
   */
  tick(elapsed = 1): void {
    if (!(elapsed >= 0 && Number.isFinite(elapsed))) throw new RangeError(`tick: elapsed must be a finite number >= 0, got ${elapsed}`);
    if (this.role === 'leader') this.tickLeader(elapsed);
    else this.tickElection(elapsed);
  }

  /** A message from a peer. */
  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id) return;

    // Section 5.1: a higher term in any message makes us adopt it and become follower.
    if (m.term > this.term) {
      const leased = m.type === 'pre-vote' || (m.type === 'vote' && this.cfg.checkQuorum);
      if (leased && !m.transfer && this.inLease()) {
        // Dissertation 9.6 (pre-votes) and 4.2.3 (votes, with CheckQuorum): a node that heard from
        // its leader within the minimum election timeout refuses, so a node returning from a
        // partition cannot depose a healthy leader. A leadership transfer is deliberate and exempt.
        this.emit({ type: 'vote-cast', round: m.type, candidate: m.from, term: m.term, granted: false, reason: 'leader-alive' });
        return;
      }
      const keepsTerm =
        m.type === 'pre-vote' || // a pre-vote asks about a future term without starting it
        (m.type === 'pre-vote-response' && m.granted); // granted pre-votes echo our future term
      if (!keepsTerm) {
        const leader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot' ? m.from : NONE;
        this.becomeFollower(m.term, leader, 'higher-term');
      }
    } else if (m.term < this.term) {
      this.stepStale(m);
      return;
    }

    if (m.type === 'vote' || m.type === 'pre-vote') {
      this.handleVoteRequest(m);
      return;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m);
        break;
      case 'candidate':
      case 'pre-candidate':
        this.stepCandidate(m);
        break;
      case 'follower':
        this.stepFollower(m);
        break;
    }
  }

  /** Appends a client command to the leader's log. Entries proposed together leave in one message. */
  propose(data: string): ProposeResult {
    const refused = this.refuseProposal();
    if (refused) return refused;
    const entry: Entry = { type: 'normal', term: this.term, index: this.raftLog.lastIndex() + 1, data };
    this.appendLocal(entry);
    return { ok: true, index: entry.index, term: entry.term };
  }

  /**
   * Proposes a membership change. One at a time: refused while the previous change is not committed
   * (dissertation 4.1), and a learner is promoted only once it holds every committed entry (4.2.1).
   */
  proposeConfChange(change: ConfChange): ProposeResult {
    const refused = this.refuseProposal();
    if (refused) return refused;
    const lastConfig = this.configIndexes[this.configIndexes.length - 1] ?? 0;
    if (lastConfig > this.raftLog.committed) return this.refuse('config-change-pending', `entry ${lastConfig} is not committed yet`);
    // The correction to dissertation 4.1 (Ongaro, raft-dev, 2015): a leader must commit an entry of
    // its own term before it appends a configuration entry, or a change made by an earlier leader
    // that it never saw can combine with this one into two disjoint majorities. The
    // confChangeBeforeTermCommit bug switch leaves this check out.
    if (!this.cfg.bugs.confChangeBeforeTermCommit && !this.committedInCurrentTerm())
      return this.refuse('config-change-pending', `no entry of term ${this.term} is committed yet`);
    const next = applyChange(this.membership, change);
    if (typeof next === 'string') return this.refuse('invalid-change', next);
    if (change.type === 'promote') {
      const match = this.progress.get(change.node)?.match ?? 0;
      if (match < this.raftLog.committed)
        return this.refuse('learner-not-caught-up', `n${change.node} holds ${match} of ${this.raftLog.committed} committed entries`);
    }
    const entry: ConfigEntry = {
      type: 'config',
      term: this.term,
      index: this.raftLog.lastIndex() + 1,
      change: { type: change.type, node: change.node },
      membership: next,
    };
    this.appendLocal(entry);
    return { ok: true, index: entry.index, term: entry.term };
  }

  /**
   * Starts a linearizable read (dissertation 6.4). The answer arrives in Ready.readStates, under
   * `context`: once the state machine has applied that index, the read may be served. Reads share
   * heartbeat rounds (readindex.ts): a read joins the next round to start, so any number of reads
   * arriving together cost one heartbeat broadcast.
   */
  readIndex(context: string): { ok: true } | { ok: false; reason: 'not-leader'; leader: NodeId } {
    if (this.role !== 'leader') return { ok: false, reason: 'not-leader', leader: this.leader };
    if (this.cfg.bugs.readWithoutQuorum) {
      // The known bug: served from this leader's own state, skipping steps 1 and 3 of 6.4 (a commit
      // of its term, a majority's heartbeat answers). A leader cut off in a minority still believes
      // it leads, and answers with values a newer leader's majority has already overwritten.
      this.readStates.push({ context, index: this.raftLog.committed, unconfirmed: true });
      return { ok: true };
    }
    this.reads.add(context);
    this.startReadRound(false);
    return { ok: true };
  }

  /** Hands leadership to `target` (dissertation 3.10): catch it up, then send TimeoutNow. */
  transferLeadership(target: NodeId): { ok: true } | { ok: false; reason: string } {
    if (this.role !== 'leader') return { ok: false, reason: `n${this.id} is not the leader` };
    if (target === this.id) return { ok: false, reason: `n${target} is already the leader` };
    if (!isVoter(this.membership, target)) return { ok: false, reason: `n${target} is not a voter` };
    if (this.transferee === target) return { ok: true };
    this.transferee = target;
    // The transfer is abandoned if the target has not taken over within an election timeout.
    this.electionElapsed = 0;
    this.emit({ type: 'transfer-started', target, term: this.term });
    const pr = this.progress.get(target)!;
    if (pr.match === this.raftLog.lastIndex()) this.send({ type: 'timeout-now', from: this.id, to: target, term: this.term });
    else this.sendAppend(target);
    return { ok: true };
  }

  /** Starts an election now, as if the election timer had fired. */
  campaign(): void {
    this.hup('campaign-requested');
  }

  /**
   * The runtime took a snapshot of its state machine at `index` (at most the applied index): the
   * log up to there is dropped (section 7). The runtime persists the returned snapshot.
   */
  compact(index: number, data: string): Snapshot {
    if (index > this.raftLog.applied) throw new RangeError(`cannot compact to ${index}: only ${this.raftLog.applied} applied`);
    if (index <= this.raftLog.snapshotIndex()) throw new RangeError(`log already compacted to ${this.raftLog.snapshotIndex()}`);
    const snapshot: Snapshot = {
      meta: { index, term: this.raftLog.term(index)!, membership: this.membershipAt(index) },
      data,
    };
    this.raftLog.compact(snapshot);
    this.configIndexes = this.configIndexes.filter((i) => i > index);
    this.emit({ type: 'snapshot-taken', index, term: snapshot.meta.term });
    return snapshot;
  }

  /**
   * The runtime made `rd` durable (step 2 of the Ready contract). A leader counts its own entries
   * towards a commit only from here: its appends may have left before its own write (dissertation
   * 10.2.1), and an entry it counted but lost in a crash could be committed on fewer than a
   * majority of disks. Like etcd's MsgStorageAppendResp, it may commit, and the new commit index
   * comes out in the next Ready.
   */
  persisted(rd: Ready): void {
    const last = rd.entries[rd.entries.length - 1];
    if (last !== undefined) this.raftLog.stableTo(last.index, last.term);
    else if (rd.snapshot !== null) this.raftLog.stableTo(rd.snapshot.meta.index, rd.snapshot.meta.term);
    else return;
    if (this.role === 'leader' && this.maybeCommit()) this.bcastAppend();
  }

  // -------------------------------------------------------------------------------------------
  // Outputs

  hasReady(): boolean {
    return (
      this.broadcastPending ||
      this.msgsBeforePersist.length > 0 ||
      this.msgs.length > 0 ||
      this.events.length > 0 ||
      this.readStates.length > 0 ||
      this.raftLog.pendingSnapshot !== null ||
      this.raftLog.hasUnpersisted() ||
      this.raftLog.hasCommittedToApply() ||
      !sameHardState(this.hardStateToPersist(), this.prevHardState) ||
      this.prevSoftState.role !== this.role ||
      this.prevSoftState.leader !== this.leader
    );
  }

  ready(): Ready {
    this.flushProposals();
    const hardState = this.hardStateToPersist();
    const prev = this.prevHardState;
    const softChanged = this.prevSoftState.role !== this.role || this.prevSoftState.leader !== this.leader;
    // Figure 2: a term or vote must be on stable storage before any message that carries it leaves,
    // so a Ready that changes either sends nothing before its persist.
    const termOrVoteChanged = hardState.term !== prev.term || hardState.vote !== prev.vote;
    const snapshot = this.raftLog.pendingSnapshot;
    const entries = this.raftLog.takeUnpersisted();
    const rd: Ready = {
      softState: softChanged ? { role: this.role, leader: this.leader } : null,
      hardState: sameHardState(hardState, prev) ? null : hardState,
      snapshot,
      entries,
      // Raft never needs the commit index durable (a restarted node relearns it from the leader),
      // so a Ready that only moves it is written without an fsync, as etcd's MustSync decides.
      mustSync: termOrVoteChanged || entries.length > 0 || snapshot !== null,
      messagesBeforePersist: termOrVoteChanged ? [] : this.msgsBeforePersist,
      messages: termOrVoteChanged ? [...this.msgsBeforePersist, ...this.msgs] : this.msgs,
      committedEntries: this.raftLog.takeCommitted(),
      readStates: this.readStates,
      events: this.events,
    };
    this.raftLog.pendingSnapshot = null;
    this.msgsBeforePersist = [];
    this.msgs = [];
    this.readStates = [];
    this.events = [];
    this.prevHardState = hardState;
    if (softChanged) this.prevSoftState = { role: this.role, leader: this.leader };
    return rd;
  }

  /** The runtime handled `rd`: what it applied is now lastApplied. */
  advance(rd: Ready): void {
    const last = rd.committedEntries[rd.committedEntries.length - 1];
    const applied = Math.max(rd.snapshot?.meta.index ?? 0, last?.index ?? 0);
    if (applied > this.raftLog.applied) this.raftLog.applied = applied;
  }

  // -------------------------------------------------------------------------------------------
  // Observation

  status(): RaftStatus {
    const progress: Record<number, ProgressStatus> = {};
    for (const [id, pr] of this.progress) {
      progress[id] = {
        match: pr.match,
        next: pr.next,
        state: pr.state,
        inflight: pr.inflights.count,
        recentActive: pr.recentActive,
        learner: pr.learner,
      };
    }
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      leader: this.leader,
      commit: this.raftLog.committed,
      applied: this.raftLog.applied,
      firstIndex: this.raftLog.firstIndex(),
      lastIndex: this.raftLog.lastIndex(),
      lastTerm: this.raftLog.lastTerm(),
      snapshotIndex: this.raftLog.snapshotIndex(),
      snapshotTerm: this.raftLog.snapshotTerm(),
      membership: this.membership,
      configIndex: this.configIndexes[this.configIndexes.length - 1] ?? 0,
      electionElapsed: this.electionElapsed,
      electionTimeout: this.role === 'leader' ? this.cfg.electionTimeoutMin : this.randomizedElectionTimeout,
      heartbeatElapsed: this.heartbeatElapsed,
      transferee: this.transferee,
      recovery: this.recovery,
      progress,
      readRounds: this.reads.roundsStarted(),
    };
  }

  /** Entries in [lo, hi], clipped to the log held after the snapshot. */
  entries(lo: number, hi: number): Entry[] {
    return this.raftLog.slice(lo, hi);
  }

  termAt(index: number): number | undefined {
    return this.raftLog.term(index);
  }

  /**
   * In how many ticks the election timer fires (0 when due): the runtime wakes the core then, so
   * the timeout fires at its deadline and not at the next whole tick. Infinity when it cannot fire:
   * on a leader, and on a node that does not campaign (a learner, a removed node, a recovering one).
   */
  electionDueIn(): number {
    if (this.role === 'leader' || !isVoter(this.membership, this.id) || this.recovery !== null) return Infinity;
    return Math.max(0, this.randomizedElectionTimeout - this.electionElapsed);
  }

  // -------------------------------------------------------------------------------------------
  // Time

  private tickElection(elapsed: number): void {
    this.electionElapsed += elapsed;
    this.lostDataAnswer.ticks += elapsed;
    if (this.promotable() && reached(this.electionElapsed, this.randomizedElectionTimeout)) {
      // Section 5.2: a follower that hears nothing for an election timeout starts an election.
      // The event tells whole ticks: the span is shown to a tenth of a second, and the event
      // schema counts it (the exact deadline is in the node's state line).
      this.emit({ type: 'election-timeout', term: this.term, ticks: Math.round(this.electionElapsed), leader: this.leader });
      this.hup('election-timeout');
    }
  }

  private tickLeader(elapsed: number): void {
    this.heartbeatElapsed += elapsed;
    this.electionElapsed += elapsed;
    for (const pr of this.progress.values()) if (pr.state === 'snapshot') pr.snapshotElapsed += elapsed;

    if (reached(this.electionElapsed, this.cfg.electionTimeoutMin)) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) {
        // Dissertation 6.2: a leader that heard from no majority for an election timeout steps
        // down, so clients of a leader stranded in a minority learn it.
        if (!this.quorumActive()) {
          this.becomeFollower(this.term, NONE, 'check-quorum');
          return;
        }
        for (const pr of this.progress.values()) pr.recentActive = false;
      }
      if (this.transferee !== NONE) {
        this.emit({ type: 'transfer-aborted', target: this.transferee, term: this.term });
        this.transferee = NONE;
      }
    }
    if (reached(this.heartbeatElapsed, this.cfg.heartbeatInterval)) {
      this.heartbeatElapsed = 0;
      // Reads waiting behind a round in flight start theirs with this heartbeat, which leaves anyway.
      if (!this.startReadRound(true)) this.bcastHeartbeat();
    }
  }

  private resetElectionTimeout(): void {
    const { electionTimeoutMin: min, electionTimeoutMax: max } = this.cfg;
    // Section 5.2: randomized election timeouts make split votes rare. Drawn from the continuous
    // range, not among whole ticks: two survivors of a leader's crash reset their timers on the
    // same last message, and with 16 whole values (15-30 ticks) they drew the same one about once
    // in 16 crashes, a split vote that costs a second timeout. A continuous draw (fired at its
    // deadline by the runtime, electionDueIn) also honours any range in milliseconds, such as the
    // 150-151 ms or 12-24 ms of Figure 16 (dissertation 9.3), which whole ticks would round away.
    this.randomizedElectionTimeout = min + this.cfg.random() * (max - min);
  }

  // -------------------------------------------------------------------------------------------
  // Roles

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = NONE;
    }
    this.leader = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetElectionTimeout();
    this.transferee = NONE;
    this.votes.clear();
    this.progress.clear();
    this.reads.clear();
    this.broadcastPending = false;
  }

  private becomeFollower(term: number, leader: NodeId, cause: RoleChangeCause): void {
    const from = this.role;
    const termChanged = term !== this.term;
    this.reset(term);
    this.role = 'follower';
    this.leader = leader;
    if (from !== 'follower' || termChanged) this.emit({ type: 'role-change', from, to: 'follower', term, cause });
  }

  private becomePreCandidate(cause: RoleChangeCause): void {
    // A pre-candidate changes neither its term nor its vote (dissertation 9.6).
    const from = this.role;
    this.role = 'pre-candidate';
    this.leader = NONE;
    this.votes.clear();
    this.electionElapsed = 0;
    this.resetElectionTimeout();
    this.emit({ type: 'role-change', from, to: 'pre-candidate', term: this.term, cause });
  }

  private becomeCandidate(cause: RoleChangeCause): void {
    // Section 5.2: increment currentTerm and vote for self.
    const from = this.role;
    this.reset(this.term + 1);
    this.role = 'candidate';
    this.vote = this.id;
    this.emit({ type: 'role-change', from, to: 'candidate', term: this.term, cause });
  }

  private becomeLeader(): void {
    const from = this.role;
    this.reset(this.term);
    this.role = 'leader';
    this.leader = this.id;
    const next = this.raftLog.lastIndex() + 1;
    for (const id of [...this.membership.voters, ...this.membership.learners]) {
      if (id !== this.id) this.progress.set(id, new Progress(next, this.cfg.maxInflightMsgs, !isVoter(this.membership, id)));
    }
    this.emit({ type: 'role-change', from, to: 'leader', term: this.term, cause: 'won-election' });
    // Section 5.4.2 and dissertation 6.4: a new leader commits an entry of its own term at once,
    // which commits everything before it and lets it serve reads. Without it (the skipNoop bug) the
    // first client entry of the term does that, and reads wait for it (committedInCurrentTerm).
    if (!this.cfg.bugs.skipNoop) this.appendLocal({ type: 'noop', term: this.term, index: next });
  }

  /** Starts an election: a pre-vote round first when PreVote is on, unless this is a transfer. */
  private hup(cause: RoleChangeCause): void {
    if (this.role === 'leader' || !this.promotable()) return;
    if (this.cfg.preVote && cause !== 'transfer') this.startCampaign('pre-vote', cause);
    else this.startCampaign('vote', cause);
  }

  private startCampaign(kind: VoteKind, cause: RoleChangeCause): void {
    let term: number;
    if (kind === 'pre-vote') {
      this.becomePreCandidate(cause);
      term = this.term + 1;
    } else {
      this.becomeCandidate(cause);
      term = this.term;
    }
    const transfer = cause === 'transfer';
    this.emit({ type: 'campaign', round: kind, term, voters: this.membership.voters.length, transfer });
    this.votes.set(this.id, true);
    if (this.tallyVotes(kind, term)) return;
    const lastLogIndex = this.raftLog.lastIndex();
    const lastLogTerm = this.raftLog.lastTerm();
    for (const to of this.membership.voters) {
      if (to === this.id) continue;
      const m: VoteRequest = { type: kind, from: this.id, to, term, lastLogIndex, lastLogTerm };
      if (transfer) m.transfer = true;
      this.send(m);
    }
  }

  /** Counts the votes; returns true when the election is decided (won or lost). */
  private tallyVotes(kind: VoteKind, term: number): boolean {
    let granted = 0;
    let rejected = 0;
    for (const id of this.membership.voters) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    const voters = this.membership.voters.length;
    const q = quorum(this.membership);
    if (granted >= q) {
      if (kind === 'pre-vote') this.startCampaign('vote', 'pre-vote-won');
      else {
        this.emit({ type: 'election-won', term, votes: granted, voters });
        this.becomeLeader();
      }
      return true;
    }
    if (rejected > voters - q) {
      this.emit({ type: 'election-lost', round: kind, term, rejections: rejected, voters });
      this.becomeFollower(this.term, NONE, 'election-lost');
      return true;
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // Messages by role

  /** A message from an older term (Figure 2: "reply false if term < currentTerm"). */
  private stepStale(m: Message): void {
    const reply = { from: this.id, to: m.from, term: this.term };
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        // The answer carries our term, so a deposed leader learns it and steps down.
        this.send({ ...reply, type: 'append-response', success: false, index: 0, conflictTerm: 0, conflictIndex: 0 });
        break;
      case 'vote':
      case 'pre-vote':
        this.send({ ...reply, type: m.type === 'vote' ? 'vote-response' : 'pre-vote-response', granted: false, reason: 'stale-term' });
        this.emit({ type: 'vote-cast', round: m.type, candidate: m.from, term: m.term, granted: false, reason: 'stale-term' });
        return;
      default:
        return; // stale answers and TimeoutNow are dropped
    }
    this.emit({ type: 'stale-message', from: m.from, message: m.type, messageTerm: m.term, term: this.term });
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'append-response':
        this.handleAppendResponse(m);
        break;
      case 'heartbeat-response':
        this.handleHeartbeatResponse(m);
        break;
      default:
        // Vote answers arriving after the election, TimeoutNow meant for a follower.
        break;
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        // Section 5.2: a candidate that hears from the leader of its term returns to follower.
        this.becomeFollower(this.term, m.from, 'leader-found');
        this.stepFollower(m);
        break;
      case 'vote-response':
      case 'pre-vote-response':
        if ((m.type === 'vote-response') === (this.role === 'candidate')) this.handleVoteResponse(m);
        break;
      default:
        break;
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'append':
        this.heardFromLeader(m.from);
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.heardFromLeader(m.from);
        this.handleHeartbeat(m);
        break;
      case 'snapshot':
        this.heardFromLeader(m.from);
        this.handleSnapshot(m);
        break;
      case 'timeout-now':
        // Dissertation 3.10: start an election at once, skipping pre-vote and the voters' lease.
        this.hup('transfer');
        break;
      default:
        break;
    }
  }

  private heardFromLeader(leader: NodeId): void {
    this.electionElapsed = 0;
    this.leader = leader;
  }

  // -------------------------------------------------------------------------------------------
  // Elections

  private handleVoteRequest(m: VoteRequest): void {
    const pre = m.type === 'pre-vote';
    const responseType = pre ? 'pre-vote-response' : 'vote-response';
    const r = this.recovering() ? this.recovery! : null;
    if (
      r !== null &&
      !(m.term > r.aboveTerm && (m.lastLogTerm > r.aboveTerm || (m.lastLogTerm === r.aboveTerm && m.lastLogIndex >= r.untilIndex)))
    ) {
      // A node that lost data votes only in a term above any it may have voted in (5.2), and only
      // for a candidate at least as up to date (5.4.1) as an entry untilIndex of term aboveTerm:
      // every entry committed up to untilIndex by term aboveTerm is in such a candidate's log
      // (Leader Completeness and Log Matching), so the vote cannot lose what this node may have
      // helped commit. Voting that way rather than not at all lets a cluster where the only
      // holder of the data is a candidate elect it (two followers restored from old copies).
      this.send({ type: responseType, from: this.id, to: m.from, term: this.term, granted: false, reason: 'recovering' });
      this.emit({ type: 'vote-cast', round: m.type, candidate: m.from, term: m.term, granted: false, reason: 'recovering' });
      return;
    }
    // Section 5.2: at most one vote per term, first come first served. A pre-vote for a future
    // term binds nothing.
    const canVote = this.vote === m.from || (this.vote === NONE && this.leader === NONE) || (pre && m.term > this.term);
    // Section 5.4.1: only for a candidate whose log is at least as up to date as ours.
    const upToDate = this.cfg.bugs.voteWithoutLogCheck || this.raftLog.isUpToDate(m.lastLogIndex, m.lastLogTerm);
    if (canVote && upToDate) {
      this.send({ type: responseType, from: this.id, to: m.from, term: m.term, granted: true });
      if (!pre) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
      this.emit({ type: 'vote-cast', round: m.type, candidate: m.from, term: m.term, granted: true });
      return;
    }
    // A pre-vote binds nothing, so "already voted" would mislead: what stops it is the live leader.
    const reason = canVote ? 'log-not-up-to-date' : this.vote !== NONE && !(pre && this.leader !== NONE) ? 'already-voted' : 'leader-alive';
    this.send({ type: responseType, from: this.id, to: m.from, term: this.term, granted: false, reason });
    this.emit({ type: 'vote-cast', round: m.type, candidate: m.from, term: m.term, granted: false, reason });
  }

  private handleVoteResponse(m: VoteResponse): void {
    if (!isVoter(this.membership, m.from) || this.votes.has(m.from)) return;
    const kind: VoteKind = m.type === 'pre-vote-response' ? 'pre-vote' : 'vote';
    const term = kind === 'pre-vote' ? this.term + 1 : this.term;
    // A grant echoes the term it was asked about: one from an earlier pre-vote round is stale.
    if (m.granted && m.term !== term) return;
    this.votes.set(m.from, m.granted);
    let granted = 0;
    let rejected = 0;
    for (const v of this.votes.values()) {
      if (v) granted++;
      else rejected++;
    }
    const event: RaftEvent = {
      type: 'vote-received',
      round: kind,
      from: m.from,
      term,
      granted: m.granted,
      grantedTotal: granted,
      rejectedTotal: rejected,
      needed: quorum(this.membership),
    };
    if (m.reason) event.reason = m.reason;
    this.emit(event);
    this.tallyVotes(kind, term);
  }

  // -------------------------------------------------------------------------------------------
  // Replication, follower side

  private handleAppend(m: AppendRequest): void {
    const reply = { type: 'append-response' as const, from: this.id, to: m.from, term: this.term };
    if (m.prevLogIndex < this.raftLog.committed) {
      // Everything up to our commit index matches the leader's log, as long as the leader holds every
      // committed entry (Leader Completeness, 5.4): then we acknowledge it all at once. Only what we
      // hold is acknowledged, though: an entry of the leader's that differs from a committed one of
      // ours means that property is broken (a known bug let a stale node win), and we must neither
      // replace what we applied (State Machine Safety) nor tell the leader we store its entry. We
      // acknowledge the entries before it, say why, and the leader cannot count us for it.
      const conflict = m.entries.find(
        (e) => e.index <= this.raftLog.committed && this.raftLog.term(e.index) !== undefined && !this.raftLog.matchTerm(e.index, e.term),
      );
      if (conflict === undefined) {
        this.send({ ...reply, success: true, index: this.raftLog.committed, conflictTerm: 0, conflictIndex: 0 });
        return;
      }
      if (this.refusedOverwrite.term !== m.term || this.refusedOverwrite.index !== conflict.index) {
        this.refusedOverwrite = { term: m.term, index: conflict.index };
        this.emit({
          type: 'append-rejected',
          leader: m.from,
          term: this.term,
          prevLogIndex: conflict.index,
          prevLogTerm: conflict.term,
          reason: 'overwrites-committed',
          conflictTerm: this.raftLog.term(conflict.index)!,
          conflictIndex: conflict.index,
        });
      }
      this.send({ ...reply, success: true, index: conflict.index - 1, conflictTerm: 0, conflictIndex: 0 });
      return;
    }
    if (this.raftLog.matchTerm(m.prevLogIndex, m.prevLogTerm)) {
      const lastNew = m.prevLogIndex + m.entries.length;
      const conflict = this.raftLog.findConflict(m.entries);
      if (conflict !== 0) this.appendFromLeader(m.entries.slice(conflict - m.prevLogIndex - 1), m.from);
      // Figure 2, AppendEntries step 5: commitIndex = min(leaderCommit, index of last new entry).
      this.commitTo(Math.min(m.leaderCommit, lastNew));
      this.send({ ...reply, success: true, index: lastNew, conflictTerm: 0, conflictIndex: 0 });
      return;
    }
    // Figure 2, AppendEntries step 2: reply false if the log has no entry at prevLogIndex whose
    // term matches; with the hint that lets the leader skip a whole term per round trip.
    const termThere = this.raftLog.term(m.prevLogIndex);
    const conflictTerm = termThere ?? 0;
    const conflictIndex = termThere === undefined ? this.raftLog.lastIndex() + 1 : this.raftLog.firstIndexOfTerm(m.prevLogIndex);
    this.emit({
      type: 'append-rejected',
      leader: m.from,
      term: this.term,
      prevLogIndex: m.prevLogIndex,
      prevLogTerm: m.prevLogTerm,
      reason: termThere === undefined ? 'missing-entries' : 'term-mismatch',
      conflictTerm,
      conflictIndex,
    });
    this.send({ ...reply, success: false, index: m.prevLogIndex, conflictTerm, conflictIndex });
  }

  /** Figure 2, AppendEntries steps 3 and 4: delete a conflicting suffix, append the new entries. */
  private appendFromLeader(entries: Entry[], leader: NodeId): void {
    const first = entries[0]!.index;
    if (first <= this.raftLog.committed) {
      // Never reached with a correct leader (Leader Completeness); refusing keeps the damage of a
      // buggy one visible instead of silently rewriting history.
      throw new Error(`n${this.id}: leader n${leader} asked to overwrite committed entry ${first} (commit ${this.raftLog.committed})`);
    }
    const last = this.raftLog.lastIndex();
    const removed = this.raftLog.append(entries);
    if (removed.length > 0) {
      this.emit({
        type: 'truncate',
        leader,
        term: this.term,
        from: first,
        to: last,
        terms: [...new Set(removed.map((e) => e.term))],
      });
      if (removed.some((e) => e.type === 'config')) {
        // Configurations take effect when appended, so removing one rolls the membership back.
        this.configIndexes = this.configIndexes.filter((i) => i < first);
        this.setMembership(this.membershipAt(first - 1));
      }
    }
    for (const e of entries) if (e.type === 'config') this.configAppended(e);
  }

  private handleHeartbeat(m: Heartbeat): void {
    const lastIndex = this.raftLog.lastIndex();
    const repeated = this.lostDataAnswer.commit === m.commit && !reached(this.lostDataAnswer.ticks, this.cfg.electionTimeoutMin);
    if (m.commit > lastIndex && !repeated) {
      this.lostDataAnswer = { commit: m.commit, ticks: 0 };
      // The leader sends min(our match, its commit): it believes we hold entry m.commit because
      // we acknowledged it in this term, and we do not. We lost data (a wiped or restored data
      // directory). Say so as a rejection at that index, so that an idle leader learns it now
      // rather than at the next write, and sends us the log again.
      this.emit({
        type: 'append-rejected',
        leader: m.from,
        term: this.term,
        prevLogIndex: m.commit,
        prevLogTerm: 0,
        reason: 'missing-entries',
        conflictTerm: 0,
        conflictIndex: lastIndex + 1,
      });
      this.send({
        type: 'append-response',
        from: this.id,
        to: m.from,
        term: this.term,
        success: false,
        index: m.commit,
        conflictTerm: 0,
        conflictIndex: lastIndex + 1,
      });
    }
    this.commitTo(Math.min(m.commit, lastIndex));
    const r: HeartbeatResponse = { type: 'heartbeat-response', from: this.id, to: m.from, term: this.term };
    if (m.context !== undefined) r.context = m.context;
    this.send(r);
  }

  /** Section 7: InstallSnapshot. */
  private handleSnapshot(m: InstallSnapshot): void {
    const { meta } = m.snapshot;
    const reply = { type: 'append-response' as const, from: this.id, to: m.from, term: this.term, conflictTerm: 0, conflictIndex: 0 };
    if (meta.index <= this.raftLog.committed) {
      this.send({ ...reply, success: true, index: this.raftLog.committed });
      return;
    }
    if (this.raftLog.matchTerm(meta.index, meta.term)) {
      // "If existing log entry has same index and term as snapshot's last included entry, retain
      // log entries following it": our log already holds the snapshot's entries.
      this.commitTo(meta.index);
      this.send({ ...reply, success: true, index: this.raftLog.committed });
      return;
    }
    this.raftLog.restore(m.snapshot);
    this.configIndexes = [];
    this.setMembership(meta.membership);
    this.emit({ type: 'snapshot-installed', from: m.from, index: meta.index, term: meta.term });
    this.send({ ...reply, success: true, index: meta.index });
  }

  private commitTo(index: number): void {
    const from = this.raftLog.committed + 1;
    if (this.raftLog.commitTo(index)) {
      this.emit({ type: 'commit', from, to: index, term: this.raftLog.term(index) ?? this.term, replicas: 0, voters: 0 });
      this.recovering(); // ends recovering mode as soon as it may
    }
  }

  // -------------------------------------------------------------------------------------------
  // Replication, leader side

  private handleAppendResponse(m: AppendResponse): void {
    const pr = this.progress.get(m.from);
    if (!pr) return;
    pr.recentActive = true;
    if (!m.success) {
      // Fast backup (end of section 5.3): if we hold entries of the follower's conflicting term,
      // resume after our last one; otherwise skip the follower's whole term.
      let hintNext = m.conflictIndex;
      if (m.conflictTerm > 0) {
        const last = this.raftLog.lastIndexOfTerm(m.conflictTerm, m.index);
        if (last > 0) hintNext = last + 1;
      }
      const acknowledged = pr.match;
      const outcome = pr.maybeDecrTo(m.index, Math.max(hintNext, 1));
      if (outcome === 'stale') return;
      if (outcome === 'lost') {
        // The follower lost entries it acknowledged in this term; match is reset, so they no
        // longer count towards commits. The commit index never moves back: what was committed
        // stays committed, and stays in this leader's log. What Raft guarantees here: if this
        // follower helped commit entries it lost, they now live on fewer servers than a
        // majority; they survive as long as one server holding them does, and the follower in
        // recovering mode does not vote for a candidate lacking them. What it cannot guarantee:
        // if every other server holding them fails too before the follower catches up, those
        // committed entries are gone (Raft assumes stable storage; this node broke it).
        this.emit({ type: 'follower-lost-data', follower: m.from, acknowledged, term: this.term });
      }
      if (pr.state === 'replicate') pr.becomeProbe();
      this.sendAppend(m.from);
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) return;
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);

    if (this.maybeCommit()) this.bcastAppend();
    else if (wasPaused) this.sendAppend(m.from);
    if (this.role !== 'leader') return; // stepped down: the commit removed this leader
    while (this.sendAppend(m.from, false));
    if (m.from === this.transferee && pr.match === this.raftLog.lastIndex()) {
      this.send({ type: 'timeout-now', from: this.id, to: m.from, term: this.term });
    }
  }

  private handleHeartbeatResponse(m: HeartbeatResponse): void {
    const pr = this.progress.get(m.from);
    if (!pr) return;
    pr.recentActive = true;
    pr.probeSent = false;
    // The follower is alive: let one more append through a full window, so that messages lost
    // from a full window do not stall it forever.
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
    // A snapshot unanswered for an election timeout was probably lost: probe again.
    if (pr.state === 'snapshot' && reached(pr.snapshotElapsed, this.cfg.electionTimeoutMin)) pr.becomeProbe();
    if (pr.match < this.raftLog.lastIndex()) this.sendAppend(m.from);
    if (m.context !== undefined) this.confirmReads(m.context, m.from);
  }

  /**
   * Section 5.3 and 5.4.2: commitIndex moves to the highest index stored on a majority, but only if
   * that entry is of the leader's current term (Figure 8). Returns whether it moved.
   */
  private maybeCommit(): boolean {
    // The leader's own entries count once on its disk (persisted()), not once in its log: they may
    // already be on the followers' (dissertation 10.2.1).
    const matches = this.membership.voters.map((id) => (id === this.id ? this.raftLog.stable : (this.progress.get(id)?.match ?? 0)));
    if (matches.length === 0) return false;
    const index = majorityIndex(matches);
    if (index <= this.raftLog.committed) return false;
    const term = this.raftLog.term(index)!;
    if (term !== this.term && !this.cfg.bugs.commitPreviousTermByCounting) return false;
    const from = this.raftLog.committed + 1;
    this.raftLog.commitTo(index);
    this.emit({
      type: 'commit',
      from,
      to: index,
      term,
      replicas: matches.filter((m) => m >= index).length,
      voters: matches.length,
    });
    this.startReadRound(false); // reads that waited for a commit of this term (6.4, step 1)
    const lastConfig = this.configIndexes[this.configIndexes.length - 1] ?? 0;
    if (lastConfig >= from && lastConfig <= index) {
      const e = this.raftLog.entry(lastConfig) as ConfigEntry;
      this.emit({ type: 'config-committed', change: e.change, membership: e.membership, index: lastConfig });
    }
    this.maybeStepDownRemoved();
    return true;
  }

  /**
   * Dissertation 4.2.2: a leader removed from the configuration manages the cluster until the
   * change is committed, then steps down, handing over to the most up-to-date voter.
   */
  private maybeStepDownRemoved(): void {
    const lastConfig = this.configIndexes[this.configIndexes.length - 1] ?? 0;
    if (isVoter(this.membership, this.id) || this.raftLog.committed < lastConfig) return;
    let successor: NodeId = NONE;
    let best = -1;
    for (const id of this.membership.voters) {
      const match = this.progress.get(id)?.match ?? 0;
      if (match > best) [successor, best] = [id, match];
    }
    if (successor !== NONE && best === this.raftLog.lastIndex()) {
      this.send({ type: 'timeout-now', from: this.id, to: successor, term: this.term });
    }
    this.becomeFollower(this.term, NONE, 'removed');
  }

  /** Sends the next entries to `to`, or an empty append (carrying the commit index) if `sendIfEmpty`. */
  private sendAppend(to: NodeId, sendIfEmpty = true): boolean {
    const pr = this.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevLogIndex = pr.next - 1;
    const prevLogTerm = this.raftLog.term(prevLogIndex);
    if (prevLogTerm === undefined) return this.sendSnapshot(to, pr);
    const entries =
      pr.next <= this.raftLog.lastIndex() ? this.raftLog.sliceForMessage(pr.next, this.cfg.maxEntriesPerMsg, this.cfg.maxBytesPerMsg) : [];
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({
      type: 'append',
      from: this.id,
      to,
      term: this.term,
      prevLogIndex,
      prevLogTerm,
      entries,
      leaderCommit: this.raftLog.committed,
    });
    if (pr.state === 'replicate' && entries.length > 0) {
      // Pipelining: assume success and send the next batch without waiting.
      const last = entries[entries.length - 1]!.index;
      pr.next = last + 1;
      pr.inflights.add(last);
    } else if (pr.state === 'probe') {
      pr.probeSent = true;
    }
    return true;
  }

  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    // A snapshot is large: send it only to a follower that answered recently.
    const snapshot = this.raftLog.snapshot;
    if (!pr.recentActive || !snapshot) return false;
    this.send({ type: 'snapshot', from: this.id, to, term: this.term, snapshot });
    pr.becomeSnapshot(snapshot.meta.index);
    this.emit({ type: 'snapshot-sent', to, index: snapshot.meta.index, term: snapshot.meta.term });
    return true;
  }

  private bcastAppend(): void {
    for (const id of this.progress.keys()) this.sendAppend(id);
  }

  private bcastHeartbeat(): void {
    const context = this.reads.lastContext();
    for (const [to, pr] of this.progress) {
      // Never tell a follower an index it may not hold.
      const hb: Heartbeat = { type: 'heartbeat', from: this.id, to, term: this.term, commit: Math.min(pr.match, this.raftLog.committed) };
      if (context !== undefined) hb.context = context;
      this.send(hb);
    }
  }

  private flushProposals(): void {
    if (!this.broadcastPending) return;
    this.broadcastPending = false;
    // New entries cannot commit yet: not even the leader holds them durably.
    for (const id of this.progress.keys()) this.sendAppend(id, false);
  }

  /**
   * Starts a ReadIndex round (dissertation 6.4) for every read waiting, when one may start: the
   * leader has committed an entry of its own term (step 1: before that it does not know the latest
   * commit index), and no round is in flight, unless `withHeartbeat` says a heartbeat broadcast
   * leaves anyway. Its read index is the commit index now (step 2), at least the commit index when
   * each of its reads arrived. Returns whether it sent the round's heartbeats (step 3).
   */
  private startReadRound(withHeartbeat: boolean): boolean {
    if (!this.reads.hasWaiting() || !this.committedInCurrentTerm()) return false;
    // One broadcast per round trip: while a round is in flight, reads wait for it to end.
    if (this.reads.inFlight() && !withHeartbeat) return false;
    const context = this.reads.startRound(this.raftLog.committed, this.id);
    // A single voter confirms its own leadership; otherwise a heartbeat round asks a majority.
    if (this.confirmReads(context, this.id)) return false;
    this.bcastHeartbeat();
    return true;
  }

  /**
   * `from` answered a heartbeat of read round `context`. Once a majority of voters did (step 3), the
   * round's reads, and every older round's, go to the runtime in readStates, which serves each once
   * its state machine applied the read index (step 4); the reads that waited for the round start
   * the next one. Returns whether any read was released.
   */
  private confirmReads(context: string, from: NodeId): boolean {
    const released = this.reads.ack(context, from, (acks) => this.countVoters(acks) >= quorum(this.membership));
    if (released.length === 0) return false;
    this.readStates.push(...released);
    this.startReadRound(false);
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Log and configuration

  private appendLocal(entry: Entry): void {
    this.raftLog.append([entry]);
    if (entry.type === 'config') this.configAppended(entry);
    this.broadcastPending = true;
  }

  /** Dissertation 4.1: a server uses the latest configuration in its log, committed or not. */
  private configAppended(e: ConfigEntry): void {
    this.configIndexes.push(e.index);
    this.setMembership(e.membership);
    this.emit({ type: 'membership', change: e.change, membership: e.membership, index: e.index });
  }

  private setMembership(m: Membership): void {
    this.membership = m;
    if (this.role !== 'leader') return;
    const next = this.raftLog.lastIndex() + 1;
    for (const id of [...m.voters, ...m.learners]) {
      if (id === this.id) continue;
      const pr = this.progress.get(id);
      if (pr) pr.learner = !isVoter(m, id);
      else this.progress.set(id, new Progress(next, this.cfg.maxInflightMsgs, !isVoter(m, id)));
    }
    for (const id of this.progress.keys()) if (!isMember(m, id)) this.progress.delete(id);
    if (this.transferee !== NONE && !isVoter(m, this.transferee)) this.transferee = NONE;
  }

  /** The configuration in force at `index`: the latest configuration entry at or before it. */
  private membershipAt(index: number): Membership {
    for (let i = this.configIndexes.length - 1; i >= 0; i--) {
      const at = this.configIndexes[i]!;
      if (at <= index) return (this.raftLog.entry(at) as ConfigEntry).membership;
    }
    return this.raftLog.snapshot?.meta.membership ?? this.bootstrap;
  }

  // -------------------------------------------------------------------------------------------
  // Small helpers

  private promotable(): boolean {
    return isVoter(this.membership, this.id) && !this.recovering();
  }

  /**
   * Whether recovering mode still holds. It ends, with an event, once the commit index reached
   * untilIndex (the node holds again what it may have helped commit) and the term is above
   * aboveTerm (no vote it may have cast and forgotten can be in this term or a later one).
   */
  private recovering(): boolean {
    const r = this.recovery;
    if (r === null) return false;
    if (this.raftLog.committed < r.untilIndex || this.term <= r.aboveTerm) return true;
    this.recovery = null;
    this.emit({ type: 'recovery-finished', index: this.raftLog.committed, aboveTerm: r.aboveTerm, term: this.term });
    return false;
  }

  /**
   * Leader lease: we follow a leader heard from within the minimum election timeout. On the same
   * clock as the election timer: a runtime that brings the core's time up to each message's
   * arrival measures the lease to that message, not to the last whole tick.
   */
  private inLease(): boolean {
    return this.leader !== NONE && !reached(this.electionElapsed, this.cfg.electionTimeoutMin);
  }

  private quorumActive(): boolean {
    let active = 0;
    for (const id of this.membership.voters) if (id === this.id || this.progress.get(id)?.recentActive) active++;
    return active >= quorum(this.membership);
  }

  private countVoters(ids: Set<NodeId>): number {
    let n = 0;
    for (const id of ids) if (isVoter(this.membership, id)) n++;
    return n;
  }

  private committedInCurrentTerm(): boolean {
    return this.raftLog.term(this.raftLog.committed) === this.term;
  }

  private refuseProposal(): ProposeResult | null {
    if (this.role !== 'leader') return this.refuse('not-leader');
    if (this.transferee !== NONE) return this.refuse('transfer-in-progress', `handing leadership to n${this.transferee}`);
    // A leader that removed itself stops taking new work (dissertation 4.2.2).
    if (!isVoter(this.membership, this.id)) return this.refuse('not-leader', 'this leader is leaving the cluster');
    return null;
  }

  private refuse(reason: ProposalRefusal, detail?: string): ProposeResult {
    this.emit({ type: 'proposal-refused', reason, leader: this.leader });
    const r: ProposeResult = { ok: false, reason, leader: this.leader };
    if (detail !== undefined) r.detail = detail;
    return r;
  }

  /** What the runtime must persist. The voteNotPersisted bug leaves a new vote out. */
  private hardStateToPersist(): HardState {
    let vote = this.vote;
    if (this.cfg.bugs.voteNotPersisted && vote !== NONE) {
      vote = this.prevHardState.term === this.term ? this.prevHardState.vote : NONE;
    }
    return { term: this.term, vote, commit: this.raftLog.committed };
  }

  /**
   * A leader's appends, heartbeats, snapshots and TimeoutNow may leave while its own write is under
   * way (dissertation 10.2.1): they ask followers to store entries or learn a commit, and depend on
   * nothing the leader is persisting but its term, which ready() checks. Everything else waits for
   * the persist: a vote grant must be durable before it leaves (5.2), and an append response
   * acknowledges entries that must be on disk (Figure 2).
   */
  private send(m: Message): void {
    if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot' || m.type === 'timeout-now') this.msgsBeforePersist.push(m);
    else this.msgs.push(m);
  }

  private emit(e: RaftEvent): void {
    this.events.push(e);
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/**
 * Tolerance on comparing a timer with its limit, in ticks. Timers add up fractions of ticks
 * (ten times 0.1 comes to 0.9999999999999999), and a timer a rounding error short of its limit
 * must fire now, not a whole tick later.
 */
const TIME_EPSILON = 1e-9;

/** Whether a timer that has run `elapsed` ticks has reached `limit`. */
function reached(elapsed: number, limit: number): boolean {
  return elapsed >= limit - TIME_EPSILON;
}
