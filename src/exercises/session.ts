// One exercise being done: its own cluster (started fresh in a folder of its own by the launcher
// the CLI hands it, deleted at the end), a tracker fed with every change of that cluster, the
// exercise's trigger, and the driver its automatic solution runs on. The dashboard, the headless
// runner and the tests all use this.
//
//   const s = await startSession({ exercise, lang: 'en', launcher, folder: { name: 'exercise' } });
//   s.onSteps((changes) => ...);            // steps seen done
//   await s.exercise.solution(s.driver());  // or let a learner do it
//   await s.stop();
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLUSTER_FILE,
  ClusterError,
  clusterFolder,
  clusterSecret,
  until as untilModel,
  type ActionResult,
  type ClusterEvent,
  type ClusterLauncher,
  type ClusterModel,
  type ClusterSource,
  type FolderOptions,
  type OwnedCluster,
  type RaftSwitches,
  type SpeedPreset,
} from '../cluster-model/index.js';
import { RaftClient } from '../client/index.js';
import type { EngineKind } from '../cluster-model/engine.js';
import { exerciseOn } from './engine.js';
import { EtcdWrites } from './etcd-writes.js';
import type { NodeId } from '../raft/types.js';
import type { Lang } from './lang.js';
import { readExerciseState, writeExerciseState } from './state-file.js';
import { createTracker, type Tracker } from './tracker.js';
import type { ClusterHands, Driver, Exercise, ExercisePanelView, StepChange, StepContext, Texts } from './types.js';

export interface SessionOptions {
  /** The exercise as the catalogue has it: the session runs its form for the engine (engine.ts). */
  exercise: Exercise;
  lang: Lang;
  /** Starts the exercise's cluster and deletes an earlier one's folder. */
  launcher: ClusterLauncher;
  /** Where the exercise's cluster lives: its name (and state folder, or its own folder). */
  folder: FolderOptions;
  /** Another speed than the exercise's own (tests run faster than a learner). */
  speed?: SpeedPreset;
  /** The Raft implementation its cluster runs (default raft-console); an exercise that does not run on it is refused (ExerciseError). */
  engine?: EngineKind;
  /** The etcd binary, for an etcd cluster; default `etcd` from PATH. */
  etcdBin?: string;
  /** How long the driver waits for one step before it fails; default 30 s. */
  stepDeadlineMs?: number;
  /**
   * A learner watches: a phase change they must see (the rebuild) waits for the set-up key instead
   * of following at once. Off for automatic runs (tests, --solve).
   */
  paced?: boolean;
}

export interface ExerciseSession {
  /** The exercise in the form its engine runs. */
  readonly exercise: Exercise;
  readonly engine: EngineKind;
  readonly tracker: Tracker;
  /** The cluster's name and folder. */
  readonly name: string;
  readonly folder: string;
  /**
   * The exercise's cluster as the dashboard watches it, the same across a rebuild (whose first
   * change brings the new cluster's whole story so far); gone for good once stopped here or by a
   * `down` from elsewhere.
   */
  readonly cluster: ClusterSource;
  /** Called with the steps seen done, in order. */
  onSteps(listener: (changes: readonly StepChange[]) => void): () => void;
  /** The exercise panel's content now: the tracker's, with the rebuild offered when it waits for the learner. */
  view(opts: { hint: boolean }): ExercisePanelView;
  /** Runs the exercise's trigger for the current step, or the rebuild that waits for it (the X key). */
  trigger(): Promise<ActionResult>;
  /** The hands and eyes of an automatic solution. */
  driver(): Driver;
  /** Settles with the reason once the cluster is gone for good. */
  readonly ended: Promise<string>;
  /** Stops the cluster and deletes its folder (once; later calls wait for the same). */
  stop(): Promise<void>;
}

const DEFAULT_STEP_DEADLINE_MS = 30_000;

/** What the trigger key answers when there is nothing to set up, or not yet (then with the step's hint). */
const NOTHING_TO_SET_UP: Texts = { en: 'the exercise has nothing to set up at this step', zh: '这一步练习没有要布置的' };
const NOT_NOW: Texts = { en: 'not now: ', zh: '现在还不行：' };

/**
 * Makes room for a new exercise cluster: a folder left by an earlier exercise is deleted; a
 * running cluster, or a cluster that is not an exercise's, is refused.
 */
async function clearFolder(launcher: ClusterLauncher, o: FolderOptions, name: string, folder: string): Promise<void> {
  if (!existsSync(folder)) return;
  if (existsSync(join(folder, CLUSTER_FILE)) && (await readExerciseState(folder)) === null)
    throw new ClusterError(
      `the cluster named ${name} is not an exercise's, and an exercise starts a cluster of its own: give the exercise another --name, or delete that cluster with \`raft-console down --purge --name ${name}\``,
    );
  await launcher.purge(o);
}

/** An exercise's writes, on either engine. */
interface Writes {
  /** Resolves once committed. */
  submit(text: string, via: NodeId | undefined): Promise<void>;
  /** Sends it without waiting for the outcome: for an entry that may never commit. */
  post(text: string, via: NodeId | undefined): void;
  close(): void;
}

function raftWrites(model: ClusterModel, folder: string): Writes {
  const c = new RaftClient({
    clusterId: model.clusterId,
    secret: clusterSecret(folder),
    nodes: model.nodes.map((n) => ({ id: n.id, address: n.address })),
  });
  const options = (via: NodeId | undefined): { via?: NodeId } => (via === undefined ? {} : { via });
  return {
    submit: async (text, via) => {
      await c.submit(text, options(via));
    },
    // A write to a leader cut off from the majority never completes. A session of its own, so that
    // later writes do not queue behind it.
    post: (text, via) =>
      void c
        .session()
        .submit(text, options(via))
        .catch(() => undefined),
    close: () => c.close(),
  };
}

function etcdWrites(model: () => ClusterModel): Writes {
  const w = new EtcdWrites(model);
  return {
    submit: (text, via) => w.submit(text, via),
    post: (text, via) => void w.submit(text, via).catch(() => undefined),
    close: () => w.close(),
  };
}

export async function startSession(o: SessionOptions): Promise<ExerciseSession> {
  const engine = o.engine ?? 'raft-console';
  const exercise = exerciseOn(o.exercise, engine);
  const { name, folder } = clusterFolder(o.folder);
  await clearFolder(o.launcher, o.folder, name, folder);

  const tracker = createTracker(exercise, o.lang, { cluster: name });
  const startedAt = Date.now();
  const stepListeners = new Set<(changes: readonly StepChange[]) => void>();
  const changeListeners = new Set<(events: readonly ClusterEvent[]) => void>();
  const goneListeners = new Set<(why: string) => void>();
  let owned!: OwnedCluster;
  /** Its writes: through raft-console's client library, or etcd's key-value API. */
  let client!: Writes;
  /** Set while the cluster is replaced by a new one: its stop is not the end. */
  let rebuilding = false;
  let rebuilt: Promise<void> = Promise.resolve();
  /** The rebuild's step is done and the learner has not yet asked for it (paced sessions only). */
  let rebuildWaits = false;
  let stopping = false;
  let stopped: Promise<void> | null = null;
  let saving: Promise<void> = Promise.resolve();
  /** Why the cluster is gone for good, once it is. */
  let endedBecause: string | null = null;
  let endWith!: (why: string) => void;
  const ended = new Promise<string>((resolve) => (endWith = resolve));

  const save = (): void => {
    const state = {
      exercise: exercise.id,
      number: exercise.number,
      lang: o.lang,
      engine,
      startedAt,
      done: tracker.done,
      steps: tracker.progress(),
    };
    // One write at a time; a folder deleted meanwhile (a `down --purge`) leaves nothing to record.
    saving = saving.then(() => writeExerciseState(folder, state)).catch(() => undefined);
  };

  const feed = (events: readonly ClusterEvent[]): void => {
    const changes = tracker.update(owned.model, events);
    if (changes.length > 0) {
      save();
      for (const l of stepListeners) l(changes);
      if (exercise.rebuild !== undefined && changes.some((c) => c.id === exercise.rebuild!.after)) {
        if (o.paced === true) rebuildWaits = true;
        else rebuilt = rebuild();
      }
    }
    for (const l of changeListeners) l(events);
  };

  const end = (why: string): void => {
    endedBecause = why;
    for (const l of goneListeners) l(why);
    goneListeners.clear();
    endWith(why);
  };

  const launch = async (raft: Partial<RaftSwitches> | undefined): Promise<void> => {
    const s = await o.launcher.start({
      ...o.folder,
      nodes: exercise.setup.nodes,
      speed: o.speed ?? exercise.setup.speed,
      ...(raft === undefined ? {} : { raft }),
      ...(engine === 'raft-console' ? {} : { engine }),
      ...(o.etcdBin === undefined ? {} : { etcdBin: o.etcdBin }),
    });
    owned = s;
    client = engine === 'etcd' ? etcdWrites(() => s.model) : raftWrites(s.model, folder);
    feed(s.model.events);
    save();
    const off = s.subscribe(feed);
    s.onGone(() => {
      off();
      if (!rebuilding && !stopping) end(`the cluster ${name} was stopped`);
    });
  };

  /** The second half of a comparison: the same exercise on a new cluster with other switches. */
  const rebuild = async (): Promise<void> => {
    rebuilding = true;
    try {
      await saving;
      client.close();
      await owned.stop({ purge: true, keepRecording: true });
      if (stopping) return;
      await launch({ ...exercise.setup.raft, ...exercise.rebuild!.raft });
    } catch (err) {
      end(`the exercise could not start its cluster again: ${(err as Error).message}`);
    } finally {
      rebuilding = false;
    }
  };

  const cluster: ClusterSource = {
    get model() {
      return owned.model;
    },
    subscribe: (listener) => {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    act: (action) =>
      rebuilding ? Promise.resolve({ ok: false, text: 'the exercise is starting its cluster again: wait a moment' }) : owned.act(action),
    onGone: (listener) => {
      goneListeners.add(listener);
      return () => goneListeners.delete(listener);
    },
  };

  const hands: ClusterHands = {
    get model() {
      return owned.model;
    },
    async act(action) {
      const r = await cluster.act(action);
      if (!r.ok) throw new Error(r.text);
      return r.text;
    },
    submit: (text, options = {}) => client.submit(text, options.via),
    post: (text, options = {}) => client.post(text, options.via),
  };

  const trigger = async (): Promise<ActionResult> => {
    if (rebuildWaits) {
      rebuildWaits = false;
      rebuilt = rebuild();
      return { ok: true, text: exercise.rebuild!.label[o.lang] };
    }
    const t = exercise.trigger;
    const step = tracker.progress().find((s) => !s.done);
    // Once every step is done, a trigger marked afterDone may still run (exercise 1's nodes are left
    // frozen when their election finished before the freeze could happen).
    const nothing = {
      ok: false,
      text: NOTHING_TO_SET_UP[o.lang],
    } as const;
    if (t === undefined || (step === undefined ? t.afterDone !== true : !t.steps.includes(step.id))) return nothing;
    const ctx = tracker.context();
    if (t.label(ctx) === null)
      return step === undefined
        ? nothing
        : {
            ok: false,
            text: `${NOT_NOW[o.lang]}${exercise.steps.find((s) => s.id === step.id)!.hint[o.lang]}`,
          };
    try {
      return { ok: true, text: (await t.run(hands, ctx))[o.lang] };
    } catch (err) {
      return { ok: false, text: (err as Error).message };
    }
  };

  const deadlineMs = o.stepDeadlineMs ?? DEFAULT_STEP_DEADLINE_MS;
  /** Where the exercise stands, for a failure message. */
  const at = (): string => {
    const steps = tracker.progress();
    const i = steps.findIndex((s) => !s.done);
    return i < 0 ? 'every step is done' : `step ${i + 1} (${steps[i]!.id}) is not done`;
  };
  /** Waits on the exercise's own cluster, which tells of a change once the tracker has seen it. */
  const until = async (what: string, test: (ctx: StepContext) => boolean): Promise<void> => {
    let why: string;
    try {
      if (await untilModel(cluster, () => test(tracker.context()), deadlineMs)) return;
      why = endedBecause ?? `gave up after ${deadlineMs / 1000} s`;
    } catch (err) {
      why = (err as Error).message;
    }
    throw new Error(`exercise ${exercise.number} (${exercise.id}): waiting for ${what}: ${why}; ${at()}`);
  };

  const driver = (): Driver => ({
    get model() {
      return owned.model;
    },
    get facts() {
      return tracker.context().facts;
    },
    act: (action) => hands.act(action),
    submit: (text, options) => hands.submit(text, options),
    post: (text, options) => hands.post(text, options),
    async trigger() {
      // The steps a trigger sets up can come about on their own (a leader cut off while an entry of
      // its own was still uncommitted is stranded already): then there is nothing left to set up.
      const t = exercise.trigger;
      const done = tracker
        .progress()
        .filter((st) => st.done)
        .map((st) => st.id);
      if (t !== undefined && t.afterDone !== true && t.steps.every((id) => done.includes(id))) return 'done already, without the trigger';
      const r = await trigger();
      if (!r.ok) throw new Error(`exercise ${exercise.number}: the trigger failed: ${r.text}`);
      return r.text;
    },
    step: (id) => {
      const i = exercise.steps.findIndex((s) => s.id === id);
      if (i < 0) return Promise.reject(new Error(`exercise ${exercise.id} has no step "${id}"`));
      return until(`step ${i + 1} (${id})`, () => tracker.progress()[i]!.done);
    },
    until,
  });

  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      await rebuilt;
      client.close();
      await saving;
      await owned.stop({ purge: true, keepRecording: true });
      end('the exercise was stopped');
    })();
    return stopped;
  };

  await launch(exercise.setup.raft);
  try {
    await exercise.prepare?.(hands);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    exercise,
    engine,
    tracker,
    name,
    folder,
    cluster,
    onSteps(listener) {
      stepListeners.add(listener);
      return () => stepListeners.delete(listener);
    },
    view(opts) {
      const v = tracker.view(opts);
      return rebuildWaits ? { ...v, trigger: { label: exercise.rebuild!.label[o.lang] } } : v;
    },
    trigger,
    driver,
    ended,
    stop,
  };
}
