// How a record sits in a file: an 8-byte header, then the body.
//
//   offset 0  u32 LE  CRC-32C of bytes [4, 8 + length): the length field and the body
//   offset 4  u32 LE  length of the body in bytes, at least 1
//   offset 8  body
//
// The checksum covers the length too, so a damaged length is caught and not trusted to find the
// next record. A length of 0 is never written: a run of zero bytes (what a file extended by a
// crash often holds) can then never pass for a record.
import { crc32c } from './crc32c.js';

const FRAME_HEADER_BYTES = 8;

export function encodeFrame(body: Uint8Array): Buffer {
  if (body.length === 0) throw new RangeError('a record body cannot be empty');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32LE(body.length, 4);
  frame.set(body, FRAME_HEADER_BYTES);
  frame.writeUInt32LE(crc32c(frame, 4), 0);
  return frame;
}

export interface Frame {
  /** Where the frame starts in the file. */
  offset: number;
  body: Buffer;
}

/** Where the byte after `frame` is in its file. */
function frameEnd(frame: Frame): number {
  return frame.offset + FRAME_HEADER_BYTES + frame.body.length;
}

/** The first frame that did not check out, and why. */
export interface FrameDamage {
  offset: number;
  reason: string;
}

export interface FrameScan {
  /** The good frames before the first damage (all of them when there is none). */
  frames: Frame[];
  /** The file is good up to here: the offset of the damage, or the file's length. */
  goodBytes: number;
  damage: FrameDamage | null;
}

/** Why the bytes at `offset` are not a good frame, or null when they are. */
function frameProblem(bytes: Buffer, offset: number): string | null {
  const left = bytes.length - offset;
  if (left < FRAME_HEADER_BYTES) return `only ${left} of the ${FRAME_HEADER_BYTES} header bytes are there`;
  const length = bytes.readUInt32LE(offset + 4);
  if (length === 0) return 'the length field is 0';
  if (length > left - FRAME_HEADER_BYTES) return `the length field says ${length} bytes but only ${left - FRAME_HEADER_BYTES} follow`;
  if (crc32c(bytes, offset + 4, offset + FRAME_HEADER_BYTES + length) !== bytes.readUInt32LE(offset)) return 'checksum mismatch';
  return null;
}

/** Reads frames from the start of `bytes` until the end or the first damage. */
export function scanFrames(bytes: Buffer): FrameScan {
  const frames: Frame[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const problem = frameProblem(bytes, offset);
    if (problem !== null) return { frames, goodBytes: offset, damage: { offset, reason: problem } };
    const length = bytes.readUInt32LE(offset + 4);
    frames.push({ offset, body: bytes.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length) });
    offset += FRAME_HEADER_BYTES + length;
  }
  return { frames, goodBytes: offset, damage: null };
}

/**
 * The good frames that start after `offset`, past any damage. This is what tells a torn write from
 * damage: a crash can only damage what was written since the last fsync, so a good record after a
 * bad one that was written before that fsync means the bad one was damaged in place (the caller
 * knows which records were fsynced). Every byte offset is tried because a damaged length field
 * gives no clue where the next record starts. It stays cheap: JSON bodies hold no byte below 0x20,
 * so at an offset inside a body the length field reads as hundreds of megabytes, runs past the end
 * of the file, and is rejected before any checksum is computed.
 */
export function goodFramesAfter(bytes: Buffer, offset: number): Frame[] {
  const frames: Frame[] = [];
  let at = offset + 1;
  while (at + FRAME_HEADER_BYTES < bytes.length) {
    if (frameProblem(bytes, at) !== null) {
      at++;
      continue;
    }
    const frame = { offset: at, body: bytes.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + bytes.readUInt32LE(at + 4)) };
    frames.push(frame);
    at = frameEnd(frame);
  }
  return frames;
}
