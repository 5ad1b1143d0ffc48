// One TCP connection carrying frames, whichever side dialed it: cuts the byte stream into JSON
// values for its owner, and closes it, either plainly or by refusing it. A refusal sends an error
// frame, half-closes, and keeps reading (and discarding) until the other side closes or a linger
// time passes: closing at once while unread bytes sit in our receive buffer would make the kernel
// send a reset, and the reset can destroy the error frame before the other side reads its reason.
import type { Socket } from 'node:net';
import type { NodeId } from '../raft/types.js';
import type { Direction, TransportEvent } from './events.js';
import { FrameDecoder, encodeFrame, parseBody } from './frame.js';
import { errorFrame, type ErrorCode } from './hello.js';
import type { Counters } from './stats.js';
import type { Timers } from './timers.js';

/** How long a refused connection may stay half-open waiting for the other side to close it. */
const LINGER_MS = 2000;

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

  constructor(
    readonly socket: Socket,
    private readonly opts: FrameConnectionOptions,
  ) {
    this.decoder = new FrameDecoder(opts.maxFrameBytes);
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
    this.opts.emit({ type: 'connection-rejected', direction: this.opts.direction, remote: this.opts.remote, peer: this.peer, code, reason });
    if (this.socket.destroyed) return;
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
    if (this.ended) return; // a refused connection lingers: what it still sends is discarded unread
    this.decoder.push(chunk);
    // The owner may raise the limit or end the connection while handling a frame: check each time.
    while (!this.ended) {
      const next = this.decoder.next();
      if (next.kind === 'incomplete') return;
      if (next.kind === 'too-large') {
        this.reject('frame-too-large', `a frame of ${next.length} bytes was announced, the limit is ${this.decoder.maxFrameBytes}`);
        return;
      }
      const parsed = parseBody(next.body);
      if (!parsed.ok) {
        this.reject('bad-frame', parsed.problem);
        return;
      }
      this.opts.onFrame(parsed.value);
    }
  }

  private end(end: ConnectionEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.opts.onEnd(end);
  }

  private clearLinger(): void {
    if (this.linger === null) return;
    this.opts.timers.clearTimeout(this.linger);
    this.linger = null;
  }
}
