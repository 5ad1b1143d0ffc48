// An election timeout range given in milliseconds reaches the core unrounded, by both paths: `node
// --election-timeout 150-151 --heartbeat 50` and `up --election-timeout 150-151 --heartbeat 50` (whose
// supervisor starts each node with --election-timeout, --heartbeat and --tick). Whole ticks turned
// 150-151 ms into 15-15 ticks; the dissertation's Figure 16 (9.3) ranges must all be kept.
import { describe, expect, it } from 'vitest';
import { msRange } from '../../src/cli/arguments.js';
import { toOptions, type NodeFlags } from '../../src/cli/node.js';
import { customTiming } from '../../src/cluster-model/timing.js';
import { UsageError, tickForHeartbeat, timingInTicks } from '../../src/node/options.js';
import { Raft } from '../../src/raft/raft.js';
import { prng } from '../raft/harness.js';

/** `raft-console node` with these timing flags, as commander hands them (defaults for the rest). */
function nodeFlags(timing: { electionTimeout: string; heartbeat: string; tick?: string }): NodeFlags {
  return {
    id: '1',
    clusterId: 'timing-test',
    insecureNoAuth: true,
    listen: '127.0.0.1:0',
    peers: '2=127.0.0.1:7002,3=127.0.0.1:7003',
    dataDir: '/nonexistent',
    compactEvery: '10000',
    requestTimeout: '5000',
    preVote: true,
    checkQuorum: true,
    bug: [],
    ...timing,
  };
}

/** The election timeouts, in ms, a core with this timing draws on 500 resets. */
function drawnMs(timing: ReturnType<typeof timingInTicks>, tickMs: number): number[] {
  const core = new Raft({ id: 1, voters: [1, 2, 3], random: prng(9), ...timing });
  const out: number[] = [];
  for (let term = 1; term <= 500; term++) {
    core.step({ type: 'heartbeat', from: 2, to: 1, term, commit: 0 });
    out.push(core.status().electionTimeout * tickMs);
  }
  return out;
}

describe('an election timeout range reaches the core to the millisecond', () => {
  it.each([
    ['150-150', 50],
    ['150-151', 50],
    ['150-155', 50],
    ['150-175', 50],
    ['150-200', 50],
    ['150-300', 50],
    ['12-24', 5],
  ])('node --election-timeout %s --heartbeat %i', (range, heartbeat) => {
    const o = toOptions(nodeFlags({ electionTimeout: range, heartbeat: String(heartbeat) }));
    const [min, max] = range.split('-').map(Number) as [number, number];
    const timing = timingInTicks(o);
    expect(timing.electionTimeoutMin * o.tickMs).toBeCloseTo(min, 9);
    expect(timing.electionTimeoutMax * o.tickMs).toBeCloseTo(max, 9);
    // The heartbeat is kept exactly too: the tick divides it.
    expect(timing.heartbeatInterval * o.tickMs).toBe(heartbeat);
    const drawn = drawnMs(timing, o.tickMs);
    for (const ms of drawn) {
      expect(ms).toBeGreaterThanOrEqual(min - 1e-9);
      expect(ms).toBeLessThanOrEqual(max + 1e-9);
    }
    if (max > min) expect(new Set(drawn).size).toBeGreaterThan(490);
  });

  it('up --election-timeout 150-151 --heartbeat 50: the cluster timing, then each node started with it', () => {
    const t = customTiming(msRange('150-151'), 50);
    expect(t).toEqual({ preset: 'custom', tickMs: 10, electionTimeoutMs: { min: 150, max: 151 }, heartbeatMs: 50 });
    // As the supervisor's fleet starts a node (supervisor/fleet.ts args).
    const o = toOptions(
      nodeFlags({
        electionTimeout: `${t.electionTimeoutMs.min}-${t.electionTimeoutMs.max}`,
        heartbeat: String(t.heartbeatMs),
        tick: String(t.tickMs),
      }),
    );
    expect(timingInTicks(o)).toEqual({ electionTimeoutMin: 15, electionTimeoutMax: 15.1, heartbeatInterval: 5 });
  });

  it('up --election-timeout 12-24 --heartbeat 5 is accepted, at 1 ms a tick', () => {
    const t = customTiming(msRange('12-24'), 5);
    expect(t.tickMs).toBe(1);
    const o = toOptions(nodeFlags({ electionTimeout: '12-24', heartbeat: '5', tick: String(t.tickMs) }));
    expect(timingInTicks(o)).toEqual({ electionTimeoutMin: 12, electionTimeoutMax: 24, heartbeatInterval: 5 });
  });

  it('an explicit --tick that does not divide the timeout still keeps the timeout exact', () => {
    const o = toOptions(nodeFlags({ electionTimeout: '150-151', heartbeat: '50', tick: '7' }));
    const timing = timingInTicks(o);
    expect(timing.electionTimeoutMin * 7).toBeCloseTo(150, 9);
    expect(timing.electionTimeoutMax * 7).toBeCloseTo(151, 9);
    expect(timing.heartbeatInterval).toBe(7);
  });

  it('a heartbeat that whole ticks make as long as the timeout is refused, saying so', () => {
    expect(() => timingInTicks({ electionTimeoutMs: { min: 15, max: 30 }, heartbeatMs: 14, tickMs: 20 })).toThrow(UsageError);
    expect(() => timingInTicks({ electionTimeoutMs: { min: 15, max: 30 }, heartbeatMs: 14, tickMs: 20 })).toThrow(
      '--heartbeat (14 ms, 20 ms in whole ticks of 20 ms) must be shorter than the smallest election timeout (15 ms)',
    );
  });
});

describe('the tick for a heartbeat', () => {
  it('is the longest that divides it into at least five ticks', () => {
    expect([50, 100, 5, 12, 13, 3, 1].map(tickForHeartbeat)).toEqual([10, 20, 1, 2, 1, 1, 1]);
  });
});
