// Raw bytes at a node's port, for the hostile-input bench: frames written by hand (a 4-byte
// big-endian length, then the body, docs/PROTOCOL.md 1.2), not with the code under test, so that a
// body can be anything (JSON nested 100,000 deep, which JSON.stringify could not even write).
import { createHmac, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** A frame around `body` exactly as given. */
export function rawFrame(body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const header = Buffer.alloc(4);
  header.writeUInt32BE(bytes.length);
  return Buffer.concat([header, bytes]);
}

/** A frame around JSON.stringify(value). */
export const jsonFrame = (value: unknown): Buffer => rawFrame(JSON.stringify(value));

/** JSON arrays nested `depth` deep: [[[...]]]. */
export const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** Who a connection claims to be, and the key it proves (the cluster secret, or an outsider's own). */
export interface Credentials {
  clusterId: string;
  kind: 'client' | 'peer';
  from: number;
  secret: Buffer;
}

/** The dialer's hello (PROTOCOL.md 1.4, hello and proofs). */
const helloFrame = (c: Credentials, nonce: string): Buffer =>
  jsonFrame({ type: 'hello', version: 2, clusterId: c.clusterId, from: c.from, kind: c.kind, nonce });

/**
 * A proof of the secret (PROTOCOL.md 1.4): HMAC-SHA256 over the handshake's lines, `node` being the
 * listener's id and the dialer's nonce coming first whoever proves.
 */
export function handshakeProof(
  c: Credentials,
  role: 'dialer' | 'listener',
  node: number,
  dialerNonce: string,
  listenerNonce: string,
): string {
  const text = ['raft-console hello 2', role, c.clusterId, c.kind, String(c.from), String(node), dialerNonce, listenerNonce].join('\n');
  return createHmac('sha256', c.secret).update(text, 'utf8').digest('hex');
}

/** The dialer's proof frame, answering the listener's hello `answer` (PROTOCOL.md 1.4: a proof). */
const proofFrame = (c: Credentials, nonce: string, answer: Record<string, unknown>): Buffer =>
  jsonFrame({ type: 'proof', proof: handshakeProof(c, 'dialer', Number(answer.from), nonce, String(answer.nonce)) });

/**
 * Connects and completes the handshake as `c` (its proof is sent whatever the node's hello says,
 * so a wrong key is seen through), then writes `parts`. `received` has every byte that came back.
 */
function dialAndSend(address: string, c: Credentials, parts: readonly Buffer[]): { socket: Socket; received: () => Buffer } {
  const { host, port } = splitAddress(address);
  const socket = connect({ host, port });
  const nonce = randomBytes(32).toString('hex');
  let received = Buffer.alloc(0);
  let sent = false;
  const send = (): void => {
    sent = true;
    for (const p of parts) socket.write(p);
  };
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    if (sent) return;
    const answer = parseFrames(received)[0];
    if (answer === undefined || answer.type !== 'hello') return;
    socket.write(proofFrame(c, nonce, answer));
    send();
  });
  socket.once('connect', () => socket.write(helloFrame(c, nonce)));
  return { socket, received: () => received };
}

export function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

/** What the node did with a connection. */
export interface Exchange {
  /** The bodies of the frames received, parsed (or {unparsed: text}). */
  frames: Array<Record<string, unknown>>;
  /** The node closed the connection (rather than us, at the end of the wait). */
  closedByNode: boolean;
  /** A socket error (ECONNRESET, ECONNREFUSED...), if any. */
  error: string | null;
}

/** The codes of the error frames received, and "hello" if the node answered a hello. */
export function answers(x: Exchange): string[] {
  const out = x.frames.map((f) => {
    if (f.type === 'error') return String(f.code);
    const type = f.type ?? 'frame';
    return typeof type === 'string' ? type : JSON.stringify(type);
  });
  if (x.error !== null) out.push(x.error);
  if (out.length === 0) out.push(x.closedByNode ? 'closed without a frame' : 'no answer (kept open)');
  return out;
}

/**
 * Waits up to `waitMs` for the node to close `socket` (closing it ourselves after that), then
 * resolves with the frames in `received()`.
 */
function untilClosed(socket: Socket, received: () => Buffer, waitMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    let error: string | null = null;
    let closedByNode = true;
    const timer = setTimeout(() => {
      closedByNode = false;
      socket.destroy();
    }, waitMs);
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ frames: parseFrames(received()), closedByNode, error });
    });
  });
}

/**
 * Connects, writes `parts` one after another, and waits up to `waitMs` for the node to close the
 * connection; then closes it. Resolves with what came back.
 */
export function exchange(address: string, parts: readonly Buffer[], waitMs = 3000): Promise<Exchange> {
  const { host, port } = splitAddress(address);
  const socket = connect({ host, port });
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  socket.once('connect', () => {
    for (const p of parts) socket.write(p);
  });
  return untilClosed(socket, () => received, waitMs);
}

/**
 * Completes the handshake as `c`, writes `parts` once the node has answered it, and waits up to
 * `waitMs` for the node to close the connection. Resolves with every frame received.
 */
export function exchangeAs(address: string, c: Credentials, parts: readonly Buffer[], waitMs = 3000): Promise<Exchange> {
  const { socket, received } = dialAndSend(address, c, parts);
  return untilClosed(socket, received, waitMs);
}

/** The complete frames in `bytes` (a partial last one is left out). */
export function parseFrames(bytes: Buffer): Array<Record<string, unknown>> {
  const frames: Array<Record<string, unknown>> = [];
  for (let at = 0; at + 4 <= bytes.length;) {
    const length = bytes.readUInt32BE(at);
    if (at + 4 + length > bytes.length) break;
    const text = bytes.toString('utf8', at + 4, at + 4 + length);
    try {
      frames.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      frames.push({ unparsed: text.slice(0, 200) });
    }
    at += 4 + length;
  }
  return frames;
}

/** Many connections held open at once (idle, or with a frame left unfinished). */
export class HeldConnections {
  readonly sockets: Socket[] = [];
  /** Connections that failed to open or were closed by the node, by cause. */
  readonly lost = new Map<string, number>();
  /** The first frame each connection got back, counted by type or error code. */
  readonly answered = new Map<string, number>();
  private closing = false;

  /**
   * Opens `count` connections to `address` as `c`, each sending `after` once its handshake is
   * answered; resolves once all are connected or failed.
   */
  async open(address: string, count: number, c: Credentials, after: readonly Buffer[]): Promise<void> {
    const opening: Array<Promise<void>> = [];
    for (let i = 0; i < count; i++) {
      const { socket, received } = dialAndSend(address, c, after);
      this.sockets.push(socket);
      let counted = false;
      socket.on('data', () => {
        const f = parseFrames(received())[0];
        if (f !== undefined && !counted) {
          counted = true;
          this.count(this.answered, f.type === 'error' ? String(f.code) : String(f.type));
        }
      });
      let error: string | null = null;
      socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
      socket.on('close', () => {
        if (!this.closing) this.count(this.lost, error ?? 'closed by the node');
      });
      opening.push(
        new Promise((resolve) => {
          socket.once('connect', () => resolve());
          socket.once('close', () => resolve());
        }),
      );
    }
    await Promise.all(opening);
  }

  /**
   * Resolves once the node has answered or dropped every connection, or the count of those has not
   * moved for `quietMs` (the rest wait in the listen backlog, never accepted), or after `maxMs`.
   */
  async settle(quietMs = 2000, maxMs = 30_000): Promise<void> {
    const settled = (): number => [...this.answered.values(), ...this.lost.values()].reduce((a, b) => a + b, 0);
    const end = performance.now() + maxMs;
    let last = -1;
    let since = performance.now();
    while (settled() < this.sockets.length && performance.now() < end) {
      const now = settled();
      if (now !== last) {
        last = now;
        since = performance.now();
      } else if (performance.now() - since >= quietMs) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Connections still open. */
  get openCount(): number {
    return this.sockets.filter((s) => !s.destroyed).length;
  }

  close(): void {
    this.closing = true;
    for (const s of this.sockets) s.destroy();
  }

  private count(into: Map<string, number>, key: string): void {
    into.set(key, (into.get(key) ?? 0) + 1);
  }
}

/** "a×3, b×1" */
export const tally = (m: ReadonlyMap<string, number>): string => (m.size === 0 ? '-' : [...m].map(([k, n]) => `${k}×${n}`).join(', '));
