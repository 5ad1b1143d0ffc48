// Shared pieces of the MIT 6.5840 lab scenarios, rebuilt on SimCluster. Time only moves through
// the simulator; every random choice a test makes comes from a seeded Random.
import { expect } from 'vitest';
import type { RaftEvent } from '../../src/raft/events.js';
import type { NodeId } from '../../src/raft/types.js';
import { SimCluster, type SimClusterOptions } from '../../src/sim/cluster.js';
import { Random } from '../../src/sim/random.js';

/** The core's default timeouts (src/raft/config.ts): election timeout 10-20 ticks, heartbeat 2. */
export const ELECTION_MIN = 10;
export const ELECTION_MAX = 20;
/** The lab's "RaftElectionTimeout": long enough for any election to have happened. */
export const ELECTION_TIMEOUT = ELECTION_MAX;

export function newCluster(nodes: number, seed: number, opts: SimClusterOptions = {}): SimCluster {
  return new SimCluster({ nodes, seed, ...opts });
}

/** A seeded stream for the choices a test makes itself (which node to cut, how long to wait). */
export function testRandom(seed: number, name: string): Random {
  return new Random(seed, 'scenario', name);
}

export interface Recorded {
  t: number;
  node: NodeId;
  event: RaftEvent;
}

/**
 * Every core event from now on, in order. Chains to a hook set before; a hook set after must
 * chain to this one (see `onEvent`).
 */
export function recordEvents(c: SimCluster): Recorded[] {
  const out: Recorded[] = [];
  onEvent(c, (node, event) => {
    out.push({ t: c.now, node, event });
  });
  return out;
}

/** What an event hook returns: 'crash', or nothing from a hook that only watches (SimCluster.eventHook). */
type HookResult = ReturnType<NonNullable<SimCluster['eventHook']>>;

/** Adds an event hook to the cluster, keeping the ones already there. */
export function onEvent(c: SimCluster, fn: (node: NodeId, event: RaftEvent) => HookResult): void {
  const prev = c.eventHook;
  c.eventHook = (node, event) => {
    const a = prev?.(node, event);
    const b = fn(node.id, event);
    return a === 'crash' || b === 'crash' ? 'crash' : undefined;
  };
}

export function eventsOf<T extends RaftEvent['type']>(
  rec: readonly Recorded[],
  type: T,
  node?: NodeId,
): (Extract<RaftEvent, { type: T }> & { node: NodeId; t: number })[] {
  const out: (Extract<RaftEvent, { type: T }> & { node: NodeId; t: number })[] = [];
  for (const r of rec) {
    if (r.event.type === type && (node === undefined || r.node === node))
      out.push({ ...(r.event as Extract<RaftEvent, { type: T }>), node: r.node, t: r.t });
  }
  return out;
}

/**
 * Watches every election win: fails the test at once if a term gets two leaders (the lab's
 * "term X has N (>1) leaders"). Returns term -> leader.
 */
export function watchLeaders(c: SimCluster): Map<number, NodeId> {
  const byTerm = new Map<number, NodeId>();
  onEvent(c, (node, e) => {
    if (e.type !== 'role-change' || e.to !== 'leader') return;
    const other = byTerm.get(e.term);
    if (other !== undefined && other !== node) throw new Error(`term ${e.term} has two leaders: n${other} and n${node} (seed ${c.seed})`);
    byTerm.set(e.term, node);
  });
  return byTerm;
}

/**
 * The lab's checkOneLeader: steps until some node of `among` (default: all) leads, checks that no
 * term has two leaders among them, and returns the leader of the highest term (0 if none in time).
 * The lab sleeps half a second before each look, so a deposed leader that has not yet heard of
 * the new term is not taken for the leader; here the leader must be current instead: no live node
 * of `among` has a higher term.
 */
export function checkOneLeader(c: SimCluster, among: readonly NodeId[] = c.ids(), maxTicks = 10 * ELECTION_TIMEOUT): NodeId {
  const leaderAmong = (): NodeId => {
    const byTerm = new Map<number, NodeId[]>();
    for (const id of among) {
      if (c.isUp(id) && c.role(id) === 'leader') byTerm.set(c.term(id), [...(byTerm.get(c.term(id)) ?? []), id]);
    }
    let best = 0;
    let bestTerm = -1;
    for (const [term, ids] of byTerm) {
      expect(ids, `term ${term} has ${ids.length} leaders`).toHaveLength(1);
      if (term > bestTerm) [best, bestTerm] = [ids[0]!, term];
    }
    const current = among.every((id) => !c.isUp(id) || c.term(id) <= bestTerm);
    return current ? best : 0;
  };
  let found = 0;
  c.runUntil(() => (found = leaderAmong()) !== 0, maxTicks);
  return found;
}

/** True if no node of `among` believes it leads. */
export function noLeaderAmong(c: SimCluster, among: readonly NodeId[]): boolean {
  return among.every((id) => !c.isUp(id) || c.role(id) !== 'leader');
}

/** Terms of every live node of `among`: the lab's checkTerms, which wants them all equal. */
export function terms(c: SimCluster, among: readonly NodeId[] = c.ids()): number[] {
  return among.filter((id) => c.isUp(id)).map((id) => c.term(id));
}

/** Steps until every node of `ids` applied exactly the same client values as `ids[0]` and at least `min` of them. */
export function converge(c: SimCluster, ids: readonly NodeId[], min: number, maxTicks = 500): boolean {
  return c.runUntil(() => {
    const first = c.appliedValues(ids[0]!);
    if (first.length < min) return false;
    return ids.every((id) => c.isUp(id) && c.node(id).applied === c.node(ids[0]!).applied && sameList(c.appliedValues(id), first));
  }, maxTicks);
}

export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Seeds 1..n, for it.each. A soak run widens every seeded test at once:
 * `SCENARIO_SEEDS=500 npx vitest run test/scenarios` runs seeds 1..500 (the default run stays fixed).
 */
export function seeds(n: number, from = 1): number[] {
  const soak = Number(process.env.SCENARIO_SEEDS ?? 0);
  const count = Number.isInteger(soak) && soak > n ? soak : n;
  return Array.from({ length: count }, (_, i) => from + i);
}

/** The values of every node's state machine, which must all be the same; returns them. */
export function expectAllAgree(c: SimCluster, ids: readonly NodeId[] = c.ids()): string[] {
  const first = c.appliedValues(ids[0]!);
  for (const id of ids) expect(c.appliedValues(id), `n${id} applied other values than n${ids[0]}`).toEqual(first);
  return first;
}

/** The terms of the entries in `id`'s persisted log, from its first entry after the snapshot. */
export function storedEntries(c: SimCluster, id: NodeId): { index: number; term: number; key: string }[] {
  return c.node(id).storage.entries.map((e) => ({
    index: e.index,
    term: e.term,
    key: e.type === 'normal' ? e.data : `<${e.type}>`,
  }));
}

/**
 * The lab's connected[] array. SimCluster.connect(id) restores every link of `id`, including those
 * to nodes that are still disconnected; the lab's connect(i) only links i to the servers that are
 * connected. This keeps the lab's meaning: the connected nodes form one group, every other node is
 * alone.
 */
export class LabNet {
  private readonly connected: Set<NodeId>;

  constructor(private readonly c: SimCluster) {
    this.connected = new Set(c.ids());
  }

  disconnect(...ids: NodeId[]): void {
    for (const id of ids) this.connected.delete(id);
    this.apply();
  }

  connect(...ids: NodeId[]): void {
    for (const id of ids) this.connected.add(id);
    this.apply();
  }

  /** Only `ids` connected (to each other). */
  only(...ids: NodeId[]): void {
    this.connected.clear();
    for (const id of ids) this.connected.add(id);
    this.apply();
  }

  connectAll(): void {
    this.only(...this.c.ids());
  }

  isConnected(id: NodeId): boolean {
    return this.connected.has(id);
  }

  get list(): NodeId[] {
    return this.c.ids().filter((id) => this.connected.has(id));
  }

  private apply(): void {
    if (this.connected.size === this.c.ids().length) this.c.heal();
    else this.c.partition(this.list);
  }
}
