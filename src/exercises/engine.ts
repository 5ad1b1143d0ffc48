// An exercise on the engine its cluster runs (issue 15): on raft-console as written; on etcd in its
// etcd form (the differences its `etcd` field lists over its own fields), or refused with the reason
// it gives. The session, `exercise start` and `exercise check` all take the exercise from here.
import type { EngineKind } from '../cluster-model/engine.js';
import type { Lang } from './lang.js';
import type { Exercise, Texts } from './types.js';

export type ExerciseProblem = { code: 'not-on-engine'; exercise: string; engine: EngineKind; why: Texts };

/** An exercise asked of an engine it does not run on. The message is the English sentence; programs read `problem`. */
export class ExerciseError extends Error {
  override readonly name = 'ExerciseError';

  constructor(readonly problem: ExerciseProblem) {
    super(notOnEngine(problem, 'en'));
  }
}

/** The refusal in one line, in the learner's language. */
export function notOnEngine(p: ExerciseProblem, lang: Lang): string {
  return lang === 'zh'
    ? `练习 ${p.exercise} 不能在 ${p.engine} 上运行：${p.why.zh}`
    : `exercise ${p.exercise} does not run on ${p.engine}: ${p.why.en}`;
}

/** Why the exercise does not run on that engine, or null when it does. */
export function whyNotOn(exercise: Exercise, engine: EngineKind): Texts | null {
  return engine === 'etcd' && !exercise.etcd.runs ? exercise.etcd.why : null;
}

/**
 * The exercise as it runs on `engine`: itself on raft-console, its etcd form on etcd. Throws an
 * ExerciseError for an exercise that does not run there.
 */
export function exerciseOn(exercise: Exercise, engine: EngineKind): Exercise {
  if (engine !== 'etcd') return exercise;
  const support = exercise.etcd;
  if (!support.runs) throw new ExerciseError({ code: 'not-on-engine', exercise: exercise.id, engine, why: support.why });
  const d = support.differs;
  if (d === undefined) return exercise;
  const texts = d.stepTexts ?? {};
  const steps = (d.steps ?? exercise.steps).map((s) => (texts[s.id] === undefined ? s : { ...s, ...texts[s.id] }));
  const { trigger: _trigger, ...rest } = exercise;
  const trigger = d.trigger === undefined ? exercise.trigger : d.trigger;
  return {
    ...rest,
    setup: d.setup ?? exercise.setup,
    goal: d.goal ?? exercise.goal,
    prediction: d.prediction ?? exercise.prediction,
    steps,
    ...(trigger === null || trigger === undefined ? {} : { trigger }),
    explanation: d.explanation ?? exercise.explanation,
    ...(d.solution === undefined ? {} : { solution: d.solution }),
    ...(d.prepare === undefined ? {} : { prepare: d.prepare }),
  };
}
