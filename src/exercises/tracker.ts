// Follows a learner through an exercise: fed the cluster's model and its events as they happen, it
// checks the current step on the model, then after every event (so a step only counts what
// happened after the step before it was done), remembers the facts the steps saw, and gives the panel's content in one
// language. It never looks at a clock: what is done is decided by the cluster's events and model.
// It also tells when a fault of the learner's took the current step off its path: a need of the
// step (Step.needs) that no longer holds, and the actions that set the step up again.
import type { Action, ClusterEvent, ClusterModel } from '../cluster-model/index.js';
import type { Lang } from './lang.js';
import type { Exercise, ExercisePanelView, Facts, Need, StepChange, StepContext, Texts } from './types.js';

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
  /** The current step's needs that do not hold now (empty while it is on its path, or every step is done). */
  offPath(): readonly Need[];
  /**
   * What sets the current step up again when it is off its path and every broken need can be
   * restored: the actions, in order, and the step to go back to once they are done (Need.rewind),
   * if any; null otherwise.
   */
  restore(): SetUp | null;
  /** Goes back to the step `id`: it and the steps after it are not done, and their facts are forgotten. */
  rewind(id: string): void;
}

export interface SetUp {
  actions: readonly Action[];
  rewind: string | null;
}

export interface TrackerOptions {
  /** The cluster's name, for the commands shown with the hints (`--name`), when not the default. */
  cluster?: string;
}

/** What the trigger key offers while the step is off its path. */
export const SET_UP_AGAIN: Texts = { en: 'set the step up again', zh: '重新布置这一步' };

/** " (text)" in English; "（text）" in Chinese, whose punctuation is full-width. */
function inParens(lang: Lang, text: string): string {
  return lang === 'zh' ? `（${text}）` : ` (${text})`;
}

export function createTracker(exercise: Exercise, lang: Lang, options: TrackerOptions = {}): Tracker {
  const steps = exercise.steps;
  const events: ClusterEvent[] = [];
  let facts: Facts = {};
  /** For each done step, the facts it remembered (to forget them on a rewind). */
  const stepFacts: Facts[] = [];
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
      stepFacts.push(typeof result === 'object' ? result : {});
      const at = Date.now();
      changes.push({ id: step.id, number: current() + 1, text: step.text[lang], at });
      seenAt.push(events.length);
      doneAt.push(at);
    }
  };

  const offPath = (): readonly Need[] => {
    const step = steps[current()];
    if (model === null || step?.needs === undefined) return [];
    const ctx = context();
    return step.needs.filter((n) => !n.holds(ctx));
  };

  const restore = (): SetUp | null => {
    const broken = offPath();
    if (broken.length === 0 || broken.some((n) => n.restore === undefined)) return null;
    const ctx = context();
    // Going back to an earlier step sets up from there: the other needs belong to steps that will
    // be done again, and their actions could undo this set-up (restart what it stops).
    const back = broken.flatMap((n) => (n.rewind === undefined ? [] : [indexOf(n.rewind)]));
    const to = back.length === 0 ? null : steps[Math.min(...back)]!.id;
    const actions = broken.filter((n) => to === null || n.rewind === to).flatMap((n) => n.restore!(ctx));
    // A need that cannot be restored by actions (a node removed) says so with no action.
    if (actions.length === 0 && to === null) return null;
    return { actions, rewind: to };
  };

  const rewind = (id: string): void => {
    const i = indexOf(id);
    if (i >= current()) return;
    seenAt.length = i;
    doneAt.length = i;
    stepFacts.length = i;
    facts = Object.assign({}, ...stepFacts) as Facts;
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
      const broken = offPath();
      // Off its path, the key sets the step up again instead of running the trigger, which counts on it.
      const label = broken.length > 0 ? (restore() === null ? null : SET_UP_AGAIN) : offered ? trigger.label(context()) : null;
      const ctx = broken.length > 0 ? context() : null;
      return {
        number: exercise.number,
        title: exercise.title[lang],
        goal: exercise.goal[lang],
        prediction: revealed ? null : exercise.prediction.question[lang],
        answer: revealed ? exercise.prediction.answer[lang] : null,
        steps: steps.map((s, i) => ({ text: s.text[lang], done: i < now, current: i === now })),
        hint:
          hint && step !== undefined
            ? `${step.hint[lang]}${step.command === undefined ? '' : inParens(lang, `raft-console ${step.command}${nameFlag}`)}`
            : null,
        command: step?.command ?? null,
        explanation: step === undefined ? exercise.explanation[lang] : null,
        trigger: label === null ? null : { label: label[lang] },
        detour: ctx === null ? null : { what: broken.map((n) => n.broken(ctx)[lang]), fix: broken.map((n) => n.fix(ctx)[lang]) },
      };
    },

    get done() {
      return current() === steps.length;
    },

    progress() {
      return steps.map((s, i) => ({ id: s.id, text: s.text[lang], done: i < current(), at: doneAt[i] ?? null }));
    },

    context,
    offPath,
    restore,
    rewind,
  };
}
