// Client connections share the port and the framing: a hello of kind "client", then requests
// checked by the node's validator and handed over with a way to reply on the same connection.
import { describe, expect, it } from 'vitest';
import type { ClientConnection } from '../../src/transport/client-connection.js';
import type { Validation } from '../../src/schema/json-shape.js';
import { RawConnection, answer, heartbeat, startNode, startPair } from './helpers.js';

interface Get {
  op: 'get';
  key: string;
}

function validateGet(value: unknown): Validation<Get> {
  const v = value as Partial<Get> | null;
  if (typeof v === 'object' && v !== null && v.op === 'get' && typeof v.key === 'string')
    return { ok: true, value: { op: 'get', key: v.key } };
  return { ok: false, problem: 'expected {"op":"get","key":string}' };
}

describe('client connections', () => {
  it('a client says hello, gets the node’s hello, and its requests are answered on its connection', async () => {
    const node = await startNode({ id: 1 });
    const seen: { request: Get; client: ClientConnection }[] = [];
    node.transport.onClient(validateGet, (request, client) => {
      seen.push({ request, client });
      client.reply({ ok: true, key: request.key, n: 1 });
      client.reply({ ok: true, key: request.key, n: 2 });
    });
    const raw = await RawConnection.hello(node.port, 42, { kind: 'client' });
    expect(raw.frames).toEqual([answer(1)]);
    raw.send({ op: 'get', key: 'a' });
    raw.send({ op: 'get', key: 'b' });
    expect((await raw.waitForFrames(5)).slice(1)).toEqual([
      { ok: true, key: 'a', n: 1 },
      { ok: true, key: 'a', n: 2 },
      { ok: true, key: 'b', n: 1 },
      { ok: true, key: 'b', n: 2 },
    ]);
    expect(seen.map((s) => [s.request.key, s.client.clientId])).toEqual([
      ['a', 42],
      ['b', 42],
    ]);
    expect(seen[0]!.client).toBe(seen[1]!.client);
    const [connected] = node.eventsOf('client-connected');
    expect(connected).toMatchObject({ client: seen[0]!.client.id, clientId: 42, remote: seen[0]!.client.remote });
    expect(node.transport.stats()).toMatchObject({ clients: 1, clientRequests: 2 });

    seen[0]!.client.close();
    await raw.waitForClose();
    expect(seen[0]!.client.reply({ late: true })).toBe(false);
    await node.waitForEvent('client-disconnected', (e) => e.reason === 'closed by this node');
  });

  it('a request the validator refuses closes that client’s connection; peers are unaffected', async () => {
    const [a, b] = await startPair();
    a.transport.onClient(validateGet, () => {});
    const raw = await RawConnection.hello(a.port, 0, { kind: 'client' });
    raw.send({ op: 'put' });
    expect(await raw.refusal()).toEqual({ type: 'error', code: 'invalid-request', reason: 'expected {"op":"get","key":string}' });
    expect(a.transport.stats().rejected['invalid-request']).toBe(1);
    b.transport.send(heartbeat(2, 1, 5));
    await a.waitForMessages(1, (m) => m.term === 5);
  });

  it('until the node registers a client handler, every request is refused', async () => {
    const node = await startNode({ id: 1 });
    const raw = await RawConnection.hello(node.port, 0, { kind: 'client' });
    raw.send({ op: 'get', key: 'a' });
    expect(await raw.refusal()).toMatchObject({ code: 'invalid-request', reason: 'this node takes no client requests' });
  });

  it('a client cannot send Raft messages: they are requests, and go through the request validator', async () => {
    const node = await startNode({ id: 1 });
    node.transport.onClient(validateGet, () => {});
    const raw = await RawConnection.hello(node.port, 2, { kind: 'client' });
    raw.send(heartbeat(2, 1, 1));
    expect(await raw.refusal()).toMatchObject({ code: 'invalid-request' });
    expect(node.messages).toEqual([]);
  });

  it('a reply over the frame limit is not sent: the client is told why and disconnected', async () => {
    const node = await startNode({ id: 1, maxFrameBytes: 1000 });
    let result: boolean | undefined;
    node.transport.onClient(validateGet, (_, client) => (result = client.reply({ value: 'v'.repeat(2000) })));
    const raw = await RawConnection.hello(node.port, 0, { kind: 'client' });
    raw.send({ op: 'get', key: 'big' });
    expect(await raw.refusal()).toMatchObject({
      code: 'frame-too-large',
      reason: expect.stringMatching(/the reply is 2\d{3} bytes, over the 1000-byte frame limit/),
    });
    expect(result).toBe(false);
  });
});
