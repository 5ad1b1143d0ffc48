// `check` has teeth: every known-bug switch is caught on real processes, each with a fixed seed.
// - vote-without-log-check: partitions are enough. A node cut off alone keeps raising its term (no
//   PreVote); when the partition heals, its higher term wins it the votes of nodes whose logs are
//   ahead of its own, and as leader it overwrites entries a majority held (a follower refuses to
//   replace an entry it knows is committed, but one whose commit it has not yet heard of it
//   replaces).
// - commit-previous-term with skip-noop: the nemesis's Figure 8 episode (src/check/aimed/figure8.ts).
// - vote-not-persisted: the vote-restart episode (src/check/aimed/vote-restart.ts).
// The check must say so and exit 1. Seeds and measured catch rates: docs/CHECK.md.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunSummary } from '../../src/check/run-report.js';
import { Cli } from '../cli/helpers.js';

let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

/** Runs `check --json` with `args`; expects a violation that is a safety finding, and returns the summary. */
async function expectCaught(bug: string, args: string[]): Promise<RunSummary> {
  const r = await cli.run('check', ...args, '--json');
  expect(r.code, r.stderr + r.stdout.slice(0, 4000)).toBe(1);
  const s = JSON.parse(r.stdout) as RunSummary;
  expect(s.result).toBe('violation');
  expect(s.cluster.switches).toContain(`BUG ${bug} ON`);
  // A safety finding, not only a cluster that failed to settle: committed entries differ between
  // nodes, two leaders shared a term, or the clients saw a history no single copy of the data explains.
  const safety = s.checks.filter((c) => c.name !== 'settled' && c.ok === false).map((c) => c.name);
  if (s.linearizability.result === 'not-linearizable') safety.push('linearizable');
  expect(safety, JSON.stringify(s.checks, null, 1)).not.toEqual([]);
  return s;
}

test('a cluster with the vote-without-log-check bug fails the check under partitions', async () => {
  await expectCaught('vote-without-log-check', [
    ...['--nodes', '3', '--speed', 'fast', '--duration', '8s', '--nemesis', 'partition', '--seed', '13'],
    ...['--no-pre-vote', '--no-check-quorum', '--bug', 'vote-without-log-check'],
  ]);
});

test('a cluster with the commit-previous-term and skip-noop bugs fails the check: the Figure 8 episode', async () => {
  const s = await expectCaught('commit-previous-term', [
    ...['--nodes', '3', '--speed', 'fast', '--duration', '8s', '--nemesis', 'campaign', '--seed', '2'],
    ...['--clients', '4', '--rate', '40', '--no-check-quorum', '--bug', 'commit-previous-term', '--bug', 'skip-noop'],
  ]);
  expect(s.cluster.switches).toContain('BUG skip-noop ON');
  expect(s.faults.aimed?.map((a) => a.name)).toEqual(['figure-8']);
  expect(s.faults.aimed![0]!.runs).toBeGreaterThan(0);
});

test('a cluster with the vote-not-persisted bug fails the check: the vote-restart episode elects two leaders in a term', async () => {
  const s = await expectCaught('vote-not-persisted', [
    ...['--nodes', '3', '--speed', 'normal', '--duration', '12s', '--nemesis', 'campaign', '--seed', '12'],
    ...['--clients', '4', '--rate', '40', '--bug', 'vote-not-persisted'],
  ]);
  expect(s.faults.aimed?.map((a) => a.name)).toEqual(['vote-restart']);
  expect(s.checks.find((c) => c.name === 'one leader per term')?.ok).toBe(false);
});
