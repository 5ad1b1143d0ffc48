// The supervisor's live model of a cluster: what every client of the control API (the CLI, the
// dashboard) sees. Plain JSON data: it crosses the WebSocket as it is.
import type { FollowerProgress, StateLine, StateTimer } from '../node/state-line.js';
import type { BugName, RaftSwitches } from '../raft/config.js';
import type { NodeId } from '../raft/types.js';
import type { EngineInfo, EtcdNodeInfo } from './engine.js';

/** The core's switches every node of the cluster runs with: PreVote, CheckQuorum, known bugs (none by default). */
export type { BugName, RaftSwitches };
/** A node's running timer as a wall-clock deadline, and a leader's view of a follower (as in its state lines). */
export type { FollowerProgress, StateTimer };

/** How many events the model keeps (and a client mirrors), oldest dropped first. */
export const EVENT_HISTORY = 2000;

/** The kinds of event a cluster tells (ClusterEvent.kind), for filters such as `events --kind`. */
export const EVENT_KINDS: readonly string[] = ['raft', 'transport', 'node', 'control', 'supervisor'];

export type ProcessState =
  | 'starting' // spawned, not yet listening
  | 'running'
  | 'paused' // SIGSTOP: frozen, as in a long garbage-collection pause
  | 'stopped' // exited after SIGTERM, by request
  | 'killed' // SIGKILL by request: a crash
  | 'crashed' // exited on its own (see exitCode, signal, stderrTail)
  | 'unreachable'; // a member of a cluster raft-console does not run (dashboard --etcd) that does not answer: down, or cut off from here

export const PROCESS_STATES: readonly ProcessState[] = ['starting', 'running', 'paused', 'stopped', 'killed', 'crashed', 'unreachable'];

export interface NodeProcess {
  state: ProcessState;
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  /** The last lines the node wrote on stderr (at most 20), for a crash's explanation. */
  stderrTail: string[];
  startedAt: number | null;
  restarts: number;
}

/** What the node last reported about itself, as its "state" lines carry it (src/node/state-line.ts); null before the first. */
export type NodeRaftState = StateLine;

/** Faults set on a directed link from -> to (messages from `from` to `to`). */
export interface LinkFaultModel {
  from: NodeId;
  to: NodeId;
  /** Messages dropped entirely (a partition or a one-way cut). */
  blocked: boolean;
  delayMs: number;
  /** Probability in [0, 1] that a message is dropped. */
  loss: number;
}

export interface NodeModel {
  id: NodeId;
  /** host:port for peers and clients. */
  address: string;
  dataDir: string;
  process: NodeProcess;
  raft: NodeRaftState | null;
  /** Whether the node is still part of the cluster's configuration as the supervisor knows it. */
  removed: boolean;
  /** On an etcd cluster: the member behind this node id (engine.ts). */
  etcd?: EtcdNodeInfo;
}

export type SpeedPreset = 'slow' | 'normal' | 'fast';

export interface Timing {
  /** A preset name, or 'custom' when set with explicit values. */
  preset: SpeedPreset | 'custom';
  electionTimeoutMs: { min: number; max: number };
  heartbeatMs: number;
  tickMs: number;
}

/** One line of the cluster's story, as the dashboard and `events` show it. */
export interface ClusterEvent {
  /** Milliseconds since the epoch. */
  ts: number;
  /** The node it happened on, or null for the supervisor's own events (actions, process exits). */
  node: NodeId | null;
  /** One of EVENT_KINDS: "raft", "transport", "node", "control" (from nodes), "supervisor" (actions and process changes). */
  kind: string;
  type: string;
  text: string;
  /** The structured fields of the event, as the node reported them. */
  data?: Record<string, unknown>;
}

/**
 * What the supervisor's safety monitor (safety.ts) concluded from every report so far: all well, or
 * the first property broken (it sticks). `text` says what broke, naming the nodes and the index or
 * term, e.g. "entry 7 is committed with term 2 on n1 but term 3 on n4"; `ts` is when it was seen.
 */
export type SafetyVerdict =
  | { ok: true; checkedReports: number }
  | {
      ok: false;
      property: 'Election Safety' | 'Log Matching' | 'Leader Completeness' | 'State Machine Safety';
      nodes: number[];
      text: string;
      ts: number;
      checkedReports: number;
    };

export interface ClusterModel {
  name: string;
  clusterId: string;
  /** The Raft implementation the nodes run, and what they report (engine.ts). */
  engine: EngineInfo;
  /** The folder holding the nodes' data directories, the token and the control file. */
  folder: string;
  supervisorPid: number;
  startedAt: number;
  timing: Timing;
  fsync: boolean;
  switches: RaftSwitches;
  /** Each node snapshots its state machine once this many applied entries sit in its log (snapshots.ts). */
  snapshotEvery: number;
  nodes: NodeModel[];
  /** Every directed link that has a fault; an empty list means a healed network. */
  links: LinkFaultModel[];
  /** The partition groups last set with `partition` (empty when healed or never partitioned). */
  partition: NodeId[][];
  /** The most recent events, oldest first (bounded). */
  events: ClusterEvent[];
  /** Raft's safety properties as checked on every node report since the supervisor started. */
  safety: SafetyVerdict;
  /** Step mode (`raft-console step on`): absent on a cluster that never entered it. */
  step?: StepModel;
}

/**
 * Step mode: every node's clock stands still and every Raft message a node sends is held by its
 * transport instead of sent, until the learner delivers or drops it. Only the delivery order is in
 * the learner's hands: the nodes are real processes, and a delivered message goes over the real socket.
 */
export interface StepModel {
  on: boolean;
  /** When step mode was last switched on or off (ms epoch). */
  since: number;
  /** The messages held right now, in the order they were held (oldest first). */
  held: HeldMessage[];
}

/** A held message's id: the sender's node id and its sequence number ("1.7"). */
export { HELD_ID } from '../transport/step-hold.js';

/** One Raft message a node has sent in step mode, held back until it is delivered or dropped. */
export interface HeldMessage {
  /** Unique in the cluster: `${from}.${seq}`, seq counting the sender's held messages since its process started ("1.7"). */
  id: string;
  from: NodeId;
  to: NodeId;
  /** The core's message type (src/raft/types.ts MessageType): "pre-vote", "vote-response", "append", ... */
  type: string;
  term: number;
  /** The message's own fields: its indexes, entries, grants ("lastIndex", "granted", "entries"...). */
  detail: Record<string, number | string | boolean>;
  /** What the message says, in one English sentence ("n1 asks n3 for a pre-vote in term 2 (its last entry 4, term 1)"). */
  text: string;
  /** When the node held it (ms epoch). */
  heldAt: number;
}
