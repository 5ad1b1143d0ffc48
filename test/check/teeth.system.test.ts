// `check` has teeth: on a cluster whose nodes grant votes without the log check of section 5.4.1
// (the vote-without-log-check bug), partitions are enough to break it. A node cut off alone keeps
// raising its term (no PreVote); when the partition heals, its higher term wins it the votes of
// nodes whose logs are ahead of its own, and as leader it overwrites entries a majority held (a
// follower refuses to replace an entry it knows is committed, but one whose commit it has not yet
// heard of it replaces). The check must say so and exit 1.
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

test('a cluster with the vote-without-log-check bug fails the check under partitions', async () => {
  const r = await cli.run(
    'check',
    ...['--nodes', '3', '--speed', 'fast', '--duration', '8s', '--nemesis', 'partition', '--seed', '13'],
    ...['--no-pre-vote', '--no-check-quorum', '--bug', 'vote-without-log-check', '--json'],
  );
  expect(r.code, r.stderr + r.stdout.slice(0, 4000)).toBe(1);
  const s = JSON.parse(r.stdout) as RunSummary;
  expect(s.result).toBe('violation');
  expect(s.cluster.switches).toContain('BUG vote-without-log-check ON');
  // A safety finding, not only a cluster that failed to settle: committed entries differ between
  // nodes, or the clients saw a history no single copy of the data explains.
  const safety = s.checks.filter((c) => c.name !== 'settled' && c.ok === false).map((c) => c.name);
  if (s.linearizability.result === 'not-linearizable') safety.push('linearizable');
  expect(safety, JSON.stringify(s.checks, null, 1)).not.toEqual([]);
});
