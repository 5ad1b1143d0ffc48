// `check` has teeth: a known-bug switch is caught on real processes, with a fixed seed.
// - vote-without-log-check: partitions are enough. A node cut off alone keeps raising its term (no
//   PreVote); when the partition heals, its higher term wins it the votes of nodes whose logs are
//   ahead of its own, and as leader it overwrites entries a majority held (a follower refuses to
//   replace an entry it knows is committed, but one whose commit it has not yet heard of it
//   replaces).
// The check must say so and exit 1. The other switches have aimed episodes in step mode, each with
// its own test: figure8 (commit-previous-term, skip-noop), vote-restart (vote-not-persisted),
// stale-read (read-without-quorum) and conf-change (conf-change-before-term-commit).
import { afterAll, beforeAll, test } from 'vitest';
import { Cli } from '../cli/helpers.js';
import { expectCaught } from './caught.js';

let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

test('a cluster with the vote-without-log-check bug fails the check under partitions', async () => {
  await expectCaught(cli, 'vote-without-log-check', [
    ...['--nodes', '3', '--speed', 'fast', '--duration', '8s', '--nemesis', 'partition', '--seed', '13'],
    ...['--no-pre-vote', '--no-check-quorum', '--bug', 'vote-without-log-check'],
  ]);
});
