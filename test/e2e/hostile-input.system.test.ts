// Hostile bytes at a leader's port: each bad connection is refused on its own (with an error frame
// saying why, where the protocol gives one), and the node stays up, serving its cluster and its clients.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Cluster } from './cluster.js';
import { frame, handshake } from './wire.js';

const hello = (clusterId: string, kind: 'client' | 'peer' = 'client', from = 0): Buffer =>
  frame(JSON.stringify({ type: 'hello', version: 2, clusterId, from, kind, nonce: 'ab'.repeat(32) }));

/**
 * Sends `bytes` on a new connection (then half-closes it when `end`), and resolves with the frames
 * received once the node closed it.
 */
function exchange(port: number, bytes: Buffer, end = false): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    socket.on('error', () => {}); // a reset is an acceptable way for the node to drop us
    socket.on('close', () => {
      const frames = [];
      for (let at = 0; at + 4 <= received.length;) {
        const length = received.readUInt32BE(at);
        frames.push(JSON.parse(received.subarray(at + 4, at + 4 + length).toString('utf8')) as Record<string, unknown>);
        at += 4 + length;
      }
      resolve(frames);
    });
    socket.setTimeout(10_000, () => reject(new Error('the node kept a hostile connection open')));
    socket.write(bytes);
    if (end) socket.end();
  });
}

const refusal = (frames: Array<Record<string, unknown>>): unknown => frames.find((f) => f.type === 'error')?.code;

describe('hostile input to a node’s port', () => {
  it('is refused connection by connection, and the node keeps serving its cluster and its clients', async () => {
    const cluster = await Cluster.start(3);
    const { id: leader } = await cluster.leader();
    const port = cluster.ports.get(leader)!;
    const client = cluster.client();
    await client.put('before', '1');

    expect(refusal(await exchange(port, Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3])))).toBe('frame-too-large');
    expect(refusal(await exchange(port, frame('{"type":"hello",')))).toBe('bad-frame');
    expect(refusal(await exchange(port, frame(Buffer.from([0xc3, 0x28]))))).toBe('bad-frame');
    expect(refusal(await exchange(port, frame('{"hello":"there"}')))).toBe('expected-hello');
    expect(refusal(await exchange(port, frame('[1,2,3]')))).toBe('expected-hello');
    expect(refusal(await exchange(port, hello('another-cluster')))).toBe('wrong-cluster');
    expect(
      refusal(
        await exchange(port, frame(JSON.stringify({ type: 'hello', version: 1, clusterId: cluster.clusterId, from: 0, kind: 'client' }))),
      ),
    ).toBe('wrong-version');
    expect(
      refusal(
        await exchange(
          port,
          frame(JSON.stringify({ type: 'hello', version: 2, clusterId: cluster.clusterId, from: -1, kind: 'client', extra: 1 })),
        ),
      ),
    ).toBe('bad-hello');
    expect(refusal(await exchange(port, hello(cluster.clusterId, 'peer', 99)))).toBe('unknown-peer');
    // After a complete handshake, with the cluster's secret.
    const afterHello = async (body: unknown, kind: 'client' | 'peer' = 'client', from = 0) => {
      const wire = await handshake(port, cluster.clusterId, cluster.secret, kind, from);
      wire.send(JSON.stringify(body));
      await wire.refusal();
      return wire.frames;
    };
    expect(refusal(await afterHello({ id: 1, type: 'put', key: 'k' }))).toBe('invalid-request');
    expect(refusal(await afterHello({ id: 1, type: 'drop-table' }))).toBe('invalid-request');
    // Posing as a real member: the node takes the newest connection from n<follower>, and refuses the
    // impostor at its first bad message. The follower is paused meanwhile: redialing, it could take
    // the impostor's place before its message was read.
    const follower = cluster.ids.find((id) => id !== leader)!;
    cluster.node(follower).pause();
    expect(refusal(await afterHello({ type: 'vote', from: follower, to: leader, term: 'high' }, 'peer', follower))).toBe('invalid-message');
    cluster.node(follower).resume();
    expect(refusal(await afterHello({ type: 'hello', version: 2, clusterId: cluster.clusterId, from: 0, kind: 'client' }))).toBe(
      'invalid-request',
    );
    // Random bytes fail whichever check they meet first, or leave a partial frame that is dropped when we close.
    for (let i = 0; i < 20; i++) {
      const frames = await exchange(port, randomBytes(64 + i * 200), true);
      for (const f of frames) expect(['hello', 'error']).toContain(f.type);
    }

    // A flood: 200 connections at once, half of them garbage, half silent, all dropped by us.
    const sockets = Array.from({ length: 200 }, (_, i) => {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => {});
      if (i % 2 === 0) s.write(randomBytes(512));
      return s;
    });
    await Promise.all(
      sockets.map((s) => new Promise((resolve) => (s.connecting ? s.once('connect', resolve).once('close', resolve) : resolve(null)))),
    );
    expect((await client.put('during-flood', '1')).result.ok).toBe(true);
    for (const s of sockets) s.destroy();

    expect(cluster.node(leader).running).toBe(true);
    expect((await client.put('after', '2')).result.ok).toBe(true);
    expect((await client.get('before')).value).toBe('1');
    const { kv } = await cluster.converged(cluster.ids);
    expect(kv.get('after')).toBe('2');
    const rejected = cluster
      .node(leader)
      .events.filter((e) => e.type === 'connection-rejected')
      .map((e) => e.code);
    expect(new Set(rejected)).toEqual(
      new Set([
        'frame-too-large',
        'bad-frame',
        'expected-hello',
        'wrong-cluster',
        'wrong-version',
        'bad-hello',
        'unknown-peer',
        'invalid-request',
        'invalid-message',
      ]),
    );
  });
});
