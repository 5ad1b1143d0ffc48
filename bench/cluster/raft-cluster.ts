// A real raft-console cluster for the bench: N `raft-console node` processes on 127.0.0.1, on ports
// picked before the start (so a restarted node comes back at the same address), with their data
// dirs in one temp dir. Reads each node's NDJSON events (started, state lines), finds the leader
// with `status` requests, kills and restarts nodes. Every child is registered in children.ts, so
// none outlives the bench, whatever way it ends.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, GiveUp, removeDir, stopChild, trackDir, waitFor } from '../children.js';
import type { NodeStatus } from '../../src/node/client-protocol.js';
import { ensureSecretFile } from '../../src/transport/secret.js';
import { requestOnce } from './load-client.js';
import type { SnapshotTaken } from './snapshot-log.js';
import { NodeProcess, type RoleChange } from './node-process.js';

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
      return (n.reported?.state.commit ?? -1) >= commit ? true : undefined;
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
