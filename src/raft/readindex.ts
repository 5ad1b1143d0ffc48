// ReadIndex (dissertation 6.4): a leader serves a linearizable read once it has confirmed, with a
// round of heartbeats answered by a majority, that it was still the leader when the read arrived.
import type { NodeId, ReadState } from './types.js';

interface PendingRead {
  context: string;
  /** commitIndex when the read arrived: the read is served once the state machine applied it. */
  index: number;
  acks: Set<NodeId>;
}

export class ReadIndexQueue {
  private pending: PendingRead[] = [];
  /** Reads that arrived before the leader committed an entry of its own term (6.4, step 1). */
  private waiting: string[] = [];

  add(context: string, index: number, self: NodeId): void {
    this.pending.push({ context, index, acks: new Set([self]) });
  }
  wait(context: string): void {
    this.waiting.push(context);
  }
  takeWaiting(): string[] {
    const out = this.waiting;
    this.waiting = [];
    return out;
  }

  /** The context the next heartbeat round confirms: the newest read. */
  lastContext(): string | undefined {
    return this.pending[this.pending.length - 1]?.context;
  }

  /**
   * Records that `from` answered the heartbeat round of `context`. When `confirmed` says the acks
   * form a majority, that read and every read queued before it are released, in order.
   */
  ack(context: string, from: NodeId, confirmed: (acks: Set<NodeId>) => boolean): ReadState[] {
    const at = this.pending.findIndex((r) => r.context === context);
    if (at < 0) return [];
    const read = this.pending[at]!;
    read.acks.add(from);
    if (!confirmed(read.acks)) return [];
    const released = this.pending.splice(0, at + 1);
    return released.map((r) => ({ context: r.context, index: r.index }));
  }

  clear(): void {
    this.pending = [];
    this.waiting = [];
  }
}
