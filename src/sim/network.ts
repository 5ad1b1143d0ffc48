// The simulated network: messages in flight with a delivery tick. Raft assumes an asynchronous
// network that may delay, drop, duplicate and reorder messages (section 5.1); this one does all
// four, each drawn from the seeded PRNG, and can cut links in either or both directions.
import type { Message, NodeId } from '../raft/types.js';
import type { Random } from './random.js';

export interface NetworkConditions {
  /** Latency of each message copy, drawn uniformly from [minLatency, maxLatency] ticks. 0 = same tick. */
  minLatency: number;
  maxLatency: number;
  /** Probability that a message is lost. */
  drop: number;
  /** Probability that a message is delivered twice (the copy with its own latency). */
  duplicate: number;
  /** Probability that a copy is held back for up to `longDelayMax` ticks: stale messages arrive late. */
  longDelay: number;
  longDelayMax: number;
  /**
   * Messages on one link arrive in the order they were sent (as over a TCP stream), whatever
   * their latency. Off: latency alone decides, so messages overtake each other.
   */
  ordered: boolean;
}

export const RELIABLE: NetworkConditions = {
  minLatency: 1,
  maxLatency: 1,
  drop: 0,
  duplicate: 0,
  longDelay: 0,
  longDelayMax: 0,
  ordered: true,
};

/** The MIT 6.5840 lab's unreliable network, in ticks. */
export const UNRELIABLE: NetworkConditions = {
  minLatency: 1,
  maxLatency: 6,
  drop: 0.1,
  duplicate: 0.05,
  longDelay: 0.02,
  longDelayMax: 60,
  ordered: false,
};

export type DropCause = 'random' | 'blocked' | 'down';

export interface NetworkObserver {
  sent?(m: Message, deliverAt: number): void;
  dropped?(m: Message, cause: DropCause): void;
  duplicated?(m: Message, deliverAt: number): void;
}

/** Link keys: from * LINK_BASE + to. Node ids stay far below this. */
const LINK_BASE = 1 << 16;

export class Network {
  conditions: NetworkConditions;
  /** Messages by delivery tick, in the order they were sent. */
  private readonly due = new Map<number, Message[]>();
  /** Directed links that carry nothing. */
  private readonly blocked = new Set<number>();
  private inFlightCount = 0;
  /** Ordered links: the arrival tick of the last message sent on each. */
  private readonly lastArrival = new Map<number, number>();
  observer: NetworkObserver = {};

  constructor(
    private readonly random: Random,
    conditions: NetworkConditions = RELIABLE,
  ) {
    this.conditions = { ...conditions };
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Queues `m` (unless the link is cut or it is lost) for delivery after its latency. */
  send(m: Message, now: number): void {
    if (this.blocked.size > 0 && this.blocked.has(m.from * LINK_BASE + m.to)) {
      this.observer.dropped?.(m, 'blocked');
      return;
    }
    const c = this.conditions;
    if (c.drop > 0 && this.random.chance(c.drop)) {
      this.observer.dropped?.(m, 'random');
      return;
    }
    const at = this.arrival(m, now);
    this.enqueue(m, at);
    this.observer.sent?.(m, at);
    if (c.duplicate > 0 && this.random.chance(c.duplicate)) {
      const again = this.arrival(m, now);
      this.enqueue(m, again);
      this.observer.duplicated?.(m, again);
    }
  }

  /** When a copy of `m` sent at `now` arrives: after its latency, and not before the previous
   *  message on its link when the network is ordered. */
  private arrival(m: Message, now: number): number {
    const at = now + this.latency();
    if (!this.conditions.ordered) return at;
    const link = m.from * LINK_BASE + m.to;
    const last = this.lastArrival.get(link) ?? 0;
    const ordered = at < last ? last : at;
    this.lastArrival.set(link, ordered);
    return ordered;
  }

  /**
   * Removes and returns the messages due at tick `now`, or null. Messages whose link was cut
   * while they were in flight are dropped here.
   */
  take(now: number): Message[] | null {
    const batch = this.due.get(now);
    if (batch === undefined) return null;
    this.due.delete(now);
    this.inFlightCount -= batch.length;
    if (this.blocked.size === 0) return batch;
    const out: Message[] = [];
    for (const m of batch) {
      if (this.blocked.has(m.from * LINK_BASE + m.to)) this.observer.dropped?.(m, 'blocked');
      else out.push(m);
    }
    return out;
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked.has(from * LINK_BASE + to);
  }

  /** One-way cut: nothing from `from` reaches `to`. */
  cut(from: NodeId, to: NodeId): void {
    this.blocked.add(from * LINK_BASE + to);
  }

  uncut(from: NodeId, to: NodeId): void {
    this.blocked.delete(from * LINK_BASE + to);
  }

  /** Cuts both directions between every pair of nodes in different groups. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        for (const a of groups[i] ?? []) for (const b of groups[j] ?? []) this.cut(a, b);
      }
    }
  }

  /** Every link to and from `id` cut (`all` is every node that exists, `id` included or not). */
  isolate(id: NodeId, all: readonly NodeId[]): void {
    for (const other of all) {
      if (other === id) continue;
      this.cut(id, other);
      this.cut(other, id);
    }
  }

  /** Every link to and from `id` restored; cuts between other nodes stay. */
  reconnect(id: NodeId): void {
    for (const key of [...this.blocked]) {
      if (Math.floor(key / LINK_BASE) === id || key % LINK_BASE === id) this.blocked.delete(key);
    }
  }

  /** All links restored. Conditions (latency, loss) are left as they are. */
  heal(): void {
    this.blocked.clear();
  }

  /** Directed links currently cut, as [from, to] pairs sorted. */
  cutLinks(): [NodeId, NodeId][] {
    return [...this.blocked].sort((a, b) => a - b).map((k) => [Math.floor(k / LINK_BASE), k % LINK_BASE] as [NodeId, NodeId]);
  }

  /** Drops everything in flight (used when a whole run restarts from scratch). */
  clear(): void {
    this.due.clear();
    this.inFlightCount = 0;
  }

  private latency(): number {
    const c = this.conditions;
    let l = c.minLatency === c.maxLatency ? c.minLatency : this.random.int(c.minLatency, c.maxLatency);
    if (c.longDelay > 0 && this.random.chance(c.longDelay)) l += this.random.int(1, Math.max(1, c.longDelayMax));
    return l;
  }

  private enqueue(m: Message, at: number): void {
    const batch = this.due.get(at);
    if (batch === undefined) this.due.set(at, [m]);
    else batch.push(m);
    this.inFlightCount++;
  }
}
