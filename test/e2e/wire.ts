// The wire format and the handshake written by hand from docs/PROTOCOL.md, not with the code under
// test: for the end-to-end tests that speak to a node's port as a stranger would.
import { createHmac, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { waitFor } from '../support/wait.js';

/** A 4-byte big-endian length, then the body. */
export function frame(body: string | Buffer | Record<string, unknown>): Buffer {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(bytes.length);
  return Buffer.concat([header, bytes]);
}

/** A proof (PROTOCOL.md 1.4): HMAC-SHA256 of the handshake's eight lines. */
export function proof(
  secret: Buffer,
  role: 'dialer' | 'listener',
  clusterId: string,
  kind: string,
  from: number,
  listener: number,
  dialerNonce: string,
  listenerNonce: string,
): string {
  const text = ['raft-console hello 2', role, clusterId, kind, String(from), String(listener), dialerNonce, listenerNonce].join('\n');
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

/** A raw connection: every frame it received, and whether it closed. */
export class Wire {
  readonly frames: Array<Record<string, unknown>> = [];
  closed = false;
  private buffered = Buffer.alloc(0);

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readUInt32BE(0)) {
        const length = this.buffered.readUInt32BE(0);
        this.frames.push(JSON.parse(this.buffered.subarray(4, 4 + length).toString('utf8')) as Record<string, unknown>);
        this.buffered = this.buffered.subarray(4 + length);
      }
    });
    socket.on('error', () => {}); // a reset is an acceptable way for the node to drop us
    socket.on('close', () => (this.closed = true));
  }

  static open(port: number): Promise<Wire> {
    const socket = connect(port, '127.0.0.1');
    return new Promise((resolve, reject) => socket.once('connect', () => resolve(new Wire(socket))).once('error', reject));
  }

  send(value: string | Buffer | Record<string, unknown>): void {
    this.socket.write(frame(value));
  }

  /** Resolves once `n` frames came, or the connection closed (then with what came). */
  async next(n: number): Promise<Array<Record<string, unknown>>> {
    await waitFor(
      () => `${n} frames (got ${JSON.stringify(this.frames)})`,
      () => this.frames.length >= n || this.closed,
    );
    return this.frames;
  }

  /** Waits for the node to close the connection; the code of its error frame, if it sent one. */
  async refusal(): Promise<string | undefined> {
    await waitFor(
      () => `the node to close the connection (frames: ${JSON.stringify(this.frames)})`,
      () => this.closed,
    );
    return this.frames.find((f) => f.type === 'error')?.code as string | undefined;
  }

  /** Sends `bytes` as they are and half-closes: the node reads all of it, then refuses the connection or closes it. */
  async finish(bytes: Buffer): Promise<Array<Record<string, unknown>>> {
    this.socket.end(bytes);
    await this.refusal();
    return this.frames;
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Opens a connection and runs the handshake as `kind` `from`, proving `secret` (right or wrong): the
 * hello, the node's answer, our proof frame. Resolves with the connection, ready for messages.
 */
export async function handshake(port: number, clusterId: string, secret: Buffer, kind: 'peer' | 'client', from: number): Promise<Wire> {
  const wire = await Wire.open(port);
  const nonce = randomBytes(32).toString('hex');
  wire.send({ type: 'hello', version: 2, clusterId, from, kind, nonce });
  const [answer] = await wire.next(1);
  if (answer?.type === 'hello')
    wire.send({ type: 'proof', proof: proof(secret, 'dialer', clusterId, kind, from, Number(answer.from), nonce, String(answer.nonce)) });
  return wire;
}
