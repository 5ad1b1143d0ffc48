// ReadIndex (dissertation 6.4): a leader serves a linearizable read once it has confirmed, with a
// round of heartbeats answered by a majority, that it was still the leader after the read arrived.
//
// Reads are batched into rounds, one heartbeat broadcast each: a read that arrives while a round is
// in flight waits, with every other read that arrives meanwhile, for the next round. It cannot join
// the round in flight: that round's heartbeats may have left before the read arrived, so their
// answers say nothing about leadership after it, and the round's read index (the commit index when
// it started) may predate a write acknowledged just before the read. A round started later has
// both: heartbeats sent after each of its reads arrived, and a read index at least the commit index
// when each arrived (the leader's commit index never goes back).
import type { NodeId, ReadState } from './types.js';

interface Round {
  /** Names the round in its heartbeats and their answers: unique for the life of the queue. */
  context: string;
  /** The leader's commitIndex when the round started: its reads are served once it is applied. */
  index: number;
  /** Who answered a heartbeat of this round. Every one was sent after the round started. */
  acks: Set<NodeId>;
  /** The callers' contexts, in arrival order. */
  reads: string[];
}

export class ReadIndexQueue {
  /** Rounds started and not yet confirmed, oldest first. */
  private rounds: Round[] = [];
  /** Reads that belong to no round yet: they wait for the next one. */
  private next: string[] = [];
  private started = 0;

  add(context: string): void {
    this.next.push(context);
  }

  /** Whether a round awaits its majority. */
  inFlight(): boolean {
    return this.rounds.length > 0;
  }

  /** Whether reads wait for a round to start. */
  hasWaiting(): boolean {
    return this.next.length > 0;
  }

  /** How many rounds were ever started: one heartbeat broadcast each, however many reads. */
  roundsStarted(): number {
    return this.started;
  }

  /** Puts every waiting read into a new round at `index`, acknowledged by `self`; returns its context. */
  startRound(index: number, self: NodeId): string {
    const context = String(++this.started);
    this.rounds.push({ context, index, acks: new Set([self]), reads: this.next });
    this.next = [];
    return context;
  }

  /** The context a heartbeat carries: the newest round's, whose confirmation releases every round. */
  lastContext(): string | undefined {
    return this.rounds[this.rounds.length - 1]?.context;
  }

  /**
   * Records that `from` answered a heartbeat of round `context`. When `confirmed` says its acks form
   * a majority, the reads of that round and of every older one are released, in order, each at its
   * own round's index: the leader was still leader when the confirmed round started, so it was when
   * the older ones started too (there is one leader per term, and leadership does not come back
   * within a term), and their indexes were the latest commits then.
   */
  ack(context: string, from: NodeId, confirmed: (acks: Set<NodeId>) => boolean): ReadState[] {
    const at = this.rounds.findIndex((r) => r.context === context);
    if (at < 0) return [];
    const round = this.rounds[at]!;
    round.acks.add(from);
    if (!confirmed(round.acks)) return [];
    return this.rounds.splice(0, at + 1).flatMap((r) => r.reads.map((c) => ({ context: c, index: r.index })));
  }

  /** The leadership ended: no read can be confirmed any more. */
  clear(): void {
    this.rounds = [];
    this.next = [];
  }
}
