// One seed's random run: a fault phase (crashes, among them a leader's while its appends are out
// and its own write is not done, partitions with the leader often in the minority,
// one-way cuts, lossy phases, membership changes, forced elections, leadership transfers, client
// writes and reads), then the network heals, every node restarts, and a liveness phase: within a
// bounded time a leader must exist and every pending client request must be done. The checks of
// invariants.ts run after every step throughout.
import { KNOWN_BUG_NAMES, knownBugs, type BugName } from '../raft/config.js';
import type { RaftEvent } from '../raft/events.js';
import type { NodeId } from '../raft/types.js';
import { SimCluster, type RaftOptions } from './cluster.js';
import type { Property } from './invariants.js';
import type { NetworkConditions } from './network.js';
import type { SimNode } from './node.js';
import { Random } from './random.js';
import { percent } from './trace.js';

// The --bug names are the core's own (src/raft/config.ts), shared with the node process.
export { KNOWN_BUG_NAMES as BUG_NAMES, type BugName };

export interface SeedOptions {
  nodes: number;
  /** A known bug switched on in every core, or several (commit-previous-term needs skip-noop to show). */
  bug?: BugName | readonly BugName[] | undefined;
  /** Streams every trace line as it happens (a replay with --trace). */
  onTrace?: ((line: string) => void) | undefined;
  /** Trace lines printed with a violation. Default 40. */
  traceLines?: number | undefined;
}

export interface SeedViolation {
  property: Property;
  tick: number;
  detail: string;
  /** The last steps before the violation, readable. */
  trace: string[];
  /** The command that replays the seed. */
  replay: string;
}

export interface SeedResult {
  seed: number;
  /** Simulated ticks. */
  steps: number;
  elections: number;
  /** Entries committed (the highest commit index reached). */
  commits: number;
  violation?: SeedViolation;
}

/** After the network heals, a leader and every pending request must be done within this many ticks. */
export const LIVENESS_TICKS = 500;

/** Writes outstanding at once: clients wait for answers before sending more. */
const MAX_PENDING_WRITES = 32;

/** The bugs `bug` names, as a list. */
export function bugList(bug: SeedOptions['bug']): readonly BugName[] {
  return bug === undefined ? [] : typeof bug === 'string' ? [bug] : bug;
}

export function replayCommand(seed: number, opts: Pick<SeedOptions, 'nodes' | 'bug'>): string {
  const bugs = bugList(opts.bug).map((b) => ` --bug ${b}`);
  return `npm run sim -- --seed ${seed} --nodes ${opts.nodes}${bugs.join('')} --trace`;
}

/**
 * Runs one seed. Fast: no trace is kept; when a property breaks, the seed runs again with the
 * trace on (same seed, same run) to show the last steps.
 */
export function runSeed(seed: number, opts: SeedOptions): SeedResult {
  const fast = opts.onTrace === undefined;
  const result = runOnce(seed, opts, fast ? 0 : 400, opts.onTrace);
  if (result.violation === undefined || !fast) return result;
  const again = runOnce(seed, opts, 400, undefined);
  const v = again.violation;
  if (v === undefined || v.property !== result.violation.property || v.tick !== result.violation.tick) {
    result.violation.trace = ['(the run with the trace on did not break the same way: the simulation is not deterministic)'];
    return result;
  }
  return again;
}

function runOnce(seed: number, opts: SeedOptions, traceCapacity: number, onTrace: ((line: string) => void) | undefined): SeedResult {
  const plan = new Plan(seed, opts);
  const cluster = new SimCluster({
    nodes: opts.nodes,
    seed,
    raft: plan.raft,
    network: plan.baseNetwork,
    compactEvery: plan.compactEvery,
    diskLatency: plan.diskLatency,
    traceCapacity,
    onTrace,
    clientRetryTicks: plan.retryTicks,
  });
  let failure: { property: Property; tick: number; detail: string } | undefined;
  try {
    new Schedule(cluster, plan, opts).run();
    const v = cluster.violation;
    if (v !== null) failure = { property: v.property, tick: v.tick, detail: v.detail };
  } catch (err) {
    const v = cluster.violation;
    failure =
      v !== null
        ? { property: v.property, tick: v.tick, detail: v.detail }
        : { property: 'exception', tick: cluster.now, detail: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  const result: SeedResult = { seed, steps: cluster.now, elections: cluster.elections, commits: cluster.commitIndex() };
  if (failure !== undefined) {
    cluster.note(`VIOLATION ${failure.property}: ${failure.detail}`);
    result.violation = {
      ...failure,
      trace: cluster.traceLines(opts.traceLines ?? 40),
      replay: replayCommand(seed, opts),
    };
  }
  return result;
}

/** The random choices that shape a whole run, drawn once per seed. */
class Plan {
  readonly raft: RaftOptions;
  readonly baseNetwork: NetworkConditions;
  readonly compactEvery: number;
  /** Ticks a disk write may take (SimClusterOptions.diskLatency). */
  readonly diskLatency: number;
  readonly retryTicks: number;
  readonly faultTicks: number;
  /** Per-tick probabilities. */
  readonly pWrite: number;
  readonly pRead: number;
  /**
   * Reads invoked together each time: many reads arriving at once, and while a ReadIndex round is
   * in flight, is what the leader batches into shared rounds (src/raft/readindex.ts).
   */
  readonly readBurst: number;
  readonly pFault: number;
  /**
   * Standing chances of crashing a node right after it grants a vote (once the reply left), wins
   * an election, or commits as leader (both before the Ready's messages leave): the moments where
   * what was persisted, and what was not yet sent, matter most.
   */
  readonly pCrashAfterVote: number;
  readonly pCrashAfterElection: number;
  readonly pCrashAfterCommit: number;
  /** A new leader's first commit of its term (section 5.4.2: where an old term's entries get committed). */
  readonly pCrashAtFirstCommit: number;

  constructor(seed: number, opts: SeedOptions) {
    const r = new Random(seed, 'plan');
    // Small messages split a leader's log over many messages, so a majority often holds an old
    // entry but not the new leader's first one (what Figure 8 is about). A small window with small
    // messages would make catching up after the faults too slow for the liveness bound.
    const maxEntriesPerMsg = r.pick([1, 1, 1, 2, 3, 8, 64]);
    this.raft = {
      preVote: r.chance(0.7),
      checkQuorum: r.chance(0.7),
      maxInflightMsgs: maxEntriesPerMsg < 8 ? r.pick([16, 256]) : r.pick([1, 2, 4, 256]),
      maxEntriesPerMsg,
      bugs: knownBugs(bugList(opts.bug)),
    };
    const maxLatency = r.pick([1, 2, 3]);
    this.baseNetwork = { minLatency: 1, maxLatency, drop: 0, duplicate: 0, longDelay: 0, longDelayMax: 0, ordered: true };
    this.compactEvery = r.pick([6, 12, 24, 48, Infinity]);
    this.retryTicks = r.int(6, 20);
    this.faultTicks = r.int(600, 1200);
    this.pWrite = r.pick([0.1, 0.2, 0.4, 0.8]);
    this.pRead = r.pick([0.02, 0.05, 0.1]);
    this.pFault = r.pick([0.03, 0.06, 0.1, 0.15]);
    this.pCrashAfterVote = r.pick([0, 0.05, 0.2, 0.5]);
    this.pCrashAfterElection = r.pick([0, 0.1, 0.3, 0.5]);
    this.pCrashAfterCommit = r.pick([0, 0, 0.02, 0.1]);
    this.pCrashAtFirstCommit = r.pick([0, 0.2, 0.5]);
    this.diskLatency = r.pick([0, 1, 2, 3]);
    // Drawn last, so the choices above stay what they were for every seed.
    this.readBurst = r.pick([1, 1, 3, 8]);
  }
}

type Fault =
  | 'crash'
  | 'crash-before-persist'
  | 'crash-mid-write'
  | 'crash-after-vote'
  | 'crash-after-commit'
  | 'crash-after-election'
  | 'partition'
  | 'one-way'
  | 'unreliable'
  | 'membership'
  | 'campaign'
  | 'transfer';

const FAULTS: [Fault, number][] = [
  ['crash', 3],
  ['crash-before-persist', 1],
  ['crash-mid-write', 2],
  ['crash-after-vote', 2],
  ['crash-after-commit', 2],
  ['crash-after-election', 2],
  ['partition', 3],
  ['one-way', 2],
  ['unreliable', 2],
  ['membership', 1.5],
  ['campaign', 1.5],
  ['transfer', 1],
];
const FAULT_WEIGHT = FAULTS.reduce((s, [, w]) => s + w, 0);

interface Timer {
  at: number;
  run: () => void;
}

class Schedule {
  private readonly r: Random;
  private timers: Timer[] = [];
  /** Crashes to make at the end of the current step, armed by an event trigger. */
  private crashAfterStep: { id: NodeId; down: number }[] = [];
  /** Triggers that crash a node right after some event, until a deadline. */
  private afterVoteUntil = 0;
  private afterCommitUntil = 0;
  private afterElectionUntil = 0;
  /** Until then, a leader whose write is under way at the end of a step crashes. */
  private midWriteUntil = 0;
  /** Bumped by every network fault, so an old fault's end does not undo a newer one. */
  private networkEpoch = 0;
  /** The last term in which each node committed as leader. */
  private readonly firstCommitSeen = new Map<NodeId, number>();
  /** Set once the faults stop. */
  private healed = false;

  constructor(
    private readonly c: SimCluster,
    private readonly plan: Plan,
    private readonly opts: SeedOptions,
  ) {
    this.r = new Random(c.seed, 'schedule');
    c.eventHook = (node, e) => this.onEvent(node, e);
  }

  run(): void {
    const c = this.c;
    const plan = this.plan;
    c.note(
      `seed ${c.seed}: ${this.opts.nodes} nodes, preVote ${String(plan.raft.preVote)}, checkQuorum ${String(plan.raft.checkQuorum)}, ` +
        `${plan.raft.maxEntriesPerMsg} entries/msg, ${plan.raft.maxInflightMsgs} in flight, snapshot every ${plan.compactEvery} entries, ` +
        `reads ${plan.readBurst} at a time, ` +
        `crash chances: after a vote ${percent(plan.pCrashAfterVote)}, after winning ${percent(plan.pCrashAfterElection)}, ` +
        `at a leader's first commit ${percent(plan.pCrashAtFirstCommit)}, after a commit ${percent(plan.pCrashAfterCommit)}` +
        (bugList(this.opts.bug).length === 0 ? '' : `, bug ${bugList(this.opts.bug).join(', ')}`),
    );
    while (c.now < plan.faultTicks && c.violation === null) {
      this.runTimers();
      // Clients have a bounded number of requests outstanding.
      if (this.r.chance(plan.pWrite) && c.pendingWrites < MAX_PENDING_WRITES) c.write();
      if (this.r.chance(plan.pRead)) for (let i = 0; i < plan.readBurst; i++) c.read();
      if (this.r.chance(plan.pFault)) this.fault();
      this.step();
    }
    if (c.violation === null) this.liveness();
  }

  private step(): void {
    const c = this.c;
    c.step();
    const leader = c.leader();
    if (c.now <= this.midWriteUntil && leader !== 0 && c.node(leader).persisting) {
      // Dissertation 10.2.1: its appends left before its own write, which the crash loses. What it
      // counted towards a commit must survive on the followers.
      this.midWriteUntil = 0;
      c.note(`n${leader} crashes with a write under way`);
      this.crashFor(leader, this.r.chance(0.5) ? this.r.int(0, 4) : this.r.int(10, 80));
    }
    if (this.crashAfterStep.length > 0) {
      for (const { id, down } of this.crashAfterStep) this.crashFor(id, down);
      this.crashAfterStep = [];
    }
  }

  /** Heal everything, then a leader and every pending request must be done within LIVENESS_TICKS. */
  private liveness(): void {
    const c = this.c;
    this.timers = [];
    this.afterVoteUntil = 0;
    this.afterCommitUntil = 0;
    this.afterElectionUntil = 0;
    this.midWriteUntil = 0;
    this.healed = true;
    c.heal();
    c.setNetwork(this.plan.baseNetwork);
    for (const id of c.ids()) if (!c.isUp(id)) c.restart(id);
    // Servers removed from the configuration are shut down, as an operator would: one that never
    // learned of its removal would otherwise keep starting elections (dissertation 4.2.3), which
    // only PreVote and CheckQuorum guard against.
    const members = this.latestMembership();
    for (const id of c.ids()) {
      if (!members.has(id)) {
        c.crash(id);
        c.note(`n${id} is shut down: it is not in the configuration`);
      }
    }
    const start = c.now;
    const done = (): boolean => c.violation !== null || (c.leader() !== 0 && c.pendingWrites === 0 && c.pendingReads === 0);
    while (!done() && c.now - start < LIVENESS_TICKS) this.step();
    if (done()) return;
    const leader = c.leader();
    const oldest = [...c.clients.pendingWrites.values()][0];
    const detail =
      leader === 0
        ? `no leader ${LIVENESS_TICKS} ticks after the network healed (t=${start})`
        : `${c.pendingWrites} writes${oldest === undefined ? '' : ` (oldest ${oldest.value}, invoked at t=${oldest.invokedAt})`} ` +
          `and ${c.pendingReads} reads still pending ` +
          `${LIVENESS_TICKS} ticks after the network healed (t=${start}); leader n${leader}`;
    c.checks?.fail('liveness', 0, detail);
  }

  /** Voters and learners in the most up-to-date log (last term, then last index). */
  private latestMembership(): Set<NodeId> {
    let best: { lastTerm: number; lastIndex: number; membership: { voters: NodeId[]; learners: NodeId[] } } | null = null;
    for (const id of this.c.ids()) {
      const st = this.c.status(id);
      if (st === null) continue;
      if (best === null || st.lastTerm > best.lastTerm || (st.lastTerm === best.lastTerm && st.lastIndex > best.lastIndex)) best = st;
    }
    return new Set(best === null ? this.c.ids() : [...best.membership.voters, ...best.membership.learners]);
  }

  private runTimers(): void {
    if (this.timers.length === 0) return;
    const now = this.c.now;
    const due = this.timers.filter((t) => t.at <= now);
    if (due.length === 0) return;
    this.timers = this.timers.filter((t) => t.at > now);
    for (const t of due) t.run();
  }

  private after(ticks: number, run: () => void): void {
    this.timers.push({ at: this.c.now + ticks, run });
  }

  /** Crashes timed on the core's events: armed by a fault for a while, or standing for the run. */
  private onEvent(node: SimNode, e: RaftEvent): 'crash' | undefined {
    if (this.healed) return;
    const now = this.c.now;
    const plan = this.plan;
    if (e.type === 'vote-cast' && e.granted && e.round === 'vote') {
      if (now <= this.afterVoteUntil || this.r.chance(plan.pCrashAfterVote)) {
        // After the reply left, back at once: the vote must have survived on disk.
        this.afterVoteUntil = 0;
        this.crashAfterStep.push({ id: node.id, down: this.r.int(0, 4) });
      }
    } else if (e.type === 'election-won') {
      if (now <= this.afterElectionUntil || this.r.chance(plan.pCrashAfterElection)) {
        this.afterElectionUntil = 0;
        return this.crashNow(node.id);
      }
    } else if (e.type === 'commit' && e.replicas > 0) {
      const first = this.firstCommitSeen.get(node.id) !== node.term;
      this.firstCommitSeen.set(node.id, node.term);
      if (now <= this.afterCommitUntil || this.r.chance(first ? plan.pCrashAtFirstCommit : plan.pCrashAfterCommit)) {
        this.afterCommitUntil = 0;
        return this.crashNow(node.id);
      }
    }
  }

  /** The node crashes in the middle of its Ready; it restarts soon, or after a while. */
  private crashNow(id: NodeId): 'crash' {
    const down = this.r.chance(0.5) ? this.r.int(0, 4) : this.r.int(10, 80);
    this.after(down, () => this.c.restart(id));
    return 'crash';
  }

  private crashFor(id: NodeId, ticks: number): void {
    const c = this.c;
    if (!c.isUp(id)) return;
    c.crash(id);
    this.after(ticks, () => c.restart(id));
  }

  /** A random node, or the leader with probability `pLeader`. */
  private target(pLeader: number): NodeId {
    const leader = this.c.leader();
    if (leader !== 0 && this.r.chance(pLeader)) return leader;
    return this.r.pick(this.c.ids());
  }

  private fault(): void {
    let x = this.r.next() * FAULT_WEIGHT;
    let kind: Fault = 'crash';
    for (const [f, w] of FAULTS) {
      kind = f;
      if ((x -= w) < 0) break;
    }
    const c = this.c;
    const r = this.r;
    switch (kind) {
      case 'crash': {
        const down = r.chance(0.3) ? r.int(0, 3) : r.int(5, 120);
        this.crashFor(this.target(0.5), down);
        break;
      }
      case 'crash-before-persist': {
        const id = this.target(0.5);
        c.crashBeforePersist(id);
        this.after(r.int(1, 30), () => c.restart(id));
        break;
      }
      case 'crash-mid-write':
        this.midWriteUntil = c.now + r.int(5, 60);
        break;
      case 'crash-after-vote':
        this.afterVoteUntil = c.now + r.int(20, 100);
        break;
      case 'crash-after-commit':
        this.afterCommitUntil = c.now + r.int(10, 60);
        break;
      case 'crash-after-election':
        this.afterElectionUntil = c.now + r.int(10, 100);
        break;
      case 'partition':
        this.partition();
        break;
      case 'one-way':
        this.oneWay();
        break;
      case 'unreliable': {
        c.setNetwork({
          minLatency: 1,
          maxLatency: r.int(2, 10),
          drop: r.pick([0, 0.05, 0.1, 0.3]),
          duplicate: r.pick([0, 0.05, 0.2]),
          longDelay: r.pick([0, 0.01, 0.05]),
          longDelayMax: r.int(10, 80),
          ordered: r.chance(0.3),
        });
        this.after(r.int(30, 250), () => c.setNetwork(this.plan.baseNetwork));
        break;
      }
      case 'membership':
        this.membership();
        break;
      case 'campaign': {
        // Often two at once (a contested election), sometimes with its first voter crashing.
        const ids = r.shuffled(c.ids()).slice(0, r.int(1, 2));
        for (const id of ids) c.campaign(id);
        if (r.chance(0.5)) this.afterVoteUntil = c.now + r.int(5, 30);
        break;
      }
      case 'transfer':
        c.transferLeadership(r.pick(c.membership().voters.length > 0 ? c.membership().voters : c.ids()));
        break;
    }
  }

  /** A symmetric partition; the leader is in the minority more often than not. */
  private partition(): void {
    const c = this.c;
    const r = this.r;
    const ids = r.shuffled(c.ids());
    const leader = c.leader();
    const minority = r.int(1, Math.max(1, Math.floor((ids.length - 1) / 2)));
    if (leader !== 0 && r.chance(0.6)) {
      ids.splice(ids.indexOf(leader), 1);
      ids.unshift(leader);
    }
    // Sometimes three groups, so that no side has a majority.
    const groups =
      r.chance(0.15) && ids.length >= 5
        ? [ids.slice(0, minority), ids.slice(minority, minority + 2), ids.slice(minority + 2)]
        : [ids.slice(0, minority), ids.slice(minority)];
    c.partition(...groups);
    this.healLater(r.int(20, 200));
  }

  /** One-way cuts: the leader cannot hear (or cannot be heard by) some nodes, or a single link. */
  private oneWay(): void {
    const c = this.c;
    const r = this.r;
    const ids = c.ids();
    const leader = c.leader();
    c.heal();
    const from = leader !== 0 && r.chance(0.6) ? leader : r.pick(ids);
    const others = r.shuffled(ids.filter((id) => id !== from)).slice(0, r.int(1, ids.length - 1));
    const outgoing = r.chance(0.5);
    for (const o of others) {
      if (outgoing) c.cut(from, o);
      else c.cut(o, from);
    }
    this.healLater(r.int(20, 150));
  }

  private healLater(ticks: number): void {
    const epoch = ++this.networkEpoch;
    this.after(ticks, () => {
      if (epoch === this.networkEpoch) this.c.heal();
    });
  }

  /** One server at a time: add a learner (new or removed before), promote one, or remove a voter. */
  private membership(): void {
    const c = this.c;
    const r = this.r;
    if (c.leader() === 0) return;
    const m = c.membership();
    const members = new Set([...m.voters, ...m.learners]);
    const outside = c.ids().filter((id) => !members.has(id));
    if (m.learners.length > 0 && r.chance(0.6)) {
      c.promote(r.pick(m.learners));
    } else if (r.chance(0.5)) {
      // Re-add a node removed earlier (it comes back with its old disk), or a brand new one.
      let added: NodeId = 0;
      if (outside.length > 0 && r.chance(0.5)) added = c.addLearner(r.pick(outside)).id;
      else if (c.ids().length < this.opts.nodes + 2) added = c.addLearner().id;
      // Promote it once it has had time to catch up (dissertation 4.2.1).
      if (added !== 0 && r.chance(0.6)) this.after(r.int(20, 80), () => c.promote(added));
    } else if (m.voters.length > Math.min(3, this.opts.nodes)) {
      c.remove(r.pick(m.voters));
    }
  }
}
