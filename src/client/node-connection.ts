// One client connection to one node: dials, says hello, waits for the node's hello and checks its
// proof of the cluster secret, sends ours (docs/PROTOCOL.md 1.4), then carries
// requests and matches each response to its request by id (a node answers in completion order,
// not request order: a read can overtake a write). A connection that fails fails every request on
// it at once and is never reused; the owner dials a new one.
import type { Socket } from 'node:net';
import type { ClientRequest, ClientResponse, RequestId } from '../node/client-protocol.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../transport/index.js';
import { FrameDecoder, encodeFrame, parseBody } from '../transport/frame.js';
import {
  HELLO_MAX_FRAME_BYTES,
  checkHello,
  checkProof,
  helloFrame,
  newNonce,
  proofFrame,
  readErrorFrame,
  type Handshake,
} from '../transport/hello.js';
import type { ClusterSecret } from '../transport/secret.js';
import { dial, type TlsFiles } from '../transport/tls.js';
import { RaftClientError } from './errors.js';
import { readResponse } from './response-shape.js';

type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;
/** A request as the caller builds it; the connection gives it its id. */
export type RequestBody = WithoutId<ClientRequest>;

export interface ConnectionOptions {
  clusterId: string;
  /** The cluster secret our proof is made with, and the node's proof is checked against. */
  secret: ClusterSecret;
  /** Mutual TLS, for nodes started with --cert-file and the rest; null: plain TCP. */
  tls: TlsFiles | null;
  /** The `from` of our hello: any number, shown in the node's events. */
  helloFrom: number;
  /** The node id expected to answer, when known: another node answering is refused. */
  expectId: number | null;
  nextRequestId: () => RequestId;
}

interface Pending {
  type: RequestBody['type'];
  resolve: (r: ClientResponse) => void;
  reject: (e: RaftClientError) => void;
  timer: NodeJS.Timeout;
}

export class NodeConnection {
  /** The node's id, from its hello. */
  nodeId: number | null = null;
  private readonly socket: Socket;
  private readonly decoder = new FrameDecoder(HELLO_MAX_FRAME_BYTES);
  private readonly pending = new Map<RequestId, Pending>();
  /** Requests written before the node's hello came: sent once it has. */
  private readonly waiting: Buffer[] = [];
  private ready = false;
  private readonly nonce = newNonce();
  private failure: RaftClientError | null = null;

  constructor(
    readonly address: string,
    private readonly opts: ConnectionOptions,
  ) {
    const at = address.lastIndexOf(':');
    // "[::1]:7001" names an IPv6 host the way URLs do; connect() wants it bare.
    const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
    this.socket = dial(host, Number(address.slice(at + 1)), opts.tls, () =>
      this.socket.write(encodeFrame(helloFrame(opts.clusterId, opts.helloFrom, 'client', this.nonce))),
    );
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (err) => this.fail(new RaftClientError('unreachable', `cannot reach ${this.name}: ${err.message}`, address)));
    this.socket.on('close', () =>
      this.fail(new RaftClientError('unreachable', `${this.name} closed the connection before answering`, address)),
    );
  }

  /** "n2 (127.0.0.1:7002)" once the node's id is known, for messages. */
  private get name(): string {
    const id = this.nodeId ?? this.opts.expectId;
    return id === null ? this.address : `n${id} (${this.address})`;
  }

  /** False once the connection failed or was closed: dial a new one. */
  get usable(): boolean {
    return this.failure === null;
  }

  /**
   * Sends one request and resolves with its response, whatever it says (ok or an error answer).
   * Rejects with `unreachable` or `refused` when the connection fails, and with `timeout` when no
   * answer came within `timeoutMs`: the request may still be carried out, and a late answer is dropped.
   */
  request(body: RequestBody, timeoutMs: number): Promise<ClientResponse> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.opts.nextRequestId();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new RaftClientError('timeout', `${this.name} did not answer within ${timeoutMs} ms: a write's outcome is unknown`, this.address),
        );
        // No hello yet: a frozen or wedged process holds the socket. Drop the connection, and the
        // requests queued on it, rather than send them whenever it wakes up; the next one redials.
        if (!this.ready)
          this.fail(
            new RaftClientError(
              'unreachable',
              `${this.name} accepted the connection but did not say hello within ${timeoutMs} ms`,
              this.address,
            ),
          );
      }, timeoutMs);
      this.pending.set(id, { type: body.type, resolve, reject, timer });
      const frame = encodeFrame({ id, ...body });
      if (this.ready) this.socket.write(frame);
      else this.waiting.push(frame);
    });
  }

  close(reason: RaftClientError): void {
    this.fail(reason);
  }

  private receive(chunk: Buffer): void {
    this.decoder.push(chunk);
    while (this.failure === null) {
      const next = this.decoder.next();
      if (next.kind === 'incomplete') return;
      if (next.kind === 'too-large')
        return this.protocolError(`announced a frame of ${next.length} bytes, over the ${this.decoder.maxFrameBytes}-byte limit`);
      const parsed = parseBody(next.body);
      if (!parsed.ok) return this.protocolError(parsed.problem);
      const refusal = readErrorFrame(parsed.value);
      if (refusal !== null)
        return this.fail(
          new RaftClientError('refused', `${this.name} refused the connection: ${refusal.code}: ${refusal.reason}`, this.address),
        );
      if (this.ready) this.answer(parsed.value);
      else this.greet(parsed.value);
    }
  }

  private greet(value: unknown): void {
    // A node always answers as a peer, with its own id; we hold no node id, so "self" is 0 (none).
    const check = checkHello(value, {
      clusterId: this.opts.clusterId,
      self: 0,
      answer: true,
      ...(this.opts.expectId === null ? {} : { peer: this.opts.expectId }),
    });
    if (!check.ok)
      return this.fail(
        new RaftClientError('refused', `${this.name} answered with a bad hello: ${check.code}: ${check.reason}`, this.address),
      );
    if (check.hello.kind !== 'peer') return this.protocolError('answered our hello with a client hello');
    const handshake: Handshake = {
      clusterId: this.opts.clusterId,
      dialer: { kind: 'client', from: this.opts.helloFrom, nonce: this.nonce },
      listener: { id: check.hello.from, nonce: check.hello.nonce },
    };
    // A process on the node's port that cannot prove the secret gets no request of ours.
    const proof = checkProof(check.hello.proof!, this.opts.secret, 'listener', handshake);
    if (!proof.ok)
      return this.fail(
        new RaftClientError(
          'refused',
          `${this.name} did not prove the cluster secret (a node of another cluster, or this client holds another secret): ${proof.code}: ${proof.reason}`,
          this.address,
        ),
      );
    this.socket.write(encodeFrame(proofFrame(this.opts.secret, handshake)));
    this.nodeId = check.hello.from;
    this.ready = true;
    this.decoder.maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    for (const frame of this.waiting.splice(0)) this.socket.write(frame);
  }

  private answer(value: unknown): void {
    const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
    const pending = typeof id === 'number' ? this.pending.get(id) : undefined;
    // An answer nobody waits for any more: its request timed out here and was retried elsewhere.
    if (pending === undefined) return;
    const response = readResponse(value, pending.type);
    if (!response.ok) return this.protocolError(`sent a response we cannot read: ${response.problem}`);
    this.pending.delete(id as number);
    clearTimeout(pending.timer);
    pending.resolve(response.value);
  }

  private protocolError(problem: string): void {
    this.fail(new RaftClientError('bad-response', `${this.name} ${problem}`, this.address));
  }

  private fail(err: RaftClientError): void {
    if (this.failure !== null) return;
    this.failure = err;
    this.socket.destroy();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    this.waiting.length = 0;
  }
}
