// A stand-in for a node, for the client library's tests: a TCP server that speaks the framing by
// hand (independently of src/transport, so the tests check the client against the protocol, not
// against shared code), answers the client's hello as a node would (with its proof of the secret,
// and checks the client's), records every request, and lets each test script the answers. Every
// fake is closed after each test.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';

export const CLUSTER = 'client-test';
export const SECRET = Buffer.alloc(32, 3);

/** A proof as docs/PROTOCOL.md 1.4 defines it, of a client `from` talking to node `node`. */
export function proof(
  secret: Buffer,
  role: 'dialer' | 'listener',
  from: number,
  node: number,
  clientNonce: string,
  nodeNonce: string,
): string {
  const text = ['raft-console hello 2', role, CLUSTER, 'client', String(from), String(node), clientNonce, nodeNonce].join('\n');
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

export type Request = Record<string, unknown> & { id: number; type: string };

/** How a test answers a request: reply() sends a response; drop() cuts the connection. */
export interface Exchange {
  request: Request;
  reply(response: Record<string, unknown>): void;
  drop(): void;
}

const open: FakeNode[] = [];

afterEach(async () => {
  for (const node of open.splice(0)) await node.close();
});

export function frame(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

export class FakeNode {
  readonly requests: Request[] = [];
  readonly hellos: unknown[] = [];
  /** Whether each client's proof was right, in order. */
  readonly proofs: boolean[] = [];
  /** Answers each request; the default says ok to anything. */
  onRequest: (x: Exchange) => void = (x) => x.reply(okFor(x.request));
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly id: number,
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** `helloAnswer`: what to answer the client's hello with instead of a node's hello; 'silent': nothing, ever. */
  static async start(id: number, helloAnswer?: unknown): Promise<FakeNode> {
    let node: FakeNode | null = null;
    const server = createServer((socket) => node!.accept(socket, helloAnswer));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    node = new FakeNode(id, server, address.port);
    open.push(node);
    return node;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Cuts every client connection (as a crash would), keeps listening. */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket, helloAnswer: unknown): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let greeted = false;
    let proven = false;
    const nonce = randomBytes(32).toString('hex');
    let hello: Record<string, unknown> = {};
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4) {
        const length = buffered.readUInt32BE(0);
        if (buffered.length < 4 + length) return;
        const value = JSON.parse(buffered.subarray(4, 4 + length).toString('utf8')) as Request;
        buffered = buffered.subarray(4 + length);
        if (!greeted) {
          greeted = true;
          this.hellos.push(value);
          hello = value;
          const ours = {
            type: 'hello',
            version: 2,
            clusterId: CLUSTER,
            from: this.id,
            kind: 'peer',
            nonce,
            proof: proof(SECRET, 'listener', Number(value.from), this.id, String(value.nonce), nonce),
          };
          if (helloAnswer !== 'silent') socket.write(frame(helloAnswer ?? ours));
          continue;
        }
        if (!proven) {
          proven = true;
          const good =
            value.type === 'proof' && value.proof === proof(SECRET, 'dialer', Number(hello.from), this.id, String(hello.nonce), nonce);
          this.proofs.push(good);
          if (!good) {
            socket.end(frame({ type: 'error', code: 'auth-failed', reason: "the dialer's proof does not match" }));
            return;
          }
          continue;
        }
        this.requests.push(value);
        this.onRequest({
          request: value,
          reply: (response) => {
            if (!socket.destroyed) socket.write(frame(response));
          },
          drop: () => socket.destroy(),
        });
      }
    });
  }
}

/** A successful answer of the right shape for `r`. */
export function okFor(r: Request, index = 7): Record<string, unknown> {
  switch (r.type) {
    case 'get':
      return { id: r.id, ok: true, key: r.key, value: `value-of-${String(r.key)}`, index };
    case 'status':
      return { id: r.id, ok: true, status: { id: 1, role: 'leader', term: 3, leader: 1, commit: index, lastIndex: index } };
    case 'log':
      return { id: r.id, ok: true, firstIndex: 1, commit: 1, entries: [{ type: 'noop', term: 1, index: 1, committed: true }] };
    case 'put':
      return { id: r.id, ok: true, index, term: 3, result: { ok: true, op: 'put', previous: null } };
    default:
      return { id: r.id, ok: true, index, term: 3, result: { ok: true, op: r.type } };
  }
}

export function errorFor(r: Request, code: string, leader?: { id: number; address: string | null } | null): Record<string, unknown> {
  return { id: r.id, ok: false, error: { code, message: `fake ${code}` }, ...(leader === undefined ? {} : { leader }) };
}
