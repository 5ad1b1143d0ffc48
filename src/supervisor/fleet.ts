// The node processes of one cluster, as the supervisor runs them: starting a node with the right
// flags (and again after a crash, on the same port and data), signalling it, telling it things
// over its control channel, and telling the model of its processes: a requested SIGKILL is
// "killed", a requested SIGTERM "stopped", any other exit "crashed" with its code, its stderr and
// its own account of the cause.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlAnswer } from '../node/control.js';
import type { NodeId } from '../raft/types.js';
import { AcknowledgedMarks } from './acknowledged.js';
import type { ClusterFile, ClusterFileNode } from './cluster-file.js';
import { SECRET_FILE } from '../cluster-model/control-protocol.js';
import { ClusterError } from '../cluster-model/errors.js';
import { filterFor, hasFaults } from './links.js';
import type { LiveModel } from './live-model.js';
import type { LinkFaultModel, NodeModel } from '../cluster-model/model.js';
import { exitState, howExited, MemberSet } from './members.js';
import type { Outcome } from '../cluster-model/outcome.js';
import { NodeChild, StartFailure, exitCause, type ExitInfo } from './node-child.js';
import { portInUse } from './port-owner.js';
import { recordNodePids } from './orphans.js';
import { switchArgs } from '../cluster-model/switches.js';

/** How long a node may keep failing to bind its port: a killed node's socket can linger briefly. */
const PORT_RETRY_MS = 5000;
/** A node that has not exited this long after SIGTERM gets SIGKILL. */
const STOP_GRACE_MS = 5000;
/** A running node answers a control command within milliseconds; this only guards against a hung one. */
const COMMAND_TIMEOUT_MS = 3000;

interface Run {
  child: NodeChild;
  started: boolean;
  /** What the supervisor asked for, which decides how the exit is reported. */
  intent: 'kill' | 'stop' | null;
  /** Settles once the exit is in the model. */
  gone: Promise<void>;
}

/** ": <the node's cause>", or nothing when it gave none (a signal). */
function withCause(exit: ExitInfo): string {
  const cause = exitCause(exit);
  return cause === null ? '' : `: ${cause}`;
}

/** A start cut short by a kill or a stop asked for meanwhile. */
function interrupted(id: NodeId, intent: 'kill' | 'stop', when: string): ClusterError {
  const by = intent === 'kill' ? 'killed' : 'stopped';
  return new ClusterError(`n${id} was ${by} ${when}`, { code: 'interrupted', node: id, by });
}

/** How the node exited, if it has (its exit is settled by now); null if it still runs. */
function exitedAlready(exited: Promise<ExitInfo>): Promise<ExitInfo | null> {
  return Promise.race([exited, new Promise<null>((resolve) => setImmediate(() => resolve(null)))]);
}

export { listIds } from './members.js';

export class Fleet extends MemberSet {
  private readonly runs = new Map<NodeId, Run>();
  /** Set when the supervisor stops: no node may start after that, not even a retry already waiting. */
  private closed = false;
  /** What each node had on disk, kept outside its data directory (acknowledged.ts). */
  readonly marks: AcknowledgedMarks;

  constructor(
    live: LiveModel,
    private readonly folder: string,
  ) {
    super(live);
    this.marks = new AcknowledgedMarks(folder);
  }

  /** cluster.json as the model says it is (changed through the model only). */
  get file(): ClusterFile {
    return this.live.file();
  }

  fileNode(id: NodeId): ClusterFileNode {
    const n = this.file.nodes.find((x) => x.id === id);
    if (n === undefined) throw new Error(`n${id} is not in cluster.json`);
    return n;
  }

  dataDir(n: ClusterFileNode): string {
    return join(this.folder, n.dataDir);
  }

  /**
   * The command line of a node. The bootstrap voters are started with exactly each other as
   * --peers, always: that list is their configuration until their log holds one. A joined node
   * starts empty (--join) and gets every current member as a peer to talk to.
   */
  private args(id: NodeId): string[] {
    const file = this.file;
    const me = this.fileNode(id);
    const others = file.nodes.filter((n) => n.id !== id && (me.joined ? !n.removed : !n.joined));
    const t = file.timing;
    const mark = this.marks.get(id);
    return [
      ...['--id', String(id), '--cluster-id', file.clusterId, '--listen', `127.0.0.1:${me.port}`, '--data-dir', this.dataDir(me)],
      // The path, never the secret: a command line is readable by every user (`ps`).
      ...['--secret-file', join(this.folder, SECRET_FILE)],
      ...['--peers', others.map((n) => `${n.id}=127.0.0.1:${n.port}`).join(',')],
      ...(me.joined ? ['--join'] : []),
      ...[
        '--election-timeout',
        `${t.electionTimeoutMs.min}-${t.electionTimeoutMs.max}`,
        '--heartbeat',
        String(t.heartbeatMs),
        '--tick',
        String(t.tickMs),
      ],
      ...['--compact-every', String(file.snapshotEvery)],
      ...(file.fsync ? [] : ['--unsafe-no-fsync']),
      ...switchArgs(file.switches),
      ...(mark === null ? [] : ['--acknowledged', `${mark.term}:${mark.commit}`]),
      // A node (re)started while the cluster steps steps too, from its first instant.
      ...(this.stepping ? ['--step'] : []),
    ];
  }

  private launch(id: NodeId): Run {
    const child = new NodeChild(this.args(id), (line) => {
      this.live.nodeLine(id, line);
      if (line.kind === 'state' && line.state.durable !== undefined) this.marks.seen(id, line.state.durable);
    });
    const run: Run = { child, started: false, intent: null, gone: Promise.resolve() };
    run.gone = child.exited.then((exit) => {
      if (this.runs.get(id) !== run) return;
      this.runs.delete(id);
      const state = exitState(run.intent);
      this.live.processExited(id, state, exit);
      // A node that never started is reported by start(), which may retry it.
      if (state === 'crashed' && run.started) this.sayCrashed(id, exit, exitCause(exit));
    });
    this.runs.set(id, run);
    recordNodePids(
      this.folder,
      [...this.runs.values()].flatMap((r) => (r.child.pid === null ? [] : [r.child.pid])),
    );
    this.live.processStarting(id, child.pid);
    return run;
  }

  /**
   * Starts a node that is not running, waits until it listens (its data directory passed a write
   * probe by then), sets its faults and peers, and resolves only once it is up past its start-up:
   * if another node led when it started, it has applied what that leader had committed then (so it
   * has written what it was missing), or still runs after a few election timeouts of catching up
   * (electionWaitMs). A node that exits before, say on a full disk, is an error naming its own
   * cause, never a success. No fixed wait: a new cluster's nodes are up as soon as they listen
   * (exercise 1 freezes them before their first election).
   */
  async start(id: NodeId): Promise<void> {
    const node = this.live.node(id)!;
    const until = Date.now() + PORT_RETRY_MS;
    // What a new process reports replaces this; the old one's report proves nothing.
    const reportBefore = node.raft;
    // A node never seen before (one being added) gets entries only once it is a member, and one
    // behind a network fault may not get them at all.
    const leader = this.leader();
    const target =
      leader !== null && leader.id !== id && reportBefore !== null && !hasFaults(id, this.live.model.links) ? leader.raft!.commit : 0;
    let run: Run;
    for (;;) {
      if (this.closed) throw new ClusterError(`n${id} was not started: the supervisor is shutting down`, { code: 'shutting-down' });
      run = this.launch(id);
      try {
        const address = await run.child.started;
        run.started = true;
        this.live.processRunning(id, address);
        break;
      } catch (err) {
        if (!(err instanceof StartFailure)) throw err;
        await run.gone;
        if (run.intent !== null) throw interrupted(id, run.intent, 'before it started');
        if (err.exit.cause?.code === 'port-in-use' && Date.now() < until) {
          await sleep(200);
          continue;
        }
        // A busy port is reported with its holder, and with the fix for a cluster (the node's own
        // reason suggests another --listen port, which a cluster's node cannot take).
        const failure =
          err.exit.cause?.code === 'port-in-use'
            ? portInUse(this.fileNode(id).port, 'stop what uses it', `n${id} did not start: `)
            : new ClusterError(`n${id} did not start: ${err.message}`, { code: 'did-not-start', node: id, cause: exitCause(err.exit) });
        this.live.say('start-failed', failure.message, {
          node: id,
          ...err.exit,
          outcome: { code: 'start-failed', node: id, cause: exitCause(err.exit) } satisfies Outcome,
        });
        throw failure;
      }
    }
    let syncFailure: Error | null = null;
    try {
      await this.sync(id);
    } catch (err) {
      syncFailure = err instanceof Error ? err : new Error(String(err));
    }
    // A stepping node catches up only as the learner delivers its messages: nothing to wait for.
    if (syncFailure === null && !this.stepping) {
      const gone = (): boolean => this.runs.get(id) !== run;
      const caughtUp = (): boolean => node.raft !== reportBefore && node.raft !== null && node.raft.applied >= target;
      await this.live.until(() => gone() || caughtUp(), this.electionWaitMs());
    }
    // A command fails when the node exits meanwhile: then its exit is the news.
    const exit = await exitedAlready(run.child.exited);
    if (exit !== null) {
      await run.gone;
      if (run.intent !== null) throw interrupted(id, run.intent, 'before it was up');
      const text = `n${id} started but exited at once (${howExited(exit)})${withCause(exit)}`;
      this.live.say('start-failed', text, {
        node: id,
        ...exit,
        outcome: { code: 'start-failed', node: id, cause: exitCause(exit) } satisfies Outcome,
      });
      throw new ClusterError(text, { code: 'did-not-start', node: id, cause: exitCause(exit) });
    }
    if (syncFailure !== null) throw syncFailure;
  }

  /** What a node just started must be told: the faults the model says it has, and peers its flags lack. */
  private async sync(id: NodeId): Promise<void> {
    const me = this.fileNode(id);
    if (hasFaults(id, this.live.model.links)) await this.tell(id, { op: 'faults', ...filterFor(id, this.live.model.links) });
    if (me.joined) return;
    for (const n of this.file.nodes) {
      if (n.id === id) continue;
      if (n.joined && !n.removed) await this.tell(id, { op: 'add-peer', peer: n.id, host: '127.0.0.1', port: n.port });
      if (!n.joined && n.removed) await this.tell(id, { op: 'remove-peer', peer: n.id });
    }
  }

  /** Whether the cluster is in step mode (ClusterModel.step). */
  get stepping(): boolean {
    return this.live.model.step?.on === true;
  }

  /** Stops every node (SIGTERM) and starts none from now on; resolves with how many were running. */
  async close(): Promise<number> {
    this.closed = true;
    const running = [...this.runs.keys()];
    await Promise.all(running.map((id) => this.stop(id)));
    await this.marks.flush().catch(() => undefined);
    return running.length;
  }

  async kill(id: NodeId): Promise<void> {
    const run = this.runs.get(id);
    if (run === undefined) return;
    run.intent = 'kill';
    run.child.signal('SIGKILL');
    await run.gone;
  }

  /** SIGTERM, and SIGCONT for a paused node, which cannot act on it while frozen. */
  async stop(id: NodeId): Promise<void> {
    const run = this.runs.get(id);
    if (run === undefined) return;
    run.intent = 'stop';
    run.child.signal('SIGTERM');
    run.child.signal('SIGCONT');
    const force = setTimeout(() => run.child.signal('SIGKILL'), STOP_GRACE_MS);
    await run.gone;
    clearTimeout(force);
  }

  pause(id: NodeId): void {
    this.runs.get(id)?.child.signal('SIGSTOP');
    this.live.processPaused(id);
  }

  resume(id: NodeId): void {
    this.runs.get(id)?.child.signal('SIGCONT');
    this.live.processResumed(id);
  }

  /**
   * Sends a control command. A running node's answer comes back; a paused node reads the command
   * when it resumes, and a node that is down gets what it needs from sync() when it starts: both
   * give null.
   */
  async tell(id: NodeId, cmd: Record<string, unknown> & { op: string }): Promise<ControlAnswer | null> {
    const run = this.runs.get(id);
    if (run === undefined || !run.started) return null;
    if (this.live.node(id)!.process.state === 'paused') {
      run.child.post(cmd);
      return null;
    }
    try {
      return await run.child.command(cmd, COMMAND_TIMEOUT_MS);
    } catch (err) {
      throw new ClusterError(`n${id} did not take "${cmd.op}": ${(err as Error).message}`);
    }
  }

  protected bootstrapVoters(): NodeId[] {
    return this.file.nodes.filter((n) => !n.joined).map((n) => n.id);
  }

  async setFaults(links: LinkFaultModel[], nodes: readonly NodeId[], partition?: NodeId[][]): Promise<void> {
    this.live.linksChanged(links, partition);
    await Promise.all(nodes.map((id) => this.tell(id, { op: 'faults', ...filterFor(id, links) })));
  }

  async heal(): Promise<void> {
    this.live.linksChanged([], []);
    await Promise.all(this.members().map((n) => this.tell(n.id, { op: 'heal' })));
  }

  async handOver(from: NodeModel, to: NodeId): Promise<void> {
    const answer = await this.tell(from.id, { op: 'transfer', to });
    if (answer !== null && !answer.ok) throw new ClusterError(`n${from.id} cannot hand leadership to n${to}: ${answer.text}`);
  }
}
