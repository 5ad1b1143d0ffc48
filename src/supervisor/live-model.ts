// The supervisor's live model of its cluster and the story of what happened, and the only writer of
// both: node state from the nodes' "state" lines, every other line as an event, the supervisor's own
// events, and every change the supervisor makes (processes, membership, network faults, speed) as a
// named operation. Each operation changes the model in place, tells the listeners (the control
// server batches the changes out to its clients), and, when it changed what cluster.json holds,
// writes the file, derived from the model (cluster-file.ts) and never edited beside it. Every state
// report and every election also goes to the safety monitor, whose verdict is part of the model.
//
// Events enter the story here and only here, through a reorder window (reorder.ts): each node's
// lines come on a pipe of their own and interleave out of time order, so they are held a moment
// and told oldest first. A vote told after its term's leader is known is marked as such (see
// `late`).
import type { NodeId } from '../raft/types.js';
import {
  EVENT_HISTORY,
  type ClusterEvent,
  type ClusterModel,
  type LinkFaultModel,
  type NodeModel,
  type Timing,
} from '../cluster-model/model.js';
import { heldText } from '../cluster-model/held-text.js';
import type { SendFate } from '../transport/transport.js';
import { clusterFileOf, nodeModel, writeClusterFile, type ClusterFile, type ClusterSetup, type NodeSetup } from './cluster-file.js';
import { withoutNode } from './links.js';
import type { ExitInfo } from './node-child.js';
import type { Outcome } from '../cluster-model/outcome.js';
import type { EngineInfo, EtcdNodeInfo } from '../cluster-model/engine.js';
import type { NodeLine } from './node-line.js';
import { ReorderWindow } from './reorder.js';
import { SafetyMonitor, type SafetyViolation } from './safety.js';

/** How long an event is held so that the lines of other nodes from before it can overtake it. */
export const EVENT_REORDER_MS = 75;

/** Terms whose leader is remembered, for telling late votes: the newest ones. */
const LEADERS_KEPT = 64;

export interface LiveModelOptions {
  /** Hold each event this long to tell them in time order; 0 (the default) tells each at once. */
  reorderMs?: number;
  now?: () => number;
}

/** Called after every change with the events it added (none for a change of state only). */
export type ChangeListener = (events: readonly ClusterEvent[]) => void;

export class LiveModel {
  private readonly listeners = new Set<ChangeListener>();
  private readonly safety = new SafetyMonitor();
  private saving: Promise<void> = Promise.resolve();
  private readonly window: ReorderWindow<ClusterEvent> | null;
  private releaseTimer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  /** The leader of each recent term, as the story has told it so far. */
  private readonly leaders = new Map<number, NodeId>();
  /** Step mode: what the fault filter did with each held message sent on, until the action that sent it reads it (takeFates). */
  private readonly fates = new Map<string, SendFate>();

  /**
   * `model.safety` starts as `{ ok: true, checkedReports: 0 }`. `setup` is what cluster.json holds
   * beyond the model; without it (a model shown, not run) nothing is written.
   */
  constructor(
    readonly model: ClusterModel,
    private readonly setup: ClusterSetup | null = null,
    options: LiveModelOptions = {},
  ) {
    const hold = options.reorderMs ?? 0;
    this.window = hold > 0 ? new ReorderWindow(hold) : null;
    this.now = options.now ?? Date.now;
  }

  node(id: number): NodeModel | undefined {
    return this.model.nodes.find((n) => n.id === id);
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** cluster.json as the model says it is now: read it; it changes with the model. */
  file(): ClusterFile {
    if (this.setup === null) throw new Error('this model is not kept in a cluster.json');
    return clusterFileOf(this.model, this.setup);
  }

  /** Writes cluster.json as the model says it is; writes never overlap, and each writes the latest. */
  save(): Promise<void> {
    const setup = this.setup;
    if (setup === null) return Promise.resolve();
    this.saving = this.saving.catch(() => undefined).then(() => writeClusterFile(this.model.folder, clusterFileOf(this.model, setup)));
    return this.saving;
  }

  /** The supervisor's own events: actions and process changes, in a sentence. */
  say(type: string, text: string, data?: Record<string, unknown>): void {
    this.record({ ts: this.now(), node: null, kind: 'supervisor', type, text, ...(data === undefined ? {} : { data }) });
  }

  /** Tells every event still held, at once: for a supervisor that stops. */
  flushEvents(): void {
    if (this.releaseTimer !== null) clearTimeout(this.releaseTimer);
    this.releaseTimer = null;
    if (this.window !== null) this.tell(this.window.drain());
  }

  /** The node's process was spawned; it does not listen yet. */
  processStarting(id: NodeId, pid: number | null): void {
    Object.assign(this.member(id).process, { state: 'starting', pid, exitCode: null, signal: null, stderrTail: [], startedAt: Date.now() });
    this.changed();
  }

  /** The node listens on `address`. */
  processRunning(id: NodeId, address: string): void {
    const node = this.member(id);
    node.address = address;
    node.process.state = 'running';
    this.changed();
  }

  processPaused(id: NodeId): void {
    this.member(id).process.state = 'paused';
    this.changed();
  }

  processResumed(id: NodeId): void {
    this.member(id).process.state = 'running';
    this.changed();
  }

  /** The node's process is gone: killed or stopped as asked, or crashed. */
  processExited(id: NodeId, state: 'killed' | 'stopped' | 'crashed', exit: Pick<ExitInfo, 'exitCode' | 'signal' | 'stderrTail'>): void {
    Object.assign(this.member(id).process, { state, pid: null, exitCode: exit.exitCode, signal: exit.signal, stderrTail: exit.stderrTail });
    const step = this.model.step;
    const lost = step?.held.filter((h) => h.from === id) ?? [];
    if (step !== undefined && lost.length > 0) {
      step.held = step.held.filter((h) => h.from !== id);
      const ids = lost.map((h) => h.id);
      // Held messages live in the sender's process: one that ends takes them with it, as a crash
      // loses what sat in its socket buffers. Raft copes: each is resent when its timer says.
      this.say(
        'held-lost',
        `n${id} ${state === 'stopped' ? 'stopped' : state === 'killed' ? 'was killed' : 'crashed'} holding ${ids.join(', ')}: ${ids.length === 1 ? 'that message is' : 'those messages are'} lost with it`,
        {
          node: id,
          outcome: { code: 'held-lost', node: id, ids } satisfies Outcome,
        },
      );
    }
    this.changed();
  }

  /** Step mode switched on or off (held messages stay listed until their nodes say they went). */
  stepSwitched(on: boolean): void {
    this.model.step = { on, since: this.now(), held: this.model.step?.held ?? [] };
    this.changed();
  }

  /** What the fault filter did with the held messages `ids` the nodes sent on, as far as they have said; forgotten once read. */
  takeFates(ids: readonly string[]): Map<string, SendFate> {
    const out = new Map<string, SendFate>();
    for (const id of ids) {
      const fate = this.fates.get(id);
      if (fate !== undefined) out.set(id, fate);
      this.fates.delete(id);
    }
    return out;
  }

  /** A restart was asked for (`restart`, `replace`): counted once, however many tries its start takes. */
  restarting(id: NodeId): void {
    this.member(id).process.restarts++;
    this.changed();
  }

  /** A node joins the cluster, not started yet; resolves once cluster.json has it. */
  nodeAdded(setup: NodeSetup): Promise<void> {
    this.setup?.nodes.push(setup);
    this.model.nodes.push(nodeModel(this.model.folder, setup, false));
    this.changed();
    return this.save();
  }

  /** A node left the cluster (its process is gone), and its network faults with it; resolves once cluster.json says so. */
  nodeRemoved(id: NodeId): Promise<void> {
    this.member(id).removed = true;
    Object.assign(this.model, withoutNode(this.model.links, this.model.partition, id));
    this.changed();
    return this.save();
  }

  /** What cluster.json holds of a node changed (an etcd member's id, once known); resolves once written. */
  nodeSetupChanged(id: NodeId, change: (n: NodeSetup) => NodeSetup): Promise<void> {
    const setup = this.setup;
    if (setup === null) return Promise.resolve();
    setup.nodes = setup.nodes.map((n) => (n.id === id ? change(n) : n));
    return this.save();
  }

  /** What an etcd member said of itself beyond its raft state (its id, learner flag, database size); tells only a change. */
  etcdMemberChanged(id: NodeId, patch: Partial<EtcdNodeInfo>): void {
    const node = this.member(id);
    if (node.etcd === undefined) return;
    const next = { ...node.etcd, ...patch };
    if (JSON.stringify(next) === JSON.stringify(node.etcd)) return;
    node.etcd = next;
    this.changed();
  }

  /** What the engine's members said of it (etcd's version and cluster id); tells only a change. */
  engineChanged(patch: Partial<Extract<EngineInfo, { kind: 'etcd' }>>): void {
    const engine = this.model.engine;
    if (engine.kind !== 'etcd') return;
    const next = { ...engine, ...patch };
    if (JSON.stringify(next) === JSON.stringify(engine)) return;
    this.model.engine = next;
    this.changed();
  }

  /** The network faults as now set, and the partition groups if they changed. */
  linksChanged(links: LinkFaultModel[], partition: NodeId[][] = this.model.partition): void {
    this.model.links = links;
    this.model.partition = partition;
    this.changed();
  }

  /** The cluster runs at another speed; resolves once cluster.json says so. */
  timingChanged(timing: Timing): Promise<void> {
    this.model.timing = timing;
    this.changed();
    return this.save();
  }

  /** One line from a node's stdout, as read (node-line.ts). */
  nodeLine(id: NodeId, line: NodeLine): void {
    const node = this.node(id);
    if (node === undefined) return;
    switch (line.kind) {
      case 'state':
        node.raft = line.state;
        this.checked(this.safety.report(id, line.state, line.ts));
        this.changed();
        return;
      case 'step': {
        const l = line.step;
        const step = (this.model.step ??= { on: true, since: line.ts, held: [] });
        if (l.type === 'held') {
          const held = { from: id, to: l.to, type: l.message, term: l.term, detail: l.detail };
          step.held.push({ id: l.id, ...held, text: heldText(held), heldAt: l.heldAt });
        } else {
          step.held = step.held.filter((h) => h.id !== l.id);
          if (l.type === 'sent') this.fates.set(l.id, l.fate);
        }
        this.changed();
        return;
      }
      case 'bad-state':
        this.record({
          ts: line.ts,
          node: id,
          kind: 'node',
          type: 'bad-output',
          text: `n${id} reported a state that is not valid, ignored: ${line.problem}`,
        });
        return;
      case 'bad-line':
        this.record({
          ts: this.now(),
          node: id,
          kind: 'node',
          type: 'bad-output',
          text: `n${id} wrote a line that is not an event: ${line.problem.slice(0, 200)}`,
        });
        return;
      case 'event': {
        const { ts, kind, type, text, data } = line.event;
        // Section 5.2: at most one node wins each term. A leader is also seen in its state reports;
        // the events catch one that leads too briefly to report it.
        if (
          kind === 'raft' &&
          (type === 'election-won' || (type === 'role-change' && data.to === 'leader')) &&
          typeof data.term === 'number'
        )
          this.checked(this.safety.leader(id, data.term, ts));
        if (kind === 'raft' && type === 'append-rejected' && data.reason === 'overwrites-committed') {
          const { leader, term, prevLogIndex, prevLogTerm, conflictTerm } = data;
          if (
            typeof leader === 'number' &&
            typeof term === 'number' &&
            typeof prevLogIndex === 'number' &&
            typeof prevLogTerm === 'number' &&
            typeof conflictTerm === 'number'
          )
            this.checked(
              this.safety.leaderLacks(leader, id, { term, index: prevLogIndex, committedTerm: conflictTerm, leaderTerm: prevLogTerm }, ts),
            );
        }
        this.record({ ts, node: id, kind, type, text: text ?? `n${id}: ${type}`, data });
      }
    }
  }

  /**
   * Resolves true once `test` holds (checked now and after every change), false after `timeoutMs`.
   * How the supervisor waits for an election, a catch-up or a commit: on what the nodes report.
   */
  until(test: () => boolean, timeoutMs: number): Promise<boolean> {
    if (test()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        off();
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const off = this.onChange(() => {
        if (test()) done(true);
      });
    });
  }

  /** The node, which the supervisor only ever names from the model. */
  private member(id: NodeId): NodeModel {
    const node = this.node(id);
    if (node === undefined) throw new Error(`n${id} is not in the model`);
    return node;
  }

  /** Tells the listeners that the model changed. */
  private changed(events: readonly ClusterEvent[] = []): void {
    for (const l of this.listeners) l(events);
  }

  /** The one way into the story: through the reorder window when there is one. */
  private record(e: ClusterEvent): void {
    if (this.window === null) return this.tell([e]);
    this.window.push(e);
    this.scheduleRelease();
  }

  private scheduleRelease(): void {
    const due = this.window?.nextDue() ?? null;
    if (this.releaseTimer !== null || due === null) return;
    this.releaseTimer = setTimeout(
      () => {
        this.releaseTimer = null;
        this.tell(this.window!.release(this.now()));
        this.scheduleRelease();
      },
      Math.max(0, due - this.now()),
    );
  }

  /** Appends events to the story, in the order given, and tells the listeners. */
  private tell(released: readonly ClusterEvent[]): void {
    if (released.length === 0) return;
    const events = this.model.events;
    const told = released.map((e) => this.late(e));
    events.push(...told);
    if (events.length > EVENT_HISTORY) events.splice(0, events.length - EVENT_HISTORY);
    this.changed(told);
  }

  /**
   * A vote granted or counted for a term whose leader the story has already told is no news: the
   * election was over before it (a slow voter, or a candidate still counting), and told plainly it
   * reads as if it helped elect someone. It keeps its place in time, but says so, in
   * `data.leaderOfTerm` and in its sentence, and the dashboard dims it. A refusal stays news: it
   * is what that leader's existence causes (the lease of PreVote and CheckQuorum).
   */
  private late(e: ClusterEvent): ClusterEvent {
    const term = e.data?.term;
    if (e.kind !== 'raft' || typeof term !== 'number') return e;
    if (e.type === 'election-won' || (e.type === 'role-change' && e.data?.to === 'leader')) {
      this.leaders.set(term, e.node!);
      if (this.leaders.size > LEADERS_KEPT) this.leaders.delete(Math.min(...this.leaders.keys()));
      return e;
    }
    const leader = this.leaders.get(term);
    if ((e.type !== 'vote-cast' && e.type !== 'vote-received') || e.data?.granted !== true || leader === undefined) return e;
    return { ...e, text: `${e.text} (n${leader} already leads term ${term})`, data: { ...e.data, leaderOfTerm: leader } };
  }

  /** Puts the monitor's verdict in the model, and tells of the first violation as an event. */
  private checked(violation: SafetyViolation | null): void {
    this.model.safety = this.safety.verdict;
    if (violation !== null)
      this.say('safety-violation', `SAFETY VIOLATED: ${violation.property}: ${violation.text}`, {
        ok: false,
        property: violation.property,
        nodes: violation.nodes,
        outcome: { code: 'safety-violation', property: violation.property, nodes: violation.nodes } satisfies Outcome,
      });
  }
}
