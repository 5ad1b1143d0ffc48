// A node's events as NDJSON on stdout, one object a line, for the supervisor and the dashboard:
//   {"ts":1732490000123,"node":3,"kind":"raft","type":"role-change",...,"text":"n3 becomes leader ..."}
// kinds: "raft" (the core's events), "transport" (connections, refusals), "node" (lifecycle),
// "control" (answers to the supervisor's commands), "state" (the node's Raft state, whenever it
// changed, at most every stateIntervalMs: state-line.ts).
import type { RaftSwitches } from '../raft/config.js';
import { describeEvent, type RaftEvent } from '../raft/events.js';
import type { NodeId } from '../raft/types.js';
// The module, not the transport barrel: the supervisor reads FATAL_CODES from here without loading transport.
import { describeTransportEvent, type TransportEvent } from '../transport/events.js';
import type { ControlAnswer } from './control.js';
import type { StateLine } from './state-line.js';
import type { StepLine } from './step-line.js';

export type NodeLifecycleEvent =
  | {
      type: 'started';
      address: string;
      clusterId: string;
      unsafeNoFsync: boolean;
      insecureNoAuth: boolean;
      /** Mutual TLS on its port and towards its peers. */
      tls: boolean;
      recovered: { entries: number; snapshotIndex: number; term: number };
      switches: RaftSwitches;
      /** Milliseconds since the process started: its code loaded and running (startNode), and listening. */
      startup: { loadedMs: number; listeningMs: number };
    }
  | { type: 'storage-repaired'; detail: string }
  /** A committed entry the state machine cannot run (not a command, or over a limit): refused alike on every replica. */
  | { type: 'entry-refused'; index: number; term: number; code: string; reason: string }
  /** A snapshot message whose state machine data does not restore: never persisted. */
  | { type: 'snapshot-refused'; from: number; index: number; reason: string }
  /**
   * The node's own snapshot is on disk (superseded: dropped instead, since the leader's snapshot of
   * a later entry was saved while it was written). What it cost: serializeMs of the state machine
   * and the file's bytes, while the node's writes waited; durableMs to write, sync and install the
   * file, while they went on.
   */
  | { type: 'snapshot-saved'; index: number; term: number; bytes: number; serializeMs: number; durableMs: number; superseded: boolean }
  /** Recovering mode after lost data (lost-data.ts): lostData when detected at this start. */
  | { type: 'recovering'; untilIndex: number; aboveTerm: number; lostData: boolean; found: { term: number; lastIndex: number } }
  | { type: 'stopping'; reason: string }
  /** The node's last line before it exits on an error: `reason` is the one line for people, `code` for programs. */
  | { type: 'fatal'; code: FatalCode; reason: string };

/**
 * Why a node exits on an error: 'port-in-use' (its --listen port is taken; the supervisor retries a
 * while), 'address' (no such address here), 'disk-full', 'permission' (the data directory or the
 * port), 'data-dir' (its data directory is damaged or another node's), 'internal' (anything else:
 * a bug, with its stack on stderr).
 */
export type FatalCode = 'port-in-use' | 'address' | 'disk-full' | 'permission' | 'data-dir' | 'internal';
export const FATAL_CODES: readonly FatalCode[] = ['port-in-use', 'address', 'disk-full', 'permission', 'data-dir', 'internal'];

export class EventStream {
  private lastState = '';
  private stateTimer: NodeJS.Timeout | null = null;
  private pendingState: (() => StateLine) | null = null;

  constructor(
    private readonly node: NodeId,
    private tickMs: number,
    private readonly write: (line: string) => void,
    private readonly stateIntervalMs = 50,
  ) {}

  raft(e: RaftEvent): void {
    this.line({ kind: 'raft', ...e, text: describeEvent(this.node, e, this.tickMs) });
  }

  /** Tick counts in event texts become seconds with the current tick length. */
  setTickMs(ms: number): void {
    this.tickMs = ms;
  }

  control(a: ControlAnswer): void {
    this.line({ kind: 'control', type: 'answer', ...a });
  }

  /** What step mode did with a message (step-line.ts). */
  step(line: StepLine): void {
    this.line({ kind: 'step', ...line });
  }

  transport(e: TransportEvent): void {
    this.line({ kind: 'transport', ...e, text: `n${this.node}: ${describeTransportEvent(e)}` });
  }

  lifecycle(e: NodeLifecycleEvent, text: string): void {
    this.line({ kind: 'node', ...e, text });
  }

  /** Reports the state if it changed; bursts are coalesced to one line per interval. */
  state(read: () => StateLine): void {
    this.pendingState = read;
    if (this.stateTimer !== null) return;
    this.flushState();
    this.stateTimer = setTimeout(() => {
      this.stateTimer = null;
      if (this.pendingState !== null) this.flushState();
    }, this.stateIntervalMs);
  }

  close(): void {
    if (this.stateTimer !== null) clearTimeout(this.stateTimer);
    if (this.pendingState !== null) this.flushState();
  }

  private flushState(): void {
    const read = this.pendingState;
    this.pendingState = null;
    if (read === null) return;
    const s = read();
    const key = JSON.stringify(s);
    if (key === this.lastState) return;
    this.lastState = key;
    this.line({ kind: 'state', ...s });
  }

  private line(fields: Record<string, unknown>): void {
    this.write(`${JSON.stringify({ ts: Date.now(), node: this.node, ...fields })}\n`);
  }
}
