// The automatic solutions of exercises 5-7 on real clusters: every step is seen done, in order.
import { describe, expect, it } from 'vitest';
import { minorityPartition } from '../../src/exercises/catalog/minority-partition.js';
import { quorumLoss } from '../../src/exercises/catalog/quorum-loss.js';
import { splitVote } from '../../src/exercises/catalog/split-vote.js';
import { solve } from './helpers.js';

describe('the automatic solutions of exercises 5-7 check every step, in order', () => {
  it.each([
    [splitVote, 'normal'],
    [minorityPartition, 'normal'],
    [quorumLoss, 'normal'],
  ] as const)('$id', async (exercise, speed) => {
    expect(await solve(exercise, speed)).toEqual(exercise.steps.map((s) => s.id));
  });
});
