// The dashboard's tests: snapshots, events and a healthy cluster, on the cluster model builders.
import type { ClusterEvent, ClusterModel } from '../../src/cluster-model/index.js';
import type { ExercisePanelView } from '../../src/exercises/types.js';
import type { ClusterSource } from '../../src/cluster-model/source.js';
import type { KeyContext } from '../../src/tui/keys.js';
import { labelsFor } from '../../src/tui/labels.js';
import type { Snapshot } from '../../src/tui/store.js';
import { model, node } from '../cluster-model/fixtures.js';

export { model, node };

export function snapshot(m: ClusterModel, extra: Partial<Snapshot> = {}): Snapshot {
  const { events, ...rest } = m;
  return {
    model: rest,
    events,
    eventCount: events.length,
    truncations: [],
    flash: null,
    results: [],
    gone: null,
    now: 1_000_000,
    traffic: { ms: 0, reported: false, links: [] },
    heldNew: [],
    ...extra,
  };
}

export function event(node: number | null, type: string, text: string, data?: Record<string, unknown>): ClusterEvent {
  return { ts: 1_000_000, node, kind: node === null ? 'supervisor' : 'raft', type, text, ...(data === undefined ? {} : { data }) };
}

/** A healthy three-node cluster in term 2 led by n1, with entries 1-5 (term 1 then 2), 4 committed. */
export function healthy(): ClusterModel {
  const runs: Array<[number, number]> = [
    [1, 1],
    [3, 2],
  ];
  return model([
    node(1, {
      role: 'leader',
      term: 2,
      vote: 1,
      leader: 1,
      lastIndex: 5,
      lastTerm: 2,
      commit: 4,
      applied: 4,
      runs,
      timer: { kind: 'heartbeat', deadline: 1_000_025, intervalMs: 50 },
    }),
    node(2, {
      role: 'follower',
      term: 2,
      vote: 1,
      leader: 1,
      lastIndex: 5,
      lastTerm: 2,
      commit: 4,
      applied: 4,
      runs,
      timer: { kind: 'election', deadline: 1_000_100, timeoutMs: 200 },
    }),
    node(3, {
      role: 'follower',
      term: 2,
      vote: 1,
      leader: 1,
      lastIndex: 4,
      lastTerm: 2,
      commit: 3,
      applied: 3,
      runs,
      timer: { kind: 'election', deadline: 1_000_150, timeoutMs: 200 },
    }),
  ]);
}

/** An exercise panel at its one step. */
export function exerciseView(extra: Partial<ExercisePanelView> = {}): ExercisePanelView {
  return {
    number: 5,
    title: 'Split vote',
    goal: 'g',
    prediction: null,
    answer: null,
    steps: [{ text: 'press X', done: false, current: true }],
    hint: null,
    command: null,
    explanation: null,
    trigger: null,
    detour: null,
    ...extra,
  };
}

/** A cluster whose model is what `get` returns at each read (the store samples it), and that does nothing. */
export function sourceOf(get: () => ClusterModel): ClusterSource {
  return {
    get model() {
      return get();
    },
    subscribe: () => () => undefined,
    onGone: () => () => undefined,
    act: async () => ({ ok: true, text: '' }),
  };
}

/** What the screen shows, for the key router's tests: three nodes, no exercise, no text open. */
export const keyContext: KeyContext = {
  nodes: healthy().nodes,
  partition: [],
  speed: 'normal',
  owned: false,
  eventCount: 10,
  exercise: false,
  trigger: false,
  textMax: 0,
  textPage: 10,
  words: labelsFor('en'),
};
