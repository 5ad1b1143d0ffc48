// The core's time, driven from the node's clock. The core counts time in ticks and may be told a
// fraction of one (Raft.tick(elapsed)); this brings its time up to the clock's now before every
// input, and wakes it at the next whole tick or at its election deadline, whichever comes first.
// So a timer reset by a message counts from the message's arrival, not from the last tick, and an
// election timeout fires at its millisecond (Raft paper 5.2: the randomized timeout is what keeps
// split votes rare; dissertation 9.3, Figure 16: ranges as narrow as 150-151 ms), while heartbeats
// and CheckQuorum still fall on whole ticks.
import type { Raft } from '../raft/raft.js';
import { RaftDriver, type ReadyHandler } from './raft-driver.js';

/** Where a node's time comes from: injected, so that tests drive it with a fake one. */
export interface Clock {
  /** Milliseconds on a monotonic clock: what timeouts are measured on. */
  now(): number;
  /** Milliseconds since the epoch: what a state line tells a deadline in. */
  wall(): number;
  /** Calls `fn` once `ms` milliseconds have passed; returns what cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  // Monotonic: a wall clock set back or forward must not stretch or cut an election timeout.
  now: () => performance.now(),
  wall: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

/**
 * How far short of a held timer an input leaves the core's time: far above the core's rounding
 * tolerance (1e-9 of a tick), far below anything a clock can tell apart.
 */
const HELD_SHORT_MS = 1e-6;

export class CoreTime {
  // All instants below are on the node's timeline: the clock's time less the time paused.
  /** How far the core's time has been brought. */
  private driven: number;
  /** The next whole tick. */
  private nextTick: number;
  /** The wake-up last set: when it is due (until the next is set), and what cancels it while pending. */
  private wake: { at: number; cancel: (() => void) | null } | null = null;
  /** Time the process did not run (stopped or stalled) beyond a tick past a wake-up, left out. */
  private paused = 0;
  private stopped = false;
  /**
   * Step mode: the node's time stands still at this instant (no wake-ups), and moves only when
   * told to (advance, fire); null when it runs with the clock.
   */
  private frozenAt: number | null = null;

  constructor(
    private readonly core: Pick<Raft, 'tick' | 'electionDueIn'>,
    private readonly clock: Clock,
    private tickMs: number,
    /** Wakes the core: runs an input with nothing in it through the driver, which brings time up to now. */
    private readonly onWake: () => void,
  ) {
    this.driven = clock.now();
    this.nextTick = this.driven + tickMs;
  }

  get msPerTick(): number {
    return this.tickMs;
  }

  /**
   * Brings the core's time up to now, stopping at each whole tick and at the election deadline on
   * the way: what fires there (a heartbeat, CheckQuorum, a campaign) resets its timer from that
   * moment, so heartbeats keep whole ticks apart however late the wake-up ran.
   *
   * `due` says what to do with a timer that falls due on the way. A wake-up fires it. An input
   * holds it: time stops just short of it, and the wake-up (set for the past, so it runs at the
   * event loop's next timers phase) fires it after the input and the rest of the I/O that arrived
   * with it. A leader busy with a flood of client requests would otherwise run CheckQuorum in the
   * middle of them, before it reads the followers' answers waiting in the same turn of the loop,
   * and step down (dissertation 6.2 is about a leader no majority hears, not a slow one); a
   * follower would campaign before it reads the leader's heartbeat that is already in.
   */
  catchUp(due: 'fire' | 'hold'): void {
    let now = this.now();
    const resumeAt = this.wake === null ? Infinity : this.wake.at + this.tickMs;
    if (now > resumeAt) {
      // The process ran more than a tick past its wake-up: it was frozen (SIGSTOP: exercise 1
      // holds the nodes so before their first election) or stalled. Its clock stood still
      // meanwhile, as the setInterval of whole ticks it replaces did: counted, the pause would
      // expire every frozen node's timeout at once when they resume, and they would all campaign
      // together, where their randomized timeouts (5.2) should order them.
      this.paused += now - resumeAt;
      now = resumeAt;
    }
    while (this.driven < now) {
      const deadline = this.driven + this.core.electionDueIn() * this.tickMs;
      const next = Math.min(this.nextTick, deadline > this.driven ? deadline : Infinity);
      if (due === 'hold' && next <= now) {
        const shortOf = next - HELD_SHORT_MS;
        if (shortOf > this.driven) this.core.tick((shortOf - this.driven) / this.tickMs);
        this.driven = Math.max(this.driven, shortOf);
        return;
      }
      const stop = Math.min(now, next);
      this.core.tick((stop - this.driven) / this.tickMs);
      this.driven = stop;
      if (stop === this.nextTick) this.nextTick += this.tickMs;
    }
  }

  /**
   * Sets the wake-up at the next whole tick or the election deadline, whichever comes first. Call
   * after every input: one may have moved the deadline.
   */
  schedule(): void {
    if (this.stopped || this.frozenAt !== null) return;
    const at = Math.min(this.nextTick, this.driven + this.core.electionDueIn() * this.tickMs);
    if (this.wake?.cancel && this.wake.at === at) return;
    this.wake?.cancel?.();
    // Rounded up: a timer never fires before its instant (and one a fraction of a millisecond
    // away waits one millisecond rather than spinning).
    const wake: { at: number; cancel: (() => void) | null } = {
      at,
      cancel: this.clock.after(Math.max(0, Math.ceil(at - this.now())), () => {
        wake.cancel = null;
        this.onWake();
      }),
    };
    this.wake = wake;
  }

  /**
   * The speed presets change how long a tick lasts; timeouts keep their length in ticks, so the
   * time left on a running timer is scaled too. Call with the core's time up to now (catchUp),
   * and schedule() after.
   */
  setTickMs(ms: number): void {
    this.tickMs = ms;
    this.nextTick = this.driven + ms;
    this.wake?.cancel?.();
    this.wake = null;
  }

  get frozen(): boolean {
    return this.frozenAt !== null;
  }

  /**
   * Step mode: the core's time stops where it is (call with it brought up to now, catchUp('fire')).
   * Inputs still run at that instant; only advance() and the fire methods move it on.
   */
  freeze(): void {
    if (this.frozenAt !== null) return;
    this.frozenAt = this.driven;
    this.wake?.cancel?.();
    this.wake = null;
  }

  /**
   * Leaves step mode: the time resumes from where it stood, as after a pause, so the time the
   * learner spent looking is left out and no timer that was running expires at once (5.2: the
   * randomized timeouts, not the length of the look, order the next election). schedule() after.
   */
  thaw(): void {
    if (this.frozenAt === null) return;
    this.paused = this.clock.now() - this.frozenAt;
    this.frozenAt = null;
  }

  /** Frozen: moves the time on by `ms`; catchUp('fire') after runs what falls due on the way. */
  advanceBy(ms: number): void {
    if (this.frozenAt === null) throw new Error('the clock runs: advance is for step mode');
    this.frozenAt = Math.max(this.frozenAt, this.driven) + ms;
  }

  /** Frozen: the ticks the election timer has left, Infinity where it cannot fire (a leader, a learner). */
  electionTicksLeft(): number {
    return this.core.electionDueIn();
  }

  /** Milliseconds on the wall clock at which `ticks` more ticks of the core's time will have passed. */
  wallIn(ticks: number): number {
    return this.clock.wall() + (this.driven + ticks * this.tickMs - this.now());
  }

  stop(): void {
    this.stopped = true;
    this.wake?.cancel?.();
    this.wake = null;
  }

  private now(): number {
    if (this.frozenAt !== null) return this.frozenAt;
    return this.clock.now() - this.paused;
  }
}

/**
 * A driver whose every input (a message, a proposal, a control command, a wake-up) happens at the
 * clock's now: the core's time is brought up to it first, so that a timer the input resets counts
 * from its arrival and the lease (dissertation 4.2.3, 9.6) is measured to it; the wake-up is set
 * again after, since the input may have moved the election deadline.
 */
export class TimedDriver extends RaftDriver {
  readonly time: CoreTime;

  constructor(
    core: Raft,
    handler: ReadyHandler,
    onFatal: (err: unknown) => void,
    clock: Clock,
    tickMs: number,
    /** After each wake-up: a timer may have been reset with no Ready to tell of it (a lone leader's heartbeat). */
    woke: () => void,
  ) {
    super(core, handler, onFatal);
    // Like any input, a wake-up after a storage failure throws: the node is ending (onFatal).
    this.time = new CoreTime(core, clock, tickMs, () => {
      this.at('fire', () => undefined);
      woke();
    });
  }

  override run<T>(input: (core: Raft) => T): T {
    return this.at('hold', input);
  }

  private at<T>(due: 'fire' | 'hold', input: (core: Raft) => T): T {
    return super.run((core) => {
      this.time.catchUp(due);
      const result = input(core);
      this.time.schedule();
      return result;
    });
  }

  /** Speed change: the time so far at the old tick length, the rest at the new one. */
  setTickMs(ms: number): void {
    // Fired, not held: a speed change is no I/O that could reset a timer, and one it held would
    // lose the whole tick it was due on when the ticks restart at the new length.
    this.at('fire', () => this.time.setTickMs(ms));
  }

  get frozen(): boolean {
    return this.time.frozen;
  }

  /**
   * Step mode on or off. Fired, not held, on the way in: the time is brought up to now with what
   * falls due, then stands still. On the way out the time resumes where it stood.
   */
  setFrozen(on: boolean): void {
    this.at('fire', () => (on ? this.time.freeze() : this.time.thaw()));
  }

  /** Step mode: the time moves on by `ticks`, and every timer that falls due on the way fires, as it would have. */
  advance(ticks: number): void {
    this.moveOn(ticks);
  }

  /**
   * Step mode: the time moves on to the election deadline, so the core's own rule runs (5.2: an
   * election timeout with no word from a leader starts an election; with PreVote, a pre-vote
   * first, dissertation 9.6). False where there is no election timer (a leader, a learner, a
   * recovering node).
   */
  fireElection(): boolean {
    const left = this.time.electionTicksLeft();
    if (!Number.isFinite(left)) return false;
    this.moveOn(left);
    return true;
  }

  /** Step mode, on a leader: the time moves on to its next heartbeat (`ticksLeft` of them), which it then sends (5.2). */
  fireHeartbeat(ticksLeft: number): void {
    this.moveOn(Math.max(0, ticksLeft));
  }

  /** Step mode: the frozen time moves on by `ticks`, then the core is brought up to it, firing what falls due. */
  private moveOn(ticks: number): void {
    this.time.advanceBy(ticks * this.time.msPerTick);
    this.at('fire', () => undefined);
  }

  /** No more wake-ups (the node stops). */
  stop(): void {
    this.time.stop();
  }
}
