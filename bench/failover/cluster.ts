// The nodes of the failover bench: `raft-console node` processes on 127.0.0.1
// (bench/cluster/node-process.ts, as bench/cluster/raft-cluster.ts runs them: ports picked first, so
// a restarted node comes back at the same address). What this bench needs beyond that one: the
// leader every node names from their latest state lines (role, term, leader, the leader's next
// heartbeat), their role changes with their times, and pausing a node with SIGSTOP.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, GiveUp, removeDir, stopChild, trackDir, waitFor } from '../children.js';
import { NodeProcess, type Reported, type RoleChange } from '../cluster/node-process.js';
import { freePorts } from '../../src/supervisor/ports.js';
import { ensureSecretFile } from '../../src/transport/secret.js';
import type { RangeTiming } from './timing.js';

export interface FailoverClusterOptions {
  size: number;
  timing: RangeTiming;
  /** Extra `raft-console node` flags (--no-pre-vote). */
  nodeFlags: string[];
  /** Where to make the cluster's folder; it is kept there. Default: a temp folder, removed at the end. */
  dir?: string;
}

/** The leader every running node names, in the term they all are in. */
export interface Agreed {
  id: number;
  term: number;
  /** The leader's latest state line. */
  leader: Reported;
}

export class FailoverCluster {
  private constructor(
    readonly dir: string,
    private readonly keep: boolean,
    readonly clusterId: string,
    readonly secret: Buffer,
    private readonly members: NodeProcess[],
    private readonly options: FailoverClusterOptions,
  ) {}

  static async start(options: FailoverClusterOptions): Promise<FailoverCluster> {
    const keep = options.dir !== undefined;
    if (keep) mkdirSync(options.dir!, { recursive: true });
    const dir = mkdtempSync(join(options.dir ?? tmpdir(), `raft-console-failover-${options.timing.range}-`));
    if (!keep) trackDir(dir);
    const ports = await freePorts(options.size);
    const members = ports.map((port, i) => new NodeProcess(i + 1, port, join(dir, `n${i + 1}`), join(dir, `n${i + 1}.stderr.log`)));
    const clusterId = `failover-${randomBytes(4).toString('hex')}`;
    const cluster = new FailoverCluster(dir, keep, clusterId, ensureSecretFile(join(dir, 'secret')).secret, members, options);
    try {
      await Promise.all(members.map((m) => cluster.launch(m)));
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  get ids(): number[] {
    return this.members.map((m) => m.id);
  }

  address(id: number): string {
    return this.member(id).address;
  }

  addresses(): string[] {
    return this.members.map((m) => m.address);
  }

  reported(id: number): Reported | null {
    return this.member(id).reported;
  }

  /** Role changes of every node at or after `sinceMs` (the nodes' clock), oldest first. */
  roleChangesSince(sinceMs: number): RoleChange[] {
    return this.members.flatMap((m) => m.roleChanges.filter((c) => c.ts >= sinceMs)).sort((a, b) => a.ts - b.ts);
  }

  /** The leader that every running node names in its latest state line (a paused one says nothing new), or null. */
  agreedLeader(): Agreed | null {
    const running = this.members.filter((m) => m.running && !m.paused);
    const lines = running.map((m) => m.reported);
    const first = lines[0];
    if (first === undefined || first === null || first.state.leader === 0) return null;
    const { term, leader } = first.state;
    if (!lines.every((r) => r !== null && r.state.term === term && r.state.leader === leader)) return null;
    const own = this.members[leader - 1]?.reported;
    if (own === undefined || own === null || own.state.role !== 'leader') return null;
    return { id: leader, term, leader: own };
  }

  async waitForLeader(timeoutMs: number): Promise<Agreed> {
    return waitFor('a leader that every running node names', timeoutMs, () => this.checked(() => this.agreedLeader() ?? undefined), 5);
  }

  /**
   * Waits until every running node has its outbound connection to every other running node up: a
   * restarted node's peers redial it with backoff (up to 2 s), and messages to it wait until then.
   */
  async waitForMesh(timeoutMs: number): Promise<void> {
    await waitFor('every node connected to every other', timeoutMs, () =>
      this.checked(() => {
        const running = this.members.filter((m) => m.running);
        return running.every((m) => running.every((p) => p.id === m.id || m.outPeers.has(p.id))) ? true : undefined;
      }),
    );
  }

  /** Waits until every running node reports a commit index at or beyond `commit`. */
  async waitForCommit(commit: number, timeoutMs: number): Promise<void> {
    await waitFor(`every node to catch up to commit ${commit}`, timeoutMs, () =>
      this.checked(() => (this.members.every((m) => !m.running || (m.reported?.state.commit ?? 0) >= commit) ? true : undefined)),
    );
  }

  /** Sends SIGKILL now: when it was sent (wall clock, fractional ms), and the process's end. */
  kill(id: number): { at: number; gone: Promise<void> } {
    const m = this.member(id);
    if (m.child === null || !m.running) throw new Error(`n${id} is not running`);
    m.expectingExit = true;
    const at = performance.timeOrigin + performance.now();
    m.child.kill('SIGKILL');
    return { at, gone: exited(m.child) };
  }

  pause(id: number): void {
    const m = this.member(id);
    m.child?.kill('SIGSTOP');
    m.paused = true;
  }

  resume(id: number): void {
    const m = this.member(id);
    if (!m.paused) return;
    m.child?.kill('SIGCONT');
    m.paused = false;
  }

  /** Starts every killed node again with the same id, port and data; resolves once they listen. */
  async restartStopped(): Promise<void> {
    await Promise.all(this.members.filter((m) => !m.running).map((m) => this.launch(m)));
  }

  /** Why the cluster is broken, if a node exited without being killed by the bench. */
  failure(): string | null {
    return this.members.find((m) => m.unexpectedExit !== null)?.unexpectedExit ?? null;
  }

  /** Stops every node (a paused one is let go first) and removes the folder unless it was asked for. */
  async stop(): Promise<void> {
    for (const m of this.members) {
      this.resume(m.id);
      m.expectingExit = true;
    }
    await Promise.all(this.members.map((m) => (m.child === null ? Promise.resolve() : stopChild(m.child, 3000))));
    if (!this.keep) removeDir(this.dir);
  }

  /** A wait's check, which gives up at once when a node died on its own. */
  private checked<T>(check: () => T | undefined): T | undefined {
    const failure = this.failure();
    if (failure !== null) throw new GiveUp(failure);
    return check();
  }

  private member(id: number): NodeProcess {
    const m = this.members[id - 1];
    if (m === undefined) throw new RangeError(`no node n${id}`);
    return m;
  }

  private launch(m: NodeProcess): Promise<void> {
    const t = this.options.timing;
    const peers = this.members
      .filter((p) => p.id !== m.id)
      .map((p) => `${p.id}=${p.address}`)
      .join(',');
    const args = [
      ...['--id', String(m.id), '--cluster-id', this.clusterId, '--secret-file', join(this.dir, 'secret')],
      ...['--listen', m.address, '--peers', peers, '--data-dir', m.dataDir],
      ...['--election-timeout', t.range, '--heartbeat', String(t.heartbeatMs), '--tick', String(t.tickMs)],
      ...this.options.nodeFlags,
    ];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`n${m.id} did not start within 15 s: ${m.diagnostics()}`)), 15_000);
    });
    return Promise.race([m.start(args), timeout]).finally(() => clearTimeout(timer));
  }
}
