// The connection this node dials to one peer, to send it messages. It exchanges hellos (the peer
// must answer with the cluster id, the node id we dialed and its proof of the cluster secret, and we
// send ours), then writes the queued frames: all
// the frames queued in one event-loop turn go out corked, as one write, and it stops writing when
// the socket's buffer is full until the socket drains, so the only place frames pile up is the
// bounded FrameQueue. A lost connection is redialed with capped exponential backoff and jitter, or
// at once when the peer's own connection to us completes its hello (it is back up); the queue
// survives the reconnect (whatever was already handed to the dead socket is lost, which Raft
// tolerates).
//
// Two queues: a small one for the messages that keep leadership and elections alive (heartbeats,
// votes and their answers, timeout-now), written first, and the bounded one for the rest (appends,
// snapshots, append answers). A flood of appends then fills and drops only appends, which Raft
// retransmits, and never delays or drops a heartbeat: a leader busy replicating is not deposed for
// silence. Reordering the two is safe, Raft never relies on the order messages arrive in.
import type { MessageType, NodeId } from '../raft/types.js';
import { reconnectDelay, type BackoffOptions } from './backoff.js';
import type { TransportEvent } from './events.js';
import { FrameConnection, type ConnectionEnd } from './frame-connection.js';
import { FrameQueue } from './frame-queue.js';
import { encodeFrame } from './frame.js';
import {
  HELLO_MAX_FRAME_BYTES,
  checkHello,
  checkProof,
  helloFrame,
  newNonce,
  proofFrame,
  readErrorFrame,
  type Handshake,
} from './hello.js';
import type { ClusterSecret } from './secret.js';
import { dial, type TlsFiles } from './tls.js';
import type { ByteBudget } from './limits.js';
import type { Counters, LinkStats, LinkState } from './stats.js';
import type { Timers } from './timers.js';

export const DEFAULT_HOST = '127.0.0.1';

/** The messages sent ahead of the others, from their own queue. */
const URGENT: ReadonlySet<MessageType> = new Set<MessageType>([
  'heartbeat',
  'heartbeat-response',
  'pre-vote',
  'pre-vote-response',
  'vote',
  'vote-response',
  'timeout-now',
]);

export function isUrgent(type: MessageType): boolean {
  return URGENT.has(type);
}

/** The urgent queue holds as many messages as the other, in at most this many bytes: they are small. */
export const URGENT_QUEUE_BYTES = 1024 * 1024;

export interface PeerAddress {
  id: NodeId;
  /** Default 127.0.0.1. */
  host?: string;
  port: number;
}

export interface PeerLinkContext {
  self: NodeId;
  clusterId: string;
  secret: ClusterSecret;
  /** Mutual TLS for every dial, or null for plain TCP. */
  tls: TlsFiles | null;
  helloTimeoutMs: number;
  backoff: BackoffOptions;
  maxQueueMessages: number;
  maxQueueBytes: number;
  /** What the peer's answer (its hello, or an error frame) may hold while unfinished. */
  frameBudget: ByteBudget;
  random: () => number;
  timers: Timers;
  emit: (e: TransportEvent) => void;
  counters: Counters;
}

export class PeerLink {
  private state: LinkState = 'idle';
  private conn: FrameConnection | null = null;
  private readonly queue: FrameQueue;
  private readonly urgent: FrameQueue;
  /** Failed attempts since the link was last open: the backoff exponent. */
  private attempts = 0;
  /** The hello timeout while connecting, the backoff timer while waiting; never both. */
  private timer: unknown = null;
  private flushScheduled = false;
  private awaitingDrain = false;
  /** Set from the first drop until the queue empties again, so an overflow is reported once. */
  private overflowing = false;
  private sent = 0;
  private batches = 0;
  private dropped = 0;
  /** The nonce of the hello on the current connection. */
  private nonce = '';

  constructor(
    private readonly address: PeerAddress,
    private readonly ctx: PeerLinkContext,
  ) {
    this.queue = new FrameQueue(ctx.maxQueueMessages, ctx.maxQueueBytes);
    this.urgent = new FrameQueue(ctx.maxQueueMessages, Math.min(ctx.maxQueueBytes, URGENT_QUEUE_BYTES));
  }

  private get label(): string {
    return `${this.address.host ?? DEFAULT_HOST}:${this.address.port}`;
  }

  start(): void {
    if (this.state === 'idle') this.connect();
  }

  /** Queues an encoded frame; it leaves with the others of this event-loop turn, urgent ones first. */
  enqueue(frame: Buffer, urgent: boolean): void {
    const dropped = (urgent ? this.urgent : this.queue).push(frame);
    if (dropped > 0) {
      this.dropped += dropped;
      this.ctx.counters.dropped['queue-full'] += dropped;
      if (!this.overflowing) {
        this.overflowing = true;
        this.ctx.emit({ type: 'queue-overflow', peer: this.address.id });
      }
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /**
   * The peer dialed us and proved itself: it is up, most likely just restarted. A link waiting out
   * its backoff dials now rather than up to `maxMs` later (replies to the peer travel only on this
   * link), and the backoff starts over from the shortest delay.
   */
  peerIsUp(): void {
    if (this.state === 'open' || this.state === 'closed') return;
    this.attempts = 0;
    if (this.state !== 'waiting') return;
    this.clearTimer();
    this.connect();
  }

  close(): void {
    this.state = 'closed';
    this.clearTimer();
    this.conn?.close('this node is shutting down');
    this.conn = null;
  }

  stats(): LinkStats {
    return {
      peer: this.address.id,
      address: this.label,
      state: this.state,
      attempts: this.attempts,
      queuedMessages: this.queue.length + this.urgent.length,
      queuedBytes: this.queue.bytes + this.urgent.bytes,
      socketBufferedBytes: this.conn?.socket.writableLength ?? 0,
      sent: this.sent,
      batches: this.batches,
      dropped: this.dropped,
    };
  }

  private connect(): void {
    this.state = 'connecting';
    const { id, port, host = DEFAULT_HOST } = this.address;
    // Dialling a loopback port nobody listens on can connect the socket to itself, when the system
    // picks that same port as its local end (TCP self-connect): it would hold the peer's port.
    const socket = dial(host, port, this.ctx.tls, () => {
      if (socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress)
        socket.destroy(new Error(`n${id} is not listening (the connection reached itself)`));
    });
    socket.setNoDelay(true); // frames are already gathered per turn: Nagle would only add latency
    const conn: FrameConnection = new FrameConnection(socket, {
      direction: 'out',
      remote: this.label,
      // The peer only ever sends us its hello and perhaps an error frame: both are small.
      maxFrameBytes: HELLO_MAX_FRAME_BYTES,
      budget: this.ctx.frameBudget,
      timers: this.ctx.timers,
      emit: this.ctx.emit,
      counters: this.ctx.counters,
      onFrame: (value) => this.receive(conn, value),
      onEnd: (end) => this.ended(conn, end),
    });
    conn.peer = id;
    this.conn = conn;
    socket.on('drain', () => {
      if (this.conn !== conn) return;
      this.awaitingDrain = false;
      this.flush();
    });
    // Written before the TCP handshake completes: the socket sends it once connected.
    this.nonce = newNonce();
    conn.send(encodeFrame(helloFrame(this.ctx.clusterId, this.ctx.self, 'peer', this.nonce)));
    this.timer = this.ctx.timers.setTimeout(() => {
      this.timer = null;
      conn.reject('expected-hello', `no hello from n${id} within ${this.ctx.helloTimeoutMs} ms`);
    }, this.ctx.helloTimeoutMs);
  }

  private receive(conn: FrameConnection, value: unknown): void {
    const refusal = readErrorFrame(value);
    if (refusal !== null) {
      conn.close(`n${this.address.id} refused it: ${refusal.code}: ${refusal.reason}`);
      return;
    }
    if (this.state !== 'connecting') {
      conn.reject('invalid-message', 'after its hello a node sends nothing on a connection it accepted but error frames');
      return;
    }
    const check = checkHello(value, { clusterId: this.ctx.clusterId, self: this.ctx.self, peer: this.address.id, answer: true });
    if (!check.ok) {
      conn.reject(check.code, check.reason);
      return;
    }
    // The listener proves the secret first: a process that took the peer's port gets nothing from us.
    const handshake: Handshake = {
      clusterId: this.ctx.clusterId,
      dialer: { kind: 'peer', from: this.ctx.self, nonce: this.nonce },
      listener: { id: this.address.id, nonce: check.hello.nonce },
    };
    const proof = checkProof(check.hello.proof!, this.ctx.secret, 'listener', handshake);
    if (!proof.ok) {
      conn.reject(proof.code, proof.reason);
      return;
    }
    conn.send(encodeFrame(proofFrame(this.ctx.secret, handshake)));
    this.clearTimer();
    this.state = 'open';
    this.attempts = 0;
    this.ctx.emit({ type: 'peer-connected', peer: this.address.id, direction: 'out' });
    this.flush();
  }

  private ended(conn: FrameConnection, end: ConnectionEnd): void {
    if (this.conn !== conn) return;
    this.conn = null;
    this.awaitingDrain = false;
    this.clearTimer();
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    const reason = end.kind === 'rejected' ? `this node refused it: ${end.code}: ${end.reason}` : end.reason;
    // A connection that was open is redialed after the shortest delay (the peer probably restarted);
    // each failed attempt after that doubles the ceiling.
    if (!wasOpen) this.attempts++;
    const retryInMs = reconnectDelay(this.attempts, this.ctx.backoff, this.ctx.random);
    this.ctx.emit(
      wasOpen
        ? { type: 'peer-disconnected', peer: this.address.id, direction: 'out', reason, retryInMs }
        : { type: 'connect-failed', peer: this.address.id, attempt: this.attempts, reason, retryInMs },
    );
    this.state = 'waiting';
    this.timer = this.ctx.timers.setTimeout(() => {
      this.timer = null;
      this.connect();
    }, retryInMs);
  }

  private clearTimer(): void {
    if (this.timer === null) return;
    this.ctx.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Writes queued frames, urgent ones first, corked into one write, until the queues are empty or the socket is full. */
  private flush(): void {
    const conn = this.conn;
    if (this.state !== 'open' || conn === null || this.awaitingDrain || this.queue.length + this.urgent.length === 0) return;
    this.batches++;
    conn.socket.cork();
    for (let frame = this.urgent.shift() ?? this.queue.shift(); frame !== undefined; frame = this.urgent.shift() ?? this.queue.shift()) {
      this.sent++;
      this.ctx.counters.sent++;
      if (!conn.send(frame)) {
        this.awaitingDrain = true;
        break;
      }
    }
    conn.socket.uncork();
    if (this.queue.length + this.urgent.length === 0) this.overflowing = false;
  }
}
