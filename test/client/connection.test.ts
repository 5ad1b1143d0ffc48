// The wire side of the client: the hello it sends and checks, and answers matched to requests by
// id whatever order they come in.
import { afterEach, describe, expect, it } from 'vitest';
import { NO_SECRET, RaftClient, RaftClientError } from '../../src/client/index.js';
import { CLUSTER, FakeNode, SECRET, okFor, proof, type Exchange } from './fake-node.js';

const clients: RaftClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

function client(address: string, nodes?: ConstructorParameters<typeof RaftClient>[0]['nodes']): RaftClient {
  const c = new RaftClient({ clusterId: CLUSTER, secret: SECRET, nodes: nodes ?? [address], attemptTimeoutMs: 2000 });
  clients.push(c);
  return c;
}

describe('the connection', () => {
  it('opens with a client hello for the cluster, and carries every request of the client', async () => {
    const node = await FakeNode.start(1);
    const c = client(node.address);
    await c.get('a');
    await c.put('b', '1');
    expect(node.hellos).toEqual([
      {
        type: 'hello',
        version: 2,
        clusterId: CLUSTER,
        from: expect.any(Number),
        kind: 'client',
        nonce: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    expect(node.proofs).toEqual([true]);
    expect(node.requests.map((r) => r.type)).toEqual(['get', 'put']);
  });

  it('matches answers to requests by id when they come back in another order', async () => {
    const node = await FakeNode.start(1);
    const held: Exchange[] = [];
    node.onRequest = (x) => {
      held.push(x);
      if (held.length === 3) for (const h of held.reverse()) h.reply({ ...okFor(h.request), value: `for ${String(h.request.key)}` });
    };
    const c = client(node.address);
    const values = await Promise.all(['a', 'b', 'c'].map((k) => c.get(k)));
    expect(values.map((v) => v.value)).toEqual(['for a', 'for b', 'for c']);
    expect(new Set(node.requests.map((r) => r.id)).size).toBe(3);
  });

  it('refuses a node that answers with another id than the one it was given for that address', async () => {
    const node = await FakeNode.start(5);
    const c = client(node.address, [{ id: 2, address: node.address }]);
    const err = await c.get('a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RaftClientError);
    expect(err).toMatchObject({ code: 'refused' });
    expect((err as Error).message).toContain('wrong-node');
  });

  it('drops a connection whose hello never came, with the requests queued on it, and redials', async () => {
    const frozen = await FakeNode.start(1, 'silent');
    const c = client(frozen.address);
    const err = await c.put('k', 'v', { via: frozen.address, timeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'timeout' });
    await c.get('k', { via: frozen.address, timeoutMs: 100 }).catch(() => {});
    expect(frozen.hellos).toHaveLength(2);
    expect(frozen.requests).toEqual([]);
  });

  it('a client with another secret, or none, cannot check the node’s proof: refused at once, no request sent', async () => {
    const node = await FakeNode.start(1);
    for (const secret of [Buffer.alloc(32, 4), NO_SECRET]) {
      const c = new RaftClient({ clusterId: CLUSTER, secret, nodes: [node.address], timeoutMs: 500 });
      clients.push(c);
      const err = await c.get('a').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'refused', message: expect.stringMatching(/auth-failed/) });
    }
    expect(node.proofs).toEqual([]);
    expect(node.requests).toEqual([]);
  });

  it('refuses a node that cannot prove the secret (a process on its port), and sends it nothing', async () => {
    const nonce = 'cd'.repeat(32);
    const impostor = await FakeNode.start(1, {
      type: 'hello',
      version: 2,
      clusterId: CLUSTER,
      from: 1,
      kind: 'peer',
      nonce,
      proof: proof(Buffer.alloc(32, 4), 'listener', 0, 1, 'ab'.repeat(32), nonce),
    });
    const err = await client(impostor.address)
      .get('a')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'refused' });
    expect((err as Error).message).toMatch(/did not prove the cluster secret .*: auth-failed: the listener's proof does not match/);
    expect(impostor.proofs).toEqual([]);
    expect(impostor.requests).toEqual([]);
  });

  it('refuses an answer to its hello that is not a hello', async () => {
    const node = await FakeNode.start(1, { type: 'hi' });
    const err = await client(node.address)
      .get('a')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'refused' });
  });
});
