// What a node reports in its "state" lines (state-line.ts), built from the core's status when the
// line is flushed: the scalars of RaftStatus, the log's term runs, the running timer as a
// wall-clock deadline, on a leader its view of each follower, and the applied-state digest at a few
// recent indexes.
import type { Raft, RaftStatus } from '../raft/raft.js';
import { isVoter } from '../raft/membership.js';
import type { CoreTime } from './core-time.js';
import type { FollowerProgress, StateLine, StateTimer } from './state-line.js';

/** The runs cover at most this many entries at the end of the log. */
export const RUNS_WINDOW = 1000;

/**
 * The log's term runs, [first index of the run, term], ascending, over the last RUNS_WINDOW
 * entries after the snapshot: one pass over the entries covered, so its cost is bounded whatever
 * the log holds (a buggy core may even give a log whose terms go down: each change starts a run).
 */
export function termRuns(termAt: (index: number) => number | undefined, firstIndex: number, lastIndex: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let i = Math.max(firstIndex, lastIndex - RUNS_WINDOW + 1); i <= lastIndex; i++) {
    const term = termAt(i);
    if (term === undefined) throw new Error(`the core holds no entry ${i} within its log ${firstIndex}-${lastIndex}`);
    if (runs.length === 0 || runs.at(-1)![1] !== term) runs.push([i, term]);
  }
  return runs;
}

/**
 * The core counts its timers in ticks since their last reset; a state line gives the wall-clock
 * time the timer fires, from the node's time (core-time.ts). That instant stays the same between
 * resets, but computed again it can differ by a rounding or by the wall clock's millisecond, so a
 * deadline within a millisecond of the one reported keeps it: time passing alone never changes a
 * state line, and every reset does (a reset moves the deadline by the time since the last one).
 */
export class TimerClock {
  private reported = { key: '', deadline: 0 };

  constructor(
    /** The leader's heartbeat interval, in ticks. */
    private readonly heartbeatTicks: number,
    private readonly time: Pick<CoreTime, 'msPerTick' | 'wallIn'>,
  ) {}

  /** The running timer: the leader's heartbeat, a voter's election timer; null on a learner or a removed node. */
  timer(s: Pick<RaftStatus, 'id' | 'role' | 'membership' | 'electionElapsed' | 'electionTimeout' | 'heartbeatElapsed'>): StateTimer | null {
    const tickMs = this.time.msPerTick;
    if (s.role === 'leader') {
      const deadline = this.deadline('heartbeat', this.heartbeatTicks - s.heartbeatElapsed);
      return { kind: 'heartbeat', deadline, intervalMs: Math.round(this.heartbeatTicks * tickMs) };
    }
    // Only a voter campaigns (section 5.2): a learner or a removed node has no election timer.
    if (!isVoter(s.membership, s.id)) return null;
    // The timeout is a real number of ticks (drawn from a continuous range): told in whole ms.
    const timeoutMs = Math.round(s.electionTimeout * tickMs);
    const deadline = this.deadline(`election ${s.role} ${timeoutMs}`, s.electionTimeout - s.electionElapsed);
    return { kind: 'election', deadline, timeoutMs };
  }

  private deadline(timer: string, ticksLeft: number): number {
    const key = `${timer}, ${this.time.msPerTick} ms a tick`;
    const deadline = Math.round(this.time.wallIn(ticksLeft));
    if (key !== this.reported.key || Math.abs(deadline - this.reported.deadline) > 1) this.reported = { key, deadline };
    return this.reported.deadline;
  }
}

/** The applied-state digest is kept at every index that is a multiple of this... */
export const DIGEST_CHECKPOINT_EVERY = 64;
/** ...for this many of the latest such indexes. */
export const DIGEST_CHECKPOINTS_KEPT = 8;

/**
 * The applied-state digests (src/kv/digest.ts) a state line carries: at the latest multiples of
 * DIGEST_CHECKPOINT_EVERY applied, and at the applied index. Nodes report at different moments, so
 * their applied indexes rarely match; the checkpoints they all pass through let the supervisor
 * compare two nodes' states at equal indexes anyway (a node more than
 * DIGEST_CHECKPOINT_EVERY * DIGEST_CHECKPOINTS_KEPT entries behind is compared once it catches up).
 */
export class DigestCheckpoints {
  private kept: Array<[number, string]> = [];

  /** Call after applying each entry, with the machine's digest after it. */
  applied(index: number, digest: string | null): void {
    if (digest === null || index % DIGEST_CHECKPOINT_EVERY !== 0) return;
    this.kept.push([index, digest]);
    if (this.kept.length > DIGEST_CHECKPOINTS_KEPT) this.kept.shift();
  }

  /** The machine was restored from a snapshot at `index`: the chain continues from there. */
  restored(index: number, digest: string | null): void {
    this.kept = digest === null || index === 0 ? [] : [[index, digest]];
  }

  /** [index, digest] pairs, ascending, ending at the applied index (none while the digest is unknown). */
  report(applied: number, digest: string | null): Array<[number, string]> {
    if (digest === null || applied === 0 || this.kept.at(-1)?.[0] === applied) return [...this.kept];
    return [...this.kept, [applied, digest]];
  }
}

/** The leader's view of each follower; empty on any other node. */
function followers(s: RaftStatus): Record<number, FollowerProgress> {
  const out: Record<number, FollowerProgress> = {};
  if (s.role !== 'leader') return out;
  for (const [id, p] of Object.entries(s.progress)) out[Number(id)] = { match: p.match, next: p.next, state: p.state };
  return out;
}

export function stateLine(
  core: Pick<Raft, 'status' | 'termAt'>,
  applied: number,
  clock: TimerClock,
  digests: Array<[number, string]>,
): StateLine {
  const s = core.status();
  return {
    role: s.role,
    term: s.term,
    vote: s.vote,
    leader: s.leader,
    commit: s.commit,
    applied,
    firstIndex: s.firstIndex,
    lastIndex: s.lastIndex,
    lastTerm: s.lastTerm,
    snapshotIndex: s.snapshotIndex,
    membership: s.membership,
    configIndex: s.configIndex,
    runs: termRuns((i) => core.termAt(i), s.firstIndex, s.lastIndex),
    timer: clock.timer(s),
    progress: followers(s),
    digests,
  };
}
