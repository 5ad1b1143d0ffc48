// The automatic solution of exercise 12 on a real cluster: every step is seen done, in order.
import { describe, expect, it } from 'vitest';
import { membership } from '../../src/exercises/catalog/membership.js';
import { solve } from './helpers.js';

describe('the automatic solution of exercise 12 checks every step, in order', () => {
  it.each([[membership, 'normal']] as const)('$id', async (exercise, speed) => {
    expect(await solve(exercise, speed)).toEqual(exercise.steps.map((s) => s.id));
  });
});
