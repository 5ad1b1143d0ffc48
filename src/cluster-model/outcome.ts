// What an action came to, and what the supervisor tells of its own doing (a node added, crashed,
// the cluster up), as a code and the values it is about: the supervisor's English sentence is for
// people, and a viewer that speaks another language words the same facts from these fields
// (outcome-zh.ts). Failures are ClusterProblems (errors.ts). It crosses the control API inside an
// action's result and an event's data, and is read back here, checked field by field.
import { STEP_TIMERS, type StepTimer } from '../node/step-mode.js';
import type { NodeId } from '../raft/types.js';
import { fail, isObject, show, type JsonObject } from '../schema/json-shape.js';
import {
  among,
  count,
  flag,
  list,
  node,
  nodeOrNone,
  integer,
  nodes,
  orNull,
  readRow,
  record,
  text,
  type FieldTable,
} from './field-table.js';
import type { LinkFaultModel, SafetyVerdict, Timing } from './model.js';
import { SPEED_PRESETS } from './timing.js';

/** Who led among the nodes an action took down, and whether the voters left can elect another. */
export interface LeaderLoss {
  leader: NodeId;
  /** Voters left running, of `voters`. */
  left: number;
  voters: number;
  /** Whether those left hold a majority: then they elect a new leader within the election timeout. */
  elects: boolean;
  electionMs: { min: number; max: number };
}

/** Where a client's write committed: its entry's index and term, and the leader ("n2", or its address when its id is unknown). */
export interface Placed {
  index: number;
  term: number;
  leader: string;
}

export type Outcome =
  // Actions that succeeded.
  | { code: 'killed'; nodes: NodeId[]; leader: LeaderLoss | null }
  | { code: 'stopped'; nodes: NodeId[]; leader: LeaderLoss | null }
  | { code: 'restarted'; nodes: NodeId[]; stoppedFirst: NodeId[] }
  | { code: 'paused'; nodes: NodeId[]; leader: LeaderLoss | null }
  | { code: 'resumed'; nodes: NodeId[] }
  /** `majority`: the group that holds a majority of the voters (empty: none); `cutLeader`: a leader left in a minority (0: none). */
  | { code: 'partitioned'; groups: NodeId[][]; majority: NodeId[]; cutLeader: NodeId; checkQuorum: boolean }
  | { code: 'link'; links: LinkFaultModel[]; oneWay: boolean }
  /** `mended`: how many faulty links there were (0: nothing to heal). */
  | { code: 'healed'; mended: number }
  | { code: 'campaign'; node: NodeId }
  | { code: 'transferred'; from: NodeId; to: NodeId; term: number }
  /** The transfer was asked for, but the target has not taken over yet. */
  | { code: 'transferring'; from: NodeId; to: NodeId }
  | { code: 'speed'; timing: Timing }
  | { code: 'added'; node: NodeId; port: number; index: number; voters: number }
  /** `add --learner`: joined as a learner at entry `index`; `promote <node>` makes it a voter. */
  | { code: 'added-learner'; node: NodeId; port: number; index: number }
  /** A learner caught up and became a voter at entry `index`. */
  | { code: 'promoted'; node: NodeId; index: number; voters: number }
  /** `index`: where the removal committed (0: the node was not in the configuration). */
  | { code: 'removed'; node: NodeId; index: number; wasLeader: boolean; voters: number }
  | { code: 'replaced'; node: NodeId; movedTo: string | null; untilIndex: number; aboveTerm: number; tookMs: number }
  | { code: 'down'; name: string; nodes: number; purged: boolean; folder: string }
  /** Step mode on or off on `nodes` (those running); `released`: held messages sent on when it went off. */
  | { code: 'step'; on: boolean; nodes: NodeId[]; released: number }
  /** Held messages sent now, in that order; `lost`: those of them a fault on their link dropped. */
  | { code: 'delivered'; ids: string[]; lost: string[] }
  | { code: 'dropped'; ids: string[] }
  | { code: 'fired'; node: NodeId; timer: StepTimer }
  | { code: 'advanced'; ticks: number; tickMs: number; nodes: NodeId[] }
  /** Step mode: a node's process ended while it held messages, which are lost with it. */
  | { code: 'held-lost'; node: NodeId; ids: string[] }

  // A client request's answer (submit, put, get, del, cas, from the dashboard's keys and command line).
  | { code: 'submitted'; entry: string; at: Placed }
  /** `previous`: the value the key held before (null: a new key). */
  | { code: 'put'; key: string; value: string; previous: string | null; at: Placed }
  /** `index`: the commit index the read was served at. */
  | { code: 'read'; key: string; value: string | null; index: number }
  | { code: 'deleted'; key: string; existed: boolean; at: Placed }
  /** `current`: what the key holds now (the new value when swapped). */
  | { code: 'cas'; key: string; expected: string; value: string; swapped: boolean; current: string | null; at: Placed }

  // The supervisor's own events.
  | { code: 'adding'; node: NodeId; port: number }
  | { code: 'learner'; node: NodeId; index: number }
  /** `of`: the leader's commit index, null while there is no leader. */
  | { code: 'catching-up'; node: NodeId; holds: number; of: number | null }
  | { code: 'removing'; node: NodeId; index: number }
  | { code: 'replacing'; node: NodeId; movedTo: string | null; untilIndex: number }
  | { code: 'up'; name: string; created: boolean; nodes: NodeId[]; failed: number; timing: Timing; fsync: boolean }
  | { code: 'shutdown'; nodes: number }
  /** `cause`: the node's own account, as it gave it (its last stderr line without one). */
  | { code: 'crashed'; node: NodeId; signal: string | null; exitCode: number | null; cause: string | null }
  | { code: 'start-failed'; node: NodeId; cause: string | null }
  | { code: 'safety-violation'; property: Extract<SafetyVerdict, { ok: false }>['property']; nodes: NodeId[] }
  /** The recorder could not write `path` (`cause`: the system's error code) and stopped recording. */
  | { code: 'recording-off'; path: string; cause: string };

export type OutcomeCode = Outcome['code'];

const timing = record({
  preset: among([...SPEED_PRESETS, 'custom']),
  electionTimeoutMs: record({ min: count, max: count }),
  heartbeatMs: count,
  tickMs: count,
});
const leaderLoss = orNull(
  record({ leader: node, left: count, voters: count, elects: flag, electionMs: record({ min: count, max: count }) }),
);
const link = record({
  from: node,
  to: node,
  blocked: flag,
  delayMs: count,
  loss: (o, key) => {
    const v = o[key];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(`${key} must be a probability, got ${show(v)}`);
    return v;
  },
});
const movedTo = orNull(text);
const at = record({ index: count, term: count, leader: text });

const FIELDS: FieldTable<Outcome, 'code'> = {
  killed: { nodes, leader: leaderLoss },
  stopped: { nodes, leader: leaderLoss },
  restarted: { nodes, stoppedFirst: nodes },
  paused: { nodes, leader: leaderLoss },
  resumed: { nodes },
  partitioned: { groups: list(nodes), majority: nodes, cutLeader: nodeOrNone, checkQuorum: flag },
  link: { links: list(link), oneWay: flag },
  healed: { mended: count },
  campaign: { node },
  transferred: { from: node, to: node, term: count },
  transferring: { from: node, to: node },
  speed: { timing },
  added: { node, port: count, index: count, voters: count },
  'added-learner': { node, port: count, index: count },
  promoted: { node, index: count, voters: count },
  removed: { node, index: count, wasLeader: flag, voters: count },
  replaced: { node, movedTo, untilIndex: count, aboveTerm: count, tookMs: count },
  down: { name: text, nodes: count, purged: flag, folder: text },
  step: { on: flag, nodes, released: count },
  delivered: { ids: list(text), lost: list(text) },
  dropped: { ids: list(text) },
  fired: { node, timer: among(STEP_TIMERS) },
  advanced: { ticks: count, tickMs: count, nodes },
  'held-lost': { node, ids: list(text) },
  submitted: { entry: text, at },
  put: { key: text, value: text, previous: orNull(text), at },
  read: { key: text, value: orNull(text), index: count },
  deleted: { key: text, existed: flag, at },
  cas: { key: text, expected: text, value: text, swapped: flag, current: orNull(text), at },

  adding: { node, port: count },
  learner: { node, index: count },
  'catching-up': { node, holds: count, of: orNull(count) },
  removing: { node, index: count },
  replacing: { node, movedTo, untilIndex: count },
  up: { name: text, created: flag, nodes, failed: count, timing, fsync: flag },
  shutdown: { nodes: count },
  crashed: { node, signal: orNull(text), exitCode: orNull(integer), cause: orNull(text) },
  'start-failed': { node, cause: orNull(text) },
  'safety-violation': { property: among(['Election Safety', 'Log Matching', 'Leader Completeness', 'State Machine Safety']), nodes },
  'recording-off': { path: text, cause: text },
};

/** The outcome in field `key` of `o`, or null when there is none or it is not one this build knows. */
export function readOutcome(o: JsonObject, key = 'outcome'): Outcome | null {
  const v = o[key];
  if (!isObject(v) || typeof v.code !== 'string') return null;
  // Every field of the row was read by the table, which is typed over Outcome.
  return readRow(v, 'code', v.code, FIELDS) as Outcome | null;
}
