// Log segments: wal-<sequence>.log, append-only files of framed records (record-frame.ts), read in
// sequence order. The active segment is the newest; a new one is started once it reaches the
// configured size. Old segments are only ever removed from the front, so the sequence numbers on
// disk are always consecutive and a hole means a file went missing.
import { open, readFile } from 'node:fs/promises';
import type { DurableDir } from './durable-dir.js';
import { goodFramesAfter, scanFrames, type Frame } from './record-frame.js';

const SEGMENT_NAME = /^wal-(\d+)\.log$/;

export function segmentName(sequence: number): string {
  // Padded so that `ls` lists them in order; parsing does not depend on it.
  return `wal-${String(sequence).padStart(12, '0')}.log`;
}

/** The sequence number of a segment file name, or null when the name is not a segment's. */
export function segmentSequence(name: string): number | null {
  const m = SEGMENT_NAME.exec(name);
  return m === null ? null : Number(m[1]);
}

/** A damaged record at the tail of the last segment: a write torn by a crash, to be cut off. */
export interface TornTail {
  file: string;
  offset: number;
  /** Bytes from the torn record to the end of the file. */
  bytes: number;
  reason: string;
}

export type SegmentRead =
  | { ok: true; frames: Frame[]; goodBytes: number; torn: TornTail | null }
  /** A damaged record that a crash cannot explain. */
  | { ok: false; offset: number; reason: string };

/**
 * Reads a segment's records. A damaged record is a torn write only when it can be one: in the last
 * segment (the only one written to since the last fsync, as a segment is synced before the next
 * one starts), followed by no good record, or only by records that say (`syncedBytes` reads it
 * from a record's body) the segment was durable short of the damage when they were written: the
 * fsync that would have made the damaged bytes durable never completed, so none of them was
 * acknowledged, and all go with the torn one.
 */
export async function readSegment(path: string, isLast: boolean, syncedBytes: (body: Buffer) => number | undefined): Promise<SegmentRead> {
  const bytes = await readFile(path);
  const scan = scanFrames(bytes);
  const damage = scan.damage;
  if (damage === null) return { ok: true, frames: scan.frames, goodBytes: scan.goodBytes, torn: null };
  if (!isLast) return { ok: false, offset: damage.offset, reason: `${damage.reason}, in a segment that is not the last` };
  const after = goodFramesAfter(bytes, damage.offset);
  if (after.some((f) => !((syncedBytes(f.body) ?? Infinity) <= damage.offset)))
    return { ok: false, offset: damage.offset, reason: `${damage.reason}, with good records after it` };
  const torn = { file: path, offset: damage.offset, bytes: bytes.length - damage.offset, reason: damage.reason };
  return { ok: true, frames: scan.frames, goodBytes: scan.goodBytes, torn };
}

/** Cuts a torn record off the end of its segment, durably, so new records follow good ones. */
export async function cutTornTail(dir: DurableDir, torn: TornTail): Promise<void> {
  const handle = await open(torn.file, 'r+');
  try {
    await handle.truncate(torn.offset);
    await dir.syncData(handle);
  } finally {
    await handle.close();
  }
}
