// The etcd members of one local cluster, as the supervisor runs them: each started with the flags
// cluster.json and the timing say (setup.ts), its process state kept as raft-console's nodes' is
// (a requested SIGKILL is "killed", a SIGTERM "stopped", any other exit "crashed"), and its raft
// state read from etcd's own APIs: every member's status and the member list, asked at the
// dashboard's rate, each member on its own so that a paused one slows no other. A member is
// "running" once its client URL answers status: etcd serves clients only once it is part of a
// cluster with a leader, so before that it is "starting". What its log lines tell (elections,
// votes, a fatal start-up error) comes from the log reader and enters the model as node events do.
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { majorityOf } from '../../raft/membership.js';
import type { NodeId } from '../../raft/types.js';
import { ClusterError } from '../../cluster-model/errors.js';
import type { LinkFaultModel, NodeModel } from '../../cluster-model/model.js';
import type { Outcome } from '../../cluster-model/outcome.js';
import { EtcdError } from '../../etcd/errors.js';
import { describeProblem, EtcdGateway, type EtcdMember } from '../../etcd/gateway.js';
import { stateOf, type LoggedState } from '../../etcd/observe.js';
import { etcdUnreported } from '../../cluster-model/engine.js';
import type { ClusterFileNode } from '../cluster-file.js';
import type { LiveModel } from '../live-model.js';
import { exitState, howExited, MemberSet } from '../members.js';
import type { ExitInfo } from '../node-child.js';
import { recordNodePids } from '../orphans.js';
import { EtcdChild } from './member-child.js';
import { ETCD_LOG_START, etcdLineText, readEtcdLogLine, type EtcdLogState } from '../../etcd/log-events.js';
import { PeerProxies, type RemotePeerProxy } from './peer-proxies.js';
import { advertisedPeerUrl, bootstrapCluster, clientUrl, memberArgs, memberName, nodeIdOfName, type EtcdMemberSetup } from './setup.js';

/** How often each member is asked for its status, and the member list: the dashboard's frame rate. */
const POLL_MS = 125;
/** A status request that takes longer is given up (the member is paused, or not serving yet). */
const POLL_TIMEOUT_MS = 1000;
/** A member that has not exited this long after SIGTERM gets SIGKILL. */
const STOP_GRACE_MS = 5000;
/** How long a status naming its member leader waits for the log line that says it became leader. */
const LEAD_UNTOLD_MS = 1000;
/** When the whole cluster stops: how long a member may take after SIGTERM. */
const CLOSE_GRACE_MS = 1000;
/** How long a member may take to serve clients before start() resolves with it still starting. */
const SERVE_WAIT_MS = 10_000;

interface Run {
  child: EtcdChild;
  /** What its log lines so far told, for reading the next (log-events.ts). */
  log: EtcdLogState;
  /** Since when its status names it leader while its log has not said it became leader. */
  unconfirmedSince: number | null;
  intent: 'kill' | 'stop' | null;
  gone: Promise<void>;
}

/** The etcd binary to run: `bin` as given (a path, or a name looked up in PATH), or `etcd` from PATH. */
export function findEtcd(bin: string | undefined, path = process.env.PATH ?? ''): string {
  const wanted = bin ?? 'etcd';
  const runnable = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const found = wanted.includes('/')
    ? runnable(wanted)
      ? wanted
      : null
    : (path
        .split(delimiter)
        .filter((d) => isAbsolute(d))
        .map((d) => join(d, wanted))
        .find(runnable) ?? null);
  if (found === null)
    throw new ClusterError(
      bin === undefined
        ? 'etcd is not installed: `sudo apt-get install etcd-server` (Debian, Ubuntu), or give its path with --etcd-bin'
        : `no etcd at ${bin}: give the path of the etcd binary with --etcd-bin, or install it (\`sudo apt-get install etcd-server\` on Debian, Ubuntu)`,
      { code: 'etcd-missing', bin: wanted },
    );
  return found;
}

/** Why a member exited, in one line: the fatal reason its log gave, else the message of its last log line; null if neither. */
function etcdExitCause(exit: ExitInfo): string | null {
  if (exit.cause !== null) return exit.cause.reason;
  const last = exit.stderrTail.at(-1);
  return last === undefined ? null : etcdLineText(last);
}

/** etcd's error as a ClusterError of the action `op`. */
export function etcdFailure(op: string, err: unknown, what: string): ClusterError {
  if (!(err instanceof EtcdError)) throw err;
  const cause = err.problem.code === 'server' ? err.problem.cause : describeProblem(err.problem);
  return new ClusterError(`${what}: ${cause}`, { code: 'etcd-failed', op, cause });
}

export class EtcdFleet extends MemberSet {
  private readonly runs = new Map<NodeId, Run>();
  private closed = false;
  /** Member id (hex) -> node id, as learned from cluster.json, the members' statuses and the member list. */
  private readonly ids = new Map<string, NodeId>();
  /** What each member's log said that its status cannot (a vote, a candidacy). */
  private readonly logged = new Map<NodeId, LoggedState>();
  /** The last member list any member gave. */
  private memberList: EtcdMember[] = [];
  /** The gateway of the polls: its connections are kept alive between them. */
  private readonly poller = new EtcdGateway({ endpoints: ['http://127.0.0.1:1'], timeoutMs: POLL_TIMEOUT_MS });
  private readonly asking = new Set<NodeId | 'members'>();
  private pollTimer: NodeJS.Timeout | null = null;
  private bin: string | null = null;
  /** The fault proxy in front of each member's peer listener, kept across the member's restarts. */
  private readonly proxies = new Map<NodeId, RemotePeerProxy>();
  /** The proxies' worker thread (peer-proxies.ts): it reads senders from `ids`, sent on each change. */
  private readonly peers = new PeerProxies({ onFailure: (text, data) => this.live.say('proxy-failed', text, data) });

  constructor(
    live: LiveModel,
    private readonly folder: string,
    private readonly etcdBin: string | undefined,
  ) {
    super(live);
    for (const n of this.file().nodes) if (n.etcd?.memberId) this.ids.set(n.etcd.memberId, n.id);
    this.peers.setSenders(this.ids);
  }

  private file(): ReturnType<LiveModel['file']> {
    return this.live.file();
  }

  /** The etcd binary, looked up once; a ClusterError with the install command when there is none. */
  binary(): string {
    this.bin ??= findEtcd(this.etcdBin);
    return this.bin;
  }

  fileNode(id: NodeId): ClusterFileNode & { etcd: EtcdMemberSetup } {
    const n = this.file().nodes.find((x) => x.id === id);
    if (n?.etcd === undefined) throw new Error(`n${id} is not an etcd member of cluster.json`);
    return n as ClusterFileNode & { etcd: EtcdMemberSetup };
  }

  protected bootstrapVoters(): NodeId[] {
    return this.file()
      .nodes.filter((n) => !n.joined)
      .map((n) => n.id);
  }

  /** The node id of a member id, if it is one of ours. */
  idOf = (hex: string): NodeId | null => this.ids.get(hex) ?? null;

  /** The member id of a node, once known. */
  memberIdOf(id: NodeId): string | null {
    for (const [hex, n] of this.ids) if (n === id) return hex;
    return null;
  }

  /** A gateway to the running members, the leader first: for the member API, which any member answers. */
  gateway(timeoutMs = 5000): EtcdGateway {
    const leader = this.leader();
    const running = this.members().filter((n) => n.process.state === 'running' && n.etcd !== undefined);
    const ordered = leader === null ? running : [leader, ...running.filter((n) => n !== leader)];
    const endpoints = ordered.map((n) => n.etcd!.clientUrl);
    if (endpoints.length === 0) {
      const voters = this.membership().voters.length;
      throw new ClusterError('no etcd member is running: `raft-console restart` some first', {
        code: 'no-leader',
        waitedMs: 0,
        running: 0,
        voters,
        needed: majorityOf(voters),
        faults: false,
      });
    }
    return new EtcdGateway({ endpoints, timeoutMs });
  }

  private args(id: NodeId): string[] {
    const file = this.file();
    const me = this.fileNode(id);
    const bootstrap = file.nodes.filter((n) => !n.joined && n.etcd !== undefined).map((n) => ({ id: n.id, etcd: n.etcd! }));
    return memberArgs({
      member: { id, dataDir: join(this.folder, me.dataDir), etcd: me.etcd },
      bootstrap: bootstrapCluster(bootstrap),
      token: file.clusterId,
      heartbeatMs: file.timing.heartbeatMs,
      electionTimeoutMs: file.timing.electionTimeoutMs.min,
      switches: file.switches,
      snapshotEvery: file.snapshotEvery,
    });
  }

  private launch(id: NodeId): Run {
    const bin = this.binary();
    const logPath = join(this.folder, `${memberName(id)}.etcd.log`);
    const child = new EtcdChild(bin, this.args(id), logPath, (line) => this.logLine(id, line));
    const run: Run = { child, log: ETCD_LOG_START, unconfirmedSince: null, intent: null, gone: Promise.resolve() };
    run.gone = child.exited.then((exit) => {
      if (this.runs.get(id) !== run) return;
      this.runs.delete(id);
      this.recordPids();
      const state = exitState(run.intent);
      const wasUp = this.live.node(id)?.process.state === 'running';
      this.live.processExited(id, state, exit);
      // A member that never served is reported by start().
      if (state === 'crashed' && wasUp) this.sayCrashed(id, exit, etcdExitCause(exit));
    });
    this.runs.set(id, run);
    this.recordPids();
    this.live.processStarting(id, child.pid);
    this.poll();
    return run;
  }

  private recordPids(): void {
    recordNodePids(
      this.folder,
      [...this.runs.values()].flatMap((r) => (r.child.pid === null ? [] : [r.child.pid])),
    );
  }

  /** One stderr line of a member: an event, a fact for its state, or a fatal cause (returned). */
  private logLine(id: NodeId, line: string): ExitInfo['cause'] {
    const run = this.runs.get(id);
    const { readings, state } = readEtcdLogLine(line, { self: id, idOf: this.idOf }, run?.log ?? ETCD_LOG_START);
    if (run !== undefined) run.log = state;
    let cause: ExitInfo['cause'] = null;
    for (const r of readings)
      switch (r.kind) {
        case 'fatal':
          cause = { code: r.code, reason: `${r.cause} (${r.fix})` };
          break;
        case 'vote':
          this.logged.set(id, { ...this.logged.get(id), vote: { term: r.term, vote: r.vote } });
          break;
        case 'role':
          this.logged.set(id, { ...this.logged.get(id), role: { role: r.role, term: r.term } });
          break;
        case 'event':
          this.live.nodeLine(id, { kind: 'event', event: { ...r.event, data: r.event.data }, answer: null });
          break;
        case 'configuration':
          // The member list (polled) is the configuration the model shows, the same for every member.
          break;
      }
    return cause;
  }

  /**
   * Starts a member that is not running and resolves once it serves clients (its status answers),
   * or, if it still does not after SERVE_WAIT_MS (a member cut off from any majority waits for
   * one), with it still "starting" and an event saying so. A member that exits first is an error
   * naming its cause.
   */
  async start(id: NodeId): Promise<void> {
    if (this.closed) throw new ClusterError(`n${id} was not started: the supervisor is shutting down`, { code: 'shutting-down' });
    const run = this.launch(id);
    const node = this.live.node(id)!;
    const gone = (): boolean => this.runs.get(id) !== run;
    const serving = await this.live.until(() => gone() || node.process.state === 'running', SERVE_WAIT_MS);
    if (gone()) {
      await run.gone;
      const exit = await run.child.exited;
      if (run.intent !== null) {
        const by = run.intent === 'kill' ? 'killed' : 'stopped';
        throw new ClusterError(`n${id} was ${by} before it was up`, { code: 'interrupted', node: id, by });
      }
      const cause = etcdExitCause(exit);
      const text = `n${id} did not start (${howExited(exit)})${cause === null ? '' : `: ${cause}`}`;
      this.live.say('start-failed', text, { node: id, ...exit, outcome: { code: 'start-failed', node: id, cause } satisfies Outcome });
      throw new ClusterError(text, { code: 'did-not-start', node: id, cause });
    }
    if (!serving)
      this.live.say(
        'starting',
        `n${id} runs (pid ${run.child.pid}) but does not serve clients yet: an etcd member answers only once it is part of a cluster with a leader, and a majority of its voters must be running and connected for that`,
        { node: id },
      );
  }

  async kill(id: NodeId): Promise<void> {
    const run = this.runs.get(id);
    if (run === undefined) return;
    run.intent = 'kill';
    run.child.signal('SIGKILL');
    await run.gone;
  }

  async stop(id: NodeId, graceMs = STOP_GRACE_MS): Promise<void> {
    const run = this.runs.get(id);
    if (run === undefined) return;
    run.intent ??= 'stop';
    run.child.signal('SIGTERM');
    run.child.signal('SIGCONT');
    const force = setTimeout(() => run.child.signal('SIGKILL'), graceMs);
    await run.gone;
    clearTimeout(force);
  }

  /** The member is about to exit on its own (etcd stops a member removed from the cluster): report it as stopped. */
  expectExit(id: NodeId): void {
    const run = this.runs.get(id);
    if (run !== undefined) run.intent ??= 'stop';
  }

  pause(id: NodeId): void {
    this.runs.get(id)?.child.signal('SIGSTOP');
    this.live.processPaused(id);
  }

  resume(id: NodeId): void {
    this.runs.get(id)?.child.signal('SIGCONT');
    this.live.processResumed(id);
  }

  async close(): Promise<number> {
    this.closed = true;
    const running = [...this.runs.keys()];
    // All at once, with a short grace: a leader told to stop hands leadership to a peer first and
    // waits up to 5 s for it, however that peer is exiting too (the proxy keeps its connections
    // looking alive for a moment). Every write of etcd's is on disk by then (its WAL is fsynced),
    // so a SIGKILL during that wait loses nothing.
    await Promise.all(running.map((id) => this.stop(id, CLOSE_GRACE_MS)));
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.poller.close();
    await this.peers.close();
    this.proxies.clear();
    return running.length;
  }

  /** Every member's proxy, before any member starts: a member's peers reach it only through its proxy. */
  override async prepare(): Promise<void> {
    for (const n of this.members()) await this.openProxy(n.id, this.fileNode(n.id).etcd);
  }

  /** Starts the member's proxy if it has none, with the faults the model has. */
  async openProxy(id: NodeId, setup: EtcdMemberSetup): Promise<void> {
    if (this.proxies.has(id)) return;
    const proxy = await this.peers.start({ member: id, listenPort: setup.proxyPort, targetPort: setup.peerPort });
    proxy.setLinks(this.live.model.links);
    this.proxies.set(id, proxy);
  }

  closeProxy(id: NodeId): void {
    void this.proxies.get(id)?.close();
    this.proxies.delete(id);
  }

  /** Gives every proxy the model's faults (each applies those of its member's links). */
  setProxyLinks(): void {
    for (const p of this.proxies.values()) p.setLinks(this.live.model.links);
  }

  setFaults(links: LinkFaultModel[], _nodes: readonly NodeId[], partition?: NodeId[][]): Promise<void> {
    this.live.linksChanged(links, partition);
    this.setProxyLinks();
    return Promise.resolve();
  }

  heal(): Promise<void> {
    this.live.linksChanged([], []);
    this.setProxyLinks();
    return Promise.resolve();
  }

  /** etcd's move-leader, sent to the leader. */
  async handOver(from: NodeModel, to: NodeId): Promise<void> {
    const target = this.memberIdOf(to);
    if (target === null) throw new ClusterError(`n${to} has no etcd member id yet: wait until it has started`);
    const gateway = new EtcdGateway({ endpoints: [from.etcd!.clientUrl] });
    try {
      await gateway.moveLeader(from.etcd!.clientUrl, target);
    } catch (err) {
      throw etcdFailure('transfer', err, `n${from.id} cannot hand leadership to n${to}`);
    } finally {
      gateway.close();
    }
  }

  /** The members the member list names, by node id (for membership changes). */
  listed(): EtcdMember[] {
    return this.memberList;
  }

  /** A member added through the member API (its id known from the answer). */
  learnId(hex: string, id: NodeId): void {
    this.ids.set(hex, id);
    this.peers.setSenders(this.ids);
  }

  /**
   * Asks, at POLL_MS, every member that runs and is not paused for its status, and one of them for
   * the member list; each request on its own, so that a slow one holds up only itself. Stops once
   * no member runs (a start polls again).
   */
  private poll(): void {
    if (this.pollTimer !== null || this.closed) return;
    const tick = (): void => {
      this.pollTimer = null;
      if (this.closed) return;
      const live = this.members().filter((n) => this.runs.has(n.id) && n.process.state !== 'paused' && n.etcd !== undefined);
      for (const n of live) if (!this.asking.has(n.id)) void this.askStatus(n);
      const serving = live.filter((n) => n.process.state === 'running');
      const leader = this.leader();
      const from = leader !== null && serving.includes(leader) ? leader : serving[0];
      if (from !== undefined && !this.asking.has('members')) void this.askMembers(from);
      if (this.runs.size > 0) this.pollTimer = setTimeout(tick, POLL_MS);
    };
    this.pollTimer = setTimeout(tick, 0);
  }

  private async askMembers(from: NodeModel): Promise<void> {
    this.asking.add('members');
    try {
      const list = await this.poller.members(from.etcd!.clientUrl);
      this.memberList = list;
      for (const m of list) {
        const id = nodeIdOfName(m.name) ?? this.members().find((n) => n.etcd !== undefined && m.peerUrls.includes(n.etcd.peerUrl))?.id;
        if (id !== undefined && this.live.node(id) !== undefined) this.learn(m.id, id);
      }
      for (const n of this.members()) {
        const m = list.find((x) => x.id === this.memberIdOf(n.id));
        if (m !== undefined) this.live.etcdMemberChanged(n.id, { learner: m.learner });
      }
    } catch (err) {
      if (!(err instanceof EtcdError)) throw err;
    } finally {
      this.asking.delete('members');
    }
  }

  private async askStatus(n: NodeModel): Promise<void> {
    this.asking.add(n.id);
    try {
      const url = n.etcd!.clientUrl;
      const [status, raft] = await Promise.all([this.poller.status(url), this.poller.raftStatus(url).catch(() => null)]);
      if (!this.runs.has(n.id) || n.removed) return;
      // A state with no configuration would say the cluster has no voters: the list comes first.
      if (this.memberList.length === 0) await this.askMembers(n);
      this.learn(status.memberId, n.id);
      if (n.process.state === 'starting') this.live.processRunning(n.id, n.address);
      this.live.engineChanged({ version: status.version || null, clusterIdHex: status.clusterId || null });
      this.live.etcdMemberChanged(n.id, { dbSize: status.dbSize, learner: status.learner });
      const run = this.runs.get(n.id)!;
      if (raft !== null) {
        // The Raft node's own account: its current term, role and vote, a leader's view of each follower.
        this.live.engineChanged({ unreported: etcdUnreported({ raftStatus: true, logs: true }) });
        const state = stateOf(status, this.memberList, this.idOf, this.logged.get(n.id), raft);
        if (JSON.stringify(state) !== JSON.stringify(n.raft)) this.live.nodeLine(n.id, { kind: 'state', ts: Date.now(), state });
        return;
      }
      // Without it (a member that does not serve /debug/vars), etcd's status gives the term of the
      // last entry applied (etcdserver's s.Term()) beside the leader raft knows now: a member just
      // elected names itself leader with the previous term until its first entry applies, which
      // would read as two leaders of one term. Its log said "became leader at term N" first: the
      // term is the higher of the two, and a leadership the log has not told yet waits a poll or
      // two (at most LEAD_UNTOLD_MS, should a line be missed).
      const term = Math.max(status.raftTerm, run.log.term);
      const untold = status.leader === status.memberId && !(run.log.role === 'leader' && run.log.term >= status.raftTerm);
      if (!untold) run.unconfirmedSince = null;
      else {
        run.unconfirmedSince ??= Date.now();
        if (Date.now() - run.unconfirmedSince < LEAD_UNTOLD_MS) return;
      }
      const state = { ...stateOf(status, this.memberList, this.idOf, this.logged.get(n.id)), term };
      if (JSON.stringify(state) !== JSON.stringify(n.raft)) this.live.nodeLine(n.id, { kind: 'state', ts: Date.now(), state });
    } catch (err) {
      // Not serving yet, paused meanwhile, or gone: its last state stands, and its process state says which.
      if (!(err instanceof EtcdError)) throw err;
    } finally {
      this.asking.delete(n.id);
    }
  }

  /** A member id learned: kept in memory, in the model and, the first time, in cluster.json. */
  private learn(hex: string, id: NodeId): void {
    if (this.ids.get(hex) === id) return;
    this.ids.set(hex, id);
    this.peers.setSenders(this.ids);
    this.live.etcdMemberChanged(id, { memberId: hex });
    void this.live
      .nodeSetupChanged(id, (n) => (n.etcd === undefined ? n : { ...n, etcd: { ...n.etcd, memberId: hex } }))
      .catch(() => undefined);
  }
}

export { advertisedPeerUrl, clientUrl };
