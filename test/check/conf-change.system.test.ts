// `check` catches conf-change-before-term-commit on real processes: a new leader that changes the
// configuration before it has committed an entry of its term (Ongaro, raft-dev 2015) lets a change
// left in a minority by the old leader and its own have disjoint majorities. The conf-change
// episode (src/check/aimed/conf-change.ts) plays the thread's trace in step mode on four voters,
// every message delivered by hand, so the same two leaders share a term in every run; PreVote and
// CheckQuorum are off since the followers' lease never runs out while the clocks stand still.
// Afterwards the cluster (the old leader removed, the learner left in) converges and answers reads.
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

test('with conf-change-before-term-commit, the conf-change episode elects two leaders in one term', async () => {
  const s = await expectCaught(cli, 'conf-change-before-term-commit', [
    ...['--nodes', '4', '--speed', 'normal', '--duration', '5s', '--nemesis', 'transfer', '--seed', '5'],
    ...['--no-pre-vote', '--no-check-quorum', '--bug', 'conf-change-before-term-commit'],
  ]);
  expect(s.faults.aimed?.map((a) => [a.name, a.failed, a.errors])).toEqual([['conf-change', 0, []]]);
  const check = (name: string): boolean | null | undefined => s.checks.find((c) => c.name === name)?.ok;
  expect(check('one leader per term')).toBe(false);
  expect(s.checks.find((c) => c.name === 'safety monitor')?.text).toMatch(/^Election Safety: n\d and n\d are both leader of term \d+$/);
  // The mend leaves a cluster that answers: every member holds the same log, every final read came back.
  expect(check('converged')).toBe(true);
  expect(s.finals.every((f) => f.value !== undefined)).toBe(true);
});
