// A connection another process dialed to this node: a peer that sends us Raft messages, or a
// client. Its first frame must be a hello (from a member, if a peer's); the node answers with its
// own hello and proof of the cluster secret, and the dialer's next frame must be its own proof, all
// within the hello timeout and the small hello size limit. From then on every frame is validated
// (a peer's against the message schema, a client's with the node's request validator) before it is
// handed on. Anything else refuses the connection with an error frame; other connections are
// unaffected.
// Its unfinished frames are charged to the clients' budget until a peer's handshake moves them to
// the peers' (limits.ts); after the handshake a started frame must complete within the frame timeout.
import type { Socket } from 'node:net';
import type { Message, NodeId } from '../raft/types.js';
import { ClientSession, type ClientConnection } from './client-connection.js';
import type { TransportEvent } from './events.js';
import { FrameConnection, type ConnectionEnd } from './frame-connection.js';
import { encodeFrame } from './frame.js';
import {
  HELLO_MAX_FRAME_BYTES,
  answerFrame,
  checkHello,
  checkProofFrame,
  newNonce,
  readErrorFrame,
  type ErrorCode,
  type Handshake,
  type Hello,
} from './hello.js';
import type { ClusterSecret } from './secret.js';
import type { ByteBudget, TurnBudget } from './limits.js';
import type { Validation } from '../schema/json-shape.js';
import { validateMessage } from './message-schema.js';
import type { Counters } from './stats.js';
import type { Timers } from './timers.js';

export interface InboundContext {
  self: NodeId;
  clusterId: string;
  secret: ClusterSecret;
  /** Whether a node id is a peer this node knows: a peer hello from any other is refused. */
  isPeer: (id: NodeId) => boolean;
  maxFrameBytes: number;
  /** Bytes of replies that may wait for a client that does not read them. */
  maxClientBufferedBytes: number;
  /** A client's requests awaiting replies at which its connection stops being read, and where it reads on. */
  maxClientInflight: number;
  resumeClientInflight: number;
  /** Client requests taken per event-loop turn, all clients together. */
  clientTurn: TurnBudget;
  /** Unfinished frames of peers; of clients and connections in their hello. */
  peerBudget: ByteBudget;
  clientBudget: ByteBudget;
  helloTimeoutMs: number;
  frameTimeoutMs: number;
  timers: Timers;
  emit: (e: TransportEvent) => void;
  counters: Counters;
  /** The node's client request validator (a request that fails it closes the connection). */
  validateRequest: (value: unknown) => Validation<unknown>;
  nextClientId: () => number;
  /** A peer completed its hello. */
  peerReady(connection: InboundConnection): void;
  /** A client's hello is valid: whether there is room for it (else it is refused). */
  admitClient(connection: InboundConnection): { ok: true } | { ok: false; reason: string };
  message(m: Message): void;
  /** A client sent a request: it is the most recently active one. */
  clientActive(connection: InboundConnection): void;
  request(request: unknown, client: ClientConnection): void;
  /** The connection stopped carrying frames, at whatever stage. */
  ended(connection: InboundConnection): void;
}

export class InboundConnection {
  private readonly conn: FrameConnection;
  /** The hello, once the dialer's proof is accepted too. */
  hello: Hello | null = null;
  /** Between the dialer's hello and its proof: what the proof must cover. */
  private handshake: Handshake | null = null;
  private pendingHello: Hello | null = null;
  private client: ClientSession | null = null;
  private helloTimer: unknown;

  constructor(
    socket: Socket,
    private readonly ctx: InboundContext,
  ) {
    this.conn = new FrameConnection(socket, {
      direction: 'in',
      remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
      maxFrameBytes: HELLO_MAX_FRAME_BYTES,
      budget: ctx.clientBudget,
      timers: ctx.timers,
      emit: ctx.emit,
      counters: ctx.counters,
      onFrame: (value) => this.receive(value),
      onEnd: (end) => this.ended(end),
    });
    this.helloTimer = ctx.timers.setTimeout(() => {
      this.helloTimer = null;
      this.conn.reject('expected-hello', `no hello and proof within ${ctx.helloTimeoutMs} ms`);
    }, ctx.helloTimeoutMs);
  }

  get socket(): Socket {
    return this.conn.socket;
  }

  close(reason: string): void {
    this.conn.close(reason);
  }

  /** A client with no request in flight (one that could be closed without losing an answer). */
  get idleClient(): boolean {
    return this.client !== null && !this.client.busy;
  }

  /** Refuses the connection with an error frame (e.g. to make room for newer ones). */
  refuse(code: ErrorCode, reason: string): void {
    this.conn.reject(code, reason);
  }

  private receive(value: unknown): void {
    if (this.handshake === null) {
      this.greet(value);
      return;
    }
    const refusal = readErrorFrame(value);
    if (refusal !== null) {
      this.conn.close(`it sent an error frame: ${refusal.code}: ${refusal.reason}`);
      return;
    }
    if (this.hello === null) {
      this.accept(value);
      return;
    }
    if (this.client !== null) {
      const request = this.ctx.validateRequest(value);
      if (!request.ok) {
        this.conn.reject('invalid-request', request.problem);
        return;
      }
      this.ctx.counters.clientRequests++;
      this.ctx.clientActive(this);
      this.client.requested();
      this.ctx.request(request.value, this.client);
      return;
    }
    const m = validateMessage(value, { self: this.ctx.self, sender: this.hello.from });
    if (!m.ok) {
      this.conn.reject('invalid-message', m.problem);
      return;
    }
    this.ctx.message(m.value);
  }

  /** The dialer's hello: checked, then answered with ours and our proof. */
  private greet(value: unknown): void {
    const check = checkHello(value, { clusterId: this.ctx.clusterId, self: this.ctx.self });
    if (!check.ok) {
      this.conn.reject(check.code, check.reason);
      return;
    }
    const hello = check.hello;
    // Only members dial as peers (the transport is told of new ones with addPeer before they start).
    if (hello.kind === 'peer' && !this.ctx.isPeer(hello.from)) {
      this.conn.reject(
        'unknown-peer',
        `n${hello.from} is not a member this node knows: a node is added with \`raft-console add\`, which tells every member first`,
      );
      return;
    }
    this.handshake = {
      clusterId: this.ctx.clusterId,
      dialer: { kind: hello.kind, from: hello.from, nonce: hello.nonce },
      listener: { id: this.ctx.self, nonce: newNonce() },
    };
    this.pendingHello = hello;
    this.conn.send(encodeFrame(answerFrame(this.ctx.secret, this.handshake)));
  }

  /** The dialer's proof: once it holds, the connection carries messages or requests. */
  private accept(value: unknown): void {
    const proof = checkProofFrame(value, this.ctx.secret, this.handshake!);
    if (!proof.ok) {
      this.conn.reject(proof.code, proof.reason);
      return;
    }
    const hello = this.pendingHello!;
    // Counted once it proved the secret: a stranger never takes a client's place.
    if (hello.kind === 'client') {
      const room = this.ctx.admitClient(this);
      if (!room.ok) {
        this.conn.reject('too-many-connections', room.reason);
        return;
      }
    }
    this.clearHelloTimer();
    this.hello = hello;
    this.conn.setMaxFrameBytes(this.ctx.maxFrameBytes);
    this.conn.setFrameTimeout(this.ctx.frameTimeoutMs);
    if (hello.kind === 'peer') {
      this.conn.peer = hello.from;
      this.conn.setBudget(this.ctx.peerBudget);
      this.ctx.emit({ type: 'peer-connected', peer: hello.from, direction: 'in' });
      this.ctx.peerReady(this);
    } else {
      this.client = new ClientSession(this.ctx.nextClientId(), hello.from, this.conn, {
        maxFrameBytes: this.ctx.maxFrameBytes,
        maxBufferedBytes: this.ctx.maxClientBufferedBytes,
        maxInflight: this.ctx.maxClientInflight,
        resumeInflight: this.ctx.resumeClientInflight,
        turn: this.ctx.clientTurn,
      });
      this.ctx.emit({ type: 'client-connected', client: this.client.id, clientId: hello.from, remote: this.conn.remote });
    }
  }

  private ended(end: ConnectionEnd): void {
    this.clearHelloTimer();
    const reason = end.kind === 'rejected' ? `this node refused it: ${end.code}: ${end.reason}` : end.reason;
    if (this.client !== null) this.ctx.emit({ type: 'client-disconnected', client: this.client.id, reason });
    else if (this.hello !== null)
      this.ctx.emit({ type: 'peer-disconnected', peer: this.hello.from, direction: 'in', reason, retryInMs: null });
    this.ctx.ended(this);
  }

  private clearHelloTimer(): void {
    if (this.helloTimer === null) return;
    this.ctx.timers.clearTimeout(this.helloTimer);
    this.helloTimer = null;
  }
}
