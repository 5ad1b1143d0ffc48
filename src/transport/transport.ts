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
import { ByteBudget, DEFAULT_MAX_PENDING, TurnBudget, connectionCaps, openFileLimit, type ConnectionCaps } from './limits.js';
import type { Validation } from '../schema/json-shape.js';
import { DEFAULT_HOST, PeerLink, isUrgent, type PeerAddress, type PeerLinkContext } from './peer-link.js';
import { newCounters, type DropCause, type TransportStats } from './stats.js';
import { StepHold, type HeldEntry } from './step-hold.js';
import { realTimers, type Timers } from './timers.js';
import type { ClusterSecret } from './secret.js';
import { createListener, type TlsFiles } from './tls.js';

export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Unfinished frames all peers' connections together may hold: a snapshot frame from each of up to eight peers. */
export const DEFAULT_PEER_FRAME_BUDGET_BYTES = 64 * 1024 * 1024;
/** Unfinished frames all clients' connections (and those in their hello) together may hold. */
export const DEFAULT_CLIENT_FRAME_BUDGET_BYTES = 32 * 1024 * 1024;
export const DEFAULT_FRAME_TIMEOUT_MS = 10_000;
/** A client's requests awaiting replies at which its connection stops being read... */
export const DEFAULT_MAX_CLIENT_INFLIGHT = 256;
/** ...and the count its replies must bring them down to for reading to go on. */
export const DEFAULT_RESUME_CLIENT_INFLIGHT = 128;
/** Client requests taken in one event-loop turn, all clients together. */
export const DEFAULT_CLIENT_REQUESTS_PER_TURN = 128;

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
  /** After the hello, how long a frame may take from its first byte to its last. Default 10000 ms. */
  frameTimeoutMs?: number;
  /** Bytes of unfinished frames held for peers, and for clients and hellos. Defaults 64 MiB and 32 MiB. */
  peerFrameBudgetBytes?: number;
  clientFrameBudgetBytes?: number;
  /** A client's requests awaiting replies at which its connection stops being read, and where it reads on. Defaults 256 and 128. */
  maxClientInflight?: number;
  resumeClientInflight?: number;
  /** Client requests taken in one event-loop turn, all clients together; more wait for the next turn. Default 128. */
  clientRequestsPerTurn?: number;
  /** The process's open-file limit the connection caps are derived from. Default: read from /proc/self/limits. */
  openFileLimit?: number;
  /** Connections in their hello at once. Default 256 (at most a quarter of the inbound cap). */
  maxPendingConnections?: number;
  /** Reconnect backoff. Default: 50 ms doubling up to 2000 ms, with jitter. */
  backoff?: Partial<BackoffOptions>;
  /** Random source in [0, 1), for backoff jitter and link loss. Default Math.random. */
  random?: () => number;
  timers?: Timers;
  /** The wall clock a held message is stamped with (ms epoch). Default Date.now. */
  now?: () => number;
}

/** What became of a message handed to the filter: queued for its peer, held by a link's delay, or dropped (why). */
export type SendFate = 'queued' | 'delayed' | DropCause;

/** A held message released (step mode): the entry and what became of it. */
export interface Released {
  entry: HeldEntry;
  fate: SendFate;
}

/** How many messages of one type this node's core sent to one peer since the process started. */
export interface SentCount {
  to: NodeId;
  type: string;
  count: number;
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
  /** Step mode: the core's messages held instead of sent (step-hold.ts). */
  private readonly hold: StepHold;
  /** Messages the core sent, by peer and type (those held counted once released). */
  private readonly sentCounts = new Map<string, SentCount>();
  private heldHandler: (e: HeldEntry) => void = () => {};
  private readonly now: () => number;
  private readonly host: string;
  private readonly port: number;
  private readonly maxFrameBytes: number;
  private readonly server: Server;
  private readonly links = new Map<NodeId, PeerLink>();
  private readonly inbound = new Set<InboundConnection>();
  /** Sockets of refused connections, still open until the other side closes or the linger ends; oldest first. */
  private readonly lingering = new Set<Socket>();
  /** Connections still in their hello, oldest first. */
  private readonly pending = new Set<InboundConnection>();
  /** Connections past a client hello. */
  private readonly clients = new Set<InboundConnection>();
  private readonly caps: ConnectionCaps;
  private readonly fdLimit: number;
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
      throw new RangeError(
        `maxQueueBytes (${maxQueueBytes}) must hold at least one frame of maxFrameBytes (${this.maxFrameBytes}) and its header`,
      );
    const random = options.random ?? Math.random;
    const timers = options.timers ?? realTimers;
    const helloTimeoutMs = positive(options.helloTimeoutMs ?? 5000, 'helloTimeoutMs');
    const maxClientInflight = positive(options.maxClientInflight ?? DEFAULT_MAX_CLIENT_INFLIGHT, 'maxClientInflight');
    const resumeClientInflight = Math.min(
      positive(options.resumeClientInflight ?? DEFAULT_RESUME_CLIENT_INFLIGHT, 'resumeClientInflight'),
      maxClientInflight - 1,
    );
    this.fdLimit = positive(options.openFileLimit ?? openFileLimit(), 'openFileLimit');
    this.caps = connectionCaps(
      this.fdLimit,
      options.peers?.length ?? 0,
      positive(options.maxPendingConnections ?? DEFAULT_MAX_PENDING, 'maxPendingConnections'),
    );
    this.filter = new FaultFilter(random);
    this.hold = new StepHold(this.id);
    this.now = options.now ?? Date.now;
    this.delay = new DelayLine(timers, { maxFrames: maxQueueMessages, maxBytes: maxQueueBytes }, (to, frame, urgent) => {
      const link = this.links.get(to);
      if (link === undefined) this.counters.dropped['no-route']++;
      else link.enqueue(frame, urgent);
    });
    const emit = (e: TransportEvent): void => this.eventHandler(e);
    const peerBudget = new ByteBudget(positive(options.peerFrameBudgetBytes ?? DEFAULT_PEER_FRAME_BUDGET_BYTES, 'peerFrameBudgetBytes'));
    this.linkContext = {
      self: this.id,
      clusterId: options.clusterId,
      secret: options.secret,
      tls: options.tls ?? null,
      helloTimeoutMs,
      backoff: { baseMs: 50, maxMs: 2000, ...options.backoff },
      maxQueueMessages,
      maxQueueBytes,
      frameBudget: peerBudget,
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
      maxClientInflight,
      resumeClientInflight,
      clientTurn: new TurnBudget(positive(options.clientRequestsPerTurn ?? DEFAULT_CLIENT_REQUESTS_PER_TURN, 'clientRequestsPerTurn')),
      peerBudget,
      clientBudget: new ByteBudget(positive(options.clientFrameBudgetBytes ?? DEFAULT_CLIENT_FRAME_BUDGET_BYTES, 'clientFrameBudgetBytes')),
      helloTimeoutMs,
      frameTimeoutMs: positive(options.frameTimeoutMs ?? DEFAULT_FRAME_TIMEOUT_MS, 'frameTimeoutMs'),
      timers,
      emit,
      counters: this.counters,
      validateRequest: (value) => this.clientHandler.validate(value),
      nextClientId: () => ++this.clientSerial,
      peerReady: (c) => this.peerReady(c),
      admitClient: (c) => this.admitClient(c),
      clientActive: (c) => {
        // Kept in order of last activity: the first is the longest idle.
        this.clients.delete(c);
        this.clients.add(c);
      },
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
    if (!Number.isInteger(peer.port) || peer.port < 1 || peer.port > 65535)
      throw new RangeError(`n${peer.id}'s port must be 1 to 65535, got ${peer.port}`);
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
    if (this.hold.holding) {
      this.heldHandler(this.hold.hold(m, this.now()));
      return;
    }
    this.pass(m);
  }

  /**
   * Step mode on: from now every message the core sends is held (onHeld tells of each). Off: every
   * message held is sent now, oldest first, through the fault filter as if just sent.
   */
  setStep(on: boolean): Released[] {
    return this.hold.set(on).map((entry) => ({ entry, fate: this.pass(entry.message) }));
  }

  get stepping(): boolean {
    return this.hold.holding;
  }

  /** Sends the held messages `ids` now, in that order, through the fault filter; `unknown`: ids not held here. */
  release(ids: readonly string[]): { released: Released[]; unknown: string[] } {
    const { taken, unknown } = this.hold.take(ids);
    return { released: taken.map((entry) => ({ entry, fate: this.pass(entry.message) })), unknown };
  }

  /** Throws the held messages `ids` away, as a lossy network would; `unknown`: ids not held here. */
  discard(ids: readonly string[]): { dropped: HeldEntry[]; unknown: string[] } {
    const { taken, unknown } = this.hold.take(ids);
    return { dropped: taken, unknown };
  }

  /** The messages held now, oldest first. */
  held(): readonly HeldEntry[] {
    return this.hold.list();
  }

  /** Each message the core sends while step mode is on, once held. */
  onHeld(handler: (e: HeldEntry) => void): void {
    this.heldHandler = handler;
  }

  /** How many messages of each type the core sent to each peer since the process started, by peer then type. */
  sentByLink(): SentCount[] {
    return [...this.sentCounts.values()]
      .map((c) => ({ ...c }))
      .sort((a, b) => a.to - b.to || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  }

  /** One message through the fault filter into its peer's queue (or a link's delay): what became of it. */
  private pass(m: Message): SendFate {
    const key = `${m.to} ${m.type}`;
    const count = this.sentCounts.get(key);
    if (count === undefined) this.sentCounts.set(key, { to: m.to, type: m.type, count: 1 });
    else count.count++;
    if (!this.links.has(m.to)) return this.dropped('no-route');
    const verdict = this.filter.outbound(m.to);
    if (!verdict.pass) return this.dropped(verdict.cause);
    const frame = encodeFrame(m);
    const bytes = frame.length - FRAME_HEADER_BYTES;
    if (bytes > this.maxFrameBytes) {
      this.eventHandler({ type: 'message-too-large', peer: m.to, message: m.type, bytes, limit: this.maxFrameBytes });
      return this.dropped('too-large');
    }
    const urgent = isUrgent(m.type);
    if (verdict.delayMs > 0) return this.delay.hold(m.to, frame, urgent, verdict.delayMs) ? 'delayed' : this.dropped('delay-full');
    this.links.get(m.to)!.enqueue(frame, urgent);
    return 'queued';
  }

  private dropped(cause: DropCause): DropCause {
    this.counters.dropped[cause]++;
    return cause;
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
      unfinishedFrameBytes: { peers: this.inboundContext.peerBudget.used, clients: this.inboundContext.clientBudget.used },
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

  /**
   * A new connection. At the cap on inbound connections, a refused connection's linger is cut
   * short to make room, or if there is none the new one is closed unread: answering it would cost
   * a descriptor the cap keeps for peers. At the cap on connections in their hello, the oldest of
   * those is refused, so that a crowd of silent ones can only delay a peer's hello, never lock it
   * out (each of them costs a hello timeout at most anyway).
   */
  private accept(socket: Socket): void {
    if (this.state === 'closed') {
      socket.destroy();
      return;
    }
    if (this.sockets.size - this.inboundPeers.size >= this.caps.maxInbound) {
      const oldest = this.lingering.values().next();
      if (oldest.done === true) {
        socket.destroy();
        this.counters.rejected['too-many-connections']++;
        return;
      }
      this.lingering.delete(oldest.value);
      this.sockets.delete(oldest.value);
      oldest.value.destroy();
    }
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.lingering.delete(socket);
    });
    socket.setNoDelay(true);
    if (this.pending.size >= this.caps.maxPending) {
      const oldest = this.pending.values().next().value!;
      this.pending.delete(oldest);
      oldest.refuse(
        'too-many-connections',
        `${this.caps.maxPending} connections were waiting for their hello: this one, the oldest, made room for a new one`,
      );
    }
    const c = new InboundConnection(socket, this.inboundContext);
    this.inbound.add(c);
    this.pending.add(c);
  }

  /**
   * Clients are capped below the open-file limit, with room kept for peers. A node full of clients
   * closes the one idle longest (no answer owed, an error frame saying why) to admit the newcomer,
   * as HTTP servers drop idle keep-alive connections under pressure: a crowd of idle connections
   * can then never lock a new client (a `put` from the command line) out of the leader, and a
   * client that was closed reconnects when it next needs the node. Only when every client has a
   * request in flight is the newcomer refused.
   */
  private admitClient(c: InboundConnection): { ok: true } | { ok: false; reason: string } {
    this.pending.delete(c);
    if (this.clients.size >= this.caps.maxClients) {
      const idle = [...this.clients].find((other) => other.idleClient);
      if (idle === undefined)
        return {
          ok: false,
          reason: `this node serves ${this.clients.size} clients, all with requests in flight, its limit with ${this.fdLimit} open files allowed (ulimit -n): retry later, or raise the limit`,
        };
      this.clients.delete(idle);
      idle.refuse(
        'too-many-connections',
        `this node serves ${this.caps.maxClients} clients, its limit with ${this.fdLimit} open files allowed (ulimit -n): this one, idle longest, made room for a new one; reconnect when you need it`,
      );
    }
    this.clients.add(c);
    return { ok: true };
  }

  /**
   * One connection per peer: a newer one replaces the older (a peer that restarted, or redialed).
   * The peer is up, so our link to it stops waiting out its backoff and dials now.
   */
  private peerReady(c: InboundConnection): void {
    this.pending.delete(c);
    const peer = c.hello!.from;
    const older = this.inboundPeers.get(peer);
    this.inboundPeers.set(peer, c);
    older?.close(`replaced by a newer connection from n${peer}`);
    this.links.get(peer)?.peerIsUp();
  }

  private inboundEnded(c: InboundConnection): void {
    if (!c.socket.destroyed) this.lingering.add(c.socket);
    this.inbound.delete(c);
    this.pending.delete(c);
    this.clients.delete(c);
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
