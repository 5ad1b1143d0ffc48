// One node's snapshots as its event lines tell them. The node reports only a "snapshot-taken" event
// with the index; the rest is read around it:
//   - endTs: the event's time. The core emits it from compact(), between serializing the state
//     machine and saving the snapshot, but the node writes it out with the next Ready, after
//     saveSnapshot resolved: the end of the snapshot.
//   - startTs: the time of the node's last "commit" event before it, which came out with the Ready
//     whose applied entries crossed the threshold. So endTs - startTs is the snapshot (serialize,
//     write, fsync, the old log segments removed) plus that Ready's persist and apply: an upper bound.
//   - entries: since the node's previous snapshot, or the one it started from.
//   - bytes: the size of its snapshot.dat when the event is read (the caller's stat).

export interface SnapshotTaken {
  node: number;
  index: number;
  /** Entries since the node's previous snapshot (or its start). */
  entries: number;
  bytes: number | null;
  /** Wall clock (ms since the epoch), as the nodes' events. */
  startTs: number | null;
  endTs: number;
}

const COMMIT = '"type":"commit"';
const LINE_TS = /^\{"ts":(\d+)/;

/** Every snapshot this many back is forgotten: a long run keeps the latest only. */
const KEEP = 10_000;

export class SnapshotLog {
  private lastCommitTs: number | null = null;
  private snapshotIndex = 0;
  readonly taken: SnapshotTaken[] = [];

  constructor(readonly node: number) {}

  /**
   * Looks at a raw event line before it is parsed: a commit event's time is all that is needed of
   * it, read from the line's start (the nodes write `{"ts":...` first), so the many commit lines
   * cost no JSON parse. True if the line was a commit event.
   */
  sawLine(line: string): boolean {
    if (!line.includes(COMMIT)) return false;
    const ts = LINE_TS.exec(line);
    if (ts !== null) this.lastCommitTs = Number(ts[1]);
    return true;
  }

  /** The node (re)started from a snapshot at this index (0: none). */
  started(snapshotIndex: number): void {
    this.snapshotIndex = snapshotIndex;
    this.lastCommitTs = null;
  }

  /** Its snapshot-taken event. */
  snapshotTaken(index: number, ts: number, bytes: number | null): SnapshotTaken {
    const s: SnapshotTaken = { node: this.node, index, entries: index - this.snapshotIndex, bytes, startTs: this.lastCommitTs, endTs: ts };
    this.taken.push(s);
    if (this.taken.length > KEEP) this.taken.shift();
    this.snapshotIndex = index;
    return s;
  }
}
