// What a workshop exercise is: the cluster it needs, the steps a learner takes, how each step is
// seen to be done (from the cluster's model and events, never from elapsed time), a prediction to
// make before seeing it, the explanation afterwards in terms of the Raft paper's rules, and an
// automatic solution made of the same actions a learner would take.
import type { Action, ClusterEvent, ClusterModel, RaftSwitches, SpeedPreset } from '../cluster-model/index.js';
import type { NodeId } from '../raft/types.js';
import type { Lang } from './lang.js';

/** Every text an exercise shows, in each language. */
export type Texts = Record<Lang, string>;

/** What a step saw and later steps need, e.g. { leader: 3, term: 2 }: node ids, terms, indexes. */
export type Facts = Record<string, number>;

export interface StepContext {
  /** The cluster now. */
  readonly model: ClusterModel;
  /** Every event since the exercise started, oldest first. */
  readonly events: readonly ClusterEvent[];
  /** The events since the previous step was done: the ones this step may count. */
  readonly since: readonly ClusterEvent[];
  /** The events since the step `id` was done (none while it is not). A plain function, not a method, so that a check may destructure it. */
  readonly after: (id: string) => readonly ClusterEvent[];
  /** What earlier steps remembered. */
  readonly facts: Readonly<Facts>;
}

/** false: not yet; true: done; facts: done, and these are remembered for the steps after it. */
export type CheckResult = boolean | Facts;

export interface Step {
  /** Unique in its exercise, e.g. "kill-leader". */
  id: string;
  text: Texts;
  hint: Texts;
  /** The command that does it from another terminal, without `raft-console` (e.g. "kill <id>"); shown with the hint. */
  command?: string;
  check(ctx: StepContext): CheckResult;
  /**
   * What the step needs of the cluster to be done as written (free faults: the learner keeps every
   * key during an exercise). While one does not hold, the panel says why and how to put it right,
   * and the set-up key (X) restores it. Checked on every change of the cluster while the step is
   * current; an exercise's own set-up must leave them holding. The builders are in needs.ts.
   */
  needs?: readonly Need[];
}

/**
 * Something a step needs of the cluster, e.g. "the follower that must catch up is running".
 *
 * To declare one (exercises 11, 12 and later): build it with a builder of needs.ts (`running`,
 * `majorityRunning`, `partitioned`, `frozen`, ...) and list it in the step's `needs`; or write one:
 *
 *   { holds: ({ model, facts }) => isRunning(node(model, facts.follower)),
 *     broken: ({ facts }) => ({ en: `you stopped n${facts.follower}, ...`, zh: '...' }),
 *     fix: ({ facts }) => ({ en: `restart n${facts.follower} (select it, press r)`, zh: '...' }),
 *     restore: ({ facts }) => [{ op: 'restart', nodes: [facts.follower!] }] }
 *
 * `holds` must be true all along the exercise's own path (its solution's and its trigger's
 * actions), or the panel would cry wolf; test/exercises/free-faults.test.ts shows how to check one.
 */
export interface Need {
  /** Whether the cluster still gives the step what it needs. */
  holds(ctx: StepContext): boolean;
  /** While it does not hold: what happened and why the step cannot go on as written, naming the nodes. */
  broken(ctx: StepContext): Texts;
  /** How to put it right by hand, with the keys: "restart n3 (select it, press r)". */
  fix(ctx: StepContext): Texts;
  /** The actions that put it right, in order, for the set-up key; absent when only the learner can (then `fix` says how). */
  restore?(ctx: StepContext): readonly Action[];
  /**
   * The step (an id) to go back to once restored, when what the steps remembered no longer holds
   * (the leader they named is gone): the tracker forgets that step's and later steps' facts.
   */
  rewind?: string;
}

export interface ExerciseSetup {
  nodes: number;
  /** The speed a learner runs it at (a test may run it faster). */
  speed: SpeedPreset;
  /** The core's switches, where the exercise needs other than the defaults. */
  raft?: Partial<RaftSwitches>;
}

/** What a trigger or a solution can do to the cluster: what a learner can do. */
export interface ClusterHands {
  /** The cluster now. */
  readonly model: ClusterModel;
  /** Carries out an action; resolves with the supervisor's sentence, rejects with it when refused. */
  act(action: Action): Promise<string>;
  /** A client write that resolves once committed (through `via` only, when given). */
  submit(text: string, options?: { via?: NodeId }): Promise<void>;
  /** Sends an entry without waiting for the outcome: for an entry that may never commit. */
  post(text: string, options?: { via?: NodeId }): void;
  /** A put of `key` that resolves once committed (through `via` only, when given). */
  put(key: string, value: string, options?: { via?: NodeId }): Promise<void>;
  /**
   * Reads `key` through `via` only, as the dashboard's g key does; resolves once that node answered
   * or refused (its read-served or read-refused event tells which), or its answer timed out.
   */
  read(key: string, options: { via: NodeId }): Promise<void>;
}

/**
 * Something the exercise sets up itself at a key press, where a learner could not be quick or
 * precise enough (two elections at the same moment).
 */
export interface Trigger {
  /** The steps during which it is offered. */
  steps: readonly string[];
  /** Also offered once every step is done, while its label says it has work (nodes left frozen). */
  afterDone?: boolean;
  /** What it does, for the panel; null while it cannot be done (e.g. there is no leader yet). */
  label(ctx: StepContext): Texts | null;
  /** Does it; resolves with a sentence of what was done, in each language. */
  run(hands: ClusterHands, ctx: StepContext): Promise<Texts>;
}

/** What an automatic solution drives the exercise with. */
export interface Driver extends ClusterHands {
  /** What the steps remembered so far. */
  readonly facts: Readonly<Facts>;
  /** Runs the exercise's trigger, as the key press would (which sets the step up again while it is off its path). */
  trigger(): Promise<string>;
  /** Waits until the step is done; fails (naming it) if it is not within a generous deadline. */
  step(id: string): Promise<void>;
  /** Waits until `test` holds on the exercise's context; fails (naming `what`) after the deadline. */
  until(what: string, test: (ctx: StepContext) => boolean): Promise<void>;
}

/**
 * What differs when the exercise runs on etcd (`--engine etcd`), over its own fields. A check that
 * reads a state field etcd does not report asks `reports(model.engine, field)` itself; what is here
 * is what a check cannot decide alone: texts that name raft-console's own columns or numbers, steps
 * etcd takes differently (it always runs CheckQuorum), a set-up or solution that uses an action etcd
 * refuses (campaign, speed).
 */
export interface EtcdDifferences {
  setup?: ExerciseSetup;
  goal?: Texts;
  prediction?: Exercise['prediction'];
  /** The whole list of steps, where etcd takes another path. */
  steps?: readonly Step[];
  /** Other words for some steps (by id), where the check is the same. */
  stepTexts?: Readonly<Record<string, Partial<Pick<Step, 'text' | 'hint'>>>>;
  /** null: no set-up key on etcd. */
  trigger?: Trigger | null;
  prepare?: (hands: ClusterHands) => Promise<void>;
  explanation?: Texts;
  solution?: (d: Driver) => Promise<void>;
}

/**
 * Whether the exercise runs on etcd: as it is, with the differences given, or not at all, and why
 * (one sentence in each language, shown by `exercise list` and by a refused `exercise start --engine etcd`).
 */
export type EtcdSupport = { runs: true; differs?: EtcdDifferences } | { runs: false; why: Texts };

export interface Exercise {
  /** e.g. "first-election"; also addressable by its number. */
  id: string;
  number: number;
  title: Texts;
  /** How long it takes in a workshop, prediction and discussion included. */
  minutes: number;
  setup: ExerciseSetup;
  goal: Texts;
  /** Asked before it happens; the answer is shown once the step `revealAfter` is done. */
  prediction: { question: Texts; answer: Texts; revealAfter: string };
  steps: readonly Step[];
  trigger?: Trigger;
  /** Runs once the cluster is up, before the learner gets it (e.g. holds the nodes frozen until they have read the goal). */
  prepare?(hands: ClusterHands): Promise<void>;
  /**
   * Once the step `after` is done, the exercise runs again on a new cluster with these switches
   * (same size and speed): the second half of a comparison, e.g. PreVote off, then on. A learner
   * starts it with the set-up key (`label` says what it does), so the outcome of the first half
   * stays on screen as long as they need; an automatic run starts it at once.
   */
  rebuild?: { after: string; raft: Partial<RaftSwitches>; label: Texts };
  /** Shown once every step is done: what happened, in terms of the paper's rules. */
  explanation: Texts;
  solution(d: Driver): Promise<void>;
  /** On etcd (issue 15): engine.ts turns the exercise into its etcd form. */
  etcd: EtcdSupport;
}

/** The exercise panel's content, in one language (the dashboard draws it). */
export interface ExercisePanelView {
  number: number;
  title: string;
  goal: string;
  /** Shown until the step that reveals its answer is done. */
  prediction: string | null;
  answer: string | null;
  steps: { text: string; done: boolean; current: boolean }[];
  /** The current step's hint, when asked for. */
  hint: string | null;
  /** The command that does the current step (Step.command), so the dashboard can offer its key first. */
  command: string | null;
  /** Once every step is done. */
  explanation: string | null;
  /** What the trigger key does now, or null when there is nothing to trigger. */
  trigger: { label: string } | null;
  /**
   * A fault of the learner's took the current step off its path (a need of the step broken): what
   * happened and how to put it right, one sentence per broken need. The trigger then sets the step
   * up again, when every broken need can be restored.
   */
  detour: { what: string[]; fix: string[] } | null;
}

/** A step that became done. */
export interface StepChange {
  id: string;
  /** 1-based, as the panel numbers it. */
  number: number;
  text: string;
  at: number;
}
