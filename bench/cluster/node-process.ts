// One `raft-console node` process of a bench's cluster (bench/cluster/raft-cluster.ts, the failover
// bench's bench/failover/cluster.ts): spawned on its port with its stderr in a log file, registered
// in children.ts so that none outlives the bench, and its NDJSON stdout read as the supervisor reads
// it (src/supervisor/node-line.ts): the latest state line, role changes, outbound peer connections,
// snapshots, and when it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { trackChild } from '../children.js';
import { BIN } from '../repo.js';
import type { StateLine } from '../../src/node/state-line.js';
import { nodeId, object, string, uint, validate } from '../../src/schema/json-shape.js';
import { readNodeLine, type NodeEvent } from '../../src/supervisor/node-line.js';
import { SnapshotLog } from './snapshot-log.js';

/** A node's "role-change" event: when it became pre-candidate, candidate, leader or follower. */
export interface RoleChange {
  ts: number;
  node: number;
  from: string;
  to: string;
  term: number;
}

/** The event lines the benches read; the many others are not parsed. */
const READ = /"kind":"state"|"type":"(?:peer-connected|peer-disconnected|role-change|started|snapshot-saved)"/;

/** The latest state a node reported, and when (its own clock, Date.now()). */
export interface Reported {
  ts: number;
  state: StateLine;
}

/** One `raft-console node` process of a bench's cluster, and what its stdout says. */
export class NodeProcess {
  child: ChildProcess | null = null;
  /** The node's latest state line. */
  reported: Reported | null = null;
  /** Stopped with SIGSTOP by the bench (the failover bench's paused follower). */
  paused = false;
  /** The latest role changes (bounded), for the failover timelines. */
  readonly roleChanges: RoleChange[] = [];
  /** Peers this node has an open outbound (sending) connection to, from its transport events. */
  readonly outPeers = new Set<number>();
  /** Every snapshot taken since the cluster started (bounded). */
  readonly snapshots: SnapshotLog;
  /** The latest lines of stdout, for the error message when something goes wrong. */
  readonly tail: string[] = [];
  starts = 0;
  /** Set when the process exits without the bench having asked it to. */
  unexpectedExit: string | null = null;
  /** The bench is killing or stopping it: its exit is expected. */
  expectingExit = false;
  private partial = '';
  private startedWaiters: Array<(err: Error | null) => void> = [];

  constructor(
    readonly id: number,
    readonly port: number,
    readonly dataDir: string,
    readonly logPath: string,
  ) {
    this.snapshots = new SnapshotLog(id);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the node says it started; rejects if it exits first. */
  start(args: string[], execArgv: string[] = []): Promise<void> {
    this.starts++;
    this.expectingExit = false;
    this.paused = false;
    this.reported = null;
    this.outPeers.clear();
    this.partial = '';
    const stderr = openSync(this.logPath, 'a');
    const child = spawn(process.execPath, [...execArgv, BIN, 'node', ...args], { stdio: ['ignore', 'pipe', stderr] });
    closeSync(stderr);
    trackChild(child);
    this.child = child;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.onData(chunk));
    const started = new Promise<void>((resolve, reject) => {
      this.startedWaiters.push((err) => (err === null ? resolve() : reject(err)));
    });
    child.once('exit', (code, signal) => {
      if (!this.expectingExit) this.unexpectedExit = `n${this.id} exited on its own (${signal ?? `code ${code}`}): ${this.diagnostics()}`;
      this.settleStarted(new Error(`n${this.id} exited (${signal ?? `code ${code}`}) before it started: ${this.diagnostics()}`));
    });
    return started;
  }

  diagnostics(): string {
    let stderr = '';
    try {
      stderr = readFileSync(this.logPath, 'utf8').split('\n').slice(-10).join('\n');
    } catch {
      // no log yet
    }
    return `stderr (${this.logPath}):\n${stderr}\nlast events:\n${this.tail.slice(-10).join('\n')}`;
  }

  private onData(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) {
      this.tail.push(line);
      if (this.tail.length > 50) this.tail.shift();
      if (!READ.test(line)) continue;
      // Read and checked as the supervisor reads it (a state line field by field); an event's own
      // fields are read with the schema's readers. A line that is not what the bench expects is
      // skipped, kept in the tail.
      const read = readNodeLine(line);
      if (read.kind === 'state') this.reported = { ts: read.ts, state: read.state };
      else if (read.kind === 'event') validate(() => this.onEvent(read.event));
    }
  }

  private onEvent(e: NodeEvent): void {
    if (e.type === 'peer-connected' || e.type === 'peer-disconnected') {
      if (string(e.data, 'direction') !== 'out') return;
      if (e.type === 'peer-connected') this.outPeers.add(nodeId(e.data, 'peer'));
      else this.outPeers.delete(nodeId(e.data, 'peer'));
    } else if (e.type === 'role-change') {
      this.roleChanges.push({
        ts: e.ts,
        node: this.id,
        from: string(e.data, 'from'),
        to: string(e.data, 'to'),
        term: uint(e.data, 'term'),
      });
      // Enough for the longest failover (a 10 s run of split votes), bounded over a long sweep.
      if (this.roleChanges.length > 1000) this.roleChanges.shift();
    } else if (e.kind === 'node' && e.type === 'snapshot-saved') {
      const saved = { index: uint(e.data, 'index'), bytes: uint(e.data, 'bytes') };
      this.snapshots.saved({ ...saved, serializeMs: uint(e.data, 'serializeMs'), durableMs: uint(e.data, 'durableMs') }, e.ts);
    } else if (e.kind === 'node' && e.type === 'started') {
      this.settleStarted(null);
      this.snapshots.started(uint(object(e.data.recovered, 'recovered'), 'snapshotIndex'));
    }
  }

  private settleStarted(err: Error | null): void {
    const waiters = this.startedWaiters;
    this.startedWaiters = [];
    for (const w of waiters) w(err);
  }
}
