// One node's snapshots as its "snapshot-saved" events tell them: the event comes when the snapshot
// is durable (endTs, its time) and says how long serializing it took (the node's writes waited) and
// making it durable after that (they went on), so it started at endTs minus both. entries: since the
// node's previous snapshot, or the one it started from.

export interface SnapshotTaken {
  node: number;
  index: number;
  /** Entries since the node's previous snapshot (or its start). */
  entries: number;
  /** Size of its snapshot.dat. */
  bytes: number;
  /** Of the duration, the time serializing it, while the node's writes waited. */
  serializeMs: number;
  /** Wall clock (ms since the epoch), as the nodes' events. */
  startTs: number;
  endTs: number;
}

/** The fields of a "snapshot-saved" event the bench reads. */
export interface SnapshotSaved {
  index: number;
  bytes: number;
  serializeMs: number;
  durableMs: number;
}

/** Every snapshot this many back is forgotten: a long run keeps the latest only. */
const KEEP = 10_000;

export class SnapshotLog {
  private snapshotIndex = 0;
  readonly taken: SnapshotTaken[] = [];

  constructor(readonly node: number) {}

  /** The node (re)started from a snapshot at this index (0: none). */
  started(snapshotIndex: number): void {
    this.snapshotIndex = snapshotIndex;
  }

  /** Its snapshot-saved event, written at `ts`. */
  saved(e: SnapshotSaved, ts: number): SnapshotTaken {
    const s: SnapshotTaken = {
      node: this.node,
      index: e.index,
      entries: e.index - this.snapshotIndex,
      bytes: e.bytes,
      serializeMs: e.serializeMs,
      startTs: ts - e.serializeMs - e.durableMs,
      endTs: ts,
    };
    this.taken.push(s);
    if (this.taken.length > KEEP) this.taken.shift();
    this.snapshotIndex = e.index;
    return s;
  }
}
