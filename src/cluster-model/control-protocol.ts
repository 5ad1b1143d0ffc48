// The supervisor's control API: a WebSocket on 127.0.0.1 only. A client (the CLI, the dashboard)
// proves it may drive the cluster with the token from the cluster folder's `token` file (mode 0600),
// then receives a snapshot of the model, the live event stream, and the result of each action it
// sends. Every message is one JSON object.
import type { RawData } from 'ws';
import { STEP_COMMANDS, STEP_TIMERS, type StepTimer } from '../node/step-mode.js';
import type { NodeId } from '../raft/types.js';
import type { ClusterProblem } from './errors.js';
import type { ClusterEvent, ClusterModel, SpeedPreset } from './model.js';
import type { Outcome } from './outcome.js';

/** What each action does. Node lists are ids; groups are lists of ids. */
export type Action =
  | { op: 'kill'; nodes: NodeId[] } // SIGKILL: a crash
  | { op: 'stop'; nodes: NodeId[] } // SIGTERM: a clean stop
  | { op: 'restart'; nodes: NodeId[] } // start again, same id, same data directory
  | { op: 'replace'; node: NodeId } // data damaged or lost: move it aside, start empty in recovering mode, wait for the catch-up
  | { op: 'pause'; nodes: NodeId[] } // SIGSTOP
  | { op: 'resume'; nodes: NodeId[] } // SIGCONT
  | { op: 'partition'; groups: NodeId[][] } // nodes in different groups cannot talk; unlisted nodes form one more group
  | { op: 'isolate'; node: NodeId }
  | { op: 'link'; from: NodeId; to: NodeId; drop?: number; delayMs?: number; oneWay?: boolean }
  | { op: 'heal' } // removes every partition and link fault
  | { op: 'campaign'; node: NodeId } // start an election on that node now
  | { op: 'transfer'; node: NodeId } // hand leadership to that node
  | { op: 'add'; learner?: boolean } // a new node: joins as learner, promoted to voter once caught up (learner: stops once it has joined as a learner)
  | { op: 'promote'; node: NodeId } // a learner: once caught up, promoted to voter
  | { op: 'remove'; node: NodeId }
  | { op: 'speed'; preset: SpeedPreset }
  | { op: 'step'; on: boolean } // step mode on every running node: clocks frozen, Raft messages held (off: held ones delivered in order)
  | { op: 'deliver'; ids: string[] | 'due' } // send held messages now, in the order given ('due': every one whose link has no fault blocking it, oldest first)
  | { op: 'drop'; ids: string[] } // throw held messages away, as a lossy network would
  | { op: 'fire'; node: NodeId; timer: StepTimer } // step mode: that node's election timeout (or a leader's heartbeat) comes due now
  | { op: 'advance'; ticks?: number } // step mode: every node's clock moves on by that many ticks (1 by default)
  | { op: 'down'; purge?: boolean }; // stop every node and the supervisor (purge: delete the folder)

export type ActionOp = Action['op'];

/** The actions of step mode. */
export type StepAction = Extract<Action, { op: 'step' | 'deliver' | 'drop' | 'fire' | 'advance' }>;

/** Every action, as the control API takes it (and the CLI names its commands, `down` aside). */
export const ACTION_OPS: readonly ActionOp[] = [
  'kill',
  'stop',
  'restart',
  'replace',
  'pause',
  'resume',
  'partition',
  'isolate',
  'link',
  'heal',
  'campaign',
  'transfer',
  'add',
  'promote',
  'remove',
  'speed',
  'step',
  'deliver',
  'drop',
  'fire',
  'advance',
  'down',
];

/** The actions of step mode (StepModel), which the CLI groups under `raft-console step`: the supervisor tells each node the same. */
export const STEP_OPS: readonly ActionOp[] = STEP_COMMANDS;

export { STEP_TIMERS, type StepTimer };

/** The most ticks one `advance` moves the clocks by: enough to cross any election timeout, not a runaway. */
export const MAX_ADVANCE_TICKS = 1000;

/** Client -> supervisor. */
export type ControlRequest =
  | { type: 'auth'; token: string }
  | { type: 'action'; id: number; action: Action }
  /** Ask for a fresh snapshot (also sent unasked after auth). */
  | { type: 'snapshot' };

/** Supervisor -> client. */
export type ControlMessage =
  | { type: 'welcome'; model: ClusterModel }
  | { type: 'snapshot'; model: ClusterModel }
  /**
   * What changed since the last message, batched (one every 25 ms at most): the model without its
   * event history, and the events that happened since. A client appends the events to its copy.
   */
  | { type: 'update'; model: Omit<ClusterModel, 'events'>; events: ClusterEvent[] }
  /** The answer to an action: ok, and a sentence saying what happened (or why not), with its code and fields (ActionResult). */
  | ({ type: 'result'; id: number } & ActionResult)
  /** Sent before the supervisor closes a connection: bad token, bad request, shutting down. */
  | { type: 'error'; code: 'unauthorized' | 'bad-request' | 'shutting-down'; text: string };

/**
 * The cluster folder's `control.json`, written by the supervisor when it is ready: how other
 * terminals find it. Removed when the supervisor stops.
 */
export interface ControlFile {
  name: string;
  clusterId: string;
  /** ws://127.0.0.1:<port>/ */
  url: string;
  port: number;
  supervisorPid: number;
  startedAt: number;
}

/**
 * The text of a message as ws hands it over: a Buffer, or, on a socket whose binaryType asks for
 * them, an ArrayBuffer or the list of its fragments. `raw.toString()` would turn those two into
 * "[object ArrayBuffer]" or fragments joined by commas.
 */
export function messageText(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  return (Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw)).toString('utf8');
}

/** File names inside a cluster folder. */
export const CONTROL_FILE = 'control.json';
export const TOKEN_FILE = 'token';
/** The cluster secret (src/transport/secret.ts): made by the first `up`, kept, mode 0600. */
export const SECRET_FILE = 'secret';
/** Written on first start and kept: the cluster id, the node list and their ports, the timing. */
export const CLUSTER_FILE = 'cluster.json';

/** A detached supervisor's stderr (`up --detach`), in the cluster folder. */
export const SUPERVISOR_LOG = 'supervisor.log';

/**
 * What an action came to: done or refused, in a sentence for people, with its structured fields;
 * and the same as a code with its values, for a viewer that words it in another language: what was
 * done (`outcome`, when ok) or why not (`problem`, when refused by a ClusterError).
 */
export interface ActionResult {
  ok: boolean;
  text: string;
  data?: Record<string, unknown>;
  outcome?: Outcome;
  problem?: ClusterProblem;
}
