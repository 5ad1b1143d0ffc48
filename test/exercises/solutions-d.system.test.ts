// The automatic solution of exercise 11 on real clusters: every step is seen done, in order (both
// halves: the stale read with the bug, the refused read without it).
import { describe, expect, it } from 'vitest';
import { staleRead } from '../../src/exercises/catalog/stale-read.js';
import { solve } from './helpers.js';

describe('the automatic solution of exercise 11 checks every step, in order', () => {
  it.each([[staleRead, 'normal']] as const)('$id', async (exercise, speed) => {
    expect(await solve(exercise, speed)).toEqual(exercise.steps.map((s) => s.id));
  });
});
