// What a node reports in its "state" lines (event-stream.ts), built from the core's status when the
// line is flushed: the scalars of RaftStatus, the log's term runs, the running timer as a
// wall-clock deadline, and on a leader its view of each follower.
import type { Raft, RaftStatus } from '../raft/raft.js';
import { isVoter } from '../raft/membership.js';
import type { FollowerProgress, StateLine, StateTimer } from './event-stream.js';

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
 * time the timer fires. Counting the ticks it drives tells exactly at which tick the core last
 * reset the timer (the tick count minus the elapsed ticks), so the deadline is computed once per
 * reset, from the time of the last tick (timers fire on ticks), and then stays the same: ticks
 * alone never change a state line, and every reset does.
 */
export class TimerClock {
  private ticks = 0;
  private lastTick = Date.now();
  private anchor = { key: '', wall: 0 };

  constructor(
    /** The leader's heartbeat interval, in ticks. */
    private readonly heartbeatTicks: number,
    private tickMs: number,
  ) {}

  /** Call with every core.tick(). */
  ticked(): void {
    this.ticks++;
    this.lastTick = Date.now();
  }

  setTickMs(ms: number): void {
    this.tickMs = ms;
  }

  /** The running timer: the leader's heartbeat, a voter's election timer; null on a learner or a removed node. */
  timer(s: Pick<RaftStatus, 'id' | 'role' | 'membership' | 'electionElapsed' | 'electionTimeout' | 'heartbeatElapsed'>): StateTimer | null {
    if (s.role === 'leader') {
      const deadline = this.deadline('heartbeat', s.heartbeatElapsed, this.heartbeatTicks);
      return { kind: 'heartbeat', deadline, intervalMs: this.heartbeatTicks * this.tickMs };
    }
    // Only a voter campaigns (section 5.2): a learner or a removed node has no election timer.
    if (!isVoter(s.membership, s.id)) return null;
    const deadline = this.deadline(`election ${s.role} ${s.electionTimeout}`, s.electionElapsed, s.electionTimeout);
    return { kind: 'election', deadline, timeoutMs: s.electionTimeout * this.tickMs };
  }

  private deadline(timer: string, elapsed: number, timeoutTicks: number): number {
    const key = `${timer} reset at tick ${this.ticks - elapsed}, ${this.tickMs} ms a tick`;
    if (key !== this.anchor.key) this.anchor = { key, wall: this.lastTick - elapsed * this.tickMs };
    return this.anchor.wall + timeoutTicks * this.tickMs;
  }
}

/** The leader's view of each follower; empty on any other node. */
function followers(s: RaftStatus): Record<number, FollowerProgress> {
  const out: Record<number, FollowerProgress> = {};
  if (s.role !== 'leader') return out;
  for (const [id, p] of Object.entries(s.progress)) out[Number(id)] = { match: p.match, next: p.next, state: p.state };
  return out;
}

export function stateLine(core: Pick<Raft, 'status' | 'termAt'>, applied: number, clock: TimerClock): StateLine {
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
    runs: termRuns((i) => core.termAt(i), s.firstIndex, s.lastIndex),
    timer: clock.timer(s),
    progress: followers(s),
  };
}
