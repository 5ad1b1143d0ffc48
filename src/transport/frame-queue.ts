// The bounded queue of encoded frames waiting for one peer's socket. A peer that is slow, stopped
// or unreachable must not make the sender's memory grow without bound, so the queue holds at most
// `maxFrames` frames and `maxBytes` bytes and drops the oldest to make room. Raft tolerates lost
// messages, and the newest ones carry the freshest term, commit index and log position.

export class FrameQueue {
  /** Consumed slots are cleared, so a sent frame is not kept alive until the next compaction. */
  private frames: (Buffer | undefined)[] = [];
  /** Index of the oldest frame in `frames`: shift() is O(1) without Array.prototype.shift. */
  private head = 0;
  private byteCount = 0;

  constructor(
    private readonly maxFrames: number,
    private readonly maxBytes: number,
  ) {
    if (!(maxFrames >= 1 && maxBytes >= 1)) throw new RangeError('a frame queue must hold at least one frame and one byte');
  }

  get length(): number {
    return this.frames.length - this.head;
  }

  get bytes(): number {
    return this.byteCount;
  }

  /** Adds `frame` at the tail; returns how many frames were dropped to respect the bounds. */
  push(frame: Buffer): number {
    if (frame.length > this.maxBytes) return 1; // could never fit: drop it rather than empty the queue for nothing
    let dropped = 0;
    while (this.length >= this.maxFrames || this.byteCount + frame.length > this.maxBytes) {
      this.shift();
      dropped++;
    }
    this.frames.push(frame);
    this.byteCount += frame.length;
    return dropped;
  }

  /** Removes and returns the oldest frame. */
  shift(): Buffer | undefined {
    if (this.head >= this.frames.length) return undefined;
    const frame = this.frames[this.head]!;
    this.frames[this.head] = undefined;
    this.head++;
    this.byteCount -= frame.length;
    // Reclaim the consumed prefix once it is most of the array, so the array does not only grow.
    if (this.head === this.frames.length) {
      this.frames = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
    return frame;
  }
}
