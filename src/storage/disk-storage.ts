// A node's durable storage: its Raft log, hard state and latest snapshot in one data directory.
//
//   const { storage, restored, recovery } = await DiskStorage.open(dir, { clusterId, nodeId });
//   const core = new Raft(config, restored);   // restored: exactly what the core's constructor wants
//   ...
//   await storage.save(ready);                 // step 1 of every Ready, before its messages leave
//   const write = storage.beginSnapshot(core.compact(applied, stateMachine.serialize()));
//   ...                                        // saves go on while its file is written
//   await write.done;
//   await storage.close();
//
// Durability: save() and the other calls resolve only once what they were given is fsynced
// (fdatasync), and a save costs one fdatasync however many entries it carries, so a runtime that
// merges several Readys into one save() pays for one. A save() whose step only moves the commit
// index (mustSync false, as the core decides) is written without an fdatasync: the next synced
// write makes it durable, and a crash before that loses only a commit index, which Raft relearns
// (the torn record is cut off at open, segment-files.ts). Calls are queued and run one at a time in
// call order, except the slow part of the node's own snapshot: its file is written and synced
// beside the queue (a temporary file nothing depends on), and only its installation (rename, the
// record that marks it, old segments removed) joins the queue, behind the calls made meanwhile. A
// failed write or fsync leaves the file's real content unknown (Linux may even drop the unwritten
// pages and report the error only once), so after any I/O error every later call fails too: the
// node must exit and recover from what is really on disk.
//
// On disk (see the modules named):
//   identity.json        cluster id, node id, format version (identity.ts)
//   wal-<seq>.log        log segments of framed, checksummed records (segment-files.ts,
//                        record-frame.ts), one record per save (wal-record.ts)
//   snapshot.dat         the latest snapshot (snapshot-file.ts)
//   snapshot-<index>.dat.tmp   the node's own snapshot while it is written, before its rename
//   recovery.json        only while the node recovers from lost data (recovery-file.ts)
//   *.tmp                a file being replaced atomically; a crash may leave one, open() removes it
import { open as openFile, readdir, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Recovery } from '../raft/config.js';
import type { RestoredState } from '../raft/raft.js';
import type { Entry, HardState, NodeId, Snapshot } from '../raft/types.js';
import { DurableDir, FILE_MODE, makeDirectory, TEMP_SUFFIX, writeFully } from './durable-dir.js';
import { SnapshotRefusedError } from './errors.js';
import { claimIdentity } from './identity.js';
import { recoverLog, type Segment } from './log-recovery.js';
import { encodeFrame } from './record-frame.js';
import { readRecovery, writeRecovery } from './recovery-file.js';
import { segmentName, type TornTail } from './segment-files.js';
import { encodeSnapshotFile, readSnapshotFile, SNAPSHOT_FILE, stagedSnapshotName, writeSnapshotFile } from './snapshot-file.js';
import { TermRuns } from './term-runs.js';
import { encodeWalRecord, type WalRecord } from './wal-record.js';

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

export interface DiskStorageOptions {
  /** Recorded at first open; a directory of another cluster or node refuses to open. */
  clusterId: string;
  nodeId: NodeId;
  /**
   * Skip every fsync, for speed experiments only. A killed process still loses nothing (its writes
   * are in the page cache), but a power cut or kernel crash can lose acknowledged votes and entries,
   * which breaks Raft's safety, and can leave damage in the middle of the log that makes the next
   * open refuse. The node should show it.
   */
  unsafeNoFsync?: boolean;
  /** A new segment is started once the active one reaches this size. Default 64 MiB. */
  segmentBytes?: number;
}

/**
 * One persist step: a Ready fits as it is. Several Readys may be merged into one step: concatenate
 * their entries in order (an entry at or below an earlier one's index truncates from there, as it
 * would have in separate saves) and keep the last non-null hard state. A Ready that carries a
 * snapshot cannot be merged into earlier ones, because a step applies its snapshot before its
 * entries: save what came before it first. Later Readys may be merged into it.
 */
export interface PersistStep {
  /** A snapshot from the leader; it replaces the log up to its index. */
  snapshot?: Snapshot | null;
  /** Entries to append; the first may be at or below the last stored index (a conflicting suffix). */
  entries?: readonly Entry[];
  hardState?: HardState | null;
  /**
   * Whether to fdatasync (default true). False only for a step that moves nothing but the commit
   * index (Ready.mustSync): entries, a snapshot, a term or a vote must be durable before anything
   * that depends on them leaves the node.
   */
  mustSync?: boolean;
}

/** What open() found and repaired, for the node to report. */
export interface RecoveryReport {
  /** The directory was new (or empty) and has just been given its identity. */
  created: boolean;
  /** A record torn by a crash mid-write, cut off the end of the log. */
  tornTail: TornTail | null;
  /** A snapshot installed just before a crash had not yet been marked in the log; it now is. */
  snapshotCompleted: boolean;
}

/** The node's own snapshot on its way to disk (DiskStorage.beginSnapshot). */
export interface SnapshotWrite {
  /** Size of its snapshot.dat. */
  bytes: number;
  /**
   * Resolves once the snapshot is durable and the log marks it ('installed'), or once it was
   * dropped because a snapshot at or beyond its index (the leader's) was saved while its file was
   * being written ('superseded'). Rejects on an I/O error, after which the storage is unusable.
   */
  done: Promise<'installed' | 'superseded'>;
}

export interface OpenedStorage {
  storage: DiskStorage;
  restored: RestoredState;
  recovery: RecoveryReport;
}

export class DiskStorage {
  private readonly dir: DurableDir;
  private readonly segmentBytes: number;
  /** Oldest first; the last is the active one, open in `active`. */
  private readonly segments: Segment[];
  private active: FileHandle;
  private readonly terms: TermRuns;
  private hardState: HardState;
  /** Tail of the queue of calls: each runs after the previous one settles. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The active segment's size at its last fdatasync (WalRecord.syncedBytes). */
  private syncedBytes: number;
  /** Records were written to the active segment since its last fdatasync. */
  private unsyncedWrites = false;
  /** The I/O error that made the storage unusable, as text; null while it is usable. */
  private failure: string | null = null;
  private closed = false;
  /** The node's own snapshot being written and installed, until it settles; null when none is. */
  private snapshotting: Promise<unknown> | null = null;

  private constructor(dir: DurableDir, segmentBytes: number, segments: Segment[], active: FileHandle, restored: RestoredState) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.segments = segments;
    this.active = active;
    this.syncedBytes = segments.at(-1)!.bytes;
    const meta = restored.snapshot?.meta;
    this.terms = new TermRuns(meta?.index ?? 0, meta?.term ?? 0);
    for (const e of restored.entries) this.terms.append(e.index, e.term);
    this.hardState = { ...restored.hardState };
  }

  /** True when fsync is off: acknowledged writes may not survive power loss. */
  get unsafeNoFsync(): boolean {
    return !this.dir.fsync;
  }

  /**
   * Opens (creating it if needed) the data directory `path` and recovers the node's state from it.
   * Throws a DataDirError, whose message says what to do, when the directory belongs to another
   * cluster or node or a file is damaged in a way a crash cannot explain.
   */
  static async open(path: string, options: DiskStorageOptions): Promise<OpenedStorage> {
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isInteger(segmentBytes) || segmentBytes < 1)
      throw new RangeError(`segmentBytes must be a positive integer, got ${segmentBytes}`);
    if (!Number.isInteger(options.nodeId) || options.nodeId < 1)
      throw new RangeError(`nodeId must be a positive integer, got ${options.nodeId}`);
    if (options.clusterId === '') throw new RangeError('clusterId must not be empty');

    const fsync = options.unsafeNoFsync !== true;
    const dir = new DurableDir(resolve(path), fsync);
    await makeDirectory(dir.path, fsync);
    const names = await readdir(dir.path);
    const temps = names.filter((n) => n.endsWith(TEMP_SUFFIX));
    for (const name of temps) await dir.remove(name);
    if (temps.length > 0) await dir.syncEntries();
    const created = await claimIdentity(dir, { clusterId: options.clusterId, nodeId: options.nodeId }, names.length === temps.length);
    await dir.probeWrite();

    const snapshot = await readSnapshotFile(dir);
    const { segments, restored, completion, tornTail } = await recoverLog(dir, names, snapshot);

    let active: FileHandle;
    const last = segments.at(-1);
    if (last === undefined) {
      const first: Segment = { sequence: 1, name: segmentName(1), bytes: 0, maxIndex: 0 };
      active = await openFile(dir.file(first.name), 'wx', FILE_MODE);
      segments.push(first);
      await dir.syncEntries();
    } else {
      active = await openFile(dir.file(last.name), 'r+');
      // A killed process may have left unsynced records in the page cache, read back above as if
      // durable: make them so, so that what this process writes can say where durability ends.
      try {
        await dir.syncData(active);
      } catch (err) {
        await active.close();
        throw err;
      }
    }
    const storage = new DiskStorage(dir, segmentBytes, segments, active, restored);
    if (completion !== null) {
      try {
        await storage.append(completion);
      } catch (err) {
        await active.close();
        throw err;
      }
    }
    return { storage, restored, recovery: { created, tornTail, snapshotCompleted: completion !== null } };
  }

  /**
   * Step 2 of a Ready (see PersistStep): the snapshot, then the entries, then the hard state, made
   * durable with one fdatasync before the promise resolves unless `step.mustSync` is false. Throws a RangeError, writing nothing,
   * when the step does not fit the stored log (a bug in the caller).
   */
  save(step: PersistStep): Promise<void> {
    return this.serialize(async () => {
      const snapshot = step.snapshot ?? null;
      const entries = step.entries ?? [];
      if (snapshot === null && entries.length === 0 && (step.hardState ?? null) === null) return;

      // Check everything before writing anything.
      const terms = this.terms;
      let keepEntries = false;
      if (snapshot !== null) {
        const { index, term } = snapshot.meta;
        if (index <= terms.snapshotIndex)
          throw new RangeError(`snapshot at ${index} is not beyond the stored one at ${terms.snapshotIndex}`);
        keepEntries = terms.termAt(index) === term;
      }
      const base = snapshot === null ? terms.snapshotIndex : snapshot.meta.index;
      let last = snapshot === null || keepEntries ? terms.lastIndex : base;
      let newestTerm = snapshot?.meta.term ?? 0;
      for (const e of entries) {
        if (e.index <= base || e.index > last + 1)
          throw new RangeError(`entry ${e.index} does not attach to the stored log (${base + 1}-${last})`);
        last = e.index;
        newestTerm = Math.max(newestTerm, e.term);
      }
      // What the core's constructor checks at a restart, checked now rather than found then.
      const hs = step.hardState ?? this.hardState;
      if (hs.term < this.hardState.term) throw new RangeError(`term ${hs.term} is below the stored term ${this.hardState.term}`);
      if (hs.commit < base || hs.commit > last)
        throw new RangeError(`commit index ${hs.commit} is outside the stored log (${base}-${last})`);
      if (newestTerm > hs.term)
        throw new RangeError(`an entry or snapshot of term ${newestTerm} is above the hard state's term ${hs.term}`);
      const mustSync = step.mustSync ?? true;
      if (!mustSync && (snapshot !== null || entries.length > 0 || hs.term !== this.hardState.term || hs.vote !== this.hardState.vote))
        throw new RangeError('a step with entries, a snapshot, or a new term or vote must be synced');

      const record: WalRecord = { entries, hardState: { term: hs.term, vote: hs.vote, commit: hs.commit } };
      if (snapshot !== null) record.snapshot = { index: snapshot.meta.index, term: snapshot.meta.term, keepEntries };
      // snapshot.dat first: a crash before the record is written leaves a snapshot the log does not
      // mark yet, which the next open completes (LogReplay.finish).
      await this.durably(async () => {
        if (snapshot !== null) await writeSnapshotFile(this.dir, snapshot);
        await this.append(record, mustSync);
      });
      if (snapshot !== null) {
        if (keepEntries) terms.compact(snapshot.meta.index, snapshot.meta.term);
        else terms.reset(snapshot.meta.index, snapshot.meta.term);
      }
      for (const e of entries) terms.append(e.index, e.term);
      this.hardState = record.hardState;
      if (snapshot !== null) await this.durably(() => this.removeSegmentsUpTo(snapshot.meta.index));
    });
  }

  /** The recovering mode kept in the directory (recovery-file.ts), or null. */
  loadRecovery(): Promise<Recovery | null> {
    return this.serialize(() => readRecovery(this.dir));
  }

  /** Keeps the recovering mode durably, or ends it (null), after every earlier save. */
  saveRecovery(r: Recovery | null): Promise<void> {
    return this.serialize(() => this.durably(() => writeRecovery(this.dir, r)));
  }

  /**
   * Starts saving a snapshot the node took of its own state machine (the one Raft.compact returns).
   * Its bytes are encoded now, synchronously, then written to a temporary file and synced while
   * other calls go on; then, in the queue behind the calls made meanwhile, the file is renamed to
   * snapshot.dat, a record marks it in the log, and the segments it wholly covers are removed.
   * Until the rename the disk holds the previous snapshot and every entry after it; after it, the
   * next open completes the mark if a crash came first (LogReplay.finish). Either way the node
   * recovers the same state.
   *
   * One at a time. Its index must be at or below the commit index of the saves called before it
   * (they need not have resolved), so save the Ready that committed it first. Throws a
   * SnapshotRefusedError, writing nothing, when another is being written or the stored snapshot is
   * already as far; `done` rejects with one, its file removed, when it does not fit the saved log.
   */
  beginSnapshot(snapshot: Snapshot): SnapshotWrite {
    this.checkUsable('writing');
    const { index } = snapshot.meta;
    if (this.snapshotting !== null)
      throw new SnapshotRefusedError('in-flight', index, `snapshot at ${index} begun while another is still being written`);
    const stale = this.notBeyondStored(index);
    if (stale !== null) throw stale;
    const bytes = encodeSnapshotFile(snapshot);
    const temp = stagedSnapshotName(index);
    const done = (async () => {
      await this.durably(() => this.dir.writeTemporary(temp, bytes));
      return this.serialize(() => this.installSnapshot(snapshot, temp));
    })();
    const settled = (): void => {
      this.snapshotting = null;
    };
    this.snapshotting = done.then(settled, settled);
    return { bytes: bytes.length, done };
  }

  /** The queued half of beginSnapshot, once the file at `temp` is durable. */
  private async installSnapshot(snapshot: Snapshot, temp: string): Promise<'installed' | 'superseded'> {
    // Checked against the log as every earlier save left it: the one that committed the snapshot's
    // index may still have been in the queue when it began.
    const problem = this.ownSnapshotProblem(snapshot);
    if (problem !== null) {
      await this.durably(() => this.dir.remove(temp));
      // It did go beyond the stored one when it began: a save() has since installed the leader's.
      if (problem.code === 'not-beyond-stored') return 'superseded';
      throw problem;
    }
    const { index, term } = snapshot.meta;
    await this.durably(async () => {
      await this.dir.install(temp, SNAPSHOT_FILE);
      await this.append({ snapshot: { index, term, keepEntries: true }, entries: [], hardState: this.hardState });
    });
    this.terms.compact(index, term);
    await this.durably(() => this.removeSegmentsUpTo(index));
    return 'installed';
  }

  /** Why the node's own `snapshot` does not fit the stored log, or null. */
  private ownSnapshotProblem(snapshot: Snapshot): SnapshotRefusedError | null {
    const { index, term } = snapshot.meta;
    const stale = this.notBeyondStored(index);
    if (stale !== null) return stale;
    if (index > this.hardState.commit)
      return new SnapshotRefusedError(
        'beyond-commit',
        index,
        `snapshot at ${index} is beyond the stored commit index ${this.hardState.commit}`,
      );
    const stored = this.terms.termAt(index);
    if (stored !== term)
      return new SnapshotRefusedError(
        'term-mismatch',
        index,
        `snapshot at ${index} has term ${term} but the stored entry there has term ${stored}`,
      );
    return null;
  }

  private notBeyondStored(index: number): SnapshotRefusedError | null {
    const stored = this.terms.snapshotIndex;
    return index <= stored
      ? new SnapshotRefusedError('not-beyond-stored', index, `snapshot at ${index} is not beyond the stored one at ${stored}`)
      : null;
  }

  /**
   * Waits for the queued calls and for a snapshot being written to be installed, then closes the
   * files. Later calls fail; closing again does nothing.
   */
  async close(): Promise<void> {
    // The snapshot's install joins the queue only once its file is written: closing first would fail it.
    await this.snapshotting;
    return this.serialize(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.active.close();
    }, 'closing');
  }

  /** Runs `op` after every earlier call has settled. */
  private serialize<T>(op: () => Promise<T>, purpose: 'writing' | 'closing' = 'writing'): Promise<T> {
    const run = async (): Promise<T> => {
      this.checkUsable(purpose);
      return op();
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Throws when the storage can no longer write: closed, or after an I/O error. */
  private checkUsable(purpose: 'writing' | 'closing'): void {
    if (purpose === 'closing') return;
    if (this.closed) throw new Error(`storage of ${this.dir.path} is closed`);
    if (this.failure !== null)
      throw new Error(`storage of ${this.dir.path} is unusable after an earlier I/O error (${this.failure}): restart the node`);
  }

  /** Runs disk I/O; a failure makes the storage unusable (see the top of this file). */
  private async durably(io: () => Promise<void>): Promise<void> {
    try {
      await io();
    } catch (err) {
      this.failure = String(err);
      throw err;
    }
  }

  /**
   * Writes one record at the end of the log and, when `sync` (the default), fdatasyncs it, starting
   * a new segment if due.
   */
  private async append(record: WalRecord, sync = true): Promise<void> {
    let segment = this.segments.at(-1)!;
    const rollOver = segment.bytes >= this.segmentBytes;
    if (rollOver) {
      // Open recovers from a torn record only in the last segment: what was written to this one
      // without an fdatasync gets one before the next segment starts.
      if (this.unsyncedWrites) await this.dir.syncData(this.active);
      this.unsyncedWrites = false;
      this.syncedBytes = 0;
      const next: Segment = { sequence: segment.sequence + 1, name: segmentName(segment.sequence + 1), bytes: 0, maxIndex: 0 };
      const handle = await openFile(this.dir.file(next.name), 'wx', FILE_MODE);
      await this.active.close();
      this.active = handle;
      this.segments.push(next);
      segment = next;
    }
    const frame = encodeFrame(encodeWalRecord(!sync || this.unsyncedWrites ? { ...record, syncedBytes: this.syncedBytes } : record));
    await writeFully(this.active, frame, segment.bytes);
    segment.bytes += frame.length;
    for (const e of record.entries) segment.maxIndex = Math.max(segment.maxIndex, e.index);
    if (sync) {
      await this.dir.syncData(this.active);
      this.syncedBytes = segment.bytes;
      this.unsyncedWrites = false;
    } else {
      this.unsyncedWrites = true;
    }
    // The new segment's name must be durable too, or its records would vanish with it.
    if (rollOver) await this.dir.syncEntries();
  }

  /**
   * Removes, oldest first, the segments whose entries are all at or below a durable snapshot's
   * index. Only from the front, and never the active segment, so the records left always replay to
   * the same log (see log-replay.ts).
   */
  private async removeSegmentsUpTo(index: number): Promise<void> {
    let removed = 0;
    while (this.segments.length > 1 && this.segments[0]!.maxIndex <= index) {
      await this.dir.remove(this.segments[0]!.name);
      this.segments.shift();
      removed++;
    }
    if (removed > 0) await this.dir.syncEntries();
  }
}
