// The automatic solutions of exercises 8-10 on real clusters: every step is seen done, in order.
import { describe, expect, it } from 'vitest';
import { disruptiveServer } from '../../src/exercises/catalog/disruptive-server.js';
import { newNode } from '../../src/exercises/catalog/new-node.js';
import { whyTheRules } from '../../src/exercises/catalog/why-the-rules.js';
import { solve } from './helpers.js';

describe('the automatic solutions of exercises 8-10 check every step, in order', () => {
  it.each([
    [newNode, 'normal'],
    [disruptiveServer, 'normal'],
    [whyTheRules, 'normal'],
  ] as const)('$id', async (exercise, speed) => {
    expect(await solve(exercise, speed)).toEqual(exercise.steps.map((s) => s.id));
  });
});
