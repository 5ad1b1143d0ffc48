// The framing every record on disk shares: its checksum, and what can and cannot pass for a record.
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/storage/crc32c.js';
import { encodeFrame, goodFramesAfter, scanFrames } from '../../src/storage/record-frame.js';

describe('record framing', () => {
  it('the checksum is CRC-32C (the standard check value of "123456789" is e3069283)', () => {
    expect(crc32c(Buffer.from('123456789')).toString(16)).toBe('e3069283');
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    // Slicing-by-8 and the byte-at-a-time tail agree at every length and alignment.
    const bytes = Buffer.from('The quick brown fox jumps over the lazy dog, twice over the fence.');
    expect(crc32c(bytes, 3, 40)).toBe(crc32c(Buffer.from(bytes.subarray(3, 40))));
  });

  it('frames read back in order, each at its offset', () => {
    const a = encodeFrame(Buffer.from('{"a":1}'));
    const b = encodeFrame(Buffer.from('{"b":"two"}'));
    const scan = scanFrames(Buffer.concat([a, b]));
    expect(scan.damage).toBeNull();
    expect(scan.frames.map((f) => [f.offset, f.body.toString()])).toEqual([
      [0, '{"a":1}'],
      [a.length, '{"b":"two"}'],
    ]);
    expect(scan.goodBytes).toBe(a.length + b.length);
  });

  it('a run of zero bytes is never taken for a record', () => {
    const zeros = Buffer.alloc(64);
    expect(scanFrames(zeros).damage).toEqual({ offset: 0, reason: 'the length field is 0' });
    expect(goodFramesAfter(zeros, 0)).toEqual([]);
    expect(() => encodeFrame(Buffer.alloc(0))).toThrow('cannot be empty');
  });

  it('the good frames after a damaged one are found whatever the damage did to the length', () => {
    const a = encodeFrame(Buffer.from('{"first":true}'));
    const b = encodeFrame(Buffer.from('{"second":true}'));
    const c = encodeFrame(Buffer.from('{"third":true}'));
    const bytes = Buffer.concat([a, b, Buffer.from('torn'), c]);
    bytes.writeUInt32LE(1_000_000, 4);
    expect(scanFrames(bytes).damage?.reason).toMatch(/^the length field says 1000000 bytes/);
    const after = goodFramesAfter(bytes, 0);
    expect(after.map((f) => [f.offset, f.body.toString()])).toEqual([
      [a.length, '{"second":true}'],
      [a.length + b.length + 4, '{"third":true}'],
    ]);
    expect(goodFramesAfter(bytes, a.length + b.length + 4)).toEqual([]);
  });
});
