// The transport a node process runs: one TCP port on 127.0.0.1 (unless told otherwise) that
// accepts peers and clients, and one outbound link per peer to send on. Connections are
// one-directional for Raft messages: each node sends to a peer only on the connection it dialed
// and receives from a peer only on the connection that peer dialed, so a pair of nodes keeps two
// connections. That needs no tie-break between two nodes dialing each other at once, lets each
// direction fail and reconnect on its own, and matches how faults are set (per direction).
//
// Below the core: the fault filter (blocked links, delay, loss), bounded send queues, validation of
// everything that arrives. Above it: send(message) for each message of a Ready, and the handlers
// set with onMessage, onClient and onEvent. Wiring, in the node runtime:
//
//   const transport = new Transport({ id, clusterId, secret, port, peers: [{ id: 2, port: 7002 }, ...] });
//   transport.onEvent((e) => log(describeTransportEvent(e)));
//   transport.onMessage((m) => { raft.step(m); /* then handle the Ready */ });
//   transport.onClient(validateRequest, (request, client) => { ...; client.reply(answer); });
//   await transport.start();
//   for (const m of ready.messages) transport.send(m);    // after the Ready is persisted
//   transport.filter.set({ blockedTo: [3] }); transport.filter.describe(); transport.stats();
//   await transport.close();
import type { Server, Socket } from 'node:net';
import type { Message, NodeId } from '../raft/types.js';
import type { BackoffOptions } from './backoff.js';
import type { ClientConnection } from './client-connection.js';
import { DelayLine } from './delay-line.js';
import type { TransportEvent } from './events.js';
import { FaultFilter } from './fault-filter.js';
import { FRAME_HEADER_BYTES, encodeFrame } from './frame.js';
import { checkClusterId } from './hello.js';
import { InboundConnection, type InboundContext } from './inbound-connection.js';
import type { Validation } from '../schema/json-shape.js';
import { DEFAULT_HOST, PeerLink, type PeerAddress, type PeerLinkContext } from './peer-link.js';
import { newCounters, type TransportStats } from './stats.js';
import { realTimers, type Timers } from './timers.js';
import type { ClusterSecret } from './secret.js';
import { createListener, type TlsFiles } from './tls.js';

export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

export interface TransportOptions {
  /** This node's id. */
  id: NodeId;
  /** Every hello carries it; a connection from another cluster is refused. 1 to 128 characters. */
  clusterId: string;
  /**
   * The cluster secret (secret.ts) every hello proves: a peer or client that cannot is refused, and
   * so is a node we dial that cannot. NO_SECRET only with others that run without one.
   */
  secret: ClusterSecret;
  /**
   * Mutual TLS (tls.ts) on the port and on every dial: each side needs a certificate signed by `ca`.
   * Default: plain TCP, for nodes that listen on loopback only.
   */
  tls?: TlsFiles;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port to listen on; 0 (the default) picks a free one, see `address` once started. */
  port?: number;
  /** The peers to send to; more can be added with addPeer. */
  peers?: PeerAddress[];
  /** Largest frame body accepted or sent, in bytes. Default 8 MiB. */
  maxFrameBytes?: number;
  /** Bounds of each peer's send queue (and of what a link delay holds). Default 1024 messages, 16 MiB. */
  maxQueueMessages?: number;
  maxQueueBytes?: number;
  /** How long a new connection may take to complete its hello. Default 5000 ms. */
  helloTimeoutMs?: number;
  /** Reconnect backoff. Default: 50 ms doubling up to 2000 ms, with jitter. */
  backoff?: Partial<BackoffOptions>;
  /** Random source in [0, 1), for backoff jitter and link loss. Default Math.random. */
  random?: () => number;
  timers?: Timers;
}

interface ClientHandler {
  validate: (value: unknown) => Validation<unknown>;
  handle: (request: unknown, client: ClientConnection) => void;
}

const NO_CLIENTS: ClientHandler = {
  validate: () => ({ ok: false, problem: 'this node takes no client requests' }),
  handle: () => {},
};

export class Transport {
  readonly id: NodeId;
  /** Faults below the core, changed at run time: `transport.filter.set({...})`, `.heal()`, `.describe()`. */
  readonly filter: FaultFilter;
  private readonly host: string;
  private readonly port: number;
  private readonly maxFrameBytes: number;
  private readonly server: Server;
  private readonly links = new Map<NodeId, PeerLink>();
  private readonly inbound = new Set<InboundConnection>();
  /** The newest inbound connection of each peer. */
  private readonly inboundPeers = new Map<NodeId, InboundConnection>();
  /** Every accepted socket until it closes, refused ones lingering included, so close() can end them all. */
  private readonly sockets = new Set<Socket>();
  private readonly delay: DelayLine;
  private readonly counters = newCounters();
  private readonly linkContext: PeerLinkContext;
  private readonly inboundContext: InboundContext;
  private state: 'new' | 'started' | 'closed' = 'new';
  private bound: { host: string; port: number } | null = null;
  private clientSerial = 0;
  private messageHandler: (m: Message) => void = () => {};
  private eventHandler: (e: TransportEvent) => void = () => {};
  private clientHandler: ClientHandler = NO_CLIENTS;

  constructor(options: TransportOptions) {
    if (!Number.isSafeInteger(options.id) || options.id < 1) throw new RangeError(`a node id is an integer from 1, got ${options.id}`);
    checkClusterId(options.clusterId);
    this.id = options.id;
    this.host = options.host ?? DEFAULT_HOST;
    this.port = options.port ?? 0;
    this.maxFrameBytes = positive(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, 'maxFrameBytes');
    const maxQueueMessages = positive(options.maxQueueMessages ?? 1024, 'maxQueueMessages');
    const maxQueueBytes = positive(options.maxQueueBytes ?? 16 * 1024 * 1024, 'maxQueueBytes');
    // Otherwise a legal message could never be queued.
    if (maxQueueBytes < FRAME_HEADER_BYTES + this.maxFrameBytes)
      throw new RangeError(`maxQueueBytes (${maxQueueBytes}) must hold at least one frame of maxFrameBytes (${this.maxFrameBytes}) and its header`);
    const random = options.random ?? Math.random;
    const timers = options.timers ?? realTimers;
    const helloTimeoutMs = positive(options.helloTimeoutMs ?? 5000, 'helloTimeoutMs');
    this.filter = new FaultFilter(random);
    this.delay = new DelayLine(timers, { maxFrames: maxQueueMessages, maxBytes: maxQueueBytes }, (to, frame) => {
      const link = this.links.get(to);
      if (link === undefined) this.counters.dropped['no-route']++;
      else link.enqueue(frame);
    });
    const emit = (e: TransportEvent): void => this.eventHandler(e);
    this.linkContext = {
      self: this.id,
      clusterId: options.clusterId,
      secret: options.secret,
      tls: options.tls ?? null,
      helloTimeoutMs,
      backoff: { baseMs: 50, maxMs: 2000, ...options.backoff },
      maxQueueMessages,
      maxQueueBytes,
      random,
      timers,
      emit,
      counters: this.counters,
    };
    this.inboundContext = {
      self: this.id,
      clusterId: options.clusterId,
      secret: options.secret,
      isPeer: (id) => this.links.has(id),
      maxFrameBytes: this.maxFrameBytes,
      maxClientBufferedBytes: maxQueueBytes,
      helloTimeoutMs,
      timers,
      emit,
      counters: this.counters,
      validateRequest: (value) => this.clientHandler.validate(value),
      nextClientId: () => ++this.clientSerial,
      peerReady: (c) => this.peerReady(c),
      message: (m) => this.deliver(m),
      request: (request, client) => this.clientHandler.handle(request, client),
      ended: (c) => this.inboundEnded(c),
    };
    this.server = createListener(options.tls ?? null, helloTimeoutMs, (socket) => this.accept(socket));
    for (const peer of options.peers ?? []) this.addPeer(peer);
  }

  /** Where the transport listens; only once started. */
  get address(): { host: string; port: number } {
    if (this.bound === null) throw new Error('the transport is not listening: call start() first');
    return this.bound;
  }

  /** Listens, then dials every peer. Rejects if the port cannot be bound (e.g. it is in use). */
  async start(): Promise<{ host: string; port: number }> {
    if (this.state !== 'new') throw new Error(`start() on a transport that is ${this.state}`);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    // An accept that fails (e.g. out of file descriptors) must not crash the node: report it.
    this.server.on('error', (err) => this.eventHandler({ type: 'server-error', reason: err.message }));
    const info = this.server.address();
    if (info === null || typeof info === 'string') throw new Error('a TCP server has an address with a port');
    this.bound = { host: this.host, port: info.port };
    this.state = 'started';
    this.eventHandler({ type: 'listening', ...this.bound });
    for (const link of this.links.values()) link.start();
    return this.bound;
  }

  /** Adds (or re-addresses) a peer to send to, e.g. a node joining the cluster. */
  addPeer(peer: PeerAddress): void {
    if (peer.id === this.id) throw new RangeError(`n${peer.id} is this node, not a peer`);
    if (!Number.isSafeInteger(peer.id) || peer.id < 1) throw new RangeError(`a peer's id is an integer from 1, got ${peer.id}`);
    if (!Number.isInteger(peer.port) || peer.port < 1 || peer.port > 65535) throw new RangeError(`n${peer.id}'s port must be 1 to 65535, got ${peer.port}`);
    if (this.state === 'closed') return;
    this.links.get(peer.id)?.close();
    const link = new PeerLink(peer, this.linkContext);
    this.links.set(peer.id, link);
    if (this.state === 'started') link.start();
  }

  /** Stops sending to a peer (a node removed from the cluster); what was queued for it is dropped. */
  removePeer(id: NodeId): void {
    this.links.get(id)?.close();
    this.links.delete(id);
  }

  /**
   * Sends one message of a Ready to `m.to`. Never blocks and never throws: the message goes
   * through the fault filter into the peer's bounded queue, and leaves with the other messages of
   * this event-loop turn. Raft tolerates the losses this allows; stats() counts them.
   */
  send(m: Message): void {
    if (!this.links.has(m.to)) {
      this.counters.dropped['no-route']++;
      return;
    }
    const verdict = this.filter.outbound(m.to);
    if (!verdict.pass) {
      this.counters.dropped[verdict.cause]++;
      return;
    }
    const frame = encodeFrame(m);
    const bytes = frame.length - FRAME_HEADER_BYTES;
    if (bytes > this.maxFrameBytes) {
      this.counters.dropped['too-large']++;
      this.eventHandler({ type: 'message-too-large', peer: m.to, message: m.type, bytes, limit: this.maxFrameBytes });
      return;
    }
    if (verdict.delayMs > 0) {
      if (!this.delay.hold(m.to, frame, verdict.delayMs)) this.counters.dropped['delay-full']++;
      return;
    }
    this.links.get(m.to)!.enqueue(frame);
  }

  /**
   * Every valid message from a peer, addressed to this node, that the filter let through. Called
   * synchronously from the socket's read; an exception it throws is not caught here (a core that
   * throws has a bug, and the node should stop rather than carry on).
   */
  onMessage(handler: (m: Message) => void): void {
    this.messageHandler = handler;
  }

  /**
   * Serves client connections: each frame after the client's hello goes through `validate`; a
   * valid request goes to `handler` with the connection to reply on, an invalid one closes the
   * connection with an `invalid-request` error frame. Until this is called, every request is invalid.
   */
  onClient<Req>(validate: (value: unknown) => Validation<Req>, handler: (request: Req, client: ClientConnection) => void): void {
    // Sound: `handle` only ever receives values `validate` produced.
    this.clientHandler = { validate, handle: handler as ClientHandler['handle'] };
  }

  onEvent(handler: (e: TransportEvent) => void): void {
    this.eventHandler = handler;
  }

  stats(): TransportStats {
    let pending = 0;
    let clients = 0;
    for (const c of this.inbound) {
      if (c.hello === null) pending++;
      else if (c.hello.kind === 'client') clients++;
    }
    return {
      sent: this.counters.sent,
      received: this.counters.received,
      clientRequests: this.counters.clientRequests,
      dropped: { ...this.counters.dropped },
      rejected: { ...this.counters.rejected },
      links: [...this.links.values()].map((l) => l.stats()).sort((a, b) => a.peer - b.peer),
      inboundPeers: [...this.inboundPeers.keys()].sort((a, b) => a - b),
      clients,
      pending,
      delayed: this.delay.size,
    };
  }

  /** Stops listening, closes every connection and drops whatever is queued or delayed. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.delay.clear();
    for (const link of this.links.values()) link.close();
    this.links.clear();
    for (const c of [...this.inbound]) c.close('this node is shutting down');
    for (const socket of this.sockets) socket.destroy();
    // Resolves once every socket is gone; an error only says the server was never listening.
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.state === 'closed') {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.setNoDelay(true);
    this.inbound.add(new InboundConnection(socket, this.inboundContext));
  }

  /** One connection per peer: a newer one replaces the older (a peer that restarted, or redialed). */
  private peerReady(c: InboundConnection): void {
    const peer = c.hello!.from;
    const older = this.inboundPeers.get(peer);
    this.inboundPeers.set(peer, c);
    older?.close(`replaced by a newer connection from n${peer}`);
  }

  private inboundEnded(c: InboundConnection): void {
    this.inbound.delete(c);
    const peer = c.hello?.from;
    if (peer !== undefined && this.inboundPeers.get(peer) === c) this.inboundPeers.delete(peer);
  }

  private deliver(m: Message): void {
    if (!this.filter.inbound(m.from)) {
      this.counters.dropped['blocked-from']++;
      return;
    }
    this.counters.received++;
    this.messageHandler(m);
  }
}

function positive(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${n}`);
  return n;
}
