// A real raft-console cluster for the bench: N `raft-console node` processes on 127.0.0.1, on ports
// picked before the start (so a restarted node comes back at the same address), with their data
// dirs in one temp dir. Reads each node's NDJSON events (started, state lines), finds the leader
// with `status` requests, kills and restarts nodes. Every child is registered in children.ts, so
// none outlives the bench, whatever way it ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, GiveUp, removeDir, stopChild, trackChild, trackDir, waitFor } from '../children.js';
import type { NodeStatus } from '../../src/node/client-protocol.js';
import { nodeId, object, string, uint, validate } from '../../src/schema/json-shape.js';
import { readNodeLine, type NodeEvent } from '../../src/supervisor/node-line.js';
import { ensureSecretFile } from '../../src/transport/secret.js';
import { requestOnce } from './load-client.js';
import { BIN } from '../repo.js';
import { SnapshotLog, type SnapshotTaken } from './snapshot-log.js';
// The supervisor's picker, below the ephemeral range (TCP self-connect: see ports.ts).
import { freePorts } from '../../src/supervisor/ports.js';

export interface ClusterOptions {
  size: number;
  /** --election-timeout, e.g. "150-300". */
  electionTimeout: string;
  heartbeatMs: number;
  /** Extra arguments for node itself (before the script), e.g. --cpu-prof. */
  execArgv?: string[];
  /** Extra `raft-console node` flags, e.g. --unsafe-no-fsync. */
  nodeFlags?: string[];
  /** Where to make the temp dir (default: the system temp dir). */
  parentDir?: string;
}

/** A node's "role-change" event: when it became pre-candidate, candidate, leader or follower. */
export interface RoleChange {
  ts: number;
  node: number;
  from: string;
  to: string;
  term: number;
}

/** The event lines the bench reads; the many others are not parsed. */
const READ = /"kind":"state"|"type":"(?:peer-connected|peer-disconnected|role-change|started|snapshot-saved)"/;

class NodeProcess {
  child: ChildProcess | null = null;
  /** The commit index of the node's latest state line. */
  commit: number | null = null;
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

  start(args: string[], execArgv: string[]): Promise<void> {
    this.starts++;
    this.expectingExit = false;
    this.commit = null;
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
      if (read.kind === 'state') this.commit = read.state.commit;
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
      if (this.roleChanges.length > 200) this.roleChanges.shift();
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

export class RaftCluster {
  private constructor(
    readonly dir: string,
    readonly clusterId: string,
    /** The cluster secret, in `dir`/secret, as `up` makes it. */
    readonly secret: Buffer,
    private readonly nodes: NodeProcess[],
    private readonly options: ClusterOptions,
  ) {}

  static async start(options: ClusterOptions): Promise<RaftCluster> {
    const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'raft-console-bench-'));
    trackDir(dir);
    const clusterId = `bench-${randomBytes(4).toString('hex')}`;
    const ports = await freePorts(options.size);
    const nodes = ports.map((port, i) => new NodeProcess(i + 1, port, join(dir, `n${i + 1}`), join(dir, `n${i + 1}.stderr.log`)));
    const cluster = new RaftCluster(dir, clusterId, ensureSecretFile(join(dir, 'secret')).secret, nodes, options);
    try {
      await Promise.all(nodes.map((n) => cluster.launch(n)));
      await cluster.waitForLeader(15_000);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  addresses(): string[] {
    return this.nodes.map((n) => n.address);
  }

  address(id: number): string {
    return this.node(id).address;
  }

  pid(id: number): number | undefined {
    return this.node(id).child?.pid;
  }

  /** Snapshots of every node that ended at or after `sinceMs` (wall clock, as the events' ts), oldest first. */
  snapshotsSince(sinceMs: number): SnapshotTaken[] {
    return this.nodes.flatMap((n) => n.snapshots.taken.filter((x) => x.endTs >= sinceMs)).sort((a, b) => a.endTs - b.endTs);
  }

  /** Role changes of every node at or after `sinceMs` (wall clock, as the events' ts), oldest first. */
  roleChangesSince(sinceMs: number): RoleChange[] {
    return this.nodes.flatMap((n) => n.roleChanges.filter((c) => c.ts >= sinceMs)).sort((a, b) => a.ts - b.ts);
  }

  async status(id: number, timeoutMs = 1000): Promise<NodeStatus> {
    const res = await requestOnce(this.address(id), this.clusterId, this.secret, { type: 'status' }, timeoutMs);
    if (res.ok !== true) throw new Error(`status of n${id} failed: ${JSON.stringify(res)}`);
    return res.status as NodeStatus;
  }

  /**
   * Waits until every running node answers `status` naming the same leader in the same term, and
   * that leader says it leads. Returns it.
   */
  async waitForLeader(timeoutMs: number): Promise<NodeStatus> {
    return waitFor('a leader that every running node agrees on', timeoutMs, async () => {
      const running = this.nodes.filter((n) => n.running);
      if (running.length === 0) throw new GiveUp(`no node is running: ${this.nodes[0]!.diagnostics()}`);
      const all = await Promise.all(running.map((n) => this.status(n.id, 500)));
      const leader = all.find((s) => s.role === 'leader');
      if (leader === undefined) return undefined;
      return all.every((s) => s.term === leader.term && s.leader === leader.id) ? leader : undefined;
    });
  }

  /** SIGKILL (or another signal); resolves once the process is gone. */
  async kill(id: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const n = this.node(id);
    if (n.child === null) return;
    n.expectingExit = true;
    n.child.kill(signal);
    await exited(n.child);
  }

  /** Why the cluster is broken, if a node exited without being killed or stopped by the bench. */
  failure(): string | null {
    for (const n of this.nodes) if (n.unexpectedExit !== null) return n.unexpectedExit;
    return null;
  }

  /** Starts a stopped node again with the same id, port and data dir; resolves once it listens. */
  async restart(id: number): Promise<void> {
    const n = this.node(id);
    if (n.running) throw new Error(`n${id} is still running`);
    await this.launch(n);
  }

  /**
   * Waits until every running node has its outbound connection to every other running node up: a
   * restarted node's peers redial it with backoff (up to 2 s), and until they have, their messages
   * to it wait in a queue.
   */
  async waitForMesh(timeoutMs: number): Promise<void> {
    await waitFor('every node connected to every other', timeoutMs, () => {
      const running = this.nodes.filter((n) => n.running);
      return running.every((n) => running.every((p) => p.id === n.id || n.outPeers.has(p.id))) ? true : undefined;
    });
  }

  /** Waits until node `id` reports (state line) a commit index at or beyond `commit`. */
  async waitForCommit(id: number, commit: number, timeoutMs: number): Promise<void> {
    const n = this.node(id);
    await waitFor(`n${id} to catch up to commit ${commit}`, timeoutMs, () => {
      if (!n.running) throw new GiveUp(`n${id} exited: ${n.diagnostics()}`);
      return n.commit !== null && n.commit >= commit ? true : undefined;
    });
  }

  /** Stops every node (SIGTERM, so --cpu-prof profiles get written; SIGKILL after 5 s), removes the dir. */
  async stop(): Promise<void> {
    for (const n of this.nodes) n.expectingExit = true;
    await Promise.all(this.nodes.map((n) => (n.child === null ? Promise.resolve() : stopChild(n.child, 5000))));
    removeDir(this.dir);
  }

  private node(id: number): NodeProcess {
    const n = this.nodes[id - 1];
    if (n === undefined) throw new RangeError(`no node n${id}`);
    return n;
  }

  private launch(n: NodeProcess): Promise<void> {
    const peers = this.nodes
      .filter((p) => p.id !== n.id)
      .map((p) => `${p.id}=${p.address}`)
      .join(',');
    const args = [
      '--id',
      String(n.id),
      '--cluster-id',
      this.clusterId,
      '--secret-file',
      join(this.dir, 'secret'),
      '--listen',
      n.address,
      '--peers',
      peers,
      '--data-dir',
      n.dataDir,
      '--election-timeout',
      this.options.electionTimeout,
      '--heartbeat',
      String(this.options.heartbeatMs),
      ...(this.options.nodeFlags ?? []),
    ];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`n${n.id} did not start within 15 s: ${n.diagnostics()}`)), 15_000);
    });
    return Promise.race([n.start(args, this.options.execArgv ?? []), timeout]).finally(() => clearTimeout(timer));
  }
}
