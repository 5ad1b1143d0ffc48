// One TCP connection carrying frames, whichever side dialed it: cuts the byte stream into JSON
// values for its owner, and closes it, either plainly or by refusing it. A refusal sends an error
// frame, half-closes, and keeps reading (and discarding) until the other side closes or a linger
// time passes: closing at once while unread bytes sit in our receive buffer would make the kernel
// send a reset, and the reset can destroy the error frame before the other side reads its reason.
//
// What it holds is bounded: the bytes of frames not yet complete come out of a shared budget (a
// connection that would pass it is refused with `over-budget`), a frame once started must complete
// within the frame timeout (else `frame-timeout`), and its owner may pause it, which stops both the
// socket and the frames already buffered until it resumes.
import type { Socket } from 'node:net';
import type { NodeId } from '../raft/types.js';
import type { Direction, TransportEvent } from './events.js';
import { FrameDecoder, encodeFrame, parseBody } from './frame.js';
import { errorFrame, type ErrorCode } from './hello.js';
import type { ByteBudget } from './limits.js';
import type { Counters } from './stats.js';
import type { Timers } from './timers.js';

/** How long a refused connection may stay half-open waiting for the other side to close it. */
const LINGER_MS = 2000;
/** What a refused connection may still send that is read (and discarded); past it, it is not read at all. */
const LINGER_READ_BYTES = 64 * 1024;

export type ConnectionEnd =
  /** This node refused the connection with an error frame. */
  | { kind: 'rejected'; code: ErrorCode; reason: string }
  /** The other side closed it, the socket failed, or the owner closed it. */
  | { kind: 'closed'; reason: string };

interface FrameConnectionOptions {
  direction: Direction;
  /** host:port of the other end, for events. */
  remote: string;
  maxFrameBytes: number;
  /** The pool the bytes of unfinished frames come out of. */
  budget: ByteBudget;
  timers: Timers;
  emit: (e: TransportEvent) => void;
  counters: Counters;
  onFrame: (value: unknown) => void;
  /** Called once, when the connection stops carrying frames (which may be before the socket closes). */
  onEnd: (end: ConnectionEnd) => void;
}

export class FrameConnection {
  /** The peer on the other end, once its hello named it (or from the start, when we dialed it). */
  peer: NodeId | null = null;
  private readonly decoder: FrameDecoder;
  private ended = false;
  private linger: unknown = null;
  private discarded = 0;
  private budget: ByteBudget;
  /** How long a started frame may take to complete; null: no limit (until the hello, which has its own timeout). */
  private frameTimeoutMs: number | null = null;
  private frameTimer: unknown = null;
  private paused = false;
  /** Inside the frame loop: a resume from a frame's handler lets the loop go on rather than start another. */
  private processing = false;

  constructor(
    readonly socket: Socket,
    private readonly opts: FrameConnectionOptions,
  ) {
    this.decoder = new FrameDecoder(opts.maxFrameBytes);
    this.budget = opts.budget;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // 'close' always follows 'error'; the error carries the better reason, so it ends us first.
    socket.on('error', (err) => this.end({ kind: 'closed', reason: err.message }));
    socket.on('close', () => {
      this.clearLinger();
      this.end({ kind: 'closed', reason: 'closed by the other side' });
    });
  }

  get open(): boolean {
    return !this.ended;
  }

  get remote(): string {
    return this.opts.remote;
  }

  /** Raises (or lowers) the size limit from the next frame on: the hello's limit is smaller. */
  setMaxFrameBytes(n: number): void {
    this.decoder.maxFrameBytes = n;
  }

  /** Moves what this connection holds to another pool (a peer's, once its hello says it is one). */
  setBudget(budget: ByteBudget): void {
    this.budget.release(this);
    this.budget = budget;
    this.holdBuffered();
  }

  /** From now on, a frame that has started must complete within `ms`. */
  setFrameTimeout(ms: number): void {
    this.frameTimeoutMs = ms;
    this.armFrameTimer(true);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Stops reading: the socket, and the frames already buffered, wait until resume(). */
  pause(): void {
    if (this.paused || this.ended) return;
    this.paused = true;
    this.socket.pause();
    this.clearFrameTimer(); // the wait is ours, not the sender's
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.ended) return;
    this.socket.resume();
    if (!this.processing) this.process();
  }

  /** Writes an encoded frame; false when the socket's buffer is full (wait for 'drain') or the connection ended. */
  send(frame: Buffer): boolean {
    if (this.ended) return false;
    return this.socket.write(frame);
  }

  /** Refuses the connection: counts it, reports it, tells the other side why, and closes. */
  reject(code: ErrorCode, reason: string): void {
    if (this.ended) return;
    this.end({ kind: 'rejected', code, reason });
    this.opts.counters.rejected[code]++;
    this.opts.emit({
      type: 'connection-rejected',
      direction: this.opts.direction,
      remote: this.opts.remote,
      peer: this.peer,
      code,
      reason,
    });
    if (this.socket.destroyed) return;
    this.socket.resume(); // a paused connection too reads (and discards) until the other side closes
    this.socket.end(encodeFrame(errorFrame(code, reason)));
    this.linger = this.opts.timers.setTimeout(() => this.socket.destroy(), LINGER_MS);
  }

  /** Closes at once, without an error frame; also cuts a refused connection's linger short. */
  close(reason: string): void {
    this.end({ kind: 'closed', reason });
    this.clearLinger();
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.ended) {
      // A refused connection lingers: what it still sends is discarded unread, and a sender that
      // keeps streaming is not read at all (reading gigabytes only to drop them costs the node CPU).
      this.discarded += chunk.length;
      if (this.discarded > LINGER_READ_BYTES) this.socket.pause();
      return;
    }
    this.decoder.push(chunk);
    this.process();
  }

  /** Hands on every whole frame buffered (unless paused), then accounts for what is left. */
  private process(): void {
    let completed = false;
    this.processing = true;
    try {
      // The owner may raise the limit, pause or end the connection while handling a frame: check each time.
      while (!this.ended && !this.paused) {
        const next = this.decoder.next();
        if (next.kind === 'incomplete') break;
        if (next.kind === 'too-large') {
          this.reject('frame-too-large', `a frame of ${next.length} bytes was announced, the limit is ${this.decoder.maxFrameBytes}`);
          return;
        }
        completed = true;
        const parsed = parseBody(next.body);
        if (!parsed.ok) {
          this.reject('bad-frame', parsed.problem);
          return;
        }
        this.opts.onFrame(parsed.value);
      }
    } finally {
      this.processing = false;
    }
    if (this.ended) return;
    if (this.holdBuffered()) this.armFrameTimer(completed);
  }

  /** Charges the bytes buffered to the budget; refuses the connection when they do not fit. */
  private holdBuffered(): boolean {
    const bytes = this.decoder.bufferedBytes;
    if (this.budget.hold(this, bytes)) return true;
    this.reject(
      'over-budget',
      `this node holds ${this.budget.used} bytes of unfinished frames, its limit for connections like this one is ${this.budget.limit}: this frame's ${bytes} bytes do not fit; send smaller frames, or retry later`,
    );
    return false;
  }

  /** Times the frame in progress: restarted when a frame completed and another began, cleared when none is. */
  private armFrameTimer(frameCompleted: boolean): void {
    const ms = this.frameTimeoutMs;
    if (ms === null || this.paused || this.decoder.bufferedBytes === 0) {
      this.clearFrameTimer();
      return;
    }
    if (this.frameTimer !== null && !frameCompleted) return;
    this.clearFrameTimer();
    this.frameTimer = this.opts.timers.setTimeout(() => {
      this.frameTimer = null;
      this.reject(
        'frame-timeout',
        `a frame was still unfinished ${ms} ms after it began (${this.decoder.bufferedBytes} bytes received): send each frame whole`,
      );
    }, ms);
  }

  private clearFrameTimer(): void {
    if (this.frameTimer === null) return;
    this.opts.timers.clearTimeout(this.frameTimer);
    this.frameTimer = null;
  }

  private end(end: ConnectionEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.clearFrameTimer();
    this.decoder.clear();
    this.budget.release(this);
    this.opts.onEnd(end);
  }

  private clearLinger(): void {
    if (this.linger === null) return;
    this.opts.timers.clearTimeout(this.linger);
    this.linger = null;
  }
}
