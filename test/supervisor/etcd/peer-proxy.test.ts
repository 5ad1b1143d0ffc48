// The peer fault proxy against a loopback stand-in for an etcd member's peer listener: stream GETs
// answered 200 and held open (etcd writes its messages to the dialer on them), and POST /raft
// answered 204 once its message is read. Time comes from held timers the test fires.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LinkFaultModel } from '../../../src/cluster-model/model.js';
import { ClusterError } from '../../../src/cluster-model/errors.js';
import { Random } from '../../../src/sim/random.js';
import { linkOf } from '../../../src/supervisor/links.js';
import { PeerProxy, type PeerProxyOptions } from '../../../src/supervisor/etcd/peer-proxy.js';
import type { Timers } from '../../../src/transport/timers.js';
import { waitFor } from '../../support/wait.js';

// The member behind the proxy is n1 (id "a1"); its peers are n2 ("b2") and n3 ("c3").
const IDS: Record<string, number> = { a1: 1, b2: 2, c3: 3 };
const senderOf = (hex: string): number | null => IDS[hex] ?? null;

/** A stand-in for etcd's peer listener. */
class FakeMember {
  readonly streams = new Set<ServerResponse>();
  readonly messages: { from: string | undefined; body: string }[] = [];
  private constructor(readonly server: Server) {}

  static async start(): Promise<FakeMember> {
    const server = createServer();
    const member = new FakeMember(server);
    server.on('request', (req, res) => member.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return member;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET' && req.url?.startsWith('/raft/stream/') === true) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.flushHeaders();
      this.streams.add(res);
      res.on('close', () => this.streams.delete(res));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST')
        this.messages.push({ from: req.headers['x-server-from'] as string | undefined, body: Buffer.concat(chunks).toString() });
      res.writeHead(req.method === 'POST' ? 204 : 200).end(req.method === 'POST' ? undefined : 'ok');
    });
  }

  /** Writes a frame on every open stream. */
  send(text: string): void {
    for (const s of this.streams) s.write(text);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Timers the test fires by hand. */
class HeldTimers implements Timers {
  readonly pending = new Map<number, { callback: () => void; ms: number }>();
  private next = 1;
  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.next++;
    this.pending.set(handle, { callback, ms });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fireAll(): void {
    const due = [...this.pending.entries()];
    this.pending.clear();
    for (const [, t] of due) t.callback();
  }
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(extra: Partial<PeerProxyOptions> = {}): Promise<{ member: FakeMember; proxy: PeerProxy; timers: HeldTimers }> {
  const member = await FakeMember.start();
  cleanup.push(() => member.close());
  const timers = new HeldTimers();
  const proxy = await PeerProxy.start({ member: 1, listenPort: 0, targetPort: member.port, senderOf, timers, ...extra });
  cleanup.push(() => proxy.close());
  return { member, proxy, timers };
}

const link = (from: number, to: number, fault: Partial<LinkFaultModel>): LinkFaultModel => ({ ...linkOf([], from, to), ...fault });

interface OpenStream {
  status: number;
  received: () => string;
  closed: () => boolean;
}

/** Dials a stream as etcd's stream reader does: sender `from` reads n1's messages to it. */
function openStream(port: number, from: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: `/raft/stream/message/${from}`,
      headers: { 'x-server-from': from, 'x-raft-to': 'a1' },
      agent: false,
    });
    req.on('response', (res) => {
      let text = '';
      let closed = false;
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('error', () => (closed = true));
      res.on('close', () => (closed = true));
      resolve({ status: res.statusCode ?? 0, received: () => text, closed: () => closed });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A pipeline post of one message from `from`; resolves with the status. */
function post(port: number, from: string | null, body: string, path = '/raft'): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = from === null ? {} : { 'x-server-from': from };
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('PeerProxy', () => {
  it('passes streams and messages both ways when no fault is set', async () => {
    const { member, proxy } = await setup();
    const stream = await openStream(proxy.port, 'b2');
    expect(stream.status).toBe(200);
    member.send('heartbeat');
    await waitFor('the frame through the proxy', () => stream.received() === 'heartbeat');
    expect(await post(proxy.port, 'b2', 'append')).toBe(204);
    expect(member.messages).toEqual([{ from: 'b2', body: 'append' }]);
    expect(proxy.stats().links).toEqual([
      { from: 1, to: 2, forwarded: 1, refused: 0, dropped: 0, delayed: 0, cut: 0 },
      { from: 2, to: 1, forwarded: 1, refused: 0, dropped: 0, delayed: 0, cut: 0 },
    ]);
  });

  it('refuses what carries a blocked direction and cuts its open stream, and passes the other direction', async () => {
    const { member, proxy } = await setup();
    const toB = await openStream(proxy.port, 'b2');
    proxy.setLinks([link(1, 2, { blocked: true })]);
    await waitFor('the stream n1 -> n2 cut', () => toB.closed());
    expect((await openStream(proxy.port, 'b2')).status).toBe(503);
    // n2 -> n1 is not blocked: n2's messages still arrive.
    expect(await post(proxy.port, 'b2', 'vote')).toBe(204);
    expect(member.messages).toHaveLength(1);

    proxy.setLinks([link(2, 1, { blocked: true })]);
    expect(await post(proxy.port, 'b2', 'vote')).toBe(503);
    expect(member.messages).toHaveLength(1);
    expect((await openStream(proxy.port, 'b2')).status).toBe(200);
    const s = proxy.stats().links;
    expect(s.find((l) => l.from === 1)).toMatchObject({ refused: 1, cut: 1 });
    expect(s.find((l) => l.from === 2)).toMatchObject({ refused: 1, forwarded: 1 });
  });

  it('passes a stream on a delayed link late, in order, without cutting it', async () => {
    const { member, proxy, timers } = await setup();
    const stream = await openStream(proxy.port, 'b2');
    proxy.setLinks([link(1, 2, { delayMs: 100 })]);
    member.send('one;');
    member.send('two;');
    await waitFor('both writes held', () => timers.pending.size === 2);
    expect(stream.received()).toBe('');
    timers.fireAll();
    await waitFor('both writes through', () => stream.received() === 'one;two;');
    expect(stream.closed()).toBe(false);
    expect(proxy.stats().links).toEqual([{ from: 1, to: 2, forwarded: 1, refused: 0, dropped: 0, delayed: 2, cut: 0 }]);
  });

  it('refuses the streams of a lossy direction so that etcd falls back to posts, which pass', async () => {
    const { member, proxy, timers } = await setup();
    proxy.setLinks([link(1, 2, { loss: 0.0001 }), link(2, 1, { loss: 0.0001 })]);
    expect((await openStream(proxy.port, 'b2')).status).toBe(503);
    expect(await post(proxy.port, 'b2', 'append')).toBe(204);
    timers.fireAll();
    await waitFor('the message delivered', () => member.messages.length === 1);
    expect(member.messages[0]).toEqual({ from: 'b2', body: 'append' });
  });

  it('drops posts at the seeded loss rate, answering 204 as a network that loses them', async () => {
    const run = async (seed: number): Promise<number> => {
      const { member, proxy, timers } = await setup({ random: new Random(seed, 'loss').asFunction() });
      proxy.setLinks([link(3, 1, { loss: 0.3 })]);
      for (let i = 0; i < 200; i++) expect(await post(proxy.port, 'c3', `m${i}`)).toBe(204);
      timers.fireAll();
      const { dropped, forwarded } = proxy.stats().links[0] ?? { dropped: -1, forwarded: -1 };
      await waitFor('the messages not lost delivered', () => member.messages.length === forwarded);
      expect(dropped + forwarded).toBe(200);
      return dropped;
    };
    const dropped = await run(7);
    expect(dropped).toBeGreaterThan(40);
    expect(dropped).toBeLessThan(80);
    expect(await run(7)).toBe(dropped);
  });

  it('holds a delayed message until its timer fires, in the order they came', async () => {
    const { member, proxy, timers } = await setup();
    proxy.setLinks([link(2, 1, { delayMs: 100 })]);
    expect(await post(proxy.port, 'b2', 'first')).toBe(204);
    expect(await post(proxy.port, 'b2', 'second')).toBe(204);
    expect([...timers.pending.values()].map((t) => t.ms)).toEqual([100, 100]);
    expect(member.messages).toEqual([]);
    timers.fireAll();
    await waitFor('both delivered', () => member.messages.length === 2);
    expect(member.messages.map((m) => m.body)).toEqual(['first', 'second']);
    expect(proxy.stats().links[0]).toMatchObject({ delayed: 2, forwarded: 2 });
  });

  it('holds a snapshot on a delayed link before passing it through whole, however lossy the link', async () => {
    const { member, proxy, timers } = await setup();
    proxy.setLinks([link(2, 1, { delayMs: 100, loss: 0.9999 })]);
    const answered = post(proxy.port, 'b2', 'snapshot data', '/raft/snapshot');
    await waitFor('the snapshot held', () => timers.pending.size === 1);
    expect(member.messages).toEqual([]);
    timers.fireAll();
    expect(await answered).toBe(204);
    expect(member.messages).toEqual([{ from: 'b2', body: 'snapshot data' }]);
    expect(proxy.stats().links[0]).toMatchObject({ delayed: 1, forwarded: 1, dropped: 0 });
  });

  it('loses a held message whose link is blocked before its delay is over', async () => {
    const { member, proxy, timers } = await setup();
    proxy.setLinks([link(2, 1, { delayMs: 100 })]);
    expect(await post(proxy.port, 'b2', 'late')).toBe(204);
    proxy.setLinks([link(2, 1, { blocked: true })]);
    timers.fireAll();
    expect(proxy.stats().links[0]).toMatchObject({ delayed: 1, dropped: 1, forwarded: 0 });
    expect(member.messages).toEqual([]);
  });

  it('cuts only the open streams that the new faults refuse', async () => {
    const { member, proxy } = await setup();
    const toB = await openStream(proxy.port, 'b2');
    const toC = await openStream(proxy.port, 'c3');
    proxy.setLinks([link(1, 3, { loss: 0.5 }), link(2, 1, { blocked: true })]);
    await waitFor('the stream n1 -> n3 cut', () => toC.closed());
    member.send('x');
    await waitFor('n2 still reads', () => toB.received() === 'x');
    expect(toB.closed()).toBe(false);
    expect(proxy.stats().links.find((l) => l.from === 1 && l.to === 3)).toMatchObject({ cut: 1 });
  });

  it('passes requests without a known sender, and counts them', async () => {
    const { member, proxy } = await setup();
    proxy.setLinks([link(1, 2, { blocked: true }), link(2, 1, { blocked: true })]);
    expect(await post(proxy.port, null, 'lease renewal', '/leases')).toBe(204);
    expect(await post(proxy.port, 'ffff', 'from a member not known yet')).toBe(204);
    expect(member.messages).toHaveLength(2);
    expect(proxy.stats().unidentified).toBe(2);
  });

  it('cuts a stream opened before its sender was known once it is and its link is blocked', async () => {
    const known = new Map<string, number>();
    const { proxy } = await setup({ senderOf: (hex) => known.get(hex) ?? null });
    const early = await openStream(proxy.port, 'b2');
    expect(early.status).toBe(200);
    known.set('b2', 2);
    proxy.setLinks([link(1, 2, { blocked: true })]);
    await waitFor('the early stream cut', () => early.closed());
    expect(proxy.stats()).toMatchObject({ unidentified: 1, links: [{ from: 1, to: 2, cut: 1 }] });
  });

  it('answers 502 while the member is down, and survives garbage and clients that go away', async () => {
    const { member, proxy } = await setup();
    // Garbage instead of HTTP, and a client gone in the middle of a body.
    await new Promise<void>((resolve) => {
      const s = connect(proxy.port, '127.0.0.1', () => s.end('NOT HTTP AT ALL\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => undefined);
      s.resume();
    });
    await new Promise<void>((resolve) => {
      const s = connect(proxy.port, '127.0.0.1', () => {
        s.write('POST /raft HTTP/1.1\r\nx-server-from: b2\r\ncontent-length: 1000\r\n\r\npartial');
        setImmediate(() => s.destroy());
      });
      s.on('close', () => resolve());
    });
    const stream = await openStream(proxy.port, 'c3');
    await member.close();
    await waitFor('the stream ends with the member', () => stream.closed());
    expect(await post(proxy.port, 'b2', 'to nobody')).toBe(502);
    expect(proxy.stats().upstreamFailed).toBeGreaterThanOrEqual(1);
  });

  it('fails with port-in-use when its port is taken', async () => {
    const { proxy } = await setup();
    const err = await PeerProxy.start({ member: 2, listenPort: proxy.port, targetPort: 1, senderOf }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).problem).toMatchObject({ code: 'port-in-use', port: proxy.port });
  });

  it('cuts every connection when closed', async () => {
    const { proxy } = await setup();
    const stream = await openStream(proxy.port, 'b2');
    await proxy.close();
    await waitFor('the stream closed', () => stream.closed());
  });
});
