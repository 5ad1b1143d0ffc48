// Runs an exercise's automatic solution against a real cluster, started by the exercise session
// in a temporary state folder, and reports what the tracker saw; checks that the solution never
// took a step off its path, and that no node process outlived it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { EngineKind } from '../../src/cluster-model/engine.js';
import type { SpeedPreset } from '../../src/cluster-model/index.js';
import { startSession, type ExerciseSession } from '../../src/exercises/session.js';
import { supervisorLauncher } from '../../src/supervisor/supervisor.js';
import type { Exercise } from '../../src/exercises/types.js';
import { alive, builtModule } from '../supervisor/helpers.js';

/**
 * Runs `body` on a session of the exercise against a real cluster in a temporary state folder
 * (`paced` as a learner's dashboard runs it), then stops the session and removes the folder.
 */
export async function inSession<T>(
  exercise: Exercise,
  o: { name: string; speed: SpeedPreset; paced?: boolean; engine?: EngineKind },
  body: (session: ExerciseSession) => Promise<T>,
): Promise<T> {
  builtModule('cli/main.js');
  const home = await mkdtemp(join(tmpdir(), 'raft-console-exercise-'));
  const session = await startSession({
    exercise,
    lang: 'en',
    launcher: supervisorLauncher,
    folder: { name: o.name, stateDir: home },
    speed: o.speed,
    paced: o.paced,
    engine: o.engine,
  });
  try {
    return await body(session);
  } finally {
    await session.stop();
    await rm(home, { recursive: true, force: true });
  }
}

/** Solves the exercise (its form for `engine`) at `speed`; resolves with the ids of the steps seen done, in order. */
export async function solve(exercise: Exercise, speed: SpeedPreset, engine: EngineKind = 'raft-console'): Promise<string[]> {
  const pids = new Set<number>();
  const seen = await inSession(exercise, { name: exercise.id, speed, engine }, async (session) => {
    // Steps may be done as the cluster starts, before anyone could listen.
    const seen = session.tracker.progress().flatMap((s) => (s.done ? [s.id] : []));
    // The solution's own actions never take a step off its path: a learner doing the same would
    // see the panel cry wolf (free faults, Step.needs).
    const detours: string[] = [];
    const record = (): void => {
      for (const n of session.cluster.model.nodes) if (n.process.pid !== null) pids.add(n.process.pid);
      const detour = session.view({ hint: false }).detour;
      if (detour !== null) detours.push(detour.what.join(' '));
    };
    session.onSteps((changes) => seen.push(...changes.map((c) => c.id)));
    const off = session.cluster.subscribe(record);
    try {
      await session.exercise.solution(session.driver());
    } catch (err) {
      // What the cluster did last, to tell a bug in the exercise from one in the cluster.
      const m = session.cluster.model;
      const story = m.events.slice(-60).map((e) => `  ${e.text}`);
      const crashes = m.nodes
        .filter((n) => n.process.stderrTail.length > 0)
        .map((n) => `  n${n.id} stderr:\n    ${n.process.stderrTail.join('\n    ')}`);
      throw new Error(`${(err as Error).message}\nlast events:\n${story.join('\n')}\n${crashes.join('\n')}`, { cause: err });
    } finally {
      off();
    }
    expect([...new Set(detours)], 'steps taken off their path by the solution itself').toEqual([]);
    return seen;
  });
  expect([...pids].filter(alive), 'node processes left running').toEqual([]);
  return seen;
}
