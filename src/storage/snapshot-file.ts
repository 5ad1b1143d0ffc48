// snapshot.dat: the latest snapshot, one framed record whose body is the Snapshot as JSON. It is
// only ever replaced whole (temporary file, fsync, rename, fsync of the directory), so unlike a log
// segment it can never be torn: any damage is corruption. The node's own snapshots are written to a
// temporary file of their own first (stagedSnapshotName), while the log goes on being written.
import { readFile } from 'node:fs/promises';
import { isTermOrIndex, type Snapshot } from '../raft/types.js';
import { TEMP_SUFFIX, type DurableDir } from './durable-dir.js';
import { DataDirError, replaceAdvice } from './errors.js';
import { encodeFrame, scanFrames } from './record-frame.js';

export const SNAPSHOT_FILE = 'snapshot.dat';

/** The bytes of snapshot.dat holding `snapshot`. */
export function encodeSnapshotFile(snapshot: Snapshot): Buffer {
  return encodeFrame(Buffer.from(JSON.stringify(snapshot)));
}

/**
 * Where the node's own snapshot up to `index` is written before it is renamed to snapshot.dat. Not
 * snapshot.dat's own temporary name: a snapshot from the leader may be saved while this one is
 * being written.
 */
export function stagedSnapshotName(index: number): string {
  return `snapshot-${index}.dat${TEMP_SUFFIX}`;
}

export async function writeSnapshotFile(dir: DurableDir, snapshot: Snapshot): Promise<void> {
  await dir.writeAtomically(SNAPSHOT_FILE, encodeSnapshotFile(snapshot));
}

/** The stored snapshot, or null when the node never had one. */
export async function readSnapshotFile(dir: DurableDir): Promise<Snapshot | null> {
  const path = dir.file(SNAPSHOT_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const corrupt = (why: string) => new DataDirError('corrupt', `snapshot file ${path} is corrupt (${why}): ${replaceAdvice(dir.path)}`);
  const scan = scanFrames(bytes);
  const frame = scan.frames[0];
  if (scan.damage !== null) throw corrupt(scan.damage.reason);
  if (frame === undefined || scan.frames.length !== 1) throw corrupt(`${scan.frames.length} records where there should be one`);
  // Parsed JSON is not yet a Snapshot: any field may be missing (or the whole value null) until checked.
  let parsed: Partial<Snapshot> | null;
  try {
    parsed = JSON.parse(frame.body.toString('utf8')) as Partial<Snapshot> | null;
  } catch {
    throw corrupt('the record is not valid JSON');
  }
  const meta = parsed?.meta;
  if (!isTermOrIndex(meta?.index) || !isTermOrIndex(meta.term) || typeof meta.membership !== 'object' || typeof parsed?.data !== 'string')
    throw corrupt('the record is not a snapshot');
  return parsed as Snapshot;
}
