// The nemesis of a check: injects faults into the cluster at random moments while the clients run,
// one episode at a time (inject, hold, undo, pause), and at the end heals everything. Every action
// it takes goes into the fault timeline with the time, the action and the supervisor's answer.
//
// Kinds (the --nemesis names):
//   kill       SIGKILL one node or a minority (now and then a majority), restarted after the hold
//   pause      SIGSTOP the same way, SIGCONT after the hold
//   partition  two groups, the leader in the minority half of the time; healed after the hold
//   link       one-way cuts (often from the leader), or delay and loss on one node's links
//   transfer   the leader hands leadership to a follower (nothing to undo)
//   campaign   a node starts an election at once, as if its timer had fired (nothing to undo)
//   aimed      a schedule written for a known bug the cluster runs (aimed/index.ts), mended after
// The kinds come round in shuffled rounds, so each appears as often as the others. When the cluster
// runs a known bug with aimed episodes, one of them (in turn) comes first and after each random episode: the
// random kinds rarely reach the state a bug needs (Figure 8's schedule, a voter restarted in the
// term it voted in), the aimed ones go there on purpose. A kind whose
// action the cluster's engine cannot do (etcd has no campaign) is skipped from then on, with the
// engine's reason; the others go on. The choices
// are drawn from a seeded random, but some depend on the live cluster (who leads now), and the
// moments are real time: a replay with the same seed makes the same kinds of choices, not the same
// run.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  leaderOf,
  memberIds,
  members,
  pausedNodes,
  type Action,
  type ActionResult,
  type ClusterModel,
  type ClusterSource,
  type NodeModel,
} from '../cluster-model/index.js';
import { largestMinorityOf, majorityOf } from '../raft/membership.js';
import type { NodeId } from '../raft/types.js';
import type { Random } from '../sim/random.js';
import type { AimedEpisode } from './aimed/types.js';

export const FAULT_KINDS = ['kill', 'pause', 'partition', 'link', 'transfer', 'campaign'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** How a kind fared: episodes tried, and those in which a fault was injected (an action the cluster did). */
export interface FaultTally {
  tried: number;
  hit: number;
}

/** How often an aimed episode ran. */
export interface AimedTally {
  name: string;
  bug: AimedEpisode['bug'];
  describe: string;
  /** Times it started. */
  runs: number;
  /** Times it stopped with an error (its sentence in `errors`, the first few). */
  failed: number;
  errors: string[];
}

/** A kind the nemesis stopped trying because the cluster's engine cannot do its action. */
export interface SkippedKind {
  kind: FaultKind;
  /** The engine's sentence. */
  reason: string;
}

export interface FaultRecord {
  /** Milliseconds since the run began. */
  at: number;
  /** Which episode (1, 2...) the action belongs to; 0 for the final healing. */
  episode: number;
  /** The fault this action injects or undoes; "heal" for the final healing; "aimed" for an aimed episode's (named in `aimed`). */
  kind: FaultKind | 'heal' | 'aimed';
  /** The aimed episode's name, for kind "aimed". */
  aimed?: string;
  phase: 'inject' | 'undo' | 'heal';
  action: Action;
  ok: boolean;
  /** The supervisor's sentence: what happened, or why not. */
  text: string;
}

export interface NemesisOptions {
  target: ClusterSource;
  kinds: readonly FaultKind[];
  random: Random;
  /** Milliseconds since the run began. */
  clock: () => number;
  /** Faults start only before this time. */
  durationMs: number;
  signal?: AbortSignal;
  /** Episodes aimed at the known bugs the cluster runs, interleaved with the random kinds (none by default). */
  aimed?: readonly AimedEpisode[];
  /** Sends the clients' reads to one node only, or to the leader again (null): for aimed episodes (AimedContext.readsVia). */
  readsVia?: (node: NodeId | null) => void;
  /** How to wait; rejects when `signal` aborts. Default: a real timer (a test passes one that moves its clock). */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const realWait = (ms: number, signal?: AbortSignal): Promise<void> => sleep(ms, undefined, { signal });

interface Episode {
  kind: FaultKind;
  inject: Action[];
  undo: Action[];
}

/** Running members, and the leader among them (the highest term's), as the model says now. */
function running(m: ClusterModel): { nodes: NodeModel[]; leader: NodeModel | null } {
  return { nodes: members(m).filter((n) => n.process.state === 'running'), leader: leaderOf(m) };
}

/** The largest group that is still a minority of `n` (at least one node). */
const minority = (n: number): number => Math.max(1, largestMinorityOf(n));

/** Some running nodes: a minority, the leader among them half of the time; now and then a majority. */
function victims(m: ClusterModel, random: Random): number[] | null {
  const { nodes, leader } = running(m);
  const size = members(m).length;
  const count = Math.min(nodes.length, random.chance(0.15) ? majorityOf(size) : random.int(1, minority(size)));
  if (count === 0) return null;
  const first = leader !== null && random.chance(0.5) ? [leader] : [];
  const rest = random.shuffled(nodes.filter((n) => !first.includes(n)));
  return [...first, ...rest].slice(0, count).map((n) => n.id);
}

/** The timeouts, as the delays of slow links and the length of faults are scaled to them. */
function electionMs(m: ClusterModel): number {
  return m.timing.electionTimeoutMs.max;
}

function plan(kind: FaultKind, m: ClusterModel, random: Random): Episode | null {
  const ids = memberIds(m);
  switch (kind) {
    case 'kill':
    case 'pause': {
      const nodes = victims(m, random);
      if (nodes === null) return null;
      return kind === 'kill'
        ? { kind, inject: [{ op: 'kill', nodes }], undo: [{ op: 'restart', nodes }] }
        : { kind, inject: [{ op: 'pause', nodes }], undo: [{ op: 'resume', nodes }] };
    }
    case 'partition': {
      if (ids.length < 2) return null;
      const { leader } = running(m);
      const size = random.int(1, minority(ids.length));
      const shuffled = random.shuffled(ids);
      // Half of the time the leader is cut off in the minority: it must stop answering.
      if (leader !== null) {
        shuffled.splice(shuffled.indexOf(leader.id), 1);
        shuffled.splice(random.chance(0.5) ? 0 : shuffled.length, 0, leader.id);
      }
      return { kind, inject: [{ op: 'partition', groups: [shuffled.slice(0, size), shuffled.slice(size)] }], undo: [{ op: 'heal' }] };
    }
    case 'link': {
      if (ids.length < 2) return null;
      const { leader } = running(m);
      const from = leader !== null && random.chance(0.5) ? leader.id : random.pick(ids);
      const others = random.shuffled(ids.filter((id) => id !== from));
      if (random.chance(0.5)) {
        // One-way cuts: `from` cannot reach some nodes, which still reach it.
        const cut = others.slice(0, random.int(1, others.length));
        return { kind, inject: cut.map((to) => ({ op: 'link', from, to, drop: 1, oneWay: true })), undo: [{ op: 'heal' }] };
      }
      // A slow, lossy node: every link to and from it delays and drops.
      const e = electionMs(m);
      const inject: Action[] = others.map((to) => ({
        op: 'link',
        from,
        to,
        delayMs: random.int(Math.round(e / 4), 2 * e),
        drop: random.int(5, 40) / 100,
      }));
      return { kind, inject, undo: [{ op: 'heal' }] };
    }
    case 'transfer': {
      const { nodes, leader } = running(m);
      if (leader === null) return null;
      const followers = nodes.filter((n) => n.id !== leader.id);
      if (followers.length === 0) return null;
      return { kind, inject: [{ op: 'transfer', node: random.pick(followers).id }], undo: [] };
    }
    case 'campaign': {
      // A follower most of the time: a leader that campaigns only starts a new term of its own.
      const { nodes, leader } = running(m);
      const followers = nodes.filter((n) => n.id !== leader?.id);
      const pool = followers.length > 0 && random.chance(0.8) ? followers : nodes;
      if (pool.length === 0) return null;
      return { kind, inject: [{ op: 'campaign', node: random.pick(pool).id }], undo: [] };
    }
  }
}

/** Whether the engine refused the action as one it cannot do (not a refusal of this moment, such as a node that is down). */
function unsupported(result: ActionResult): boolean {
  return result.problem?.code === 'engine-unsupported';
}

export class Nemesis {
  readonly timeline: FaultRecord[] = [];
  private readonly skippedKinds: SkippedKind[] = [];
  private readonly aimedTally: AimedTally[];
  private episodes = 0;

  constructor(private readonly o: NemesisOptions) {
    this.aimedTally = (o.aimed ?? []).map((a) => ({ name: a.name, bug: a.bug, describe: a.describe, runs: 0, failed: 0, errors: [] }));
  }

  /** Injects faults until `durationMs`, then heals everything. */
  async run(): Promise<void> {
    const { random, clock, durationMs, kinds } = this.o;
    const aimed = this.o.aimed ?? [];
    let round: FaultKind[] = [];
    let nextAimed = 0;
    // An aimed episode first: a short check gets one more of them.
    let aimedTurn = true;
    const usable = (): FaultKind[] => kinds.filter((k) => !this.skippedKinds.some((s) => s.kind === k));
    while (usable().length > 0 && clock() < durationMs && !this.aborted()) {
      const e = electionMs(this.o.target.model);
      // Between faults: time for the cluster to recover and the clients to make progress.
      if (!(await this.pause(random.int(Math.max(100, e), Math.max(1000, 4 * e)))) || clock() >= durationMs) break;
      if (aimedTurn && aimed.length > 0) {
        aimedTurn = false;
        await this.runAimed(aimed[nextAimed++ % aimed.length]!);
        continue;
      }
      round = round.filter((k) => usable().includes(k));
      if (round.length === 0) round = random.shuffled(usable());
      const kind = round.shift()!;
      const episode = plan(kind, this.o.target.model, random);
      if (episode === null) {
        // Not possible now (no leader to transfer from, every node down): later in this round.
        round.push(kind);
        continue;
      }
      const n = ++this.episodes;
      aimedTurn = true;
      let injected = false;
      for (const a of episode.inject) {
        const result = await this.act(n, kind, 'inject', a);
        injected = result.ok || injected;
        if (!result.ok && unsupported(result) && !this.skippedKinds.some((s) => s.kind === kind))
          this.skippedKinds.push({ kind, reason: result.text });
      }
      if (!injected) {
        // Refused: nothing to hold or undo. A kind the engine cannot do is left out; one refused
        // for now (a transfer to a member that is behind) is tried again later in this round.
        if (!this.skippedKinds.some((s) => s.kind === kind)) round.push(kind);
        continue;
      }
      // Held until the clients stop at the latest: a fault nobody sees is time wasted.
      await this.pause(Math.min(random.int(Math.max(300, 2 * e), Math.max(1500, 10 * e)), Math.max(0, durationMs - clock())));
      for (const a of episode.undo) await this.act(n, kind, 'undo', a);
    }
    await this.healAll();
  }

  /**
   * Mends everything, whatever was done before: heals the network, resumes paused nodes and starts
   * the ones that are down, so that the cluster can settle.
   */
  async healAll(): Promise<void> {
    await this.mend(0, 'heal', 'heal');
  }

  /** Heals the network, resumes paused nodes and starts the ones that are down. */
  private async mend(episode: number, kind: FaultRecord['kind'], phase: FaultRecord['phase'], aimed?: string): Promise<void> {
    // An aimed episode in step mode leaves it before the network heals: the messages it held go
    // out (those on links still cut are lost, as the cut would lose them), and the clocks run on.
    if (this.o.target.model.step?.on === true) await this.act(episode, kind, phase, { op: 'step', on: false }, aimed);
    await this.act(episode, kind, phase, { op: 'heal' }, aimed);
    const m = this.o.target.model;
    const paused = pausedNodes(m);
    if (paused.length > 0) await this.act(episode, kind, phase, { op: 'resume', nodes: paused }, aimed);
    const down = members(m)
      .filter((n) => n.process.state === 'killed' || n.process.state === 'crashed' || n.process.state === 'stopped')
      .map((n) => n.id);
    if (down.length > 0) await this.act(episode, kind, phase, { op: 'restart', nodes: down }, aimed);
  }

  /**
   * Runs one aimed episode, its actions in the timeline under its name, then mends whatever it left
   * (network faults, paused or stopped nodes). An episode that throws is counted, and the run goes on.
   */
  private async runAimed(episode: AimedEpisode): Promise<void> {
    const n = ++this.episodes;
    const tally = this.aimedTally.find((t) => t.name === episode.name)!;
    tally.runs++;
    const wait = this.o.wait ?? realWait;
    try {
      await episode.run({
        target: this.o.target,
        random: this.o.random,
        wait: (ms) => wait(ms, this.o.signal),
        act: (action) => this.act(n, 'aimed', 'inject', action, episode.name),
        electionMs: electionMs(this.o.target.model),
        ...(this.o.signal === undefined ? {} : { signal: this.o.signal }),
        ...(this.o.readsVia === undefined ? {} : { readsVia: this.o.readsVia }),
      });
    } catch (err) {
      if (!this.aborted()) {
        tally.failed++;
        if (tally.errors.length < 3) tally.errors.push((err as Error).message);
      }
    }
    await this.mend(n, 'aimed', 'undo', episode.name);
  }

  /** Each aimed episode: how often it ran. */
  aimedRuns(): AimedTally[] {
    return this.aimedTally.map((t) => ({ ...t, errors: [...t.errors] }));
  }

  /** Counts of the faults injected (episodes in which the cluster did at least one inject action), by kind. */
  injected(): Record<FaultKind, number> {
    return Object.fromEntries(Object.entries(this.tally()).map(([k, t]) => [k, t.hit])) as Record<FaultKind, number>;
  }

  /** By kind: the episodes tried and those that hit (an episode of several link actions is one fault). */
  tally(): Record<FaultKind, FaultTally> {
    const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, { tried: 0, hit: 0 }])) as Record<FaultKind, FaultTally>;
    const tried = new Set<number>();
    const hit = new Set<number>();
    for (const r of this.timeline) {
      if (r.phase !== 'inject' || r.kind === 'heal' || r.kind === 'aimed') continue;
      if (!tried.has(r.episode)) {
        tried.add(r.episode);
        counts[r.kind].tried++;
      }
      if (r.ok && !hit.has(r.episode)) {
        hit.add(r.episode);
        counts[r.kind].hit++;
      }
    }
    return counts;
  }

  /** The kinds given up because the engine cannot do their action, with its reason. */
  skipped(): SkippedKind[] {
    return [...this.skippedKinds];
  }

  private async act(
    episode: number,
    kind: FaultRecord['kind'],
    phase: FaultRecord['phase'],
    action: Action,
    aimed?: string,
  ): Promise<ActionResult> {
    const at = this.o.clock();
    let result: ActionResult;
    try {
      result = await this.o.target.act(action);
    } catch (err) {
      // The control connection to a cluster we did not start can fail; the run goes on without faults.
      result = { ok: false, text: (err as Error).message };
    }
    const record: FaultRecord = {
      at,
      episode,
      kind,
      ...(aimed === undefined ? {} : { aimed }),
      phase,
      action,
      ok: result.ok,
      text: result.text,
    };
    // In the order the actions began: one an aimed episode starts without awaiting (a transfer it
    // drives to its end in step mode) finishes after actions that began later.
    let i = this.timeline.length;
    while (i > 0 && this.timeline[i - 1]!.at > at) i--;
    this.timeline.splice(i, 0, record);
    return result;
  }

  private aborted(): boolean {
    return this.o.signal?.aborted === true;
  }

  /** Waits; false when the run was aborted meanwhile. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await (this.o.wait ?? realWait)(ms, this.o.signal);
      return true;
    } catch {
      return false;
    }
  }
}
