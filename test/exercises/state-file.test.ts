// exercise.json: what `exercise check` reads from another terminal, the engine included, so that
// it shows the steps of the form the exercise runs in on that engine.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXERCISE_FILE, readExerciseState, writeExerciseState, type ExerciseState } from '../../src/exercises/state-file.js';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'raft-console-exercise-state-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const state: ExerciseState = {
  exercise: 'minority-partition',
  number: 6,
  lang: 'en',
  engine: 'etcd',
  startedAt: 1_700_000_000_000,
  done: false,
  steps: [{ id: 'leader', text: 'Wait until a leader is elected and every node follows it.', done: true, at: 1_700_000_001_000 }],
};

describe('the exercise state file', () => {
  it('remembers the engine the exercise runs on', async () => {
    await writeExerciseState(folder, state);
    expect(await readExerciseState(folder)).toEqual(state);
  });

  it('reads a file written before there were engines as raft-console', async () => {
    const { engine: _engine, ...old } = state;
    await writeFile(join(folder, EXERCISE_FILE), JSON.stringify(old));
    expect((await readExerciseState(folder))?.engine).toBe('raft-console');
  });

  it('takes a file naming an engine it does not know for no exercise', async () => {
    await writeExerciseState(folder, state);
    const text = (await readFile(join(folder, EXERCISE_FILE), 'utf8')).replace('"etcd"', '"zookeeper"');
    await writeFile(join(folder, EXERCISE_FILE), text);
    expect(await readExerciseState(folder)).toBeNull();
  });
});
