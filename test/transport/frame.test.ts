// Framing: a 4-byte big-endian length, then UTF-8 JSON. The decoder must cut frames out of any
// chunking of the stream, and must refuse an oversized length from the header alone, before a
// byte of the body is buffered or anything is allocated for it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameDecoder, encodeFrame, parseBody, type Decoded } from '../../src/transport/frame.js';
import { prng } from '../raft/harness.js';
import { frameOf } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every frame the decoder yields for `chunks`, and how it stopped. */
function decodeAll(decoder: FrameDecoder, chunks: Buffer[]): { values: unknown[]; last: Decoded } {
  const values: unknown[] = [];
  let last: Decoded = { kind: 'incomplete' };
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (last = decoder.next(); last.kind === 'frame'; last = decoder.next()) {
      const parsed = parseBody(last.body);
      if (!parsed.ok) throw new Error(parsed.problem);
      values.push(parsed.value);
    }
    if (last.kind === 'too-large') break;
  }
  return { values, last };
}

/** Cuts `bytes` at random points: chunks of 1 byte up to a few hundred. */
function randomChunks(bytes: Buffer, random: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = random() < 0.3 ? 1 : 1 + Math.floor(random() * 300);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe('encodeFrame', () => {
  it('writes the body length in bytes (not characters), big-endian, then the UTF-8 JSON', () => {
    const value = { data: 'héllo 日本 🙂' };
    const frame = encodeFrame(value);
    const json = Buffer.from(JSON.stringify(value), 'utf8');
    expect(frame.readUInt32BE(0)).toBe(json.length);
    expect(json.length).toBeGreaterThan(JSON.stringify(value).length);
    expect(frame.subarray(4)).toEqual(json);
    expect(frame).toEqual(frameOf(value));
  });
});

describe('FrameDecoder', () => {
  const values = [
    { type: 'hello', n: 1 },
    { big: 'x'.repeat(5000) },
    [],
    'a string',
    42,
    null,
    { text: 'naïve — ünïcödé 🙂', nested: { list: [1, 2, 3] } },
  ];
  const stream = Buffer.concat(values.map((v) => encodeFrame(v)));

  it('yields the same frames whatever the chunk boundaries (200 random cuttings, single bytes included)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { values: out, last } = decodeAll(new FrameDecoder(1 << 20), randomChunks(stream, prng(seed)));
      expect(out).toEqual(values);
      expect(last.kind).toBe('incomplete');
    }
  });

  it('reads a length split byte by byte across four chunks', () => {
    const frame = encodeFrame({ a: 1 });
    const chunks = [...frame].map((b) => Buffer.from([b]));
    expect(decodeAll(new FrameDecoder(100), chunks).values).toEqual([{ a: 1 }]);
  });

  it('yields many frames from one chunk, and keeps a trailing partial frame for later', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ i }));
    const bytes = Buffer.concat([...many.map((v) => encodeFrame(v)), encodeFrame({ last: true }).subarray(0, 7)]);
    const decoder = new FrameDecoder(100);
    const { values: out, last } = decodeAll(decoder, [bytes]);
    expect(out).toEqual(many);
    expect(last.kind).toBe('incomplete');
    expect(decoder.bufferedBytes).toBe(7);
    decoder.push(encodeFrame({ last: true }).subarray(7));
    expect(decoder.next()).toMatchObject({ kind: 'frame' });
  });

  it('accepts a body of exactly the limit and refuses one byte more, from the header alone', () => {
    const atLimit = encodeFrame('y'.repeat(98)); // 100 bytes of JSON with the quotes
    expect(atLimit.length - 4).toBe(100);
    expect(decodeAll(new FrameDecoder(100), [atLimit]).values).toEqual(['y'.repeat(98)]);

    const over = encodeFrame('y'.repeat(99));
    const decoder = new FrameDecoder(100);
    decoder.push(over.subarray(0, 4));
    expect(decoder.next()).toEqual({ kind: 'too-large', length: 101 });
  });

  it('refuses a 4 GiB length prefix after 4 bytes, without allocating anything', () => {
    const spies = [
      vi.spyOn(Buffer, 'alloc'),
      vi.spyOn(Buffer, 'allocUnsafe'),
      vi.spyOn(Buffer, 'allocUnsafeSlow'),
      vi.spyOn(Buffer, 'concat'),
    ];
    const decoder = new FrameDecoder(8 * 1024 * 1024);
    decoder.push(Buffer.from([0xff, 0xff]));
    expect(decoder.next()).toEqual({ kind: 'incomplete' });
    decoder.push(Buffer.from([0xff, 0xff, 0x7b])); // the rest of the header and the first body byte
    expect(decoder.next()).toEqual({ kind: 'too-large', length: 0xffffffff });
    expect(decoder.bufferedBytes).toBe(5);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('applies a raised limit to the next frame of the same chunk (the hello is small, what follows is not)', () => {
    const bytes = Buffer.concat([encodeFrame({ hello: 1 }), encodeFrame({ body: 'z'.repeat(500) })]);
    const decoder = new FrameDecoder(64);
    decoder.push(bytes);
    expect(decoder.next()).toMatchObject({ kind: 'frame' });
    expect(decoder.next()).toMatchObject({ kind: 'too-large' });
    decoder.maxFrameBytes = 1000;
    expect(decoder.next()).toMatchObject({ kind: 'frame' });
  });
});

describe('parseBody', () => {
  it('refuses bytes that are not UTF-8, rather than replacing them', () => {
    expect(parseBody(Buffer.from([0x22, 0xff, 0xfe, 0x22]))).toEqual({ ok: false, problem: 'the frame body is not valid UTF-8' });
  });

  it('refuses invalid JSON, an empty body and a byte-order mark', () => {
    for (const body of ['{"type":', '', '\ufeff{}', 'undefined']) {
      const parsed = parseBody(Buffer.from(body, 'utf8'));
      expect(parsed.ok, body).toBe(false);
      if (!parsed.ok) expect(parsed.problem).toMatch(/not valid JSON/);
    }
  });
});
