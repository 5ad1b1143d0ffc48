/**
 * SimCluster: a deterministic Raft cluster in one process, in simulated time. One `step()` is one
 * tick: every live node ticks, the messages due are delivered, every Ready is handled (send what
 * may leave before the persist, persist, send the rest, apply, serve reads; with a disk latency a
 * write ends in a later tick) and the safety checks of invariants.ts run on what happened. Same
 * options and seed, same run.
 *
 * Controls (in the spirit of the MIT 6.5840 Raft lab's config):
 *
 *   time        step(n = 1), runFor(ticks), runUntil(pred, maxTicks) -> boolean, now
 *   nodes       ids() | voters, node(id) -> SimNode (core, storage, stateMachine), status(id),
 *               isUp(id), term(id), role(id)
 *   crashes     crash(id): everything not persisted is lost; crashBeforePersist(id): crash during
 *               the next step after messages reach it but before its Ready is persisted;
 *               restart(id): a new core from persisted state; setStorage(id, state) while down
 *   network     disconnect(id) / connect(id), partition(...groups), cut(from, to) one-way /
 *               uncut(from, to), heal(), setUnreliable(bool), setNetwork(conditions),
 *               network.inFlight
 *   leaders     leader() (the live leader of the highest term, 0 if none), leaders(),
 *               waitForLeader(maxTicks) -> id or 0, campaign(id), transferLeadership(to)
 *   clients     propose(value, via?) once, without retry -> ProposeResult;
 *               write(value?) -> WriteOp, retried through leaders until applied;
 *               one(value, expected, maxTicks?) -> index or -1 (the lab's cfg.one);
 *               read() -> ReadOp, a ReadIndex read retried until served;
 *               readValues(op) -> the values a finished read saw; pendingWrites / pendingReads
 *   agreement   nCommitted(index) -> { count, entry } (how many live nodes applied index, and what),
 *               appliedValues(id), acknowledged (every value applied somewhere, in order),
 *               commitIndex() (the highest commit index on any node's disk)
 *   membership  addNode() -> new id (running, empty, in no configuration), addLearner(id?),
 *               promote(id), remove(id), proposeConfChange(change, via?), membership()
 *   checks      violation (the first broken property, or null), assertSafe(), checks (Invariants),
 *               elections
 *   trace       traceLines(last?), note(text): a ring buffer of readable lines; onTrace streams them;
 *               eventHook sees every core event
 *
 * Options (SimClusterOptions): nodes, seed, raft (core config for all) and raftFor(id) (per node),
 * network / unreliable conditions, compactEvery, checks, traceCapacity, onTrace, stateMachine,
 * clientRetryTicks.
 */
import type { RaftConfig, RaftConfigInput } from '../raft/config.js';
import type { RaftEvent } from '../raft/events.js';
import type { ProposeResult, RaftStatus, RestoredState } from '../raft/raft.js';
import type { ConfChange, Membership, Message, NodeId, Role } from '../raft/types.js';
import { Clients, type ReadOp, type WriteOp } from './client.js';
import { Invariants, type Violation } from './invariants.js';
import { Network, RELIABLE, UNRELIABLE, type NetworkConditions } from './network.js';
import { load, SimNode, type NodeContext } from './node.js';
import { Random } from './random.js';
import { ClientLog, CountingMachine, type StateMachine } from './state-machine.js';
import { isChatter, percent, Trace } from './trace.js';

export type RaftOptions = Partial<Omit<RaftConfig, 'id' | 'voters' | 'random'>>;

export interface SimClusterOptions {
  /** Initial voters, ids 1..nodes. Default 3. */
  nodes?: number;
  /** Seeds every random choice of the run (network, clients, each core's timeouts). Default 1. */
  seed?: number;
  /** Core configuration shared by all nodes (timeouts, preVote, checkQuorum, bugs, ...). */
  raft?: RaftOptions;
  /** Per-node overrides on top of `raft` (e.g. a shorter election timeout for the node to win). */
  raftFor?: (id: NodeId) => RaftOptions | undefined;
  /** Network conditions when reliable (default: every message takes 1 tick). */
  network?: Partial<NetworkConditions>;
  /** Conditions used by setUnreliable(true) (default UNRELIABLE). */
  unreliable?: Partial<NetworkConditions>;
  /** Snapshot a node when this many applied entries sit in its log. Default: never. */
  compactEvery?: number;
  /**
   * A write to a node's disk takes from 0 to this many ticks (drawn per write). Default 0: every
   * write is done before the node takes its next input. While one is under way, the leader's
   * appends that left before it can be answered, and a crash loses what it was writing.
   */
  diskLatency?: number;
  /** Run the safety checks. Default true. */
  checks?: boolean;
  /** Trace lines kept (0 keeps none). Default 2000. */
  traceCapacity?: number;
  /** Receives every trace line as it happens. */
  onTrace?: (line: string) => void;
  /** Leave heartbeats out of the trace (default true). */
  quietHeartbeats?: boolean;
  /** 'client-log' (default): the list of client values; 'count': counts entries only (benchmarks). */
  stateMachine?: 'client-log' | 'count';
  /** Ticks a client waits on an accepted request before asking again. Default 10. */
  clientRetryTicks?: number;
}

export class SimCluster implements NodeContext {
  now = 0;
  readonly seed: number;
  readonly network: Network;
  readonly checks: Invariants | null;
  readonly trace: Trace;
  readonly compactEvery: number;
  readonly clients: Clients;
  /** Leaders elected (one per term that had a leader). */
  elections = 0;
  /**
   * Sees every core event as it is handled, after the Ready holding it was persisted (fault
   * injection timed on events). Returning 'crash' crashes the node there, before it sends the
   * messages that wait for the persist or applies anything of that Ready. It must not call crash()
   * itself.
   */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a hook that only watches returns nothing (void), and must still fit
  eventHook: ((node: SimNode, event: RaftEvent) => 'crash' | void) | null = null;
  private readonly nodes = new Map<NodeId, SimNode>();
  private list: SimNode[] = [];
  private readonly raft: RaftOptions;
  private readonly raftFor: ((id: NodeId) => RaftOptions | undefined) | undefined;
  private readonly reliable: NetworkConditions;
  private readonly unreliableConditions: NetworkConditions;
  private readonly counting: boolean;
  private readonly quietHeartbeats: boolean;
  private crashQueue: NodeId[] = [];
  private readonly diskLatency: number;
  private readonly disk: Random;
  private readonly lastElectedTerm = new Map<NodeId, number>();

  constructor(opts: SimClusterOptions = {}) {
    const n = opts.nodes ?? 3;
    this.seed = opts.seed ?? 1;
    this.raft = { ...opts.raft };
    this.raftFor = opts.raftFor;
    this.reliable = { ...RELIABLE, ...opts.network };
    this.unreliableConditions = { ...UNRELIABLE, ...opts.unreliable };
    this.network = new Network(new Random(this.seed, 'network'), this.reliable);
    this.checks = opts.checks === false ? null : new Invariants();
    this.trace = new Trace(opts.traceCapacity ?? 2000, opts.onTrace);
    this.compactEvery = opts.compactEvery ?? Infinity;
    this.diskLatency = opts.diskLatency ?? 0;
    this.disk = new Random(this.seed, 'disk');
    this.counting = opts.stateMachine === 'count';
    this.quietHeartbeats = opts.quietHeartbeats ?? true;
    this.clients = new Clients(this, new Random(this.seed, 'clients'), opts.clientRetryTicks ?? 10);
    if (this.trace.enabled) this.observeNetwork();
    const voters = Array.from({ length: n }, (_, i) => i + 1);
    for (const id of voters) this.createNode(id, voters);
    for (const node of this.list) node.start();
  }

  // ---------------------------------------------------------------------------------------------
  // Time

  /** One tick of simulated time. */
  step(ticks = 1): void {
    for (let i = 0; i < ticks; i++) this.stepOnce();
  }

  runFor(ticks: number): void {
    this.step(ticks);
  }

  /** Steps until `pred()` holds (checked before each step); false if it did not within `maxTicks`. */
  runUntil(pred: () => boolean, maxTicks: number): boolean {
    for (let i = 0; i < maxTicks; i++) {
      if (pred()) return true;
      this.stepOnce();
    }
    return pred();
  }

  private stepOnce(): void {
    const now = ++this.now;
    if (this.checks !== null) this.checks.now = now;
    const list = this.list;
    for (const node of list) node.core?.tick();
    this.clients.retry(now);
    let batch = this.network.take(now);
    if (batch !== null) this.deliver(batch);
    if (this.crashQueue.length > 0) {
      for (const id of this.crashQueue) this.crashNow(id, 'before persisting what it just received');
      this.crashQueue = [];
    }
    this.drainAll();
    // Zero-latency messages are due this very tick.
    while ((batch = this.network.take(now)) !== null) {
      this.deliver(batch);
      this.drainAll();
    }
  }

  private deliver(batch: Message[]): void {
    for (const m of batch) {
      const core = this.nodes.get(m.to)?.core;
      if (core == null) this.network.observer.dropped?.(m, 'down');
      else core.step(m);
    }
  }

  private drainAll(): void {
    for (const node of this.list) node.drain();
  }

  // ---------------------------------------------------------------------------------------------
  // Nodes

  /** Every node id, in order (initial voters and nodes added since). */
  ids(): NodeId[] {
    return this.list.map((n) => n.id);
  }

  node(id: NodeId): SimNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new RangeError(`no node n${id}`);
    return node;
  }

  status(id: NodeId): RaftStatus | null {
    return this.node(id).status();
  }

  isUp(id: NodeId): boolean {
    return this.node(id).up;
  }

  term(id: NodeId): number {
    return this.node(id).term;
  }

  role(id: NodeId): Role {
    return this.node(id).role;
  }

  /** Stops `id` at once: its core, state machine and pending reads are gone; its disk stays. */
  crash(id: NodeId): void {
    this.crashNow(id, '');
  }

  /**
   * Crashes `id` during the next step, after that step's messages reached its core and before
   * their Ready was persisted: whatever the core decided then is lost with it.
   */
  crashBeforePersist(id: NodeId): void {
    if (this.node(id).up) this.crashQueue.push(id);
  }

  private crashNow(id: NodeId, how: string): void {
    const node = this.node(id);
    if (!node.up) return;
    node.crash();
    this.note(`n${id} crashes${how === '' ? '' : ` ${how}`} (${onDisk(node)})`);
  }

  /** Starts `id` again from what it persisted. */
  restart(id: NodeId): void {
    const node = this.node(id);
    if (node.up) return;
    node.start();
    this.note(`n${id} restarts from disk (${onDisk(node)})`);
  }

  /** Replaces the disk of a crashed node (tests that hand-craft logs, e.g. Figure 7). */
  setStorage(id: NodeId, state: RestoredState): void {
    const node = this.node(id);
    if (node.up) throw new Error(`n${id} must be down to replace its storage`);
    load(id, node.storage, state, this.checks);
  }

  // ---------------------------------------------------------------------------------------------
  // Network

  /** Cuts every link to and from `id` (it keeps running). */
  disconnect(id: NodeId): void {
    this.network.isolate(id, this.ids());
    this.note(`n${id} is disconnected`);
  }

  /**
   * Restores every link to and from `id`, including its links to nodes that are themselves still
   * disconnected (unlike the MIT lab's connect, which only joins it to connected nodes); cuts
   * between other nodes stay.
   */
  connect(id: NodeId): void {
    this.network.reconnect(id);
    this.note(`n${id} is reconnected`);
  }

  /**
   * Symmetric partition: nodes talk only within their group; nodes in no group are isolated.
   * It replaces every earlier cut.
   */
  partition(...groups: NodeId[][]): void {
    this.network.heal();
    const placed = new Set(groups.flat());
    const all = [
      ...groups,
      ...this.ids()
        .filter((id) => !placed.has(id))
        .map((id) => [id]),
    ];
    this.network.partition(all);
    this.note(`partition ${all.map((g) => `{${g.map((id) => `n${id}`).join(' ')}}`).join(' ')}`);
  }

  /** One-way cut: messages from `from` no longer reach `to` (the other direction still works). */
  cut(from: NodeId, to: NodeId): void {
    this.network.cut(from, to);
    this.note(`one-way cut: n${from} can no longer reach n${to}`);
  }

  uncut(from: NodeId, to: NodeId): void {
    this.network.uncut(from, to);
    this.note(`n${from} can reach n${to} again`);
  }

  /** Every link restored (reliability is left as it is). */
  heal(): void {
    this.network.heal();
    this.note('the network heals');
  }

  setUnreliable(on: boolean): void {
    this.network.conditions = { ...(on ? this.unreliableConditions : this.reliable) };
    this.note(on ? 'the network becomes unreliable' : 'the network becomes reliable');
  }

  setNetwork(conditions: Partial<NetworkConditions>): void {
    this.network.conditions = { ...this.network.conditions, ...conditions };
    const c = this.network.conditions;
    this.note(
      `network: latency ${c.minLatency}-${c.maxLatency} ticks${c.ordered ? ' in order' : ', reordering'}, ` +
        `loss ${percent(c.drop)}, duplicates ${percent(c.duplicate)}, long delays ${percent(c.longDelay)}`,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Leaders

  /** Live nodes that believe they lead, highest term first. */
  leaders(): SimNode[] {
    const out: SimNode[] = [];
    for (const node of this.list) if (node.role === 'leader' && node.core !== null) out.push(node);
    if (out.length > 1) out.sort((a, b) => b.term - a.term || a.id - b.id);
    return out;
  }

  /** The live leader of the highest term, or 0. */
  leader(): NodeId {
    let best: SimNode | undefined;
    for (const node of this.list)
      if (node.role === 'leader' && node.core !== null && (best === undefined || node.term > best.term)) best = node;
    return best === undefined ? 0 : best.id;
  }

  /** Steps until some live node leads; returns it, or 0 after `maxTicks`. */
  waitForLeader(maxTicks = 300): NodeId {
    this.runUntil(() => this.leader() !== 0, maxTicks);
    return this.leader();
  }

  /** `id` starts an election now (no-op on a leader or a non-voter). */
  campaign(id: NodeId): void {
    this.note(`n${id} is told to campaign`);
    this.node(id).core?.campaign();
  }

  transferLeadership(to: NodeId): { ok: true } | { ok: false; reason: string } {
    const core = this.nodes.get(this.leader())?.core;
    if (core == null) return { ok: false, reason: 'no leader' };
    this.note(`the leader is asked to hand over to n${to}`);
    return core.transferLeadership(to);
  }

  // ---------------------------------------------------------------------------------------------
  // Clients

  /** One proposal at `via` (default: the leader), no retry. */
  propose(value: string, via: NodeId = this.leader()): ProposeResult {
    const core = this.nodes.get(via)?.core;
    if (core == null) return { ok: false, reason: 'not-leader', leader: 0 };
    return core.propose(value);
  }

  /** A client write, retried through leaders until some node applies it. */
  write(value?: string): WriteOp {
    return this.clients.write(value);
  }

  /** A client ReadIndex read, retried until a leader serves it. */
  read(): ReadOp {
    return this.clients.read();
  }

  /** The values a completed read saw, in order. */
  readValues(op: ReadOp): string[] {
    return op.observed < 0 ? [] : (this.checks?.acknowledged.slice(0, op.observed) ?? []);
  }

  get pendingWrites(): number {
    return this.clients.pendingWrites.size;
  }

  get pendingReads(): number {
    return this.clients.pendingReads.size;
  }

  /**
   * The lab's cfg.one: writes `value` (retrying through leaders) and waits until `expected` live
   * nodes applied it. Returns its log index, or -1 after `maxTicks`.
   */
  one(value: string, expected: number, maxTicks = 500): number {
    const op = this.write(value);
    const ok = this.runUntil(() => op.index > 0 && this.nCommitted(op.index).count >= expected, maxTicks);
    return ok ? op.index : -1;
  }

  /** How many live nodes applied the entry at `index`, and the entry first applied there. */
  nCommitted(index: number): { count: number; entry: { term: number; key: string } | undefined } {
    let count = 0;
    for (const node of this.list) if (node.core !== null && node.applied >= index) count++;
    const a = this.checks?.appliedAt(index);
    return { count, entry: a === undefined ? undefined : { term: a.term, key: a.key } };
  }

  /** The client values `id` applied, in order ([] while it is down). */
  appliedValues(id: NodeId): string[] {
    const sm = this.node(id).stateMachine;
    return sm instanceof ClientLog ? sm.values.slice() : [];
  }

  /** Every value applied on some node, in state-machine order. */
  get acknowledged(): readonly string[] {
    return this.checks?.acknowledged ?? [];
  }

  /** The highest commit index on any node's disk. */
  commitIndex(): number {
    let c = 0;
    for (const node of this.list) c = Math.max(c, node.storage.hardState.commit);
    return c;
  }

  // ---------------------------------------------------------------------------------------------
  // Membership (one server at a time, dissertation 4.1)

  /** A new, empty, running node that belongs to no configuration yet. Returns its id. */
  addNode(): NodeId {
    const id = Math.max(0, ...this.ids()) + 1;
    this.createNode(id, []);
    this.node(id).start();
    this.note(`n${id} starts, empty, outside the cluster`);
    return id;
  }

  /** Proposes `change` at `via` (default: the leader). An add-learner for an unknown id creates it. */
  proposeConfChange(change: ConfChange, via: NodeId = this.leader()): ProposeResult {
    if (change.type === 'add-learner' && !this.nodes.has(change.node)) {
      this.createNode(change.node, []);
      this.node(change.node).start();
    }
    const core = this.nodes.get(via)?.core;
    if (core == null) return { ok: false, reason: 'not-leader', leader: 0 };
    const r = core.proposeConfChange(change);
    this.note(`n${via} is asked to ${change.type} n${change.node}: ${r.ok ? `entry ${r.index}` : `refused (${r.reason})`}`);
    return r;
  }

  /** Adds `id` (a new node by default) as a learner. */
  addLearner(id?: NodeId): { id: NodeId; result: ProposeResult } {
    const node = id ?? this.addNode();
    return { id: node, result: this.proposeConfChange({ type: 'add-learner', node }) };
  }

  promote(id: NodeId): ProposeResult {
    return this.proposeConfChange({ type: 'promote', node: id });
  }

  remove(id: NodeId): ProposeResult {
    return this.proposeConfChange({ type: 'remove', node: id });
  }

  /** The configuration as the leader (else the live node of the highest term) sees it. */
  membership(): Membership {
    let best: SimNode | undefined;
    for (const node of this.list) if (node.core !== null && (best === undefined || node.term > best.term)) best = node;
    const from = this.nodes.get(this.leader()) ?? best;
    return from?.status()?.membership ?? { voters: [], learners: [] };
  }

  // ---------------------------------------------------------------------------------------------
  // Checks and trace

  get violation(): Violation | null {
    return this.checks?.violation ?? null;
  }

  /** Throws with the broken property and the end of the trace, if any property broke. */
  assertSafe(): void {
    const v = this.violation;
    if (v === null) return;
    throw new Error(`${v.property} broken at t=${v.tick}: ${v.detail} (seed ${this.seed})\n${this.traceLines(40).join('\n')}`);
  }

  traceLines(last?: number): string[] {
    return this.trace.lines(last);
  }

  note(text: string): void {
    if (this.trace.enabled) this.trace.note(this.now, text);
  }

  get tracing(): boolean {
    return this.trace.enabled;
  }

  // ---------------------------------------------------------------------------------------------
  // NodeContext: what the nodes call back

  coreConfig(id: NodeId, incarnation: number, voters: NodeId[]): RaftConfigInput {
    return { ...this.raft, ...this.raftFor?.(id), id, voters, random: new Random(this.seed, 'core', id, incarnation).asFunction() };
  }

  makeStateMachine(serialized: string | undefined): StateMachine {
    return this.counting ? new CountingMachine(serialized) : new ClientLog(serialized);
  }

  send(m: Message): void {
    this.network.send(m, this.now);
  }

  persistTicks(): number {
    return this.diskLatency === 0 ? 0 : this.disk.int(0, this.diskLatency);
  }

  events(node: SimNode, events: readonly RaftEvent[]): boolean {
    for (const e of events) {
      if (e.type === 'role-change' && e.to === 'leader' && this.lastElectedTerm.get(node.id) !== e.term) {
        this.lastElectedTerm.set(node.id, e.term);
        this.elections++;
      }
    }
    if (this.trace.enabled) for (const event of events) this.trace.push({ t: this.now, kind: 'event', node: node.id, event });
    const hook = this.eventHook;
    if (hook === null) return false;
    for (const event of events) {
      if (hook(node, event) === 'crash') {
        this.note(`n${node.id} crashes right after that, before sending anything (log up to ${node.storage.lastIndex})`);
        return true;
      }
    }
    return false;
  }

  valueApplied(node: SimNode, position: number, value: string, index: number): void {
    if (this.checks === null || this.checks.valueApplied(node.id, position, value, index)) this.clients.acknowledged(value, index);
  }

  readServed(node: SimNode, context: string, size: number): void {
    this.clients.served(context, node.id, size);
  }

  // ---------------------------------------------------------------------------------------------

  private createNode(id: NodeId, voters: NodeId[]): void {
    const node = new SimNode(id, this, voters);
    this.nodes.set(id, node);
    this.list = [...this.nodes.values()].sort((a, b) => a.id - b.id);
  }

  private observeNetwork(): void {
    const trace = this.trace;
    const quiet = this.quietHeartbeats;
    this.network.observer = {
      sent: (msg, at) => {
        if (!(quiet && isChatter(msg))) trace.push({ t: this.now, kind: 'send', msg, at });
      },
      duplicated: (msg, at) => {
        if (!(quiet && isChatter(msg))) trace.push({ t: this.now, kind: 'duplicate', msg, at });
      },
      dropped: (msg, cause) => {
        if (!(quiet && isChatter(msg))) trace.push({ t: this.now, kind: 'drop', msg, cause });
      },
    };
  }
}

/** What a node has on disk, in a few words. */
function onDisk(node: SimNode): string {
  const { term, vote } = node.storage.hardState;
  return `term ${term}, vote ${vote}, log up to ${node.storage.lastIndex}`;
}
