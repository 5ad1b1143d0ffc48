// A clock for the node's time (src/node/core-time.ts) that moves only when a test says so: its
// timers run at their instant, in order, as time is advanced. No real sleep, no real timer.
import type { Clock } from '../../src/node/core-time.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private pending: Pending[] = [];

  /** `epoch`: the wall-clock time of monotonic time 0. */
  constructor(private readonly epoch = 1_000_000) {}

  now(): number {
    return this.t;
  }

  wall(): number {
    return this.epoch + this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const p = { at: this.t + ms, seq: this.seq++, fn };
    this.pending.push(p);
    return () => {
      this.pending = this.pending.filter((q) => q !== p);
    };
  }

  /** Moves time forward by `ms`, running each timer due on the way at its instant. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.pending.filter((p) => p.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.pending = this.pending.filter((p) => p !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = end;
  }

  /** Moves time forward by `ms` without running any timer: the process was stopped (SIGSTOP). */
  jump(ms: number): void {
    this.t += ms;
  }

  /** The wake-ups set, as instants. */
  timers(): number[] {
    return this.pending.map((p) => p.at).sort((a, b) => a - b);
  }
}
