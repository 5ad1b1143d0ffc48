// A simulated node's stable storage: what survives a crash. It is written only as the Ready
// contract says (src/raft/ready.ts): snapshot, then entries, then hard state, all before any
// message that depends on them leaves the node (Figure 2, "updated on stable storage before
// responding to RPCs"). A write that need not be synced (Ready.mustSync false: it only moves the
// commit index) is durable only once a later write is synced, and a crash before that loses it.
import type { RestoredState } from '../raft/raft.js';
import type { Entry, HardState, Snapshot } from '../raft/types.js';

export class StableStorage {
  hardState: HardState = { term: 0, vote: 0, commit: 0 };
  snapshot: Snapshot | null = null;
  /** The log after the snapshot: entries[k].index === snapshotIndex + 1 + k. */
  entries: Entry[] = [];
  /** The commit index as of the last synced write: what a crash leaves of it. */
  private syncedCommit = 0;

  get snapshotIndex(): number {
    return this.snapshot === null ? 0 : this.snapshot.meta.index;
  }

  get snapshotTerm(): number {
    return this.snapshot === null ? 0 : this.snapshot.meta.term;
  }

  get lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  get lastTerm(): number {
    const last = this.entries[this.entries.length - 1];
    return last === undefined ? this.snapshotTerm : last.term;
  }

  /** True until anything was written: a node that never ran starts from bootstrap config. */
  get pristine(): boolean {
    return this.hardState.term === 0 && this.snapshot === null && this.entries.length === 0;
  }

  /**
   * The term of the entry at `index`: 0 for index 0, the snapshot's term at its index, undefined
   * when compacted away (below the snapshot) or beyond the log.
   */
  termAt(index: number): number | undefined {
    const snap = this.snapshotIndex;
    if (index === snap) return this.snapshotTerm;
    if (index < snap) return undefined;
    return this.entries[index - snap - 1]?.term;
  }

  entryAt(index: number): Entry | undefined {
    return this.entries[index - this.snapshotIndex - 1];
  }

  /**
   * A snapshot replaces the log up to its index. Entries after it survive only when the log
   * holds the snapshot's last entry (same index and term): otherwise they belong to another
   * history and go too.
   */
  saveSnapshot(s: Snapshot): void {
    const keep = this.termAt(s.meta.index) === s.meta.term && s.meta.index <= this.lastIndex;
    const rest = keep ? this.entries.slice(s.meta.index - this.snapshotIndex) : [];
    this.snapshot = s;
    this.entries = rest;
    this.sync();
  }

  /**
   * Appends `entries` after dropping every stored entry at or after `entries[0].index` (a
   * conflicting suffix being replaced). Returns the number of entries dropped, or -1 when the
   * entries do not attach to the log (a gap, or inside the snapshot): the caller reports that.
   */
  append(entries: readonly Entry[]): number {
    const first = entries[0];
    if (first === undefined) return 0;
    const snap = this.snapshotIndex;
    if (first.index <= snap || first.index > this.lastIndex + 1) return -1;
    const keep = first.index - snap - 1;
    const dropped = this.entries.length - keep;
    if (dropped > 0) this.entries.length = keep;
    for (const e of entries) this.entries.push(e);
    return dropped;
  }

  saveHardState(hs: HardState): void {
    this.hardState = { term: hs.term, vote: hs.vote, commit: hs.commit };
  }

  /** An fsync: everything written so far is durable, the commit index of an unsynced write too. */
  sync(): void {
    this.syncedCommit = this.hardState.commit;
  }

  /**
   * A crash (a power cut, the worst case): a commit index written without an fsync since the last
   * one is gone. Raft never needs it durable; a restarted node relearns it from the leader.
   */
  loseUnsynced(): void {
    this.hardState = { ...this.hardState, commit: this.syncedCommit };
  }

  /** What a restarted node reads back: copies, so the new core cannot write into storage. */
  restored(): RestoredState {
    return { hardState: { ...this.hardState }, snapshot: this.snapshot, entries: this.entries.slice() };
  }

  /** Replaces everything (tests that hand-craft a node's disk, e.g. the Figure 7 logs). */
  load(state: RestoredState): void {
    this.hardState = { ...state.hardState };
    this.snapshot = state.snapshot;
    this.entries = state.entries.slice();
    this.syncedCommit = state.hardState.commit;
  }
}
