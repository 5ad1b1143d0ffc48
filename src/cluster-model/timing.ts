// The cluster's timing: election timeout, heartbeat and the length of one tick. A node counts its
// timeouts in ticks, fixed when it starts; the speed presets only change how long a tick lasts
// (control op `tick`), so a running cluster changes speed without a restart and keeps its ratios.
// Election timeouts need not be whole ticks (node/options.ts timingInTicks): any range of whole
// milliseconds is kept, such as the 150-151 ms or 12-24 ms of the dissertation's Figure 16 (9.3).
import { tickForHeartbeat } from '../node/options.js';
import { ClusterError } from './errors.js';
import type { SpeedPreset, Timing } from './model.js';

/** Timeouts of 15-30 ticks and a heartbeat of 5, as in the Raft paper at 10 ms a tick. */
const TICKS = { min: 15, max: 30, heartbeat: 5 } as const;

/** How long one tick lasts in each preset. */
const TICK_MS: Record<SpeedPreset, number> = {
  slow: 100, // elections in 1.5-3 s: slow enough to follow with the eye
  normal: 10, // 150-300 ms with a 50 ms heartbeat, the paper's values
  fast: 2, // 30-60 ms: many elections per second, for stress
};

export const SPEED_PRESETS = Object.keys(TICK_MS) as SpeedPreset[];

export function presetTiming(preset: SpeedPreset): Timing {
  const tickMs = TICK_MS[preset];
  return { preset, tickMs, electionTimeoutMs: { min: TICKS.min * tickMs, max: TICKS.max * tickMs }, heartbeatMs: TICKS.heartbeat * tickMs };
}

/**
 * Explicit values; the tick divides the heartbeat into at least five (a fifth of it when it can), so
 * that the heartbeat, on whole ticks, is kept exactly and still takes several ticks.
 */
export function customTiming(electionTimeoutMs: { min: number; max: number }, heartbeatMs: number): Timing {
  const { min, max } = electionTimeoutMs;
  if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && max >= min))
    throw new ClusterError(
      `the election timeout must be a range of whole milliseconds min-max with 1 <= min <= max, got ${min}-${max} (e.g. 150-300)`,
    );
  if (!(Number.isInteger(heartbeatMs) && heartbeatMs >= 1))
    throw new ClusterError(`the heartbeat must be a whole number of milliseconds from 1, got ${heartbeatMs} (e.g. 50)`);
  if (heartbeatMs >= min)
    throw new ClusterError(
      `the heartbeat (${heartbeatMs} ms) must be shorter than the smallest election timeout (${min} ms), or followers time out between heartbeats`,
    );
  return { preset: 'custom', tickMs: tickForHeartbeat(heartbeatMs), electionTimeoutMs: { min, max }, heartbeatMs };
}

/** The same timeouts in ticks at the preset's tick length. */
export function withSpeed(current: Timing, preset: SpeedPreset): Timing {
  const tickMs = TICK_MS[preset];
  const scale = (ms: number): number => Math.max(1, Math.round((ms / current.tickMs) * tickMs));
  return {
    preset,
    tickMs,
    electionTimeoutMs: { min: scale(current.electionTimeoutMs.min), max: scale(current.electionTimeoutMs.max) },
    heartbeatMs: scale(current.heartbeatMs),
  };
}

/** "elections after 150-300 ms, heartbeat every 50 ms, tick 10 ms (normal)". */
export function describeTiming(t: Timing): string {
  return `elections after ${t.electionTimeoutMs.min}-${t.electionTimeoutMs.max} ms, heartbeat every ${t.heartbeatMs} ms, tick ${t.tickMs} ms (${t.preset})`;
}
