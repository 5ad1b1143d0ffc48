// A lean load-generating client for raft-console nodes, written from docs/PROTOCOL.md alone (it
// does not use src/client): the framing (1.2), the hello and proofs (1.4, shared with the hostile
// bench in wire.ts), put requests with clientId/seq (3, 4.4), and get requests (linearizable reads:
// the leader answers after a ReadIndex round). Each RaftLoadClient is one clientId with at most one
// request in flight, keeping one connection per node it has talked to. It follows not-leader
// redirects, and retries a request whose outcome it does not know (leadership-lost, timeout,
// unavailable, a lost connection, its own attempt timeout), a write with the same seq, so every
// write is applied exactly once. Latency is measured from the first send of a request to its
// answer, retries included.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { sleep } from '../children.js';
import { handshakeProof, jsonFrame as frame, splitAddress, type Credentials } from '../wire.js';

const HEADER = 4;
/** The limit the node puts on a hello; replies to our puts are small too. */
const MAX_REPLY_BYTES = 8 * 1024 * 1024;

export class ConnectionError extends Error {
  constructor(
    message: string,
    /** 'closed', 'refused' (could not connect), 'timeout' (attempt timeout), or an error frame's code. */
    readonly code: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

/** One client connection to one node: hello, then request/response frames matched by id. */
export class FrameConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void; timer: NodeJS.Timeout | null }>();
  private nextId = 1;
  private failure: ConnectionError | null = null;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
  ) {}

  get open(): boolean {
    return this.failure === null;
  }

  /** Connects and completes the hello; rejects with a ConnectionError. */
  static connect(address: string, clusterId: string, secret: Buffer, timeoutMs = 2000, from = 0): Promise<FrameConnection> {
    const nonce = randomBytes(32).toString('hex');
    const me: Credentials = { clusterId, kind: 'client', from, secret };
    const { host, port } = splitAddress(address);
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const conn = new FrameConnection(socket, address);
      let helloDone = false;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionError(`no hello from ${address} within ${timeoutMs} ms`, 'timeout'));
      }, timeoutMs);
      socket.once('connect', () => socket.write(frame({ type: 'hello', version: 2, clusterId, from, kind: 'client', nonce })));
      socket.on('data', (chunk: Buffer) => {
        conn.buffer = conn.buffer.length === 0 ? chunk : Buffer.concat([conn.buffer, chunk]);
        for (;;) {
          if (conn.buffer.length < HEADER) return;
          const length = conn.buffer.readUInt32BE(0);
          if (length > MAX_REPLY_BYTES)
            return conn.fail(new ConnectionError(`${address} announced a ${length}-byte frame`, 'frame-too-large'));
          if (conn.buffer.length < HEADER + length) return;
          let body: Json;
          try {
            body = JSON.parse(conn.buffer.toString('utf8', HEADER, HEADER + length)) as Json;
          } catch {
            return conn.fail(new ConnectionError(`${address} sent a frame that is not JSON`, 'bad-frame'));
          }
          conn.buffer = conn.buffer.subarray(HEADER + length);
          if (body.type === 'error') {
            const err = new ConnectionError(
              `${address} refused the connection: ${String(body.code)}: ${String(body.reason)}`,
              String(body.code),
            );
            if (!helloDone) {
              clearTimeout(timer);
              reject(err);
            }
            return conn.fail(err);
          }
          if (!helloDone) {
            helloDone = true;
            clearTimeout(timer);
            const node = typeof body.from === 'number' ? body.from : 0;
            const listenerNonce = typeof body.nonce === 'string' ? body.nonce : '';
            if (
              body.type !== 'hello' ||
              body.kind !== 'peer' ||
              body.proof !== handshakeProof(me, 'listener', node, nonce, listenerNonce)
            ) {
              const err = new ConnectionError(
                `${address} answered the hello with ${JSON.stringify(body)}, not a proof of the cluster secret`,
                'bad-hello',
              );
              reject(err);
              return conn.fail(err);
            }
            socket.write(frame({ type: 'proof', proof: handshakeProof(me, 'dialer', node, nonce, listenerNonce) }));
            resolve(conn);
            continue;
          }
          const id = body.id;
          const p = typeof id === 'number' ? conn.pending.get(id) : undefined;
          if (p === undefined) continue;
          conn.pending.delete(id as number);
          if (p.timer !== null) clearTimeout(p.timer);
          p.resolve(body);
        }
      });
      socket.on('error', (e: NodeJS.ErrnoException) => {
        const err = new ConnectionError(`${address}: ${e.code ?? e.message}`, helloDone ? 'closed' : 'refused');
        if (!helloDone) {
          clearTimeout(timer);
          reject(err);
        }
        conn.fail(err);
      });
      socket.on('close', () => {
        const err = new ConnectionError(`${address} closed the connection`, helloDone ? 'closed' : 'refused');
        if (!helloDone) {
          clearTimeout(timer);
          reject(err);
        }
        conn.fail(err);
      });
    });
  }

  /** Sends one request (the id is added) and resolves with its response. */
  request(body: Json, timeoutMs: number | null = null): Promise<Json> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === null
          ? null
          : setTimeout(() => {
              this.pending.delete(id);
              reject(new ConnectionError(`no answer from ${this.address} within ${timeoutMs} ms`, 'timeout'));
            }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(frame({ id, ...body }));
    });
  }

  close(): void {
    this.fail(new ConnectionError('closed by the client', 'closed'));
  }

  private fail(err: ConnectionError): void {
    if (this.failure !== null) return;
    this.failure = err;
    this.socket.destroy();
    for (const p of this.pending.values()) {
      if (p.timer !== null) clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }
}

/** One request on a fresh connection (status and the like). */
export async function requestOnce(address: string, clusterId: string, secret: Buffer, body: Json, timeoutMs = 1000): Promise<Json> {
  const conn = await FrameConnection.connect(address, clusterId, secret, timeoutMs);
  try {
    return await conn.request(body, timeoutMs);
  } finally {
    conn.close();
  }
}

/** An acknowledged write. Times are performance.now() of this process. */
export interface Ack {
  sentAt: number;
  ackAt: number;
  /** Term and index at which the write committed (etcd: raft term of the answering member, revision). */
  term: number;
  index: number;
  /** The node that answered. */
  address: string;
  attempts: number;
}

/** What happened on the way to the acknowledgements, for the report. */
export interface ClientCounters {
  /** not-leader answers naming a leader, followed. */
  redirects: number;
  /** not-leader with no leader known, or an etcd error answer: retried after a pause. */
  noLeader: number;
  /** Answers whose outcome is unknown (leadership-lost, timeout, unavailable): retried, same seq. */
  unknownOutcome: number;
  /** Connections that could not be opened, or broke with a write in flight. */
  connectionFailures: number;
  /** Attempts abandoned by the client's own per-attempt timeout. */
  attemptTimeouts: number;
}

export const zeroCounters = (): ClientCounters => ({
  redirects: 0,
  noLeader: 0,
  unknownOutcome: 0,
  connectionFailures: 0,
  attemptTimeouts: 0,
});

export function addCounters(into: ClientCounters, from: ClientCounters): void {
  into.redirects += from.redirects;
  into.noLeader += from.noLeader;
  into.unknownOutcome += from.unknownOutcome;
  into.connectionFailures += from.connectionFailures;
  into.attemptTimeouts += from.attemptTimeouts;
}

/** What the bench drives: raft-console and etcd clients alike, one request in flight at a time. */
export interface LoadClient {
  readonly counters: ClientCounters;
  /** A write, acknowledged once committed and applied. */
  put(key: string, value: string): Promise<Ack>;
  /** A linearizable read (ours: the get request, served by the leader after a ReadIndex round; etcd: a range). */
  get(key: string): Promise<Ack>;
  close(): void;
}

export interface RetryPolicy {
  /** Pause before retrying after a failure that is not a redirect to a named leader. */
  retryDelayMs: number;
  /** Abandon an attempt that got no answer within this time, and retry on the next node. */
  attemptTimeoutMs: number;
  /** Give up on a write (throw) after this long: something is badly wrong. */
  giveUpMs: number;
}

export class StoppedError extends Error {}

export class RaftLoadClient implements LoadClient {
  readonly counters = zeroCounters();
  private seq = 0;
  /** One connection per node, kept open across redirects, as a real client would. */
  private readonly conns = new Map<string, FrameConnection>();
  private target: string;
  private stopped = false;
  /** Why the latest attempt failed, for the message when a write is given up on. */
  private lastFailure = '';

  constructor(
    private readonly clusterId: string,
    private readonly secret: Buffer,
    /** Every node's address: where to turn when the current one fails. */
    private readonly addresses: readonly string[],
    readonly clientId: string,
    start: number,
    private readonly policy: RetryPolicy,
  ) {
    this.target = addresses[start % addresses.length]!;
  }

  put(key: string, value: string): Promise<Ack> {
    const seq = ++this.seq;
    return this.call({ type: 'put', clientId: this.clientId, seq, key, value }, `write seq ${seq}`);
  }

  /** A get needs no session: retried as it is, like a put, until a node answers it. */
  get(key: string): Promise<Ack> {
    return this.call({ type: 'get', key }, `get of ${key}`);
  }

  /**
   * Sends `body` until a node answers it: follows redirects to a named leader, retries an unknown
   * outcome (a write with the same seq, so it is applied once) after a pause, elsewhere.
   */
  private async call(body: Json, what: string): Promise<Ack> {
    const sentAt = performance.now();
    let attempts = 0;
    for (;;) {
      this.throwIfStopped();
      if (performance.now() - sentAt > this.policy.giveUpMs)
        throw new Error(
          `client ${this.clientId}: ${what} not acknowledged after ${this.policy.giveUpMs} ms (${attempts} attempts; last: ${this.lastFailure})`,
        );
      attempts++;
      let conn: FrameConnection;
      try {
        conn = await this.connection();
      } catch (err) {
        this.throwIfStopped();
        this.lastFailure = `connecting to ${this.target}: ${(err as Error).message}`;
        this.counters.connectionFailures++;
        this.nextNode();
        await sleep(this.policy.retryDelayMs);
        continue;
      }
      let res: Json;
      try {
        res = await conn.request(body, this.policy.attemptTimeoutMs);
      } catch (err) {
        this.throwIfStopped();
        this.lastFailure = `${String(body.type)} to ${this.target}: ${(err as Error).message}`;
        this.dropConnection();
        if (err instanceof ConnectionError && err.code === 'timeout') {
          this.counters.attemptTimeouts++;
          this.nextNode();
          continue;
        }
        this.counters.connectionFailures++;
        this.nextNode();
        await sleep(this.policy.retryDelayMs);
        continue;
      }
      if (res.ok === true) {
        // A get's answer has no term: 0.
        return { sentAt, ackAt: performance.now(), term: Number(res.term ?? 0), index: Number(res.index), address: this.target, attempts };
      }
      const error = res.error as { code: string; message: string } | undefined;
      const leader = res.leader as { id: number; address: string | null } | null | undefined;
      const code = error?.code ?? 'unknown';
      this.lastFailure = `${this.target} answered ${JSON.stringify(res)}`;
      if (code === 'not-leader' && leader != null && leader.address !== null && leader.address !== this.target) {
        this.counters.redirects++;
        this.retarget(leader.address);
        continue;
      }
      if (code === 'not-leader') this.counters.noLeader++;
      else if (code === 'leadership-lost' || code === 'timeout' || code === 'unavailable') this.counters.unknownOutcome++;
      else throw new Error(`client ${this.clientId}: ${what} refused by ${this.target}: ${code}: ${error?.message ?? JSON.stringify(res)}`);
      if (leader != null && leader.address !== null && leader.address !== this.target) this.retarget(leader.address);
      else this.nextNode();
      await sleep(this.policy.retryDelayMs);
    }
  }

  /** close() can come while put() awaits: a look at `stopped` holds only until the next await. */
  private throwIfStopped(): void {
    if (this.stopped) throw new StoppedError('stopped');
  }

  close(): void {
    this.stopped = true;
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }

  private async connection(): Promise<FrameConnection> {
    const open = this.conns.get(this.target);
    if (open !== undefined && open.open) return open;
    const conn = await FrameConnection.connect(this.target, this.clusterId, this.secret, Math.max(this.policy.attemptTimeoutMs, 200));
    if (this.stopped) {
      conn.close();
      throw new StoppedError('stopped');
    }
    this.conns.set(this.target, conn);
    return conn;
  }

  /** Closes the connection to the current target (broken, or holding an abandoned request). */
  private dropConnection(): void {
    this.conns.get(this.target)?.close();
    this.conns.delete(this.target);
  }

  private retarget(address: string): void {
    this.target = address;
  }

  private nextNode(): void {
    const i = this.addresses.indexOf(this.target);
    this.retarget(this.addresses[(i + 1) % this.addresses.length]!);
  }
}
