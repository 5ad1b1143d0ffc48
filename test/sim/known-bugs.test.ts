// The simulator has teeth: with each of the core's known-bug switches on, a seed-driven search
// finds a broken property within a bounded number of seeds.
import { describe, expect, it } from 'vitest';
import type { Property } from '../../src/sim/invariants.js';
import { runSeed, type BugName, type SeedResult } from '../../src/sim/schedule.js';

const found = new Map<BugName, SeedResult | null>();

/** Runs seeds 1, 2, ... until one breaks a property; null when none of the first `limit` did. */
function firstFailure(bug: BugName, limit: number): SeedResult | null {
  if (!found.has(bug)) {
    let hit: SeedResult | null = null;
    for (let seed = 1; seed <= limit && hit === null; seed++) {
      const r = runSeed(seed, { nodes: 5, bug });
      if (r.violation !== undefined) hit = r;
    }
    found.set(bug, hit);
  }
  return found.get(bug) ?? null;
}

function expectFound(bug: BugName, limit: number, expected: Property[]): void {
  const r = firstFailure(bug, limit);
  expect(r, `no seed in 1..${limit} broke a property with --bug ${bug}`).not.toBeNull();
  const v = r!.violation!;
  expect(expected, `seed ${r!.seed}: ${v.property}: ${v.detail}\nreplay: ${v.replay}`).toContain(v.property);
  expect(v.replay).toBe(`npm run sim -- --seed ${r!.seed} --nodes 5 --bug ${bug} --trace`);
  expect(v.trace.length).toBeGreaterThan(10);
}

describe('the simulator finds known bugs', () => {
  it('finds the Figure 8 bug (committing an old-term entry by counting replicas) within 600 seeds', () => {
    // A new leader that commits an earlier term's entry once it is on a majority; another node,
    // holding a different entry of a later term there, is elected next and overwrites it. Rarer
    // since the simulator models a write's latency and a leader's appends leave before its own
    // write: the first seed to show it went from 9 to 557 (measured, not explained). Seeds are
    // deterministic, so the bound cannot flake; a schedule aimed at Figure 8 would find it sooner.
    expectFound('commit-previous-term', 600, ['leader-completeness', 'state-machine-safety', 'log-matching']);
  });

  it('finds a vote granted without the log check within 50 seeds', () => {
    expectFound('vote-without-log-check', 50, ['leader-completeness', 'state-machine-safety', 'log-matching']);
  });

  it('finds a double vote after a restart (vote not persisted) within 200 seeds', () => {
    expectFound('vote-not-persisted', 200, ['election-safety']);
  });

  it('finds a stale read served by a leader that did not confirm its leadership within 20 seeds', () => {
    // A leader that answers reads from its own state (no ReadIndex round, 6.4) serves a read that
    // misses a write acknowledged before the read began: cut off in a minority while a newer leader
    // commits, or newly elected before it has committed an entry of its term.
    expectFound('read-without-quorum', 20, ['linearizable-reads']);
  });

  it('the same seeds break nothing without the bug', () => {
    for (const [bug, r] of found) {
      if (r === null) continue;
      const clean = runSeed(r.seed, { nodes: 5 });
      expect(clean.violation, `seed ${r.seed} fails without --bug ${bug} too`).toBeUndefined();
    }
  });
});
