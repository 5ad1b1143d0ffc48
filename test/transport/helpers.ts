// Test helpers for the transport: raw sockets that speak (or break) the wire format, started
// transports that record what they see, hand-fired timers, and cleanup after each test. Nothing
// here decides a test by the clock: waits are for events (test/support/wait.ts), with a deadline
// that only turns a hang into a failure.
import { createHmac, randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect } from 'vitest';
import type { Message, NodeId } from '../../src/raft/types.js';
import type { TransportEvent } from '../../src/transport/events.js';
import { Transport, type TransportOptions } from '../../src/transport/transport.js';
import type { Timers } from '../../src/transport/timers.js';
import { waitFor } from '../support/wait.js';

export const CLUSTER = 'test-cluster';
/** The cluster secret of the tests' transports. */
export const SECRET = Buffer.alloc(32, 7);
/** A valid nonce, for hellos whose proof is never checked. */
export const NONCE = 'ab'.repeat(32);

// ---------------------------------------------------------------------------------------------
// Cleanup: every server, socket and transport a test opens is closed after it.

const closers: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  const pending = closers.splice(0).reverse();
  for (const close of pending) await close();
});

function track(close: () => Promise<void> | void): void {
  closers.push(close);
}

// ---------------------------------------------------------------------------------------------
// Waiting

/** One event-loop turn: lets the transport's per-turn flush run. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// ---------------------------------------------------------------------------------------------
// The wire format, written independently of src/transport/frame.ts so the tests check it.

export function frameOf(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  return rawFrame(body);
}

export function rawFrame(body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

export function hello(from: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'hello', version: 2, clusterId: CLUSTER, from, kind: 'peer', nonce: NONCE, ...overrides };
}

/** What a node answers a hello with: its hello, with a nonce and a proof (matchers, for toEqual). */
export function answer(from: number): Record<string, unknown> {
  return { ...hello(from), nonce: expect.stringMatching(/^[0-9a-f]{64}$/), proof: expect.stringMatching(/^[0-9a-f]{64}$/) };
}

/** The answer a node gives `dialerHello` (its first frame): a hello with a fresh nonce and the listener's proof. */
export function listenerAnswer(dialerHello: Record<string, unknown>, id: number, secret: Buffer = SECRET): Record<string, unknown> {
  const nonce = randomBytes(32).toString('hex');
  const h = {
    kind: String(dialerHello.kind),
    from: Number(dialerHello.from),
    listener: id,
    dialerNonce: String(dialerHello.nonce),
    listenerNonce: nonce,
  };
  return { ...hello(id), nonce, proof: proof(secret, 'listener', h) };
}

/** Makes `ids` members `node` knows (peers at a port nobody listens on), so that their hellos are admitted. */
export function admit(node: Node, ...ids: number[]): void {
  for (const id of ids) node.transport.addPeer({ id, port: 1 });
}

/** A proof as docs/PROTOCOL.md 1.4 defines it, computed here independently of src/transport/hello.ts. */
export function proof(
  secret: Buffer,
  role: 'dialer' | 'listener',
  h: { clusterId?: string; kind: string; from: number; listener: number; dialerNonce: string; listenerNonce: string },
): string {
  const text = [
    'raft-console hello 2',
    role,
    h.clusterId ?? CLUSTER,
    h.kind,
    String(h.from),
    String(h.listener),
    h.dialerNonce,
    h.listenerNonce,
  ].join('\n');
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

/** A socket speaking frames by hand: records every frame it receives and when it closes. */
export class RawConnection {
  readonly frames: unknown[] = [];
  closed = false;
  private buffered = Buffer.alloc(0);

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4) {
        const length = this.buffered.readUInt32BE(0);
        if (this.buffered.length < 4 + length) break;
        this.frames.push(JSON.parse(this.buffered.subarray(4, 4 + length).toString('utf8')));
        this.buffered = this.buffered.subarray(4 + length);
      }
    });
    socket.on('error', () => {}); // a reset is one of the outcomes under test
    socket.on('close', () => (this.closed = true));
  }

  static async open(port: number): Promise<RawConnection> {
    const socket = connect({ host: '127.0.0.1', port });
    track(() => void socket.destroy());
    const raw = new RawConnection(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return raw;
  }

  /**
   * Opens a connection and completes the handshake as `from` (a peer unless `kind` says otherwise):
   * hello, the node's answer, our proof made with `secret` (the tests' SECRET by default).
   */
  static async hello(port: number, from: number, overrides: Record<string, unknown> = {}, secret: Buffer = SECRET): Promise<RawConnection> {
    const raw = await RawConnection.open(port);
    const mine = hello(from, { nonce: randomBytes(32).toString('hex'), ...overrides });
    raw.send(mine);
    const [theirs] = (await raw.waitForFrames(1)) as Record<string, unknown>[];
    if (theirs?.type === 'hello')
      raw.send({
        type: 'proof',
        proof: proof(secret, 'dialer', {
          kind: String(mine.kind),
          from,
          listener: Number(theirs.from),
          dialerNonce: String(mine.nonce),
          listenerNonce: String(theirs.nonce),
        }),
      });
    return raw;
  }

  send(value: unknown): void {
    this.socket.write(frameOf(value));
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  async waitForFrames(n: number): Promise<unknown[]> {
    await waitFor(`${n} frames`, () => this.frames.length >= n || this.closed);
    if (this.frames.length < n) throw new Error(`closed after ${this.frames.length} of ${n} frames: ${JSON.stringify(this.frames)}`);
    return this.frames;
  }

  async waitForClose(): Promise<void> {
    await waitFor('the connection to close', () => this.closed);
  }

  /** Waits for the node to refuse the connection: its error frame, then the close. */
  async refusal(): Promise<{ type: string; code: string; reason: string }> {
    await this.waitForClose();
    const last = this.frames.at(-1) as { type: string; code: string; reason: string } | undefined;
    if (last?.type !== 'error') throw new Error(`closed without an error frame; frames: ${JSON.stringify(this.frames)}`);
    return last;
  }
}

// ---------------------------------------------------------------------------------------------
// Transports that record what they see

export class Node {
  readonly events: TransportEvent[] = [];
  readonly messages: Message[] = [];

  constructor(readonly transport: Transport) {
    transport.onEvent((e) => this.events.push(e));
    transport.onMessage((m) => this.messages.push(m));
  }

  get port(): number {
    return this.transport.address.port;
  }

  eventsOf<T extends TransportEvent['type']>(type: T): Extract<TransportEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<TransportEvent, { type: T }> => e.type === type);
  }

  async waitForEvent<T extends TransportEvent['type']>(
    type: T,
    where: (e: Extract<TransportEvent, { type: T }>) => boolean = () => true,
    count = 1,
  ): Promise<Extract<TransportEvent, { type: T }>[]> {
    await waitFor(`${count} ${type} event(s) on n${this.transport.id}`, () => this.eventsOf(type).filter(where).length >= count);
    return this.eventsOf(type).filter(where);
  }

  async waitForMessages(n: number, where: (m: Message) => boolean = () => true): Promise<Message[]> {
    await waitFor(`${n} message(s) at n${this.transport.id}`, () => this.messages.filter(where).length >= n);
    return this.messages.filter(where);
  }
}

/** A started transport, closed after the test. `id` defaults to 1. */
export async function startNode(options: Partial<TransportOptions> = {}): Promise<Node> {
  const transport = new Transport({ id: 1, clusterId: CLUSTER, secret: SECRET, ...options });
  track(() => transport.close());
  const node = new Node(transport);
  await transport.start();
  return node;
}

/** Two started transports, n1 and n2, each a peer of the other. */
export async function startPair(options: Partial<TransportOptions> = {}, options2: Partial<TransportOptions> = {}): Promise<[Node, Node]> {
  const a = await startNode({ id: 1, ...options });
  const b = await startNode({ id: 2, peers: [{ id: 1, port: a.port }], ...options2 });
  a.transport.addPeer({ id: 2, port: b.port });
  // Both directions on both nodes: a node hears the dialer's proof after the dialer counts its link
  // open, and a proof that came in late would tell it the peer is up again (peerIsUp) in the middle
  // of a test that has just closed that peer.
  await a.waitForEvent('peer-connected', (e) => e.peer === 2 && e.direction === 'out');
  await b.waitForEvent('peer-connected', (e) => e.peer === 1 && e.direction === 'out');
  await a.waitForEvent('peer-connected', (e) => e.peer === 2 && e.direction === 'in');
  await b.waitForEvent('peer-connected', (e) => e.peer === 1 && e.direction === 'in');
  return [a, b];
}

/** A plain TCP server, closed after the test; `onSocket` gets each accepted socket. */
export async function rawServer(onSocket: (socket: Socket) => void, port = 0): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  track(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

// ---------------------------------------------------------------------------------------------
// Timers fired by hand

interface PendingTimer {
  callback: () => void;
  ms: number;
  done: boolean;
}

export class ManualTimers implements Timers {
  private readonly timers: PendingTimer[] = [];

  setTimeout(callback: () => void, ms: number): unknown {
    const t = { callback, ms, done: false };
    this.timers.push(t);
    return t;
  }

  clearTimeout(handle: unknown): void {
    (handle as PendingTimer).done = true;
  }

  /** Delays of the timers still pending, in the order they were set. */
  pending(): number[] {
    return this.timers.filter((t) => !t.done).map((t) => t.ms);
  }

  /** Fires, in the order they were set, the pending timers of `ms` milliseconds (all when omitted). */
  fire(ms?: number): number {
    const due = this.timers.filter((t) => !t.done && (ms === undefined || t.ms === ms));
    for (const t of due) {
      t.done = true;
      t.callback();
    }
    return due.length;
  }
}

// ---------------------------------------------------------------------------------------------
// Messages

export function heartbeat(from: NodeId, to: NodeId, term: number, context?: string): Message {
  const m: Message = { type: 'heartbeat', from, to, term, commit: 0 };
  if (context !== undefined) m.context = context;
  return m;
}

/** Heartbeats whose `term` numbers them: easy to tell apart and to check the order of. */
export function numbered(from: NodeId, to: NodeId, terms: number[]): Message[] {
  return terms.map((t) => heartbeat(from, to, t));
}

export const termsOf = (ms: Message[]): number[] => ms.map((m) => m.term);
