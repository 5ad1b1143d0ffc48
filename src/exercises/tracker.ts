// Follows a learner through an exercise: fed the cluster's model and its events as they happen, it
// checks the current step on the model, then after every event (so a step only counts what
// happened after the step before it was done), remembers the facts the steps saw, and gives the panel's content in one
// language. It never looks at a clock: what is done is decided by the cluster's events and model.
import type { ClusterEvent, ClusterModel } from '../cluster-model/index.js';
import type { Lang } from './lang.js';
import type { Exercise, ExercisePanelView, Facts, StepChange, StepContext } from './types.js';

export interface StepProgress {
  id: string;
  text: string;
  done: boolean;
  /** When it was seen done (ms since the epoch), or null. */
  at: number | null;
}

export interface Tracker {
  /** Feeds a change of the cluster: the model as it is now and the events added since the last call. */
  update(model: ClusterModel, newEvents: readonly ClusterEvent[]): StepChange[];
  view(opts: { hint: boolean }): ExercisePanelView;
  /** Every step is done. */
  readonly done: boolean;
  /** The steps as they stand. */
  progress(): StepProgress[];
  /** What the current step sees: for the trigger and the automatic solution. Needs one update first. */
  context(): StepContext;
}

export interface TrackerOptions {
  /** The cluster's name, for the commands shown with the hints (`--name`), when not the default. */
  cluster?: string;
}

export function createTracker(exercise: Exercise, lang: Lang, options: TrackerOptions = {}): Tracker {
  const steps = exercise.steps;
  const events: ClusterEvent[] = [];
  const facts: Facts = {};
  /** For each done step, how many events had been seen when it was done. */
  const seenAt: number[] = [];
  const doneAt: number[] = [];
  let model: ClusterModel | null = null;
  const nameFlag = options.cluster === undefined || options.cluster === 'default' ? '' : ` --name ${options.cluster}`;

  const current = (): number => seenAt.length;
  const indexOf = (id: string): number => {
    const i = steps.findIndex((s) => s.id === id);
    if (i < 0) throw new Error(`exercise ${exercise.id} has no step "${id}"`);
    return i;
  };

  const context = (): StepContext => {
    if (model === null) throw new Error('the tracker has seen no model yet');
    const m = model;
    return {
      model: m,
      events,
      get since() {
        return events.slice(seenAt.at(-1) ?? 0);
      },
      after: (id) => {
        const at = seenAt[indexOf(id)];
        return at === undefined ? [] : events.slice(at);
      },
      facts,
    };
  };

  /** Checks the current step, and the next ones as long as they are done too. */
  const advance = (changes: StepChange[]): void => {
    while (current() < steps.length) {
      const step = steps[current()]!;
      const result = step.check(context());
      if (result === false) return;
      if (typeof result === 'object') Object.assign(facts, result);
      const at = Date.now();
      changes.push({ id: step.id, number: current() + 1, text: step.text[lang], at });
      seenAt.push(events.length);
      doneAt.push(at);
    }
  };

  return {
    update(m, newEvents) {
      model = m;
      const changes: StepChange[] = [];
      // What the model shows now counts before the events that come with it; each event then
      // counts for the step that is current when it is seen.
      advance(changes);
      for (const e of newEvents) {
        events.push(e);
        advance(changes);
      }
      return changes;
    },

    view({ hint }) {
      const now = current();
      const step = steps[now];
      const revealed = now > indexOf(exercise.prediction.revealAfter);
      const trigger = exercise.trigger;
      // Offered at a step it serves, or once every step is done when it says so (afterDone).
      const offered =
        model !== null && trigger !== undefined && (step === undefined ? trigger.afterDone === true : trigger.steps.includes(step.id));
      const label = offered ? trigger.label(context()) : null;
      return {
        number: exercise.number,
        title: exercise.title[lang],
        goal: exercise.goal[lang],
        prediction: revealed ? null : exercise.prediction.question[lang],
        answer: revealed ? exercise.prediction.answer[lang] : null,
        steps: steps.map((s, i) => ({ text: s.text[lang], done: i < now, current: i === now })),
        hint:
          hint && step !== undefined
            ? `${step.hint[lang]}${step.command === undefined ? '' : ` (raft-console ${step.command}${nameFlag})`}`
            : null,
        command: step?.command ?? null,
        explanation: step === undefined ? exercise.explanation[lang] : null,
        trigger: label === null ? null : { label: label[lang] },
      };
    },

    get done() {
      return current() === steps.length;
    },

    progress() {
      return steps.map((s, i) => ({ id: s.id, text: s.text[lang], done: i < current(), at: doneAt[i] ?? null }));
    },

    context,
  };
}
