// A TCP connection to a node's port for the hostile-input tests: the hello exchanged as the
// protocol says (Cluster.connect builds it, so a change to the handshake is made there once), then
// whatever bytes the test writes. Frames the node sends back are collected; `closed` resolves once
// the node (or the test) closed the connection.
import { connect, type Socket } from 'node:net';

export type Frame = Record<string, unknown>;

/** A frame written by hand, not with the code under test: a 4-byte big-endian length, then the body. */
export function rawFrame(body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const header = Buffer.alloc(4);
  header.writeUInt32BE(bytes.length);
  return Buffer.concat([header, bytes]);
}

export class RawConnection {
  readonly frames: Frame[] = [];
  /** Resolves with every frame received, once the connection closed. */
  readonly closed: Promise<Frame[]>;
  private received = Buffer.alloc(0);
  private readonly waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.on('error', () => {}); // a reset is an acceptable way for the node to drop us
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      while (this.received.length >= 4 && this.received.length >= 4 + this.received.readUInt32BE(0)) {
        const length = this.received.readUInt32BE(0);
        this.frames.push(JSON.parse(this.received.subarray(4, 4 + length).toString('utf8')) as Frame);
        this.received = this.received.subarray(4 + length);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        for (const w of this.waiters.splice(0)) w();
        resolve(this.frames);
      }),
    );
  }

  /** Connects to `port`, sends `hello`, and waits for the node's hello (or its refusal). */
  static async open(port: number, hello: Frame): Promise<RawConnection> {
    const socket = connect(port, '127.0.0.1');
    const c = new RawConnection(socket);
    socket.write(rawFrame(JSON.stringify(hello)));
    await c.next();
    const first = c.frames[0];
    if (first?.type !== 'hello') throw new Error(`the node did not answer the hello: ${JSON.stringify(first ?? 'it closed the connection')}`);
    return c;
  }

  /** Resolves when another frame arrives or the connection closes. */
  private next(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    const before = this.frames.length;
    return new Promise((resolve) => {
      const check = (): void => (this.frames.length > before || this.socket.destroyed ? resolve() : void this.waiters.push(check));
      this.waiters.push(check);
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends `bytes` and half-closes: the node reads all of it, then closes (or refuses first). */
  finish(bytes: Buffer): Promise<Frame[]> {
    this.socket.end(bytes);
    return this.closed;
  }

  /** The code of the error frame the node refused the connection with, once it closed it. */
  async refusal(): Promise<unknown> {
    const frames = await this.closed;
    return frames.find((f) => f.type === 'error')?.code;
  }
}
