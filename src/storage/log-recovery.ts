// Reading the log back at open: every segment in order, replayed onto the snapshot. A torn record
// at the very end is cut off (the crash interrupted a save that was never acknowledged); any other
// damage stops the node with the file and byte offset, because carrying on would silently drop
// records that were acknowledged.
import type { RestoredState } from '../raft/raft.js';
import type { Snapshot } from '../raft/types.js';
import type { DurableDir } from './durable-dir.js';
import { DataDirError, replaceAdvice } from './errors.js';
import { LogReplay, ReplayError } from './log-replay.js';
import { cutTornTail, readSegment, segmentName, segmentSequence, type TornTail } from './segment-files.js';
import { decodeWalRecord, type WalRecord } from './wal-record.js';

export interface Segment {
  sequence: number;
  name: string;
  bytes: number;
  /** Highest entry index in the segment (0: none): it can go once a snapshot covers that index. */
  maxIndex: number;
}

export interface RecoveredLog {
  /** Oldest first; empty when the directory has none yet. */
  segments: Segment[];
  restored: RestoredState;
  /** A record still to append before the node runs (see ReplayResult.completion). */
  completion: WalRecord | null;
  tornTail: TornTail | null;
}

/** Recovers the log from the segment files among `names`, on top of `snapshot`. */
export async function recoverLog(dir: DurableDir, names: string[], snapshot: Snapshot | null): Promise<RecoveredLog> {
  const files = names
    .map((name) => ({ name, sequence: segmentSequence(name) }))
    .filter((f): f is { name: string; sequence: number } => f.sequence !== null)
    .sort((a, b) => a.sequence - b.sequence);
  const replay = new LogReplay(snapshot);
  const segments: Segment[] = [];
  let tornTail: TornTail | null = null;
  for (const [i, { name, sequence }] of files.entries()) {
    const previous = files[i - 1];
    if (previous !== undefined && sequence !== previous.sequence + 1)
      throw new DataDirError(
        'corrupt',
        `log segment ${dir.file(segmentName(previous.sequence + 1))} is missing: ${replaceAdvice(dir.path)}`,
      );
    const file = dir.file(name);
    const read = await readSegment(file, i === files.length - 1, syncedBytes);
    if (!read.ok) throw corruptSegment(dir, file, read.offset, read.reason);
    let maxIndex = 0;
    for (const frame of read.frames) {
      const record = decodeWalRecord(frame.body);
      if (typeof record === 'string') throw corruptSegment(dir, file, frame.offset, record);
      try {
        replay.apply(record);
      } catch (err) {
        if (err instanceof ReplayError) throw corruptSegment(dir, file, frame.offset, err.reason);
        throw err;
      }
      for (const e of record.entries) maxIndex = Math.max(maxIndex, e.index);
    }
    segments.push({ sequence, name, bytes: read.goodBytes, maxIndex });
    tornTail = read.torn;
  }
  if (tornTail !== null) await cutTornTail(dir, tornTail);

  const { restored, completion } = replay.finish();
  const lastIndex = (restored.snapshot?.meta.index ?? 0) + restored.entries.length;
  if (restored.hardState.commit > lastIndex)
    throw new DataDirError(
      'corrupt',
      `the log in ${dir.path} ends at index ${lastIndex} but its commit index is ${restored.hardState.commit}: ${replaceAdvice(dir.path)}`,
    );
  return { segments, restored, completion, tornTail };
}

/** Where the record's segment was durable up to when it was written, if it says (WalRecord.syncedBytes). */
function syncedBytes(body: Buffer): number | undefined {
  const record = decodeWalRecord(body);
  return typeof record === 'string' ? undefined : record.syncedBytes;
}

function corruptSegment(dir: DurableDir, file: string, offset: number, reason: string): DataDirError {
  return new DataDirError('corrupt', `log segment ${file} is corrupt at byte ${offset} (${reason}): ${replaceAdvice(dir.path)}`);
}
