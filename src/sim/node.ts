// A simulated server: a Raft core, its stable storage and its state machine, driven through the
// Ready contract of src/raft/ready.ts. A write to its disk may take ticks (the cluster's disk
// latency): the Ready's messagesBeforePersist are in the network meanwhile, and the node takes no
// other Ready until it is done, as the real node's driver. A crash throws away the core and
// everything volatile (the state machine, reads waiting to be served, a write not done yet); a
// restart builds a new core from storage alone.
import type { RaftConfigInput } from '../raft/config.js';
import type { RaftEvent } from '../raft/events.js';
import { Raft, type RaftStatus, type RestoredState } from '../raft/raft.js';
import type { Ready } from '../raft/ready.js';
import type { Entry, Message, NodeId, ReadState, Role } from '../raft/types.js';
import type { Invariants } from './invariants.js';
import type { StateMachine } from './state-machine.js';
import { StableStorage } from './storage.js';

// What every runtime of the core does with a node's disk, whatever it does with messages and
// state: the persist step of the Ready contract, the checks before each apply, and loading a
// hand-made disk. SimNode below and the core's message-level test harness (test/raft/harness.ts)
// both go through these, so both hold the core to one contract and feed the same checks.

/**
 * Step 2: the snapshot, then the entries (replacing any conflicting suffix), then the hard state,
 * each write shown to the checks (null: checks off); synced when the Ready says so (mustSync),
 * else its commit index is lost if the node crashes before the next synced write.
 */
export function persist(id: NodeId, s: StableStorage, rd: Ready, checks: Invariants | null): void {
  // Election Safety first: a second leader's first entry would otherwise be reported as a
  // Log Matching violation, hiding the cause.
  if (checks !== null) for (const e of rd.events) if (e.type === 'role-change' && e.to === 'leader') checks.electionWon(id, e.term);

  if (rd.snapshot !== null) {
    if (rd.snapshot.meta.index <= s.snapshotIndex) {
      const detail = `n${id} is handed a snapshot up to ${rd.snapshot.meta.index}, not beyond the one it holds (${s.snapshotIndex})`;
      checks?.fail('ready-contract', id, detail);
    }
    s.saveSnapshot(rd.snapshot);
    checks?.snapshotSaved(id, rd.snapshot.meta);
  }
  const first = rd.entries[0];
  if (first !== undefined) {
    const prevTerm = s.termAt(first.index - 1);
    if (s.append(rd.entries) < 0) {
      const detail = `n${id} is handed entries from ${first.index} but its log holds ${s.snapshotIndex + 1}-${s.lastIndex}`;
      checks?.fail('ready-contract', id, detail);
    } else {
      checks?.logAppended(id, rd.entries, prevTerm);
    }
  }
  if (rd.hardState !== null) {
    const prev = s.hardState;
    const hs = rd.hardState;
    if (checks !== null) {
      if (hs.term < prev.term) checks.fail('ready-contract', id, `n${id}'s term goes back from ${prev.term} to ${hs.term}`);
      // One vote per term (5.2): once on disk, a vote stands until the term changes.
      if (hs.term === prev.term && prev.vote !== 0 && hs.vote !== prev.vote)
        checks.fail('ready-contract', id, `n${id}'s vote in term ${hs.term} changes from n${prev.vote} to n${hs.vote}`);
      if (hs.commit !== prev.commit) checks.commitAdvanced(id, prev.commit, hs.commit, s);
    }
    s.saveHardState(hs);
  }
  if (rd.mustSync) s.sync();
  // commitAdvanced sees a commit index that moves; this sees a log cut back under one that did not.
  if (checks !== null && s.hardState.commit > s.lastIndex)
    checks.fail('ready-contract', id, `n${id}'s commit index ${s.hardState.commit} is beyond its log (last ${s.lastIndex})`);
}

/** Whether a Ready has anything for step 2 to write. */
export function hasPersist(rd: Ready): boolean {
  return rd.snapshot !== null || rd.entries.length > 0 || rd.hardState !== null;
}

/**
 * Step 4, for each committed entry before it is applied: it comes right after the last one
 * `applied`, it is durable (in the persisted log, or under the snapshot), and the checks see it
 * (applied within the persisted commit, State Machine Safety).
 */
export function checkApply(id: NodeId, s: StableStorage, applied: number, e: Entry, checks: Invariants): void {
  if (e.index !== applied + 1) checks.fail('ready-contract', id, `n${id} is handed entry ${e.index} to apply after entry ${applied}`);
  if (e.index > s.snapshotIndex && s.termAt(e.index) !== e.term)
    checks.fail('ready-contract', id, `n${id} is handed entry ${e.index} of term ${e.term} to apply, which is not in its persisted log`);
  checks.applied(id, e, s.hardState.commit);
}

/**
 * Replaces a node's disk with a hand-made one (tests: the Figure 7 logs, a restored data
 * directory); the checks see it as if it had been persisted.
 */
export function load(id: NodeId, s: StableStorage, state: RestoredState, checks: Invariants | null): void {
  s.load(state);
  if (state.snapshot !== null) checks?.snapshotSaved(id, state.snapshot.meta);
  const first = state.entries[0];
  if (first !== undefined) checks?.logAppended(id, state.entries, s.termAt(first.index - 1));
}

/** What a node needs from the cluster around it. */
export interface NodeContext {
  /** Checks to feed, or null when checks are off (throughput runs). */
  readonly checks: Invariants | null;
  /** The current tick. */
  readonly now: number;
  /** Ticks the disk takes for the next write (0: done before the next input reaches the core). */
  persistTicks(node: SimNode): number;
  /** Take a snapshot when this many applied entries sit in the log (Infinity: never). */
  readonly compactEvery: number;
  coreConfig(id: NodeId, incarnation: number, voters: NodeId[]): RaftConfigInput;
  makeStateMachine(serialized: string | undefined): StateMachine;
  send(m: Message): void;
  /** The core's events, for the trace and for faults timed on them: true crashes the node now. */
  events(node: SimNode, events: readonly RaftEvent[]): boolean;
  /** The state machine took a client value that is new to it. */
  valueApplied(node: SimNode, position: number, value: string, index: number): void;
  /** A read (ReadIndex round `context`) is served: the state machine has applied its index. */
  readServed(node: SimNode, context: string, size: number): void;
}

export class SimNode {
  readonly storage = new StableStorage();
  core: Raft | null = null;
  /** How many times this node has started: every start gets fresh randomness. */
  incarnation = 0;
  stateMachine: StateMachine | null = null;
  /** Index of the last entry applied to the state machine. */
  applied = 0;
  /** Role, leader and term as the core last reported them (follower/0 while down). */
  role: Role = 'follower';
  leader: NodeId = 0;
  term = 0;
  private waitingReads: ReadState[] = [];
  /** A Ready whose write is under way (its messagesBeforePersist already sent), and when it is done. */
  private writing: { rd: Ready; done: number } | null = null;

  /** `voters`: the bootstrap configuration (empty for a node joining a running cluster). */
  constructor(
    readonly id: NodeId,
    private readonly ctx: NodeContext,
    readonly voters: NodeId[],
  ) {}

  get up(): boolean {
    return this.core !== null;
  }

  start(): void {
    if (this.core !== null) return;
    this.incarnation++;
    const s = this.storage;
    const restored = s.pristine ? undefined : s.restored();
    this.core = new Raft(this.ctx.coreConfig(this.id, this.incarnation, this.voters), restored);
    this.stateMachine = this.ctx.makeStateMachine(s.snapshot?.data);
    this.applied = s.snapshotIndex;
    if (s.snapshot !== null) this.ctx.checks?.stateMachineRestored(this.id, s.snapshotIndex, this.stateMachine.size);
    this.role = 'follower';
    this.leader = 0;
    this.term = s.hardState.term;
    this.waitingReads = [];
  }

  /** Everything not on stable storage is lost. */
  crash(): void {
    const core = this.core;
    if (core === null) return;
    this.checkStorageMatchesCore(core);
    this.storage.loseUnsynced();
    this.core = null;
    this.stateMachine = null;
    this.waitingReads = [];
    this.writing = null;
    this.role = 'follower';
    this.leader = 0;
  }

  status(): RaftStatus | null {
    return this.core === null ? null : this.core.status();
  }

  /** A write under way: messages that wait for it have not left, and its entries may be lost. */
  get persisting(): boolean {
    return this.writing !== null;
  }

  /** Handles the Readys the core has, in order, until one waits for the disk. */
  drain(): void {
    const core = this.core;
    if (core === null) return;
    const w = this.writing;
    if (w !== null) {
      if (w.done > this.ctx.now) return;
      this.writing = null;
      this.finish(core, w.rd);
    }
    while (this.core === core && this.writing === null && core.hasReady()) this.take(core, core.ready());
  }

  /** Step 1, then the write: done now, or left under way for the disk's latency. */
  private take(core: Raft, rd: Ready): void {
    for (const m of rd.messagesBeforePersist) this.ctx.send(m);
    const ticks = hasPersist(rd) ? this.ctx.persistTicks(this) : 0;
    if (ticks > 0) this.writing = { rd, done: this.ctx.now + ticks };
    else this.finish(core, rd);
  }

  private finish(core: Raft, rd: Ready): void {
    const checks = this.ctx.checks;
    const s = this.storage;
    const id = this.id;
    const startTerm = this.term;

    // Leader Append-Only (5.3): a node that stays leader of the same term only appends.
    const stayedLeader =
      this.role === 'leader' &&
      (rd.softState === null || rd.softState.role === 'leader') &&
      (rd.hardState === null || rd.hardState.term === this.term);
    const first = rd.entries[0];
    if (stayedLeader && checks !== null) {
      if (first !== undefined && first.index <= s.lastIndex) checks.leaderTruncated(id, this.term, first.index, s.lastIndex);
      if (rd.snapshot !== null) checks.leaderTruncated(id, this.term, rd.snapshot.meta.index, s.lastIndex);
    }

    // 2. Persist.
    persist(id, s, rd, checks);
    if (rd.hardState !== null) this.term = rd.hardState.term;
    core.persisted(rd);

    // The core's decisions, to the checks and the trace (before the messages they caused).
    const leaderTerm = this.role === 'leader' ? startTerm : 0;
    if (rd.softState !== null) {
      this.role = rd.softState.role;
      this.leader = rd.softState.leader;
    }
    const electedSeen = rd.events.length > 0 && checks !== null ? this.check(checks, rd.events, leaderTerm) : false;
    // A core that reports leadership only through softState is checked all the same.
    if (!electedSeen && leaderTerm === 0 && this.role === 'leader') checks?.leaderElected(id, this.term, s);
    if (rd.events.length > 0 && this.ctx.events(this, rd.events)) {
      // A crash timed on an event: after persisting, before the messages that waited for it leave.
      this.crash();
      return;
    }

    // 3. Send.
    for (const m of rd.messages) this.ctx.send(m);

    // 4. Restore the snapshot, then apply committed entries in order.
    if (rd.snapshot !== null) {
      this.stateMachine = this.ctx.makeStateMachine(rd.snapshot.data);
      this.applied = rd.snapshot.meta.index;
      checks?.stateMachineRestored(id, this.applied, this.stateMachine.size);
    }
    const sm = this.stateMachine as StateMachine;
    for (const e of rd.committedEntries) {
      if (checks !== null) checkApply(id, s, this.applied, e, checks);
      if (e.type === 'normal') {
        const position = sm.apply(e.data);
        if (position >= 0) this.ctx.valueApplied(this, position, e.data, e.index);
      }
      this.applied = e.index;
    }

    // 5. Reads wait until the state machine has applied their index.
    for (const r of rd.readStates) this.waitingReads.push(r);
    if (this.waitingReads.length > 0) this.serveReads(sm);

    core.advance(rd);

    this.maybeCompact(core, sm);
  }

  private serveReads(sm: StateMachine): void {
    const still: ReadState[] = [];
    for (const r of this.waitingReads) {
      if (r.index <= this.applied) this.ctx.readServed(this, r.context, sm.size);
      else still.push(r);
    }
    this.waitingReads = still;
  }

  /**
   * Feeds the core's events to the checks. `leaderTerm`: the term this node was leader of when the
   * Ready began (0: not leader). Returns whether an election win was seen.
   */
  private check(checks: Invariants, events: readonly RaftEvent[], leaderTerm: number): boolean {
    let elected = false;
    // Replay role changes in order: a truncation is only wrong while the node is leader.
    let leaderOf = leaderTerm;
    for (const e of events) {
      if (e.type === 'role-change') {
        leaderOf = e.to === 'leader' ? e.term : 0;
        if (e.to === 'leader') {
          elected = true;
          checks.leaderComplete(this.id, e.term, this.storage);
        }
      } else if (e.type === 'truncate' && leaderOf !== 0) {
        checks.leaderTruncated(this.id, leaderOf, e.from, e.to);
      }
    }
    return elected;
  }

  /** Log compaction (section 7): snapshot the state machine at `applied`, drop the log under it. */
  private maybeCompact(core: Raft, sm: StateMachine): void {
    if (this.applied - this.storage.snapshotIndex < this.ctx.compactEvery) return;
    // A snapshot from the leader that arrived while this Ready was being written is in the core
    // already, beyond what was applied, and on disk once its own Ready is: nothing to compact.
    if (this.applied <= core.status().snapshotIndex) return;
    const snap = core.compact(this.applied, sm.serialize());
    this.storage.saveSnapshot(snap);
    this.ctx.checks?.snapshotSaved(this.id, snap.meta);
  }

  /** At a crash between steps, what is on disk must be what the core believes it persisted. */
  private checkStorageMatchesCore(core: Raft): void {
    const checks = this.ctx.checks;
    if (checks === null || this.writing !== null || core.hasReady()) return;
    const st = core.status();
    const s = this.storage;
    if (st.lastIndex !== s.lastIndex || (core.termAt(st.lastIndex) !== s.termAt(s.lastIndex) && st.lastIndex > s.snapshotIndex))
      checks.fail(
        'ready-contract',
        this.id,
        `n${this.id} crashes with its log ending at ${st.lastIndex}/t${st.lastTerm} but ${s.lastIndex}/t${s.lastTerm} on disk`,
      );
  }
}
