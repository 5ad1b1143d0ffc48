// The automatic solutions of exercises 1-4 on real clusters: every step is seen done, in order.
import { describe, expect, it } from 'vitest';
import { firstElection } from '../../src/exercises/catalog/first-election.js';
import { followerFailure } from '../../src/exercises/catalog/follower-failure.js';
import { leaderFailure } from '../../src/exercises/catalog/leader-failure.js';
import { replication } from '../../src/exercises/catalog/replication.js';
import { solve } from './helpers.js';

describe('the automatic solutions of exercises 1-4 check every step, in order', () => {
  it.each([
    [firstElection, 'normal'],
    [replication, 'normal'],
    [leaderFailure, 'normal'],
    [followerFailure, 'normal'],
  ] as const)('$id', async (exercise, speed) => {
    expect(await solve(exercise, speed)).toEqual(exercise.steps.map((s) => s.id));
  });
});
