// exercise.json in an exercise cluster's folder: which exercise runs there and which steps are
// done, rewritten whenever a step is done. `exercise check` reads it from another terminal; its
// presence also marks the folder as an exercise's, which the next exercise may delete.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lang } from './lang.js';
import type { StepProgress } from './tracker.js';

export const EXERCISE_FILE = 'exercise.json';

export interface ExerciseState {
  exercise: string;
  number: number;
  lang: Lang;
  startedAt: number;
  done: boolean;
  steps: StepProgress[];
}

export async function writeExerciseState(folder: string, state: ExerciseState): Promise<void> {
  const path = join(folder, EXERCISE_FILE);
  await writeFile(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

/** The state, or null when the folder holds no exercise (or a file cut short). */
export async function readExerciseState(folder: string): Promise<ExerciseState | null> {
  try {
    return JSON.parse(await readFile(join(folder, EXERCISE_FILE), 'utf8')) as ExerciseState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || err instanceof SyntaxError) return null;
    throw err;
  }
}
