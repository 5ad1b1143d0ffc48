// Two transports exchanging Raft messages over real sockets, a peer that restarts on the same
// port, and write coalescing.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/raft/types.js';
import { Transport } from '../../src/transport/transport.js';
import { isUrgent } from '../../src/transport/peer-link.js';
import { confEntry, noop, normal } from '../raft/harness.js';
import { waitFor } from '../support/wait.js';
import {
  CLUSTER,
  ManualTimers,
  Node,
  SECRET,
  RawConnection,
  heartbeat,
  nextTurn,
  numbered,
  startNode,
  startPair,
  termsOf,
} from './helpers.js';

/** One message of each type from `from` to `to`. */
function everyType(from: number, to: number): Message[] {
  return [
    { type: 'pre-vote', from, to, term: 2, lastLogIndex: 5, lastLogTerm: 1 },
    { type: 'vote', from, to, term: 2, lastLogIndex: 5, lastLogTerm: 1, transfer: true },
    { type: 'pre-vote-response', from, to, term: 2, granted: true },
    { type: 'vote-response', from, to, term: 2, granted: false, reason: 'already-voted' },
    {
      type: 'append',
      from,
      to,
      term: 2,
      prevLogIndex: 0,
      prevLogTerm: 0,
      entries: [
        normal(1, 1, 'ünïcödé 🙂'),
        noop(2, 2),
        confEntry(3, 2, { type: 'add-learner', node: 4 }, { voters: [1, 2], learners: [4] }),
      ],
      leaderCommit: 0,
    },
    { type: 'append-response', from, to, term: 2, success: false, index: 4, conflictTerm: 1, conflictIndex: 2 },
    { type: 'heartbeat', from, to, term: 2, commit: 3, context: 'r1' },
    { type: 'heartbeat-response', from, to, term: 2, context: 'r1' },
    {
      type: 'snapshot',
      from,
      to,
      term: 2,
      snapshot: { meta: { index: 3, term: 2, membership: { voters: [1, 2], learners: [] } }, data: '{"k":"v"}' },
    },
    { type: 'timeout-now', from, to, term: 2 },
  ];
}

describe('two transports', () => {
  it('exchange every message type both ways, unchanged, in order but heartbeats and votes first', async () => {
    const [a, b] = await startPair();
    for (const m of everyType(1, 2)) a.transport.send(m);
    for (const m of everyType(2, 1)) b.transport.send(m);
    const urgentFirst = (ms: Message[]): Message[] => [...ms.filter((m) => isUrgent(m.type)), ...ms.filter((m) => !isUrgent(m.type))];
    expect(await b.waitForMessages(10)).toEqual(urgentFirst(everyType(1, 2)));
    expect(await a.waitForMessages(10)).toEqual(urgentFirst(everyType(2, 1)));
    expect(a.transport.stats()).toMatchObject({ received: 10, sent: 10, inboundPeers: [2] });
  });

  it('a burst sent in one event-loop turn leaves in one write, and arrives in order', async () => {
    const [a, b] = await startPair();
    const before = a.transport.stats().links[0]!.batches;
    const burst = numbered(
      1,
      2,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    for (const m of burst) a.transport.send(m);
    expect(termsOf(await b.waitForMessages(100))).toEqual(termsOf(burst));
    expect(a.transport.stats().links[0]!.batches - before).toBe(1);
  });

  it('a burst larger than the socket buffer leaves in a few writes, one per drain', async () => {
    const [a, b] = await startPair();
    const burst = numbered(
      1,
      2,
      Array.from({ length: 1000 }, (_, i) => i + 1),
    ); // about 70 KB, within the queue's 1024
    for (const m of burst) a.transport.send(m);
    expect(termsOf(await b.waitForMessages(1000))).toEqual(termsOf(burst));
    const { batches, sent, dropped } = a.transport.stats().links[0]!;
    expect({ sent, dropped }).toEqual({ sent: 1000, dropped: 0 });
    expect(batches).toBeLessThanOrEqual(10); // each write carries a socket buffer's worth of frames (16 KiB)
  });

  it('messages to an unknown peer or to itself are counted as no-route', async () => {
    const a = await startNode({ id: 1 });
    a.transport.send(heartbeat(1, 9, 1));
    a.transport.send(heartbeat(1, 1, 1));
    expect(a.transport.stats().dropped['no-route']).toBe(2);
  });

  it('a peer that restarts on the same port is redialed with capped exponential backoff, and gets what was queued', async () => {
    // The random source fixed at 0.5 makes each delay 3/4 of its ceiling: 10, 20, 40, 80, 80 ... ms.
    const [a, b] = await startPair({ random: () => 0.5, backoff: { baseMs: 10, maxMs: 80 } });
    const port = b.port;
    a.transport.send(heartbeat(1, 2, 1));
    await b.waitForMessages(1);

    await b.transport.close();
    const [down] = await a.waitForEvent('peer-disconnected', (e) => e.peer === 2 && e.direction === 'out');
    expect(down!.retryInMs).toBe(8);
    await a.waitForEvent('peer-disconnected', (e) => e.peer === 2 && e.direction === 'in');
    const failures = await a.waitForEvent('connect-failed', (e) => e.peer === 2, 5);
    expect(failures.slice(0, 5).map((e) => [e.attempt, e.retryInMs])).toEqual([
      [1, 15],
      [2, 30],
      [3, 60],
      [4, 60],
      [5, 60],
    ]);
    for (const e of failures) expect(e.reason).toMatch(/ECONNREFUSED/);

    a.transport.send(heartbeat(1, 2, 2)); // queued while n2 is down
    const b2 = new Node(new Transport({ id: 2, clusterId: CLUSTER, secret: SECRET, port, peers: [{ id: 1, port: a.port }] }));
    try {
      await b2.transport.start();
      await a.waitForEvent('peer-connected', (e) => e.peer === 2 && e.direction === 'out', 2);
      a.transport.send(heartbeat(1, 2, 3));
      expect(termsOf(await b2.waitForMessages(2))).toEqual([2, 3]);
      b2.transport.send(heartbeat(2, 1, 4));
      await a.waitForMessages(1, (m) => m.term === 4);
      expect(a.transport.stats().links[0]).toMatchObject({ state: 'open', attempts: 0 });
    } finally {
      await b2.transport.close();
    }
  });

  it('a link waiting out a long backoff dials at once when the peer, back up, completes its hello to us', async () => {
    // The random source fixed at 0.5: each delay is 3/4 of its ceiling, 7,500 ms here. The timers are
    // fired by hand, so the only way the link can dial again is the peer's hello.
    const timers = new ManualTimers();
    const [a, b] = await startPair({ timers, random: () => 0.5, backoff: { baseMs: 10_000, maxMs: 10_000 } });
    const port = b.port;
    await b.transport.close();
    await a.waitForEvent('peer-disconnected', (e) => e.peer === 2 && e.direction === 'out');
    timers.fire(7500); // one failed attempt in the dark: the link waits out its backoff again
    await a.waitForEvent('connect-failed', (e) => e.peer === 2 && e.attempt === 1);
    expect(a.transport.stats().links[0]).toMatchObject({ state: 'waiting', attempts: 1 });
    expect(timers.pending()).toContain(7500);

    a.transport.send(heartbeat(1, 2, 5)); // queued while n2 is down
    const b2 = new Node(new Transport({ id: 2, clusterId: CLUSTER, secret: SECRET, port, peers: [{ id: 1, port: a.port }] }));
    try {
      await b2.transport.start();
      await a.waitForEvent('peer-connected', (e) => e.peer === 2 && e.direction === 'in', 2);
      await a.waitForEvent('peer-connected', (e) => e.peer === 2 && e.direction === 'out', 2);
      expect(a.transport.stats().links[0]).toMatchObject({ state: 'open', attempts: 0 });
      expect(timers.pending()).not.toContain(7500); // the backoff timer was cleared, not left to fire later
      expect(termsOf(await b2.waitForMessages(1))).toEqual([5]);
    } finally {
      await b2.transport.close();
    }
  });

  it('a newer inbound connection from the same peer replaces the older one', async () => {
    const [a, b] = await startPair();
    const impostor = await RawConnection.hello(a.port, 2);
    await a.waitForEvent(
      'peer-disconnected',
      (e) => e.peer === 2 && e.direction === 'in' && /replaced by a newer connection from n2/.test(e.reason),
    );
    // n2 redials at once, and its connection replaces the impostor's in turn.
    await impostor.waitForClose();
    await waitFor('n2 to be back', () => a.transport.stats().inboundPeers.length === 1 && b.transport.stats().links[0]!.state === 'open');
    b.transport.send(heartbeat(2, 1, 7));
    await a.waitForMessages(1, (m) => m.term === 7);
  });

  it('close() ends every connection and timer, and is idempotent', async () => {
    const [a, b] = await startPair();
    a.transport.send(heartbeat(1, 2, 1));
    await a.transport.close();
    await a.transport.close();
    await b.waitForEvent('peer-disconnected', (e) => e.peer === 1 && e.direction === 'in');
    a.transport.send(heartbeat(1, 2, 2));
    await nextTurn();
    expect(a.transport.stats()).toMatchObject({ links: [], inboundPeers: [], pending: 0 });
  });
});

describe('sending limits and configuration', () => {
  it('a message over the frame limit is not sent: counted and reported; the link keeps working', async () => {
    const [a, b] = await startPair({ maxFrameBytes: 1024, maxQueueBytes: 64 * 1024 });
    const big: Message = {
      type: 'snapshot',
      from: 1,
      to: 2,
      term: 1,
      snapshot: { meta: { index: 1, term: 1, membership: { voters: [1, 2], learners: [] } }, data: 'd'.repeat(2000) },
    };
    a.transport.send(big);
    expect(a.eventsOf('message-too-large')).toEqual([
      { type: 'message-too-large', peer: 2, message: 'snapshot', bytes: expect.any(Number), limit: 1024 },
    ]);
    expect(a.transport.stats().dropped['too-large']).toBe(1);
    a.transport.send(heartbeat(1, 2, 9));
    expect(termsOf(await b.waitForMessages(1))).toEqual([9]);
  });

  it('refuses a configuration it cannot work with', () => {
    const base = { id: 1, clusterId: CLUSTER, secret: SECRET };
    expect(() => new Transport({ ...base, id: 0 })).toThrow(/a node id is an integer from 1/);
    expect(() => new Transport({ ...base, clusterId: '' })).toThrow(/a cluster id must have 1 to 128 characters/);
    expect(() => new Transport({ ...base, maxFrameBytes: 1000, maxQueueBytes: 1000 })).toThrow(/must hold at least one frame/);
    expect(() => new Transport({ ...base, maxQueueMessages: 0 })).toThrow(/maxQueueMessages must be a positive integer/);
    expect(() => new Transport({ ...base, peers: [{ id: 1, port: 1 }] })).toThrow(/n1 is this node, not a peer/);
  });

  it('start() rejects when the port is taken, and the address is only known once listening', async () => {
    const a = await startNode({ id: 1 });
    const b = new Transport({ id: 2, clusterId: CLUSTER, secret: SECRET, port: a.port });
    expect(() => b.address).toThrow(/call start\(\) first/);
    await expect(b.start()).rejects.toThrow(/EADDRINUSE/);
    await b.close();
  });
});

describe('peers added and removed at run time', () => {
  it('addPeer dials a new node at once; removePeer stops sending to it', async () => {
    const a = await startNode({ id: 1 });
    const c = await startNode({ id: 3, peers: [{ id: 1, port: a.port }] });
    a.transport.addPeer({ id: 3, port: c.port });
    a.transport.send(heartbeat(1, 3, 1));
    expect(termsOf(await c.waitForMessages(1))).toEqual([1]);
    a.transport.removePeer(3);
    a.transport.send(heartbeat(1, 3, 2));
    expect(a.transport.stats()).toMatchObject({ links: [], dropped: expect.objectContaining({ 'no-route': 1 }) });
    await c.waitForEvent('peer-disconnected', (e) => e.peer === 1 && e.direction === 'in');
  });

  it('refuses a peer address it could never dial', async () => {
    const a = await startNode({ id: 1 });
    expect(() => a.transport.addPeer({ id: 2, port: 70_000 })).toThrow(/n2's port must be 1 to 65535, got 70000/);
    expect(() => a.transport.addPeer({ id: 0, port: 7000 })).toThrow(/a peer's id is an integer from 1/);
  });
});
