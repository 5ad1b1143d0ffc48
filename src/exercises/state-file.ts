// exercise.json in an exercise cluster's folder: which exercise runs there and which steps are
// done, rewritten whenever a step is done. `exercise check` reads it from another terminal; its
// presence also marks the folder as an exercise's, which the next exercise may delete. It says the
// engine too, so that `exercise check` shows the steps of the exercise's form for that engine.
import { join } from 'node:path';
import { ENGINE_KINDS, type EngineKind } from '../cluster-model/engine.js';
import { array, boolean, field, object, oneOf, string, uint } from '../schema/json-shape.js';
import { readJsonOrNull, writeJsonAtomic } from '../storage/json-file.js';
import { LANGS, type Lang } from './lang.js';
import type { StepProgress } from './tracker.js';

export const EXERCISE_FILE = 'exercise.json';

export interface ExerciseState {
  exercise: string;
  number: number;
  lang: Lang;
  /** The engine its cluster runs. */
  engine: EngineKind;
  startedAt: number;
  done: boolean;
  steps: StepProgress[];
}

export async function writeExerciseState(folder: string, state: ExerciseState): Promise<void> {
  await writeJsonAtomic(join(folder, EXERCISE_FILE), state);
}

function readStep(steps: unknown[], i: number): StepProgress {
  const where = `steps[${i}]`;
  const s = object(field(steps, i), where);
  return {
    id: string(s, 'id', where),
    text: string(s, 'text', where),
    done: boolean(s, 'done', where),
    at: field(s, 'at') === null ? null : uint(s, 'at', where),
  };
}

function readState(value: unknown): ExerciseState {
  const o = object(value, EXERCISE_FILE);
  const steps = array(o, 'steps');
  return {
    exercise: string(o, 'exercise'),
    number: uint(o, 'number'),
    lang: oneOf(o, 'lang', LANGS),
    // Absent in a file written before there were engines: raft-console's own.
    engine: field(o, 'engine') === undefined ? 'raft-console' : oneOf(o, 'engine', ENGINE_KINDS),
    startedAt: uint(o, 'startedAt'),
    done: boolean(o, 'done'),
    steps: steps.map((_, i) => readStep(steps, i)),
  };
}

/** The state, or null when the folder holds no exercise (or a file that is not one). */
export async function readExerciseState(folder: string): Promise<ExerciseState | null> {
  return readJsonOrNull(join(folder, EXERCISE_FILE), readState, () => null);
}
