// Bounded resources (docs/PROTOCOL.md 1.3): budgets for unfinished frames, the frame timeout, caps
// on connections derived from the open-file limit, and backpressure on a client's requests in flight.
import { describe, expect, it } from 'vitest';
import { ByteBudget, RESERVED_DESCRIPTORS, connectionCaps, openFileLimit } from '../../src/transport/limits.js';
import type { ClientConnection } from '../../src/transport/client-connection.js';
import { waitFor } from '../support/wait.js';
import { ManualTimers, RawConnection, admit, nextTurn, startNode } from './helpers.js';

/** The first `n` bytes of a frame announcing `length` bytes of body. */
function partialFrame(length: number, n: number): Buffer {
  const bytes = Buffer.alloc(4 + n, 0x20);
  bytes.writeUInt32BE(length, 0);
  return bytes;
}

const acceptAll = (value: unknown) => ({ ok: true as const, value });

describe('limits', () => {
  it('a byte budget lets owners grow within the limit, and always shrink', () => {
    const budget = new ByteBudget(100);
    const a = {};
    const b = {};
    expect(budget.hold(a, 60)).toBe(true);
    expect(budget.hold(b, 50)).toBe(false);
    expect(budget.hold(b, 40)).toBe(true);
    expect(budget.hold(a, 61)).toBe(false);
    expect(budget.hold(a, 10)).toBe(true);
    expect(budget.used).toBe(50);
    budget.release(b);
    expect(budget.used).toBe(10);
  });

  it('connection caps keep descriptors for the node and its peers, and room for hellos and lingering refusals', () => {
    expect(connectionCaps(1024, 2)).toEqual({ maxInbound: 920, maxPending: 230, maxClients: 658 });
    expect(connectionCaps(20000, 4)).toEqual({
      maxInbound: 20000 - RESERVED_DESCRIPTORS - 16,
      maxPending: 256,
      maxClients: 20000 - RESERVED_DESCRIPTORS - 16 - 256 - 32,
    });
    // A tiny limit still serves someone.
    expect(connectionCaps(10, 2).maxClients).toBeGreaterThanOrEqual(1);
    expect(openFileLimit()).toBeGreaterThan(0);
  });

  it('a client whose unfinished frame would pass the clients’ budget is refused with over-budget; peers have their own', async () => {
    const node = await startNode({ id: 1, clientFrameBudgetBytes: 10_000, peerFrameBudgetBytes: 10_000 });
    node.transport.onClient(acceptAll, (request, client) => client.reply(request));
    admit(node, 2);
    const first = await RawConnection.hello(node.port, 0, { kind: 'client' });
    first.write(partialFrame(8000, 6000));
    await waitFor('the first client to hold its frame', () => node.transport.stats().unfinishedFrameBytes.clients === 6004);
    const second = await RawConnection.hello(node.port, 0, { kind: 'client' });
    second.write(partialFrame(8000, 6000));
    expect(await second.refusal()).toMatchObject({ type: 'error', code: 'over-budget' });
    // A peer's frame of the same size fits in the peers' budget.
    const peer = await RawConnection.hello(node.port, 2);
    peer.write(partialFrame(8000, 6000));
    await waitFor('the peer to hold its frame', () => node.transport.stats().unfinishedFrameBytes.peers === 6004);
    // The first client finishes its frame: it is served, and its bytes go back to the budget.
    first.write(Buffer.from(`"${'x'.repeat(1998)}"`)); // 6000 spaces and a string: valid JSON
    await waitFor('the finished frame to leave the budget', () => node.transport.stats().unfinishedFrameBytes.clients === 0);
    await waitFor('the finished frame to be handled', () => node.transport.stats().clientRequests === 1);
    const third = await RawConnection.hello(node.port, 0, { kind: 'client' });
    third.send({ small: true });
    expect((await third.waitForFrames(2))[1]).toEqual({ small: true });
    expect(peer.closed).toBe(false);
  });

  it('after the hello, a frame not finished within the frame timeout is refused with frame-timeout', async () => {
    const timers = new ManualTimers();
    const node = await startNode({ id: 1, timers, frameTimeoutMs: 7777 });
    node.transport.onClient(acceptAll, (request, client) => client.reply(request));
    const raw = await RawConnection.hello(node.port, 0, { kind: 'client' });
    raw.send({ whole: 1 });
    await raw.waitForFrames(2);
    expect(timers.pending()).not.toContain(7777); // nothing unfinished, nothing timed
    raw.write(partialFrame(100, 10));
    await waitFor('the frame timer', () => timers.pending().includes(7777));
    expect(timers.fire(7777)).toBe(1);
    expect(await raw.refusal()).toMatchObject({ code: 'frame-timeout' });
  });

  it('past the client cap, the client idle longest makes room (never one owed an answer), and a peer still gets in', async () => {
    // 40 inbound connections: 10 in their hello, 10 lingering, 20 clients.
    const node = await startNode({ id: 1, openFileLimit: RESERVED_DESCRIPTORS + 40 });
    node.transport.onClient(acceptAll, () => {}); // never answers: a client that asks stays owed
    admit(node, 2);
    const clients = [];
    for (let i = 0; i < 20; i++) clients.push(await RawConnection.hello(node.port, i, { kind: 'client' }));
    await waitFor('twenty clients', () => node.transport.stats().clients === 20);
    clients[0]!.send({ id: 1, type: 'status' });
    await waitFor('the first client to ask', () => node.transport.stats().clientRequests === 1);
    const extra = await RawConnection.hello(node.port, 0, { kind: 'client' });
    // clients[0] waits for an answer; clients[1] is then the one idle longest.
    expect(await clients[1]!.refusal()).toMatchObject({ code: 'too-many-connections', reason: expect.stringMatching(/idle longest/) });
    expect(extra.closed).toBe(false);
    expect(clients[0]!.closed).toBe(false);
    const peer = await RawConnection.hello(node.port, 2);
    await waitFor('the peer to be admitted', () => node.transport.stats().inboundPeers.includes(2));
    expect(peer.closed).toBe(false);
    expect(node.transport.stats().clients).toBe(20);
  });

  it('past the client cap with every client owed an answer, the newcomer is refused', async () => {
    const node = await startNode({ id: 1, openFileLimit: RESERVED_DESCRIPTORS + 40 });
    node.transport.onClient(acceptAll, () => {});
    const clients = [];
    for (let i = 0; i < 20; i++) clients.push(await RawConnection.hello(node.port, i, { kind: 'client' }));
    for (const c of clients) c.send({ id: 1, type: 'status' });
    await waitFor('every client to ask', () => node.transport.stats().clientRequests === 20);
    const extra = await RawConnection.hello(node.port, 0, { kind: 'client' });
    expect(await extra.refusal()).toMatchObject({
      code: 'too-many-connections',
      reason: expect.stringMatching(/all with requests in flight/),
    });
    expect(clients.every((c) => !c.closed)).toBe(true);
  });

  it('past the cap on connections in their hello, the oldest is refused to make room', async () => {
    const node = await startNode({ id: 1, maxPendingConnections: 3 });
    admit(node, 2);
    const silent = [];
    for (let i = 0; i < 3; i++) silent.push(await RawConnection.open(node.port));
    await waitFor('three connections in their hello', () => node.transport.stats().pending === 3);
    const peer = await RawConnection.hello(node.port, 2);
    expect(peer.frames[0]).toMatchObject({ type: 'hello', from: 1 });
    expect(await silent[0]!.refusal()).toMatchObject({ code: 'too-many-connections' });
    expect(silent[1]!.closed).toBe(false);
  });

  it('a client with too many requests in flight is not read until replies bring it down to the low-water mark', async () => {
    const node = await startNode({ id: 1, maxClientInflight: 4, resumeClientInflight: 2 });
    const waiting: { request: unknown; client: ClientConnection }[] = [];
    node.transport.onClient(acceptAll, (request, client) => waiting.push({ request, client }));
    const raw = await RawConnection.hello(node.port, 0, { kind: 'client' });
    raw.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => frameBytes({ n: i }))));
    await waitFor('four requests', () => waiting.length === 4);
    await nextTurn();
    expect(waiting).toHaveLength(4); // the other six stay unread
    for (const w of waiting.splice(0, 1)) w.client.reply(w.request);
    expect(waiting).toHaveLength(3); // 3 in flight: above the low-water mark
    for (const w of waiting.splice(0, 1)) w.client.reply(w.request);
    expect(waiting.map((w) => (w.request as { n: number }).n)).toEqual([2, 3, 4, 5]); // at 2: read on, up to 4 again
    while (waiting.length > 0) for (const w of waiting.splice(0)) w.client.reply(w.request);
    await waitFor('every reply', () => raw.frames.length === 11);
  });

  it('clients together hand the node at most its budget of requests per event-loop turn; the rest wait a turn', async () => {
    const node = await startNode({ id: 1, clientRequestsPerTurn: 3 });
    // Requests handed over in one go (one callback of the event loop) form a batch.
    const batches: number[][] = [];
    let batch: number[] | null = null;
    node.transport.onClient(acceptAll, (request, client) => {
      if (batch === null) {
        const current: number[] = (batch = []);
        batches.push(current);
        queueMicrotask(() => (batch = null));
      }
      batch.push((request as { n: number }).n);
      client.reply(request);
    });
    const raw = await RawConnection.hello(node.port, 0, { kind: 'client' });
    raw.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => frameBytes({ n: i }))));
    await waitFor('every reply', () => raw.frames.length === 11);
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
  });
});

function frameBytes(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  return Buffer.concat([partialFrame(body.length, 0), body]);
}
