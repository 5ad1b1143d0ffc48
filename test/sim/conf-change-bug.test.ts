// The single-server change bug (Ongaro, raft-dev 2015, "bug in single-server membership changes"),
// played step by step on the simulator. With the conf-change-before-term-commit switch on, a new
// leader appends a configuration change before it has committed an entry of its own term; with a
// change made by the previous leader that it never saw, the two configurations have disjoint
// majorities and two nodes lead the same term. With the rule on, the new leader refuses the change.
//
// The thread's trace, with a=n1, b=n2, c=n3, d=n4 and u=n5:
//   C0 = {1,2,3,4}, n1 leads term 1 and adds n5 as a learner (committed everywhere).
//   n1, cut off with n5, promotes n5: Cu = {1,2,3,4,5} reaches n5 only.
//   n4 is elected in term 2 by {2,3,4} (a majority of C0); with the bug it removes n1 at once:
//   Cr = {2,3,4}, which reaches n3 only and is committed by {3,4}, a majority of Cr.
//   Term 3: n3 is elected by {3,4} (a majority of Cr), and n1 by {1,2,5} (a majority of Cu): n2
//   never saw term 2's entries, so n1's log (ending with Cu, term 1) is as up to date as its own.
import { describe, expect, it } from 'vitest';
import { knownBugs } from '../../src/raft/config.js';
import { SimCluster } from '../../src/sim/cluster.js';

/**
 * Elections are driven by the script (campaign), never by a timer: timeouts far beyond the run, and
 * PreVote and CheckQuorum off so that a vote is granted on the log alone (the bug needs neither).
 */
function cluster(bug: boolean): SimCluster {
  return new SimCluster({
    nodes: 4,
    seed: 7,
    raft: {
      electionTimeoutMin: 10_000,
      electionTimeoutMax: 10_001,
      preVote: false,
      checkQuorum: false,
      bugs: knownBugs(bug ? ['conf-change-before-term-commit'] : []),
    },
  });
}

const TICKS = 200;

/** Plays the thread's trace; returns the answer to n4's removal of n1 and the cluster. */
function play(bug: boolean): { c: SimCluster; removal: ReturnType<SimCluster['remove']> } {
  const c = cluster(bug);
  c.campaign(1);
  expect(c.runUntil(() => c.leader() === 1, TICKS)).toBe(true);
  expect(c.one('x', 4)).toBeGreaterThan(0);

  // n1 adds n5 as a learner; the change commits and n5 catches up.
  const { id: u, result } = c.addLearner();
  expect(u).toBe(5);
  expect(result.ok).toBe(true);
  expect(
    c.runUntil(() => c.status(1)!.progress[5]?.match === c.status(1)!.lastIndex && c.status(1)!.commit === c.status(1)!.lastIndex, TICKS),
  ).toBe(true);

  // n1, cut off with n5, promotes it: Cu reaches n5 only and is not committed.
  c.partition([1, 5], [2, 3, 4]);
  const promote = c.promote(5);
  expect(promote.ok).toBe(true);
  expect(c.runUntil(() => c.status(5)!.lastIndex === c.status(1)!.lastIndex, TICKS)).toBe(true);
  expect(c.status(1)!.membership.voters).toEqual([1, 2, 3, 4, 5]);

  // n4 is elected in term 2 by {2,3,4}; its first entries will reach n3 only.
  c.campaign(4);
  expect(c.runUntil(() => c.role(4) === 'leader', TICKS)).toBe(true);
  c.partition([1, 5], [2], [3, 4]);
  const removal = c.remove(1);
  c.runFor(20);
  return { c, removal };
}

/** Term 3: n3 campaigns (reaching n4), then n1 twice (reaching n2 and n5; term 2 is n2's already). */
function termThree(c: SimCluster): void {
  c.campaign(3);
  c.runFor(10);
  c.partition([1, 2, 5], [3, 4]);
  c.campaign(1); // term 2: n2 already voted for n4 in it
  c.runFor(10);
  c.campaign(1); // term 3
  c.runFor(10);
}

describe('conf-change-before-term-commit (the single-server change bug)', () => {
  it('with the bug on: two configurations with disjoint majorities elect two leaders in term 3', () => {
    const { c, removal } = play(true);
    expect(removal.ok).toBe(true);
    // Cr = {2,3,4} is committed by {3,4} alone.
    expect(c.status(4)!.membership.voters).toEqual([2, 3, 4]);
    expect(c.status(4)!.commit).toBe(c.status(4)!.lastIndex);
    expect(c.violation).toBeNull();
    termThree(c);
    expect(c.role(3)).toBe('leader');
    expect(c.role(1)).toBe('leader');
    expect(c.term(3)).toBe(3);
    expect(c.term(1)).toBe(3);
    expect(c.violation?.property, c.traceLines(40).join('\n')).toBe('election-safety');
    expect(c.violation?.detail).toBe('n1 and n3 are both leader of term 3 (n3 since t=' + String(c.checks!.leaders.get(3)?.tick) + ')');
  });

  it('with the rule: the new leader refuses the change until its term has an entry committed, and no term has two leaders', () => {
    const { c, removal } = play(false);
    expect(removal).toMatchObject({ ok: false, reason: 'config-change-pending' });
    expect(c.status(4)!.membership.voters).toEqual([1, 2, 3, 4]);
    termThree(c);
    // n1 wins term 3 with {1,2,5}; n3 reaches only n4, two votes of C0's four.
    expect(c.role(1)).toBe('leader');
    expect(c.role(3)).not.toBe('leader');
    c.heal();
    c.runFor(100);
    expect(c.violation, c.traceLines(40).join('\n')).toBeNull();
  });
});
