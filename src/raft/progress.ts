// What a leader knows about each follower's log (Figure 2's nextIndex and matchIndex), and the
// flow control around it, in the style of etcd's tracker package.

export type ProgressState =
  /** Match unknown: send one append at a time and wait for the answer. */
  | 'probe'
  /** Match known: stream appends optimistically, up to a window of messages in flight. */
  | 'replicate'
  /** The follower needs entries that were compacted: a snapshot is on its way. */
  | 'snapshot';

/** A window of AppendEntries messages in flight, each remembered by the last index it carries. */
export class Inflights {
  private readonly queue: number[] = [];
  private head = 0;
  constructor(readonly capacity: number) {}

  get count(): number {
    return this.queue.length - this.head;
  }
  full(): boolean {
    return this.count >= this.capacity;
  }
  add(lastIndex: number): void {
    this.queue.push(lastIndex);
  }
  /** Frees every message whose entries are all acknowledged (last index <= `index`). */
  freeLE(index: number): void {
    while (this.head < this.queue.length && this.queue[this.head]! <= index) this.head++;
    this.compact();
  }
  /** Frees the oldest message: a heartbeat answer shows the follower alive, so let one more through. */
  freeFirstOne(): void {
    if (this.count > 0) this.head++;
    this.compact();
  }
  reset(): void {
    this.queue.length = 0;
    this.head = 0;
  }
  private compact(): void {
    if (this.head === this.queue.length) this.reset();
    else if (this.head > 1024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

export class Progress {
  /** Highest index known to be replicated on the follower (Figure 2: matchIndex). */
  match = 0;
  /** Index of the next entry to send (Figure 2: nextIndex). */
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append is out and unanswered, so send no other. */
  probeSent = false;
  /** In snapshot state: the index of the snapshot sent, and ticks since it was sent. */
  pendingSnapshot = 0;
  snapshotElapsed = 0;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  readonly inflights: Inflights;

  constructor(
    next: number,
    maxInflight: number,
    public learner: boolean,
  ) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  becomeProbe(): void {
    // After a snapshot, the follower holds at least the snapshot: probe right after it.
    this.next = this.state === 'snapshot' ? Math.max(this.match + 1, this.pendingSnapshot + 1) : this.match + 1;
    this.state = 'probe';
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = index;
    this.snapshotElapsed = 0;
    this.probeSent = false;
    this.inflights.reset();
  }

  /** The follower acknowledged entries up to `index`. Returns whether match moved forward. */
  maybeUpdate(index: number): boolean {
    const updated = index > this.match;
    if (updated) {
      this.match = index;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * The follower rejected an append at `rejected` (its prevLogIndex); `hintNext` is where the
   * conflict hint says to resume. Returns 'stale' for an answer to an old message (ignored),
   * 'lost' when the answer proves the follower no longer holds entries it acknowledged (match was
   * reset and the follower is probed from its hint), and 'decreased' when next moved back.
   */
  maybeDecrTo(rejected: number, hintNext: number): 'stale' | 'lost' | 'decreased' {
    if (this.state === 'replicate') {
      // Resume probing right after match. A rejection at or below match may answer an old
      // pipelined message (a reordering network), or come from a follower that lost what it
      // acknowledged: the probe at match tells which, where ignoring it would leave that follower
      // behind for as long as this leader lasts.
      this.next = this.match + 1;
      return 'decreased';
    }
    // One probe at a time: only the answer to the probe in flight counts.
    if (this.next - 1 !== rejected) return 'stale';
    this.probeSent = false;
    if (rejected <= this.match) {
      // The probe in flight asked about an entry the follower acknowledged in this term, and it
      // does not hold it: it lost data (a wiped or restored data directory). Within one term a
      // follower's log only grows past what it acknowledged, so nothing else explains this (with
      // an in-order transport; a network that replays a rejection at most costs a round of
      // probing). What it holds is unknown: forget match and probe back from its hint.
      this.match = 0;
      this.next = Math.max(Math.min(rejected, hintNext), 1);
      return 'lost';
    }
    // next strictly decreases (both terms of the min are <= rejected = next - 1, and match <
    // rejected), so the probes cannot loop at the same index.
    this.next = Math.max(Math.min(rejected, hintNext), this.match + 1, 1);
    return 'decreased';
  }

  /** Whether sending another append to this follower must wait. */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}
