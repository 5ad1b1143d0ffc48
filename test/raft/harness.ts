// Test harness for the consensus core: deterministic nodes, a message network the tests control
// (deliver all, drop links, isolate, rewrite), and a state machine per node that records what was
// applied. The disk, the Ready contract's persist and apply checks, the safety checks and the
// randomness are the simulator's (src/sim): storage.ts, node.ts, invariants.ts and random.ts, so
// the unit tests and the simulator hold the core to one contract.
//
// Time only moves through tick(). Nothing here reads a clock or Math.random.
import { Raft, type RaftStatus, type RestoredState } from '../../src/raft/raft.js';
import type { RaftConfig, RaftConfigInput } from '../../src/raft/config.js';
import type { Ready } from '../../src/raft/ready.js';
import type { RaftEvent, RaftEventType } from '../../src/raft/events.js';
import type {
  ConfChange,
  ConfigEntry,
  Entry,
  HardState,
  Membership,
  Message,
  MessageType,
  NodeId,
  NoopEntry,
  NormalEntry,
  ReadState,
  Snapshot,
} from '../../src/raft/types.js';
import { Invariants } from '../../src/sim/invariants.js';
import { checkApply, hasPersist, load, persist } from '../../src/sim/node.js';
import { Random } from '../../src/sim/random.js';
import { StableStorage } from '../../src/sim/storage.js';

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** The simulator's seeded generator, as the `() => number` in [0, 1) the tests draw from. */
export function prng(seed: number): () => number {
  return new Random(seed).asFunction();
}

// ---------------------------------------------------------------------------------------------
// Entry and message builders

export function normal(index: number, term: number, data = `d${index}`): NormalEntry {
  return { type: 'normal', index, term, data };
}
export function noop(index: number, term: number): NoopEntry {
  return { type: 'noop', index, term };
}
export function confEntry(index: number, term: number, change: ConfChange, membership: Membership): ConfigEntry {
  return { type: 'config', index, term, change, membership };
}
/** A log of normal entries from index `start` with the given terms. */
export function logOfTerms(terms: number[], start = 1): Entry[] {
  return terms.map((t, i) => normal(start + i, t, `t${t}i${start + i}`));
}

export function voteReq(
  from: NodeId,
  to: NodeId,
  term: number,
  lastLogIndex: number,
  lastLogTerm: number,
  kind: 'vote' | 'pre-vote' = 'vote',
  transfer?: boolean,
): Message {
  const m: Message = { type: kind, from, to, term, lastLogIndex, lastLogTerm };
  if (transfer !== undefined) m.transfer = transfer;
  return m;
}
export function appendReq(
  from: NodeId,
  to: NodeId,
  term: number,
  prevLogIndex: number,
  prevLogTerm: number,
  entries: Entry[],
  leaderCommit: number,
): Message {
  return { type: 'append', from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit };
}
export function heartbeat(from: NodeId, to: NodeId, term: number, commit: number, context?: string): Message {
  const m: Message = { type: 'heartbeat', from, to, term, commit };
  if (context !== undefined) m.context = context;
  return m;
}

/** The message type(s) whose `type` can be T (VoteRequest covers both 'vote' and 'pre-vote'). */
export type MsgOf<T extends MessageType> = Message extends infer M
  ? M extends { type: infer U }
    ? T extends U
      ? M & { type: T }
      : never
    : never
  : never;
export type EventOf<T extends RaftEventType> = Extract<RaftEvent, { type: T }>;

export function isMsg<T extends MessageType>(t: T): (m: Message) => m is MsgOf<T> {
  return (m: Message): m is MsgOf<T> => m.type === t;
}
export function isEvent<T extends RaftEventType>(t: T): (e: RaftEvent) => e is EventOf<T> {
  return (e: RaftEvent): e is EventOf<T> => e.type === t;
}

// ---------------------------------------------------------------------------------------------
// State machine: records applied entries; its serialized form is the snapshot data.

interface AppliedRecord {
  index: number;
  term: number;
  type: Entry['type'];
  data: string | null;
}

export class StateMachine {
  appliedIndex = 0;
  /** Applied entries by index (also entries restored from a snapshot, when its data is ours). */
  readonly log = new Map<number, AppliedRecord>();
  /** Snapshot index the state was last restored from (0 if none). */
  restoredFrom = 0;

  apply(e: Entry, node: NodeId): void {
    if (e.index <= this.appliedIndex) {
      // Re-delivery after a restart is tolerated, but it must be the same entry.
      const prev = this.log.get(e.index);
      if (prev && prev.term !== e.term)
        throw new Error(`n${node}: entry ${e.index} applied twice with different terms (${prev.term} then ${e.term})`);
      return;
    }
    if (e.index !== this.appliedIndex + 1)
      throw new Error(`n${node}: committed entry ${e.index} delivered after ${this.appliedIndex}: gap in committedEntries`);
    this.log.set(e.index, { index: e.index, term: e.term, type: e.type, data: e.type === 'normal' ? e.data : null });
    this.appliedIndex = e.index;
  }

  restore(s: Snapshot): void {
    if (s.meta.index <= this.appliedIndex) {
      const prev = this.log.get(s.meta.index);
      if (prev && prev.term !== s.meta.term)
        throw new Error(`snapshot at ${s.meta.index} of term ${s.meta.term} contradicts applied entry of term ${prev.term}`);
    }
    this.log.clear();
    const parsed = StateMachine.parse(s.data);
    if (parsed) for (const r of parsed) if (r.index <= s.meta.index) this.log.set(r.index, r);
    this.appliedIndex = s.meta.index;
    this.restoredFrom = s.meta.index;
  }

  /** Serialized state as of `index` (must be <= appliedIndex). */
  snapshotData(index: number): string {
    const recs = [...this.log.values()].filter((r) => r.index <= index).sort((a, b) => a.index - b.index);
    return JSON.stringify({ sm: 1, entries: recs });
  }

  static parse(data: string): AppliedRecord[] | null {
    try {
      const v = JSON.parse(data) as { sm?: number; entries?: AppliedRecord[] };
      return v.sm === 1 && Array.isArray(v.entries) ? v.entries : null;
    } catch {
      return null;
    }
  }

  /** Data of applied normal entries, in order. */
  values(): string[] {
    return [...this.log.values()]
      .sort((a, b) => a.index - b.index)
      .filter((r) => r.type === 'normal')
      .map((r) => r.data ?? '');
  }
}

// ---------------------------------------------------------------------------------------------
// Nodes and the cluster

type NodeConfig = Partial<Omit<RaftConfig, 'id' | 'random'>>;

export interface SimNode {
  id: NodeId;
  raft: Raft;
  config: NodeConfig & { voters: NodeId[] };
  /** What the node has made durable: written only through the Ready contract (and compact()). */
  readonly storage: StableStorage;
  sm: StateMachine;
  up: boolean;
  restarts: number;
  /** Every Ready this node produced (across restarts). */
  readies: Ready[];
  events: RaftEvent[];
  readStates: ReadState[];
  /** Index of the last committed entry the current Raft instance handed out (its start point after a restart). */
  delivered: number;
  /** holdWrites(): the node's writes stay under way until releaseWrites() (a slow disk). */
  writesHeld: boolean;
  /** A Ready whose messagesBeforePersist left and whose write is under way (writesHeld). */
  writing: Ready | null;
}

export interface ClusterOptions {
  seed?: number;
  /** Config overrides for every node. */
  config?: NodeConfig;
  /** Per-node config overrides (voters included, e.g. `voters: []` for a joining node). */
  perNode?: Record<NodeId, NodeConfig>;
  /** Per-node state to start from (as if restarted from that disk). */
  restored?: Record<NodeId, RestoredState>;
  /**
   * Throw at the first broken check: the Ready contract (persist before send, committed entries
   * durable, terms, votes and commit never going back on disk, ...) and the safety properties the
   * simulator checks (src/sim/invariants.ts). On by default; the known-bug tests turn it off, and
   * then `checks` only records.
   */
  checkContract?: boolean;
  /** Abort a delivery loop after this many messages (a core that never quiesces). */
  maxDeliveries?: number;
}

/** Rewrites or drops a message at delivery: return null to drop, a message to deliver it. */
export type Filter = (m: Message) => Message | null;

export interface SentRecord {
  seq: number;
  msg: Message;
}

export class Cluster {
  readonly seed: number;
  readonly nodes = new Map<NodeId, SimNode>();
  /** Messages sent and not yet delivered or dropped, in send order. */
  queue: Message[] = [];
  /** Every message any node ever sent, in order. */
  readonly sent: SentRecord[] = [];
  readonly delivered: Message[] = [];
  readonly dropped: Message[] = [];
  /** All events of all nodes, in the order they were produced. */
  readonly eventLog: { node: NodeId; event: RaftEvent }[] = [];
  private filters = new Map<number, Filter>();
  private nextFilterId = 1;
  private isolated = new Set<NodeId>();
  private cuts = new Set<string>();
  private seq = 0;
  private readonly baseConfig: NodeConfig;
  readonly checkContract: boolean;
  readonly maxDeliveries: number;
  /** The simulator's safety checks, fed by every node's Readies. */
  readonly checks = new Invariants();

  constructor(ids: NodeId[], opts: ClusterOptions = {}) {
    this.seed = opts.seed ?? 1;
    this.baseConfig = opts.config ?? {};
    this.checkContract = opts.checkContract ?? true;
    this.maxDeliveries = opts.maxDeliveries ?? 200_000;
    for (const id of ids) {
      const per = opts.perNode?.[id] ?? {};
      this.addNode(id, { voters: ids, ...per }, opts.restored?.[id]);
    }
  }

  // --- nodes ---------------------------------------------------------------------------------

  addNode(id: NodeId, cfg: NodeConfig & { voters: NodeId[] }, restored?: RestoredState): SimNode {
    if (this.nodes.has(id)) throw new Error(`node ${id} exists`);
    const config = { ...this.baseConfig, ...cfg };
    const storage = new StableStorage();
    if (restored) {
      load(id, storage, restored, this.checks);
      this.enforce();
    }
    const sm = new StateMachine();
    if (storage.snapshot) sm.restore(storage.snapshot);
    const node: SimNode = {
      id,
      raft: this.construct(id, config, 0, storage),
      config,
      storage,
      sm,
      up: true,
      restarts: 0,
      readies: [],
      events: [],
      readStates: [],
      delivered: 0,
      writesHeld: false,
      writing: null,
    };
    node.delivered = node.raft.status().applied;
    this.nodes.set(id, node);
    this.flush(id);
    return node;
  }

  /** A core built from what `storage` holds, with the simulator's stream for its timeouts. */
  private construct(id: NodeId, config: NodeConfig & { voters: NodeId[] }, restarts: number, storage: StableStorage): Raft {
    const input: RaftConfigInput = { ...config, id, random: new Random(this.seed, 'core', id, restarts).asFunction() };
    return new Raft(input, storage.restored());
  }

  node(id: NodeId): SimNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }
  raft(id: NodeId): Raft {
    return this.node(id).raft;
  }
  status(id: NodeId): RaftStatus {
    return this.raft(id).status();
  }
  ids(): NodeId[] {
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }
  upIds(): NodeId[] {
    return this.ids().filter((id) => this.node(id).up);
  }

  /** The node stops: unpersisted state is lost, messages to it are dropped. */
  crash(id: NodeId): void {
    const n = this.node(id);
    n.up = false;
    n.writing = null;
    n.writesHeld = false;
    n.storage.loseUnsynced();
  }

  /**
   * From now on `id`'s disk writes do not finish until releaseWrites(id): the node sends its
   * messagesBeforePersist and then waits, taking no other Ready (as the node's driver does), while
   * its core still takes inputs. A crash meanwhile loses the write (and ends the hold).
   */
  holdWrites(id: NodeId): void {
    this.node(id).writesHeld = true;
  }

  /** The write under way on `id` finishes, and the node handles the rest of that Ready and more. */
  releaseWrites(id: NodeId): void {
    const n = this.node(id);
    n.writesHeld = false;
    const rd = n.writing;
    n.writing = null;
    if (rd !== null && n.up) {
      this.finishReady(n, rd);
      n.raft.advance(rd);
    }
    this.flush(id);
  }

  /** A new Raft instance for `id`, built from what its storage holds. */
  restart(id: NodeId, overrides: NodeConfig = {}): void {
    const n = this.node(id);
    n.restarts++;
    n.config = { ...n.config, ...overrides };
    n.up = true;
    n.raft = this.construct(id, n.config, n.restarts, n.storage);
    n.delivered = n.raft.status().applied;
    this.flush(id);
  }

  // --- the Ready loop ------------------------------------------------------------------------

  /** Handle every pending Ready of `id` per the contract. Messages go to the queue, undelivered. */
  flush(id: NodeId): Ready[] {
    const n = this.node(id);
    const out: Ready[] = [];
    if (!n.up) return out;
    let guard = 0;
    while (n.writing === null && n.raft.hasReady()) {
      if (++guard > 10_000) throw new Error(`n${id}: hasReady() never becomes false`);
      const rd = n.raft.ready();
      out.push(rd);
      n.readies.push(rd);
      // 1. send what may leave before the persist
      this.sendAll(n, rd.messagesBeforePersist);
      if (n.writesHeld && hasPersist(rd)) {
        n.writing = rd;
        break;
      }
      this.finishReady(n, rd);
      n.raft.advance(rd);
    }
    return out;
  }

  flushAll(): void {
    for (const id of this.upIds()) this.flush(id);
  }

  private sendAll(n: SimNode, messages: readonly Message[]): void {
    for (const m of messages) {
      this.checkMessage(n, m);
      this.enforce();
      this.sent.push({ seq: this.seq++, msg: m });
      this.queue.push(m);
    }
  }

  /** Steps 2 to 5 of a Ready whose messagesBeforePersist are out. */
  private finishReady(n: SimNode, rd: Ready): void {
    // 2. persist: snapshot, entries, hard state
    persist(n.id, n.storage, rd, this.checks);
    this.enforce();
    n.raft.persisted(rd);

    // 3. send the rest
    this.sendAll(n, rd.messages);

    // 4. restore + apply
    if (rd.snapshot) {
      n.sm.restore(rd.snapshot);
      n.delivered = Math.max(n.delivered, rd.snapshot.meta.index);
    }
    for (const e of rd.committedEntries) {
      checkApply(n.id, n.storage, n.delivered, e, this.checks);
      this.enforce();
      n.delivered = e.index;
      n.sm.apply(e, n.id);
    }

    // 5. reads, events
    n.readStates.push(...rd.readStates);
    for (const e of rd.events) {
      n.events.push(e);
      this.eventLog.push({ node: n.id, event: e });
    }
  }

  /**
   * Persist before send (Figure 2), which the simulator does not check: there a vote sent before
   * it is on disk only shows as a double vote after a crash.
   */
  private checkMessage(n: SimNode, m: Message): void {
    const fail = (detail: string): void => this.checks.fail('ready-contract', n.id, detail);
    if (m.from !== n.id) fail(`message from n${m.from} in n${n.id}'s Ready`);
    const hs = n.storage.hardState;
    if (m.type === 'pre-vote' || m.type === 'pre-vote-response') return;
    // A message may carry an older term than the one persisted (the node moved on within the
    // same Ready), never a newer one.
    if (m.term > hs.term) fail(`${m.type} to n${m.to} carries term ${m.term} but the persisted term is ${hs.term} (persist before send)`);
    if (m.type === 'vote' && hs.term === m.term && hs.vote !== n.id)
      fail(`vote request for term ${m.term} sent before the self-vote was persisted (vote=${hs.vote})`);
    if (m.type === 'vote-response' && m.granted && (hs.term < m.term || (hs.term === m.term && hs.vote !== m.to)))
      fail(`vote for n${m.to} in term ${m.term} sent but persisted vote is ${hs.vote}`);
    if (m.type === 'append-response' && m.success && m.index > n.storage.lastIndex)
      fail(`n${n.id} acknowledges entries up to ${m.index} to n${m.to} but its disk holds up to ${n.storage.lastIndex}`);
  }

  /** Throws at the first broken check, unless the test turned that off (checkContract: false). */
  private enforce(): void {
    const v = this.checks.violation;
    if (v !== null && this.checkContract) throw new Error(`contract violation at n${v.node}: ${v.property}: ${v.detail}`);
  }

  // --- network -------------------------------------------------------------------------------

  addFilter(f: Filter): () => void {
    const k = this.nextFilterId++;
    this.filters.set(k, f);
    return () => this.filters.delete(k);
  }
  clearFilters(): void {
    this.filters.clear();
  }
  /** Drop every message to or from `id` until heal(). */
  isolate(id: NodeId): void {
    this.isolated.add(id);
  }
  /** Drop messages both ways between a and b until heal(). */
  cut(a: NodeId, b: NodeId): void {
    this.cuts.add(`${a}-${b}`);
    this.cuts.add(`${b}-${a}`);
  }
  /** Split the cluster: messages between different groups are dropped until heal(). */
  partition(...groups: NodeId[][]): void {
    for (const g of groups) for (const h of groups) if (g !== h) for (const a of g) for (const b of h) this.cut(a, b);
  }
  heal(): void {
    this.isolated.clear();
    this.cuts.clear();
  }

  /** The message as it would arrive, or null if the network drops it. */
  private route(m: Message): Message | null {
    if (this.isolated.has(m.from) || this.isolated.has(m.to)) return null;
    if (this.cuts.has(`${m.from}-${m.to}`)) return null;
    const dest = this.nodes.get(m.to);
    if (!dest || !dest.up) return null;
    let cur: Message | null = m;
    for (const f of this.filters.values()) {
      if (cur === null) break;
      cur = f(cur);
    }
    return cur;
  }

  /** Deliver one message now (routing through the network) and flush the receiver. */
  deliver(m: Message): boolean {
    const r = this.route(m);
    if (r === null) {
      this.dropped.push(m);
      return false;
    }
    this.delivered.push(r);
    this.raft(r.to).step(r);
    this.flush(r.to);
    return true;
  }

  /** Deliver queued messages (and everything they cause) until the network is quiet. */
  deliverAll(): void {
    this.flushAll();
    let n = 0;
    while (this.queue.length > 0) {
      if (++n > this.maxDeliveries) throw new Error(`network did not quiesce after ${this.maxDeliveries} messages`);
      const m = this.queue.shift()!;
      this.deliver(m);
      this.flushAll();
    }
  }

  /**
   * Deliver only messages matching `pred` (and what they cause that also matches), leaving the
   * others queued in order.
   */
  deliverWhere(pred: (m: Message) => boolean): void {
    this.flushAll();
    let n = 0;
    for (;;) {
      const i = this.queue.findIndex(pred);
      if (i < 0) return;
      if (++n > this.maxDeliveries) throw new Error(`network did not quiesce after ${this.maxDeliveries} messages`);
      const [m] = this.queue.splice(i, 1);
      this.deliver(m!);
    }
  }

  /** Deliver queued messages one at a time, in order, until `cond()` holds. */
  deliverUntil(cond: () => boolean): boolean {
    this.flushAll();
    let n = 0;
    while (!cond()) {
      const m = this.queue.shift();
      if (!m) return false;
      if (++n > this.maxDeliveries) throw new Error(`network did not quiesce after ${this.maxDeliveries} messages`);
      this.deliver(m);
    }
    return true;
  }

  /** Throw away every queued message. */
  dropQueued(pred: (m: Message) => boolean = () => true): Message[] {
    const gone = this.queue.filter(pred);
    this.queue = this.queue.filter((m) => !pred(m));
    this.dropped.push(...gone);
    return gone;
  }

  // --- time ----------------------------------------------------------------------------------

  /** Tick one node `n` times, flushing after each tick (messages are queued, not delivered). */
  tick(id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) {
      const node = this.node(id);
      if (!node.up) return;
      node.raft.tick();
      this.flush(id);
    }
  }

  /** `rounds` times: tick every running node once, then deliver until quiet. */
  tickAll(rounds = 1, opts: { deliver?: boolean } = {}): void {
    for (let r = 0; r < rounds; r++) {
      for (const id of this.upIds()) {
        this.node(id).raft.tick();
        this.flush(id);
      }
      if (opts.deliver ?? true) this.deliverAll();
    }
  }

  /** Tick all nodes (delivering) until `cond()` holds; returns the rounds used, or -1. */
  tickUntil(cond: () => boolean, maxRounds = 500): number {
    for (let r = 0; r <= maxRounds; r++) {
      if (cond()) return r;
      this.tickAll(1);
    }
    return -1;
  }

  // --- high-level helpers --------------------------------------------------------------------

  /** campaign() on `id` and deliver until quiet; throws unless `id` ends up leader. */
  electLeader(id: NodeId): void {
    this.raft(id).campaign();
    this.flush(id);
    this.deliverAll();
    const s = this.status(id);
    if (s.role !== 'leader') throw new Error(`electLeader(${id}): ended as ${s.role} in term ${s.term}`);
  }

  /** propose() on `id` and flush it; returns the result. */
  propose(id: NodeId, data: string) {
    const r = this.raft(id).propose(data);
    this.flush(id);
    return r;
  }

  proposeConfChange(id: NodeId, change: ConfChange) {
    const r = this.raft(id).proposeConfChange(change);
    this.flush(id);
    return r;
  }

  /** Step one message into a node directly (no network) and return what that caused. */
  inject(m: Message): { readies: Ready[]; messages: Message[]; events: RaftEvent[] } {
    this.raft(m.to).step(m);
    const readies = this.flush(m.to);
    return {
      readies,
      messages: readies.flatMap((r) => [...r.messagesBeforePersist, ...r.messages]),
      events: readies.flatMap((r) => r.events),
    };
  }

  /** compact() on `id` at `index` (default: its applied index) and persist the snapshot. */
  compact(id: NodeId, index?: number): Snapshot {
    const n = this.node(id);
    const at = index ?? n.sm.appliedIndex;
    const snap = n.raft.compact(at, n.sm.snapshotData(at));
    n.storage.saveSnapshot(snap);
    this.checks.snapshotSaved(id, snap.meta);
    this.enforce();
    this.flush(id);
    return snap;
  }

  /** The node that is leader with the highest term among running nodes, or undefined. */
  leader(): NodeId | undefined {
    let best: { id: NodeId; term: number } | undefined;
    for (const id of this.upIds()) {
      const s = this.status(id);
      if (s.role === 'leader' && (!best || s.term > best.term)) best = { id, term: s.term };
    }
    return best?.id;
  }

  // --- inspection ----------------------------------------------------------------------------

  /** term -> leader, from every election won: Election Safety's record. */
  get leadersByTerm(): ReadonlyMap<number, { node: NodeId; tick: number }> {
    return this.checks.leaders;
  }

  /** Terms of the node's in-memory log from firstIndex to lastIndex. */
  logTerms(id: NodeId): number[] {
    const s = this.status(id);
    return this.raft(id)
      .entries(s.firstIndex, s.lastIndex)
      .map((e) => e.term);
  }
  logEntries(id: NodeId): Entry[] {
    const s = this.status(id);
    return this.raft(id).entries(s.firstIndex, s.lastIndex);
  }
  storedTerms(id: NodeId): number[] {
    return this.node(id).storage.entries.map((e) => e.term);
  }
  events<T extends RaftEventType>(id: NodeId, type: T): EventOf<T>[] {
    return this.node(id).events.filter(isEvent(type));
  }
  allEvents<T extends RaftEventType>(type: T): { node: NodeId; event: EventOf<T> }[] {
    const out: { node: NodeId; event: EventOf<T> }[] = [];
    for (const x of this.eventLog) if (x.event.type === type) out.push({ node: x.node, event: x.event as EventOf<T> });
    return out;
  }
  sentOf<T extends MessageType>(type: T, where: (m: MsgOf<T>) => boolean = () => true, sinceSeq = 0): MsgOf<T>[] {
    const out: MsgOf<T>[] = [];
    for (const r of this.sent) if (r.seq >= sinceSeq && r.msg.type === type && where(r.msg as MsgOf<T>)) out.push(r.msg as MsgOf<T>);
    return out;
  }
  queued<T extends MessageType>(type: T, where: (m: MsgOf<T>) => boolean = () => true): MsgOf<T>[] {
    return this.queue.filter((m): m is MsgOf<T> => m.type === type && where(m as MsgOf<T>));
  }
  /**
   * The ReadIndex rounds `from` sent heartbeats for since `sinceSeq`, in order: each context once,
   * however many followers (and periodic heartbeats) carried it.
   */
  readRounds(from: NodeId, sinceSeq = 0): string[] {
    return [...new Set(this.sentOf('heartbeat', (m) => m.from === from && m.context !== undefined, sinceSeq).map((m) => m.context!))];
  }
  /** Delivers the queued heartbeats of read round `context`, and their answers. */
  deliverReadRound(context: string): void {
    this.deliverWhere((m) => (m.type === 'heartbeat' || m.type === 'heartbeat-response') && m.context === context);
  }
  /** Sequence number the next sent message will get: mark a point in the message history. */
  mark(): number {
    return this.seq;
  }
  applied(id: NodeId): string[] {
    return this.node(id).sm.values();
  }

  /** Log Matching on what is committed: committed prefixes agree wherever two nodes hold both. */
  checkCommittedPrefixes(): void {
    const ids = this.upIds();
    for (const a of ids)
      for (const b of ids) {
        if (a >= b) continue;
        const sa = this.status(a);
        const sb = this.status(b);
        const hi = Math.min(sa.commit, sb.commit);
        for (let i = Math.max(sa.firstIndex, sb.firstIndex); i <= hi; i++) {
          const ta = this.raft(a).termAt(i);
          const tb = this.raft(b).termAt(i);
          if (ta !== undefined && tb !== undefined && ta !== tb)
            throw new Error(`committed entry ${i} differs: n${a} has term ${ta}, n${b} has term ${tb}`);
        }
      }
  }
}

export function newCluster(ids: NodeId[], opts: ClusterOptions = {}): Cluster {
  return new Cluster(ids, opts);
}

/** A RestoredState with the given log (normal entries of these terms) and hard state. */
export function restoredLog(terms: number[], hs: Partial<HardState> = {}): RestoredState {
  const last = terms.length > 0 ? terms[terms.length - 1]! : 0;
  return {
    hardState: { term: hs.term ?? last, vote: hs.vote ?? 0, commit: hs.commit ?? 0 },
    snapshot: null,
    entries: logOfTerms(terms),
  };
}

export function roleChanges(c: Cluster, id: NodeId): EventOf<'role-change'>[] {
  return c.events(id, 'role-change');
}
