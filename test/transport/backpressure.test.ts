// A peer that stops reading must not make the sender's memory grow: the socket holds about one
// buffer's worth, the queue holds at most its bound, and the rest is dropped (oldest first) and
// counted. A client that stops reading its replies is disconnected instead.
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/raft/types.js';
import { normal } from '../raft/harness.js';
import { waitFor } from '../support/wait.js';
import { RawConnection, frameOf, heartbeat, listenerAnswer, nextTurn, rawServer, startNode } from './helpers.js';

/** A listener that answers the hello like a node, then never reads another byte. */
async function stalledPeer(): Promise<{ port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const { port } = await rawServer((socket) => {
    sockets.push(socket);
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.write(
        frameOf(listenerAnswer(JSON.parse(chunk.subarray(4, 4 + chunk.readUInt32BE(0)).toString()) as Record<string, unknown>, 2)),
      );
    });
  });
  return { port, sockets };
}

const bigAppend = (i: number): Message => ({
  type: 'append',
  from: 1,
  to: 2,
  term: 1,
  prevLogIndex: i,
  prevLogTerm: 1,
  entries: [normal(i + 1, 1, 'x'.repeat(64 * 1024))],
  leaderCommit: 0,
});

describe('backpressure', () => {
  it('a peer that never reads: the queue and the socket buffer stay within their bounds, drops are counted', async () => {
    const { port } = await stalledPeer();
    const maxQueueMessages = 32;
    const maxQueueBytes = 1024 * 1024;
    const maxFrameBytes = 128 * 1024;
    const node = await startNode({ id: 1, peers: [{ id: 2, port }], maxQueueMessages, maxQueueBytes, maxFrameBytes });
    await node.waitForEvent('peer-connected', (e) => e.peer === 2);

    let sent = 0;
    let peakQueue = 0;
    let peakSocket = 0;
    // About 200 MB offered over 400 event-loop turns: far more than any kernel socket buffer.
    for (let turn = 0; turn < 400; turn++) {
      for (let i = 0; i < 8; i++) node.transport.send(bigAppend(sent++));
      await nextTurn();
      const link = node.transport.stats().links[0]!;
      expect(link.queuedMessages).toBeLessThanOrEqual(maxQueueMessages);
      expect(link.queuedBytes).toBeLessThanOrEqual(maxQueueBytes);
      peakQueue = Math.max(peakQueue, link.queuedBytes);
      peakSocket = Math.max(peakSocket, link.socketBufferedBytes);
    }
    const { links, dropped } = node.transport.stats();
    const link = links[0]!;
    // Writes stop once the socket's buffer passes its high-water mark (16 KiB): at most one frame more.
    expect(peakSocket).toBeLessThanOrEqual(16 * 1024 + 4 + maxFrameBytes);
    expect(peakQueue).toBeGreaterThan(maxQueueBytes / 2); // the bound was reached, not just respected
    expect(link.state).toBe('open');
    expect(link.dropped).toBeGreaterThan(0);
    expect(dropped['queue-full']).toBe(link.dropped);
    expect(link.sent + link.dropped + link.queuedMessages).toBe(sent);
    expect(node.eventsOf('queue-overflow')).toEqual([{ type: 'queue-overflow', peer: 2 }]);
  });

  it('heartbeats are never dropped behind a full append queue: they have their own queue, written first', async () => {
    const { port, sockets } = await stalledPeer();
    const node = await startNode({
      id: 1,
      peers: [{ id: 2, port }],
      maxQueueMessages: 32,
      maxQueueBytes: 1024 * 1024,
      maxFrameBytes: 128 * 1024,
    });
    await node.waitForEvent('peer-connected', (e) => e.peer === 2);
    let sent = 0;
    // 160 appends of 64 KiB (far over the queue's 1 MiB) and 20 heartbeats, while the peer reads nothing.
    for (let turn = 1; turn <= 20; turn++) {
      for (let i = 0; i < 8; i++) node.transport.send(bigAppend(sent++));
      node.transport.send(heartbeat(1, 2, turn));
      await nextTurn();
    }
    expect(node.transport.stats().links[0]!.dropped).toBeGreaterThan(0);
    // The peer reads again: every heartbeat arrives, whatever was dropped of the appends.
    const heartbeats: number[] = [];
    let buffered = Buffer.alloc(0);
    const peer = sockets[0]!;
    peer.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) {
        const m = JSON.parse(buffered.subarray(4, 4 + buffered.readUInt32BE(0)).toString('utf8')) as Message;
        buffered = buffered.subarray(4 + buffered.readUInt32BE(0));
        if (m.type === 'heartbeat') heartbeats.push(m.term);
      }
    });
    peer.resume();
    await waitFor('every heartbeat', () => heartbeats.length === 20);
    expect(heartbeats).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('a client that never reads its replies is disconnected once a queue’s worth waits for it', async () => {
    const node = await startNode({ id: 1, maxQueueBytes: 256 * 1024, maxFrameBytes: 64 * 1024 });
    const results: boolean[] = [];
    node.transport.onClient(
      (value) => ({ ok: true, value }),
      (_, client) => {
        for (let i = 0; i < 100; i++) results.push(client.reply({ value: 'v'.repeat(32 * 1024) }));
      },
    );
    const raw = await RawConnection.hello(node.port, 7, { kind: 'client' });
    raw.socket.pause();
    for (let i = 0; i < 20; i++) raw.send({ op: 'get' });
    const [gone] = await node.waitForEvent('client-disconnected');
    expect(gone!.reason).toMatch(/the client is not reading its replies/);
    await waitFor('replies to be attempted', () => results.length > 0);
    expect(results).toContain(false);
  });
});
