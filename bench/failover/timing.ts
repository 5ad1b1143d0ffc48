// The timing each range of Figure 16 runs with, and the moment of each kill. Both are pure, so the
// unit tests pin them down.
import type { StateTimer } from '../../src/node/state-line.js';

/** The election timeout ranges of Figure 16 of the Raft paper (top graph, then bottom). */
export const PAPER_RANGES = ['150-150', '150-151', '150-155', '150-175', '150-200', '150-300', '12-24'] as const;

export interface RangeTiming {
  /** As `raft-console node --election-timeout` takes it. */
  range: string;
  min: number;
  max: number;
  heartbeatMs: number;
  tickMs: number;
}

/** Tick lengths tried, longest first: the node's default (10 ms) unless the heartbeat needs finer. */
const TICKS = [10, 5, 3, 2, 1];

/**
 * The paper's heartbeat is half the minimum election timeout for every range ("The leader was
 * crashed uniformly randomly within its heartbeat interval, which was half of the minimum election
 * timeout for all tests", section 9.3): 75 ms for the 150-x ranges, 6 ms for 12-24. The core counts
 * its timers in whole ticks, so the tick is the longest that divides the heartbeat into at least
 * three (a heartbeat of one or two ticks would be as coarse as the timeouts it must stay under).
 * `heartbeatMs` overrides the paper's rule.
 */
export function rangeTiming(range: string, heartbeatMs?: number): RangeTiming {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(range);
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (m === null || min < 2 || max < min) throw new RangeError(`an election timeout range is min-max with 2 <= min <= max, got "${range}"`);
  const heartbeat = heartbeatMs ?? Math.floor(min / 2);
  if (heartbeat < 1 || heartbeat >= min) throw new RangeError(`the heartbeat (${heartbeat} ms) must be from 1 ms to under ${min} ms`);
  const tickMs = TICKS.find((t) => heartbeat % t === 0 && heartbeat / t >= 3) ?? 1;
  return { range: `${min}-${max}`, min, max, heartbeatMs: heartbeat, tickMs };
}

/** How the core runs it today, in whole ticks (node/options.ts timingInTicks rounds each value). */
export function inTicks(t: RangeTiming): string {
  const ticks = (ms: number): number => Math.max(1, Math.round(ms / t.tickMs));
  return `${ticks(t.min)}-${ticks(t.max)} ticks, heartbeat ${ticks(t.heartbeatMs)} ticks, of ${t.tickMs} ms`;
}

/**
 * When to kill the leader: `u` (uniform in [0, 1)) of the way through one of its heartbeat intervals.
 * A leader's state line gives its next heartbeat as a wall-clock deadline; the heartbeat before it
 * went out one interval earlier, to every follower at once (the paper's "synchronized broadcast of
 * heartbeat RPCs"), and the followers' election timers restarted then. Later heartbeats follow at
 * whole intervals, so the kill goes to the first interval that has not started by `now`: the
 * offset into the interval is uniform whatever the age of the state line.
 */
export function killTime(timer: Extract<StateTimer, { kind: 'heartbeat' }>, u: number, now: number): number {
  const sent = timer.deadline - timer.intervalMs;
  const intervals = Math.max(0, Math.ceil((now - sent) / timer.intervalMs));
  return sent + intervals * timer.intervalMs + u * timer.intervalMs;
}
