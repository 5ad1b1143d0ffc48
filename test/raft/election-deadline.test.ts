// The election timeout as a deadline finer than a tick (Raft paper 5.2, dissertation 9.3 and
// Figure 16): drawn from the continuous range [min, max], fired when the runtime's time reaches it
// (tick(elapsed) with a fraction of a tick), and reported through electionDueIn() so that the
// runtime can wake the core then.
import { describe, expect, it } from 'vitest';
import { Raft } from '../../src/raft/raft.js';
import type { RaftConfigInput } from '../../src/raft/config.js';
import { heartbeat, prng, voteReq } from './harness.js';

function core(config: Partial<RaftConfigInput> = {}, random: () => number = prng(7)): Raft {
  return new Raft({ id: 1, voters: [1, 2, 3], random, electionTimeoutMin: 15, electionTimeoutMax: 30, heartbeatInterval: 5, ...config });
}

/** The election timeouts `n` heartbeats from a leader make node 1 draw (each resets and redraws via a term change). */
function draws(config: Partial<RaftConfigInput>, seed: number, n: number): number[] {
  const c = core(config, prng(seed));
  const out: number[] = [];
  for (let term = 1; term <= n; term++) {
    // A heartbeat of a higher term makes the node a follower of that term, with a new timeout.
    c.step(heartbeat(2, 1, term, 0));
    out.push(c.status().electionTimeout);
  }
  return out;
}

describe('the election timeout is drawn from the continuous range', () => {
  it('within [min, max], and almost never twice the same: 1,000 draws of 15-30 ticks give far more than 16 values', () => {
    const all = draws({}, 11, 1000);
    for (const t of all) {
      expect(t).toBeGreaterThanOrEqual(15);
      expect(t).toBeLessThanOrEqual(30);
    }
    expect(new Set(all).size).toBeGreaterThan(990);
    expect(all.filter((t) => !Number.isInteger(t)).length).toBeGreaterThan(990);
    // Spread over the whole range, not bunched at one end.
    expect(Math.min(...all)).toBeLessThan(15.5);
    expect(Math.max(...all)).toBeGreaterThan(29.5);
  });

  it('a range narrower than a tick is kept (150-151 ms at 10 ms a tick: 15-15.1 ticks)', () => {
    const all = draws({ electionTimeoutMin: 15, electionTimeoutMax: 15.1 }, 3, 200);
    for (const t of all) {
      expect(t).toBeGreaterThanOrEqual(15);
      expect(t).toBeLessThanOrEqual(15.1);
    }
    expect(new Set(all).size).toBeGreaterThan(190);
  });

  it('a range of one value gives that value (150-150 ms of Figure 16)', () => {
    expect(new Set(draws({ electionTimeoutMin: 15, electionTimeoutMax: 15 }, 5, 50))).toEqual(new Set([15]));
  });

  it('two nodes reset on the same message draw different timeouts (the survivors of a leader crash)', () => {
    const a = core({}, prng(1));
    const b = core({ id: 2 }, prng(2));
    a.step(heartbeat(3, 1, 1, 0));
    b.step(heartbeat(3, 2, 1, 0));
    expect(a.status().electionTimeout).not.toBe(b.status().electionTimeout);
    expect(a.electionDueIn()).not.toBe(b.electionDueIn());
  });

  it('of 2,000 such pairs, about 1.3% time out within a millisecond of each other (0.1 tick), where whole ticks tied 1 in 16', () => {
    let close = 0;
    for (let pair = 0; pair < 2000; pair++) {
      const a = core({}, prng(2 * pair + 1));
      const b = core({ id: 2 }, prng(2 * pair + 2));
      a.step(heartbeat(3, 1, 1, 0));
      b.step(heartbeat(3, 2, 1, 0));
      if (Math.abs(a.electionDueIn() - b.electionDueIn()) < 0.1) close++;
    }
    // 2 * 0.1 / 15 of the pairs, about 27; 125 would be the 1 in 16 of whole ticks.
    expect(close).toBeGreaterThan(10);
    expect(close).toBeLessThan(50);
  });
});

describe('the timeout fires at its deadline, not at the next whole tick', () => {
  /** A follower whose timeout is 15.037 ticks (150.37 ms at 10 ms a tick). */
  const follower = (): Raft => core({ electionTimeoutMin: 15, electionTimeoutMax: 15.1 }, () => 0.37);

  it('electionDueIn counts down with fractional ticks, and the timer fires when it reaches 0', () => {
    const c = follower();
    expect(c.electionDueIn()).toBeCloseTo(15.037, 9);
    c.tick(15);
    expect(c.status().role).toBe('follower');
    expect(c.electionDueIn()).toBeCloseTo(0.037, 9);
    c.tick(0.036);
    expect(c.status().role).toBe('follower');
    c.tick(0.001);
    // Fired 15.037 ticks in, not at tick 16.
    expect(c.status().role).toBe('pre-candidate');
    const rd = c.ready();
    expect(rd.events).toContainEqual({ type: 'election-timeout', term: 0, ticks: 15, leader: 0 });
    expect(rd.messages.filter((m) => m.type === 'pre-vote')).toHaveLength(2);
  });

  it('tick(electionDueIn()) fires it, whatever the rounding of the fractions added up', () => {
    const c = follower();
    for (let i = 0; i < 10; i++) c.tick(0.1);
    c.tick(c.electionDueIn());
    expect(c.status().role).toBe('pre-candidate');
  });

  it('a reset counts from the input that caused it: a heartbeat at 7.3 ticks moves the deadline to 7.3 + the timeout', () => {
    const c = follower();
    c.tick(7.3);
    c.step(heartbeat(2, 1, 1, 0));
    const timeout = c.status().electionTimeout;
    expect(c.electionDueIn()).toBe(timeout);
    c.tick(timeout - 0.01);
    expect(c.status().role).toBe('follower');
    c.tick(0.01);
    expect(c.status().role).toBe('pre-candidate');
  });

  it('tick(0) only fires a timer already due, and a negative or non-finite elapsed is refused', () => {
    const c = follower();
    c.tick(0);
    expect(c.status().role).toBe('follower');
    expect(() => c.tick(-1)).toThrow(RangeError);
    expect(() => c.tick(Number.NaN)).toThrow(RangeError);
    expect(() => c.tick(Infinity)).toThrow(RangeError);
  });

  it('no deadline on a leader, nor on a node that does not campaign (a learner)', () => {
    const leader = core({ voters: [1] });
    leader.campaign();
    expect(leader.status().role).toBe('leader');
    expect(leader.electionDueIn()).toBe(Infinity);
    const learner = core({ voters: [2, 3] });
    expect(learner.electionDueIn()).toBe(Infinity);
  });

  it("a leader's heartbeat fires after its ticks even when time comes in tenths", () => {
    const c = core({ voters: [1, 2] });
    c.campaign();
    c.step({ type: 'pre-vote-response', from: 2, to: 1, term: 1, granted: true });
    c.step({ type: 'vote-response', from: 2, to: 1, term: 1, granted: true });
    expect(c.status().role).toBe('leader');
    c.ready();
    for (let i = 0; i < 49; i++) c.tick(0.1);
    expect(c.ready().messagesBeforePersist.filter((m) => m.type === 'heartbeat')).toHaveLength(0);
    c.tick(0.1);
    expect(c.ready().messagesBeforePersist.filter((m) => m.type === 'heartbeat')).toHaveLength(1);
  });
});

describe('the lease is measured on the same clock (dissertation 4.2.3, 9.6)', () => {
  it('a node that heard from its leader less than the minimum election timeout ago refuses a pre-vote, to the fraction of a tick', () => {
    const c = core({ electionTimeoutMin: 15, electionTimeoutMax: 15.1 }, () => 0.5);
    c.step(heartbeat(2, 1, 1, 0));
    c.ready();
    c.tick(14.99);
    c.step(voteReq(3, 1, 2, 0, 0, 'pre-vote'));
    // Refused in silence (the candidate hears no answer), told as an event.
    expect(c.ready().events).toContainEqual(
      expect.objectContaining({ type: 'vote-cast', candidate: 3, granted: false, reason: 'leader-alive' }),
    );
    c.tick(0.01);
    c.step(voteReq(3, 1, 2, 0, 0, 'pre-vote'));
    expect(c.ready().messages).toContainEqual(expect.objectContaining({ type: 'pre-vote-response', to: 3, granted: true }));
  });
});
