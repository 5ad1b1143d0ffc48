// Random fault schedules: deterministic, and no property breaks with the core as it is.
import { describe, expect, it } from 'vitest';
import { runSeed, type SeedResult } from '../../src/sim/schedule.js';

/** The failure message of a randomized test: the seed, what broke, the trace and how to replay it. */
function explain(r: SeedResult): string {
  const v = r.violation;
  if (v === undefined) return '';
  return `seed ${r.seed} broke ${v.property} at t=${v.tick}: ${v.detail}\n${v.trace.join('\n')}\nreplay: ${v.replay}`;
}

describe('random schedules', () => {
  it('same seed gives the same trace', () => {
    const run = (): string[] => {
      const lines: string[] = [];
      const r = runSeed(17, { nodes: 5, onTrace: (l) => lines.push(l) });
      lines.push(JSON.stringify({ ...r, violation: undefined }));
      return lines;
    };
    const a = run();
    expect(a.length).toBeGreaterThan(1000);
    expect(run()).toEqual(a);
  });

  it('different seeds give different runs', () => {
    expect(runSeed(1, { nodes: 5 })).not.toEqual(runSeed(2, { nodes: 5 }));
  });

  it('200 random seeds with 5 nodes break no property', () => {
    let elections = 0;
    let commits = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const r = runSeed(seed, { nodes: 5 });
      expect(r.violation, explain(r)).toBeUndefined();
      elections += r.elections;
      commits += r.commits;
    }
    // The schedules do make the cluster work: elections happen and entries commit.
    expect(elections).toBeGreaterThan(1000);
    expect(commits).toBeGreaterThan(10_000);
  });

  it('50 random seeds with 3 nodes break no property', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const r = runSeed(seed, { nodes: 3 });
      expect(r.violation, explain(r)).toBeUndefined();
    }
  });
});
