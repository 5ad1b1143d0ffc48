// Rebuilds the log from the snapshot and the log records, in the order they were written.
//
// The replay only keeps entries after the snapshot (index B). Segments whose entries were all at or
// below an earlier snapshot may have been removed, so the replay sees a suffix of the records; it
// still ends with the right entries after B because every record's effect on them is known without
// what came before: an entry at or below B truncates everything after B, an entry above B truncates
// and appends as usual, and a snapshot mark either drops the entries after it or leaves those after
// B alone.
import type { RestoredState } from '../raft/raft.js';
import { NONE, type Entry, type HardState, type Snapshot } from '../raft/types.js';
import type { WalRecord } from './wal-record.js';

/** A record that does not fit the log replayed so far; the caller knows where it was read. */
export class ReplayError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface ReplayResult {
  restored: RestoredState;
  /**
   * A record to append before the node runs, or null. Set when the snapshot file is newer than the
   * last snapshot mark in the log: a crash came between installing snapshot.dat and writing the
   * record that marks it. The replay completes that step (see finish) and this record makes it
   * part of the log, so that records written later replay after it.
   */
  completion: WalRecord | null;
}

export class LogReplay {
  private readonly snapshot: Snapshot | null;
  /** The snapshot's index: only entries after it are kept. */
  private readonly base: number;
  /** The entries after the base, contiguous from base + 1. */
  private readonly entries: Entry[] = [];
  private hardState: HardState = { term: 0, vote: NONE, commit: 0 };
  /** Term of the log's entry at the base, as far as the records seen tell; undefined if none. */
  private termAtBase: number | undefined;
  /** Whether a record marked the snapshot that is in snapshot.dat. */
  private baseMarked = false;

  constructor(snapshot: Snapshot | null) {
    this.snapshot = snapshot;
    this.base = snapshot?.meta.index ?? 0;
  }

  apply(record: WalRecord): void {
    const mark = record.snapshot;
    if (mark !== undefined) {
      if (mark.index > this.base || (mark.index === this.base && mark.term !== this.snapshot?.meta.term))
        throw new ReplayError(
          `the log records a snapshot at index ${mark.index} term ${mark.term} but snapshot.dat holds ${this.snapshot === null ? 'none' : `index ${this.base} term ${this.snapshot.meta.term}`}`,
        );
      if (mark.index === this.base) this.baseMarked = true;
      if (!mark.keepEntries) {
        this.entries.length = 0;
        if (mark.index < this.base) this.termAtBase = undefined;
      }
    }
    for (const e of record.entries) this.appendEntry(e);
    this.hardState = record.hardState;
  }

  private appendEntry(e: Entry): void {
    if (e.index <= this.base) {
      // Truncates from e.index: every entry after the base goes, and the one at the base is e or gone.
      this.entries.length = 0;
      this.termAtBase = e.index === this.base ? e.term : undefined;
      return;
    }
    const last = this.base + this.entries.length;
    if (e.index > last + 1) throw new ReplayError(`entry ${e.index} leaves a gap after entry ${last}`);
    this.entries.length = e.index - this.base - 1;
    this.entries.push(e);
  }

  /** The state to restart from, once every record has been applied. */
  finish(): ReplayResult {
    const snap = this.snapshot;
    let completion: WalRecord | null = null;
    if (snap !== null && !this.baseMarked) {
      // Finish what the crash interrupted, as the save would have: the entries after the snapshot
      // stay only if the log held its last entry. A snapshot holds only committed entries, so the
      // commit index is at least its index; and its term may be newer than the term on disk, in
      // which case this node has not voted in it yet.
      const keepEntries = this.termAtBase === snap.meta.term;
      if (!keepEntries) this.entries.length = 0;
      const hs = this.hardState;
      this.hardState = {
        term: Math.max(hs.term, snap.meta.term),
        vote: snap.meta.term > hs.term ? NONE : hs.vote,
        commit: Math.max(hs.commit, snap.meta.index),
      };
      completion = { snapshot: { index: snap.meta.index, term: snap.meta.term, keepEntries }, entries: [], hardState: this.hardState };
    }
    return { restored: { hardState: { ...this.hardState }, snapshot: snap, entries: this.entries }, completion };
  }
}
