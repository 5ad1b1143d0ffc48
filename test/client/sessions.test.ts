// Write sessions: sequence numbers, one write in flight per clientId, several sessions in
// parallel, and starting over under a new clientId when the old one cannot go on.
import { afterEach, describe, expect, it } from 'vitest';
import { RaftClient, RaftClientError } from '../../src/client/index.js';
import { waitFor } from '../support/wait.js';
import { CLUSTER, FakeNode, SECRET, errorFor, okFor, type Exchange } from './fake-node.js';

const clients: RaftClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

function client(address: string, clientId?: string): RaftClient {
  const c = new RaftClient({
    clusterId: CLUSTER,
    secret: SECRET,
    nodes: [address],
    attemptTimeoutMs: 200,
    timeoutMs: 1000,
    backoff: { baseMs: 1, maxMs: 5 },
    ...(clientId ? { clientId } : {}),
  });
  clients.push(c);
  return c;
}

describe('write sessions', () => {
  it('a new client starts at seq 1 and numbers its writes 1, 2, 3 under its clientId', async () => {
    const node = await FakeNode.start(1);
    const c = client(node.address, 'me');
    await c.put('a', '1');
    await c.cas('a', '1', '2');
    await c.submit('text');
    expect(node.requests.map((r) => [r.clientId, r.seq])).toEqual([
      ['me', 1],
      ['me', 2],
      ['me', 3],
    ]);
  });

  it('writes of one session are sent one at a time, in call order; reads do not wait for them', async () => {
    const node = await FakeNode.start(1);
    const held: Exchange[] = [];
    node.onRequest = (x) => (x.request.type === 'get' ? x.reply(okFor(x.request)) : held.push(x));
    const c = client(node.address);
    const writes = [c.put('a', '1'), c.put('b', '2'), c.delete('a')];
    await waitFor('the first write', () => held.length === 1);
    await c.get('a');
    expect(held).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      await waitFor(`write ${i + 1}`, () => held.length === i + 1);
      held[i]!.reply(okFor(held[i]!.request, 10 + i));
    }
    expect((await Promise.all(writes)).map((w) => w.index)).toEqual([10, 11, 12]);
    expect(held.map((x) => [x.request.type, x.request.seq])).toEqual([
      ['put', 1],
      ['put', 2],
      ['delete', 3],
    ]);
  });

  it('sessions have their own clientIds and write in parallel', async () => {
    const node = await FakeNode.start(1);
    const held: Exchange[] = [];
    node.onRequest = (x) => held.push(x);
    const c = client(node.address);
    const s = c.session();
    const both = Promise.all([c.put('a', '1'), s.put('b', '2')]);
    await waitFor('both writes in flight', () => held.length === 2);
    for (const x of held) x.reply(okFor(x.request));
    await both;
    expect(held.map((x) => x.request.seq)).toEqual([1, 1]);
    expect(new Set(held.map((x) => x.request.clientId))).toEqual(new Set([c.clientId, s.clientId]));
  });

  it('a command the state machine would refuse is refused before sending, and uses up no seq', async () => {
    const node = await FakeNode.start(1);
    const c = client(node.address);
    const err = await c.put('k', 'x'.repeat(20_000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RaftClientError);
    expect(err).toMatchObject({ code: 'invalid-command' });
    expect((err as Error).message).toContain('over the limit');
    await c.put('', 'v').catch(() => {});
    await c.put('k', 'v');
    expect(node.requests.map((r) => r.seq)).toEqual([1]);
  });

  it('a first write whose outcome is unknown makes the session start over under a new clientId at seq 1', async () => {
    const node = await FakeNode.start(1);
    node.onRequest = (x) => x.reply(errorFor(x.request, 'timeout'));
    const c = client(node.address);
    const first = c.clientId;
    expect(await c.put('a', '1', { timeoutMs: 100 }).catch((e: unknown) => (e instanceof RaftClientError ? e.code : e))).toBe('no-leader');
    node.onRequest = (x) => x.reply(okFor(x.request));
    await c.put('b', '2');
    const last = node.requests.at(-1)!;
    expect(last.clientId).not.toBe(first);
    expect(last.seq).toBe(1);
    expect(c.clientId).toBe(last.clientId);
  });

  it('once a write went through, a later failure keeps the clientId and moves on to the next seq', async () => {
    const node = await FakeNode.start(1);
    const c = client(node.address, 'kept');
    await c.put('a', '1');
    node.onRequest = (x) => x.reply(errorFor(x.request, 'unavailable'));
    await c.put('b', '2', { timeoutMs: 100 }).catch(() => {});
    node.onRequest = (x) => x.reply(okFor(x.request));
    await c.put('c', '3');
    expect(node.requests.at(-1)).toMatchObject({ clientId: 'kept', seq: 3 });
  });

  it('session-expired is reported, and the session starts over under a new clientId', async () => {
    const node = await FakeNode.start(1);
    const c = client(node.address, 'old');
    await c.put('a', '1');
    node.onRequest = (x) => x.reply(errorFor(x.request, 'session-expired'));
    expect(await c.put('b', '2').catch((e: unknown) => (e instanceof RaftClientError ? e.code : e))).toBe('session-expired');
    node.onRequest = (x) => x.reply(okFor(x.request));
    await c.put('b', '2');
    expect(node.requests.at(-1)).toMatchObject({ seq: 1 });
    expect(node.requests.at(-1)!.clientId).not.toBe('old');
  });
});
