// Whatever arrives on one connection (random bytes, invalid JSON, JSON of the wrong shape, an
// unknown message type, a huge length prefix, a flood of connections) closes that connection, is
// counted and reported, and never reaches the core; a well-behaved peer keeps being served.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/transport/hello.js';
import { prng } from '../raft/harness.js';
import { waitFor } from '../support/wait.js';
import {
  ManualTimers,
  type Node,
  RawConnection,
  admit,
  answer,
  frameOf,
  heartbeat,
  hello,
  nextTurn,
  rawFrame,
  startNode,
  startPair,
} from './helpers.js';

/** n2 (a real transport) reaches n1 with one more message: the good connection still works. */
async function goodPeerStillServed(a: Node, b: Node): Promise<void> {
  const term = 1000 + a.messages.length;
  b.transport.send(heartbeat(2, 1, term));
  await a.waitForMessages(1, (m) => m.term === term);
  expect(a.eventsOf('peer-disconnected').filter((e) => e.peer === 2)).toEqual([]);
}

function randomBytes(seed: number, n: number): Buffer {
  const rnd = prng(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
}

describe('bad input on one connection', () => {
  const afterHello: [string, (raw: RawConnection) => void, ErrorCode, RegExp][] = [
    ['invalid JSON', (raw) => raw.write(rawFrame(Buffer.from('{"type":"append",'))), 'bad-frame', /not valid JSON/],
    ['a body that is not UTF-8', (raw) => raw.write(rawFrame(randomBytes(7, 64).fill(0xff, 0, 1))), 'bad-frame', /not valid UTF-8/],
    [
      'JSON of the wrong shape',
      (raw) => raw.send({ ...heartbeat(3, 1, 1), term: -5 }),
      'invalid-message',
      /term must be an integer from 0 to 281474976710656, got -5/,
    ],
    ['valid JSON that is not an object', (raw) => raw.send([1, 2, 3]), 'invalid-message', /must be a JSON object/],
    [
      'an unknown message type',
      (raw) => raw.send({ type: 'gossip', from: 3, to: 1, term: 1 }),
      'invalid-message',
      /unknown message type "gossip"/,
    ],
    ['a message for another node', (raw) => raw.send(heartbeat(3, 2, 1)), 'invalid-message', /to is n2, but this is n1/],
    [
      'a message that claims another sender',
      (raw) => raw.send(heartbeat(2, 1, 1)),
      'invalid-message',
      /from is n2, but this connection's hello came from n3/,
    ],
    [
      'a 4 GiB length prefix',
      (raw) => raw.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7b])),
      'frame-too-large',
      /4294967295 bytes was announced, the limit is 8388608/,
    ],
    ['a frame just over the limit', (raw) => raw.write(Buffer.from([0x00, 0x80, 0x00, 0x01])), 'frame-too-large', /8388609 bytes/],
  ];

  it.each(afterHello)(
    '%s after a good hello: refused, counted, reported; the good peer is unaffected',
    async (_, misbehave, code, reason) => {
      const [a, b] = await startPair();
      await goodPeerStillServed(a, b);
      admit(a, 3);
      const raw = await RawConnection.hello(a.port, 3);
      raw.send(heartbeat(3, 1, 1)); // a valid message first: it is delivered
      await a.waitForMessages(1, (m) => m.from === 3);
      misbehave(raw);
      const refusal = await raw.refusal();
      expect(refusal.code).toBe(code);
      expect(refusal.reason).toMatch(reason);
      expect(a.transport.stats().rejected[code]).toBe(1);
      const [event] = await a.waitForEvent('connection-rejected');
      expect(event).toMatchObject({ direction: 'in', peer: 3, code, reason: refusal.reason });
      expect(a.messages.filter((m) => m.from === 3)).toHaveLength(1);
      await goodPeerStillServed(a, b);
    },
  );

  it('random bytes from the first byte on: every connection is refused, none reaches the core', async () => {
    const [a, b] = await startPair();
    for (let seed = 1; seed <= 20; seed++) {
      const raw = await RawConnection.open(a.port);
      raw.write(randomBytes(seed, 1 + ((seed * 37) % 300)));
      const refusal = await raw.refusal();
      expect(['frame-too-large', 'bad-frame', 'expected-hello']).toContain(refusal.code);
      await goodPeerStillServed(a, b);
    }
    const rejected = a.transport.stats().rejected;
    expect(rejected['frame-too-large'] + rejected['bad-frame'] + rejected['expected-hello']).toBe(20);
    expect(a.messages.every((m) => m.from === 2)).toBe(true);
  });

  it('a flood of 200 connections opened and dropped leaves the node serving, with nothing left over', async () => {
    const [a, b] = await startPair();
    const behaviours = [
      (raw: RawConnection) => raw.socket.destroy(), // connect and vanish
      (raw: RawConnection) => raw.socket.end(Buffer.from([0x00, 0x00])), // half a length prefix
      (raw: RawConnection) => raw.socket.end(frameOf(hello(3)).subarray(0, 20)), // half a hello
      (raw: RawConnection) => raw.socket.end(frameOf(hello(50))), // a full hello, then gone
      (raw: RawConnection) => raw.socket.end(randomBytes(3, 100)),
    ];
    const raws = await Promise.all(Array.from({ length: 200 }, () => RawConnection.open(a.port)));
    raws.forEach((raw, i) => behaviours[i % behaviours.length]!(raw));
    await Promise.all(raws.map((raw) => raw.waitForClose()));
    await waitFor('every flooding connection to be gone', () => {
      const s = a.transport.stats();
      return s.pending === 0 && s.inboundPeers.length === 1;
    });
    await goodPeerStillServed(a, b);
    admit(a, 4);
    const late = await RawConnection.hello(a.port, 4);
    expect(late.frames).toEqual([answer(1)]);
  });

  it('a refused connection that stays half-open is cut once the linger time is up', async () => {
    const timers = new ManualTimers();
    const node = await startNode({ id: 1, timers });
    const socket = connect({ host: '127.0.0.1', port: node.port, allowHalfOpen: true });
    let ended = false;
    let closed = false;
    socket.on('data', () => {}); // 'end' comes only once what precedes it (the error frame) is read
    socket.on('end', () => (ended = true));
    socket.on('close', () => (closed = true));
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(frameOf(heartbeat(2, 1, 1)));
    await waitFor('the node to half-close after its error frame', () => ended);
    socket.write(Buffer.alloc(1000, 0x41)); // still read, and discarded
    await nextTurn();
    expect(closed).toBe(false);
    expect(timers.fire(2000)).toBe(1);
    // The node has closed its end: the next writes meet a reset, which closes ours.
    await waitFor('the node to close the connection', () => {
      if (!closed) socket.write('x');
      return closed;
    });
    socket.destroy();
  });
});
