// `check` catches vote-not-persisted on real processes: a node that forgets its vote across a
// restart votes twice in one term (section 5.2, Figure 2). The vote-restart episode
// (src/check/aimed/vote-restart.ts) drives step mode, so no moment is left to the clocks: the
// leader hands leadership to one follower, grants it its vote in the new term, is restarted inside
// that term, and then grants the other follower (which never heard of the term) its vote in it too.
// Two leaders share the term; the check says so and exits 1. The episode runs only on a cluster
// with the bug.
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

test('a cluster with the vote-not-persisted bug fails the check: the vote-restart episode elects two leaders in a term', async () => {
  const s = await expectCaught(cli, 'vote-not-persisted', [
    ...['--nodes', '3', '--speed', 'normal', '--duration', '3s', '--nemesis', 'transfer', '--seed', '12'],
    ...['--clients', '4', '--rate', '40', '--bug', 'vote-not-persisted'],
  ]);
  // Only the bug: PreVote and CheckQuorum are on, as by default, and do not stop it.
  expect(s.cluster.switches).toBe('BUG vote-not-persisted ON');
  expect(s.faults.aimed?.map((a) => ({ name: a.name, failed: a.failed }))).toEqual([{ name: 'vote-restart', failed: 0 }]);
  expect(s.faults.aimed![0]!.runs).toBeGreaterThan(0);
  const oneLeader = s.checks.find((c) => c.name === 'one leader per term');
  expect(oneLeader?.ok, oneLeader?.text).toBe(false);
});
