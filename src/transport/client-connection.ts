// The reply side of a client connection, as the node runtime sees it. Replies written in one
// event-loop turn leave in one write. A client that sends requests but does not read its replies
// is disconnected once too many bytes wait for it: a request/response client cannot lose replies
// silently the way Raft can lose messages, and the node's memory must stay bounded.
// Backpressure the other way: once too many of a client's requests wait for their replies, the
// node stops reading that connection, and reads on when the replies brought it to the low-water mark;
// and once all clients together handed the node its budget of requests for this event-loop turn,
// every connection that sends more waits for the next turn.
import { FRAME_HEADER_BYTES, encodeFrame } from './frame.js';
import type { FrameConnection } from './frame-connection.js';
import type { TurnBudget } from './limits.js';

export interface ClientConnection {
  /** This transport's number for the connection: unique while the transport runs. */
  readonly id: number;
  /** The `from` of the client's hello. */
  readonly clientId: number;
  /** host:port of the client. */
  readonly remote: string;
  /**
   * Sends one reply frame. False when it cannot be delivered: the connection is closed, the reply
   * is over the frame limit (the client then gets a `frame-too-large` error frame and the
   * connection closes), or the client has stopped reading (the connection closes).
   */
  reply(value: unknown): boolean;
  close(): void;
}

export interface ClientLimits {
  maxFrameBytes: number;
  /** Bytes of replies that may wait in the socket for a client that does not read. */
  maxBufferedBytes: number;
  /** Requests awaiting a reply at which the connection stops being read... */
  maxInflight: number;
  /** ...until replies bring them down to this many. */
  resumeInflight: number;
  /** Shared by all clients of the node. */
  turn: TurnBudget;
}

export class ClientSession implements ClientConnection {
  private corked = false;
  /** Requests handed on and not yet replied to (each request gets exactly one reply). */
  private inflight = 0;
  /** Not read: too many requests in flight (until the low-water mark), or waiting for the next turn. */
  private heldByInflight = false;
  private heldByTurn = false;

  constructor(
    readonly id: number,
    readonly clientId: number,
    private readonly conn: FrameConnection,
    private readonly limits: ClientLimits,
  ) {}

  /** Requests in flight: answers still owed. */
  get busy(): boolean {
    return this.inflight > 0;
  }

  get remote(): string {
    return this.conn.remote;
  }

  /** A request of this client was handed to the node. */
  requested(): void {
    if (++this.inflight >= this.limits.maxInflight) this.heldByInflight = true;
    if (!this.limits.turn.take() && !this.heldByTurn) {
      this.heldByTurn = true;
      this.limits.turn.park(() => {
        this.heldByTurn = false;
        this.readOrHold();
      });
    }
    this.readOrHold();
  }

  private readOrHold(): void {
    if (this.heldByInflight || this.heldByTurn) this.conn.pause();
    else this.conn.resume();
  }

  reply(value: unknown): boolean {
    if (this.inflight > 0) this.inflight--;
    if (!this.conn.open) return false;
    const frame = encodeFrame(value);
    const bodyBytes = frame.length - FRAME_HEADER_BYTES;
    if (bodyBytes > this.limits.maxFrameBytes) {
      this.conn.reject('frame-too-large', `the reply is ${bodyBytes} bytes, over the ${this.limits.maxFrameBytes}-byte frame limit`);
      return false;
    }
    const socket = this.conn.socket;
    if (socket.writableLength + frame.length > this.limits.maxBufferedBytes) {
      this.conn.close(`the client is not reading its replies (${socket.writableLength} bytes wait for it)`);
      return false;
    }
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      setImmediate(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    this.conn.send(frame);
    // After the send: requests read on resuming are answered after this one.
    if (this.heldByInflight && this.inflight <= this.limits.resumeInflight) {
      this.heldByInflight = false;
      this.readOrHold();
    }
    return true;
  }

  close(): void {
    this.conn.close('closed by this node');
  }
}
