// The node's view of the replicated log: a snapshot covering a compacted prefix, then the entries
// after it, with commitIndex and lastApplied (Figure 2's volatile state). The whole log past the
// snapshot lives in memory; the runtime keeps the durable copy in step with it through Ready.
import type { Entry, Snapshot } from './types.js';

/** Rough wire size of an entry, for the per-message byte cap (no serialization on the hot path). */
export function entrySize(e: Entry): number {
  return e.type === 'normal' ? e.data.length + 32 : 64;
}

export class RaftLog {
  /** Last index and term covered by the snapshot (0, 0 when nothing was compacted). */
  private offset: number;
  private offsetTerm: number;
  /** entries[i] has index offset + 1 + i. */
  private readonly log: Entry[];
  /** Latest snapshot, kept to send to followers behind the compacted prefix (section 7). */
  snapshot: Snapshot | null;
  /** A snapshot received from the leader, not yet handed to the runtime to persist. */
  pendingSnapshot: Snapshot | null = null;
  /** Entries up to here have been handed to the runtime to persist. */
  private handed: number;
  /**
   * Entries up to here are on stable storage, as the runtime said through Raft.persisted(): a
   * leader counts only these of its own towards a commit (dissertation 10.2.1).
   */
  stable: number;
  /** Highest index known to be committed (Figure 2: commitIndex). Never decreases. */
  committed: number;
  /** Entries up to here have been handed to the runtime to apply. */
  applying: number;
  /** Highest index the runtime has applied to its state machine (Figure 2: lastApplied). */
  applied: number;

  constructor(snapshot: Snapshot | null, entries: Entry[], committed: number) {
    this.snapshot = snapshot;
    this.offset = snapshot?.meta.index ?? 0;
    this.offsetTerm = snapshot?.meta.term ?? 0;
    entries.forEach((e, i) => {
      if (e.index !== this.offset + 1 + i)
        throw new RangeError(`restored log is not contiguous: expected index ${this.offset + 1 + i}, found ${e.index}`);
    });
    this.log = entries.slice();
    this.handed = this.lastIndex();
    this.stable = this.lastIndex();
    if (committed < this.offset || committed > this.lastIndex())
      throw new RangeError(`restored commit index ${committed} is outside the log [${this.offset}, ${this.lastIndex()}]`);
    this.committed = committed;
    this.applying = this.offset;
    this.applied = this.offset;
  }

  firstIndex(): number {
    return this.offset + 1;
  }
  lastIndex(): number {
    return this.offset + this.log.length;
  }
  lastTerm(): number {
    return this.log.length === 0 ? this.offsetTerm : this.log[this.log.length - 1]!.term;
  }
  snapshotIndex(): number {
    return this.offset;
  }
  snapshotTerm(): number {
    return this.offsetTerm;
  }

  /** Term of the entry at `index`; undefined if compacted away (below the snapshot) or beyond the log. */
  term(index: number): number | undefined {
    if (index === this.offset) return this.offsetTerm;
    if (index < this.offset || index > this.lastIndex()) return undefined;
    return this.log[index - this.offset - 1]!.term;
  }

  entry(index: number): Entry | undefined {
    return index > this.offset ? this.log[index - this.offset - 1] : undefined;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /**
   * Section 5.4.1: a log is more up to date if its last entry has the later term, or the same last
   * term and it is at least as long.
   */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Entries in [lo, hi], clipped to what is held in memory. */
  slice(lo: number, hi: number): Entry[] {
    const from = Math.max(lo, this.offset + 1) - this.offset - 1;
    const to = Math.min(hi, this.lastIndex()) - this.offset;
    return from < to ? this.log.slice(from, to) : [];
  }

  /** Entries from `lo` for one message: at most `maxEntries` and `maxBytes`, but at least one. */
  sliceForMessage(lo: number, maxEntries: number, maxBytes: number): Entry[] {
    const start = lo - this.offset - 1;
    if (start < 0) throw new RangeError(`entry ${lo} is compacted (first index ${this.firstIndex()})`);
    const end = Math.min(this.log.length, start + maxEntries);
    let bytes = 0;
    let i = start;
    for (; i < end; i++) {
      bytes += entrySize(this.log[i]!);
      if (bytes > maxBytes && i > start) break;
    }
    return this.log.slice(start, i);
  }

  /** The first index, among these entries, that is new or whose term differs from ours; 0 if none. */
  findConflict(entries: Entry[]): number {
    for (const e of entries) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /** First index of the run of entries of the same term as `index`, for the conflict hint. */
  firstIndexOfTerm(index: number): number {
    const term = this.term(index);
    let i = index;
    while (i - 1 > this.offset && this.term(i - 1) === term) i--;
    return i;
  }

  /** Last index at or below `index` whose term is `term`, or 0 if this log has no such entry. */
  lastIndexOfTerm(term: number, index: number): number {
    for (let i = Math.min(index, this.lastIndex()); i > this.offset; i--) {
      const t = this.log[i - this.offset - 1]!.term;
      if (t === term) return i;
      if (t < term) return 0;
    }
    return this.offsetTerm === term ? this.offset : 0;
  }

  /**
   * Appends entries, first dropping every entry at or after entries[0].index (a conflicting suffix).
   * Returns the entries removed.
   */
  append(entries: Entry[]): Entry[] {
    if (entries.length === 0) return [];
    const first = entries[0]!.index;
    if (first <= this.committed) throw new Error(`refusing to overwrite committed entry ${first} (commit ${this.committed})`);
    if (first > this.lastIndex() + 1) throw new RangeError(`gap in the log: appending ${first} after ${this.lastIndex()}`);
    const removed = this.log.splice(first - this.offset - 1);
    if (this.handed >= first) this.handed = first - 1;
    if (this.stable >= first) this.stable = first - 1;
    for (const e of entries) this.log.push(e);
    return removed;
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    if (index > this.lastIndex()) throw new RangeError(`commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
    return true;
  }

  /** Replaces the whole log with a snapshot from the leader (section 7). */
  restore(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.pendingSnapshot = snapshot;
    this.offset = snapshot.meta.index;
    this.offsetTerm = snapshot.meta.term;
    this.log.length = 0;
    this.handed = this.offset;
    // The stored log differs at the snapshot's index (or the snapshot would not replace it): the
    // snapshot is durable only once the runtime says so.
    this.stable = Math.min(this.stable, this.offset - 1);
    this.committed = this.offset;
    this.applying = this.offset;
  }

  /** Drops the entries the runtime's snapshot now covers. */
  compact(snapshot: Snapshot): void {
    const index = snapshot.meta.index;
    this.log.splice(0, index - this.offset);
    this.offset = index;
    this.offsetTerm = snapshot.meta.term;
    this.snapshot = snapshot;
  }

  /** Entries not yet handed to the runtime to persist; marks them handed. */
  takeUnpersisted(): Entry[] {
    const out = this.slice(this.handed + 1, this.lastIndex());
    this.handed = this.lastIndex();
    return out;
  }
  hasUnpersisted(): boolean {
    return this.handed < this.lastIndex();
  }

  /**
   * The runtime made the log durable up to `index`, whose entry had term `term` when handed. If the
   * entry there still has that term, the log up to it is what is on disk (Log Matching: same index
   * and term, same entries before); if it was replaced since, its replacement is not durable yet.
   */
  stableTo(index: number, term: number): void {
    if (index > this.stable && this.term(index) === term) this.stable = index;
  }

  /** Committed entries not yet handed to the runtime to apply; marks them handed. */
  takeCommitted(): Entry[] {
    const out = this.slice(this.applying + 1, this.committed);
    this.applying = this.committed;
    return out;
  }
  hasCommittedToApply(): boolean {
    return this.applying < this.committed;
  }
}
