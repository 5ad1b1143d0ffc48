// The wire format: every frame is a 4-byte big-endian unsigned length, then that many bytes of
// UTF-8 JSON. Nothing is ever allocated from a length that was not checked against the limit first,
// so a peer that announces 4 GiB costs the receiver 4 bytes.

export const FRAME_HEADER_BYTES = 4;

/** Encodes `value` as one frame: header and body in a single buffer, so one write sends both. */
export function encodeFrame(value: unknown): Buffer {
  const json = JSON.stringify(value);
  const bodyBytes = Buffer.byteLength(json, 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyBytes);
  frame.writeUInt32BE(bodyBytes, 0);
  frame.write(json, FRAME_HEADER_BYTES, 'utf8');
  return frame;
}

export type Decoded =
  | { kind: 'frame'; body: Buffer }
  /** Not enough bytes buffered for the next frame yet. */
  | { kind: 'incomplete' }
  /** The next frame's announced length is over the limit: the stream cannot be trusted further. */
  | { kind: 'too-large'; length: number };

/**
 * Cuts a byte stream into frame bodies, whatever the chunk boundaries. Pull-based (`push`, then
 * `next` until incomplete) because the limit can change between two frames of the same chunk: a
 * connection's first frame (the hello) has a small limit, the frames after it the full one.
 */
export class FrameDecoder {
  /** Received bytes not yet returned, as they arrived: nothing is copied until a frame is whole. */
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(public maxFrameBytes: number) {}

  /** Bytes held that are not part of a returned frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Forgets every byte held (the connection ended): nothing it sent stays in memory. */
  clear(): void {
    this.chunks = [];
    this.buffered = 0;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  next(): Decoded {
    if (this.buffered < FRAME_HEADER_BYTES) return { kind: 'incomplete' };
    const length = this.peekLength();
    if (length > this.maxFrameBytes) return { kind: 'too-large', length };
    if (this.buffered < FRAME_HEADER_BYTES + length) return { kind: 'incomplete' };
    this.take(FRAME_HEADER_BYTES);
    return { kind: 'frame', body: this.take(length) };
  }

  /** The length field, read across chunk boundaries without joining the chunks. */
  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= FRAME_HEADER_BYTES) return first.readUInt32BE(0);
    let length = 0;
    let read = 0;
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.length && read < FRAME_HEADER_BYTES; i++, read++) length = length * 256 + chunk[i]!;
      if (read === FRAME_HEADER_BYTES) break;
    }
    return length;
  }

  /** Removes the first `n` buffered bytes (n <= buffered); a view when they sit in one chunk. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const part = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, part);
      filled += part;
      if (part === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part);
    }
    return out;
  }
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; problem: string };

/** Strict: bytes that are not valid UTF-8 are refused rather than replaced with U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The JSON value a frame body holds. */
export function parseBody(body: Buffer): ParsedBody {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, problem: 'the frame body is not valid UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, problem: `the frame body is not valid JSON (${(err as Error).message})` };
  }
}
