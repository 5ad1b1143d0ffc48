// The aimed episodes of `check` (src/check/aimed/) on real processes: each catches its bug in most
// runs, not in all (the moments are real time: docs/CHECK.md gives the rates measured), so these
// run apart from `npm test`, with `npm run test:teeth`, to measure them.
// - commit-previous-term with skip-noop: the Figure 8 episode (src/check/aimed/figure8.ts).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Cli } from '../cli/helpers.js';
import { expectCaught } from './caught.js';

let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

test('a cluster with the commit-previous-term and skip-noop bugs fails the check: the Figure 8 episode', async () => {
  const s = await expectCaught(cli, 'commit-previous-term', [
    ...['--nodes', '3', '--speed', 'fast', '--duration', '8s', '--nemesis', 'campaign', '--seed', '2'],
    ...['--clients', '4', '--rate', '40', '--no-check-quorum', '--bug', 'commit-previous-term', '--bug', 'skip-noop'],
  ]);
  expect(s.cluster.switches).toContain('BUG skip-noop ON');
  expect(s.faults.aimed?.map((a) => a.name)).toEqual(['figure-8']);
  expect(s.faults.aimed![0]!.runs).toBeGreaterThan(0);
});
