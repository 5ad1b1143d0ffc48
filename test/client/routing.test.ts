// Finding the leader: redirects, retries across leader changes and dead nodes, the overall
// deadline, and `via`, which sends to one node and reports its answer as it is.
import { afterEach, describe, expect, it } from 'vitest';
import { RaftClient, RaftClientError, type RaftClientOptions } from '../../src/client/index.js';
import { CLUSTER, FakeNode, SECRET, errorFor, okFor, type Request } from './fake-node.js';

const clients: RaftClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

function client(nodes: RaftClientOptions['nodes'], options: Partial<RaftClientOptions> = {}): RaftClient {
  const c = new RaftClient({
    clusterId: CLUSTER,
    secret: SECRET,
    nodes,
    attemptTimeoutMs: 200,
    backoff: { baseMs: 1, maxMs: 5 },
    ...options,
  });
  clients.push(c);
  return c;
}

async function failure(p: Promise<unknown>): Promise<RaftClientError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RaftClientError);
  return err as RaftClientError;
}

/** A port nothing listens on. */
async function deadAddress(): Promise<string> {
  const n = await FakeNode.start(99);
  await n.close();
  return n.address;
}

const writeFields = (r: Request) => ({ type: r.type, clientId: r.clientId, seq: r.seq, key: r.key, value: r.value });

describe('redirects', () => {
  it('follows not-leader to the node it names, answers with that leader, and goes there first next time', async () => {
    const follower = await FakeNode.start(1);
    const leader = await FakeNode.start(2);
    follower.onRequest = (x) => x.reply(errorFor(x.request, 'not-leader', { id: 2, address: leader.address }));
    const c = client([follower.address, leader.address]);

    const put = await c.put('k', 'v');
    expect(put).toEqual({ index: 7, term: 3, leader: { id: 2, address: leader.address }, result: { ok: true, op: 'put', previous: null } });
    expect(follower.requests.map(writeFields)).toEqual(leader.requests.map(writeFields));
    expect(c.leader).toEqual({ id: 2, address: leader.address });

    await c.get('k');
    expect(follower.requests).toHaveLength(1);
    expect(leader.requests.map((r) => r.type)).toEqual(['put', 'get']);
  });

  it('a hint without an address is resolved from the ids the client was given', async () => {
    const follower = await FakeNode.start(1);
    const leader = await FakeNode.start(3);
    follower.onRequest = (x) => x.reply(errorFor(x.request, 'not-leader', { id: 3, address: null }));
    const c = client([
      { id: 1, address: follower.address },
      { id: 3, address: leader.address },
    ]);
    expect(await c.get('a')).toEqual({ value: 'value-of-a', index: 7 });
    expect(leader.requests).toHaveLength(1);
  });

  it('learns a node it was not given from a hint, and its id from its hello', async () => {
    const follower = await FakeNode.start(1);
    const newcomer = await FakeNode.start(4);
    follower.onRequest = (x) => x.reply(errorFor(x.request, 'not-leader', { id: 4, address: newcomer.address }));
    const c = client([follower.address]);
    expect((await c.submit('hi')).leader).toEqual({ id: 4, address: newcomer.address });
    expect((await c.status(4)).role).toBe('leader');
  });

  it('with no leader known anywhere, keeps trying every node until one leads', async () => {
    const a = await FakeNode.start(1);
    const b = await FakeNode.start(2);
    let refusals = 0;
    const noLeaderYet = (x: Parameters<FakeNode['onRequest']>[0]) => {
      if (refusals++ < 5) x.reply(errorFor(x.request, 'not-leader', null));
      else x.reply(okFor(x.request));
    };
    a.onRequest = noLeaderYet;
    b.onRequest = noLeaderYet;
    const c = client([a.address, b.address]);
    await c.put('k', 'v');
    expect(a.requests.length).toBeGreaterThan(1);
    expect(b.requests.length).toBeGreaterThan(1);
  });
});

describe('retries keep the write’s (clientId, seq)', () => {
  it('leadership-lost, timeout and unavailable are retried with the same seq; the next write takes the next seq', async () => {
    const leader = await FakeNode.start(1);
    const answers = ['leadership-lost', 'timeout', 'unavailable'];
    leader.onRequest = (x) => {
      const code = x.request.type === 'put' ? answers.shift() : undefined;
      x.reply(code === undefined ? okFor(x.request) : errorFor(x.request, code, code === 'leadership-lost' ? null : undefined));
    };
    const c = client([leader.address]);
    await c.put('k', 'v');
    await c.delete('k');
    expect(leader.requests.map((r) => [r.type, r.clientId, r.seq])).toEqual([
      ['put', c.clientId, 1],
      ['put', c.clientId, 1],
      ['put', c.clientId, 1],
      ['put', c.clientId, 1],
      ['delete', c.clientId, 2],
    ]);
    // Every attempt is a new request: its own id, so a late answer to an old one is never taken for it.
    expect(new Set(leader.requests.map((r) => r.id)).size).toBe(5);
  });

  it('a connection cut before the answer is redialed and the write resent with the same seq', async () => {
    const leader = await FakeNode.start(1);
    let first = true;
    leader.onRequest = (x) => {
      if (first) {
        first = false;
        x.drop();
      } else x.reply(okFor(x.request));
    };
    const c = client([leader.address]);
    await c.cas('k', null, 'v');
    expect(leader.requests.map((r) => [r.type, r.seq, r.expected])).toEqual([
      ['cas', 1, null],
      ['cas', 1, null],
    ]);
    expect(leader.hellos).toHaveLength(2);
  });

  it('a node that never answers is given up after attemptTimeoutMs and the write goes to the next node, same seq', async () => {
    const stuck = await FakeNode.start(1);
    const next = await FakeNode.start(2);
    stuck.onRequest = () => {}; // like a SIGSTOPped leader: connected, silent
    const c = client([stuck.address, next.address]);
    const put = await c.put('k', 'v');
    expect(put.leader.id).toBe(2);
    expect(stuck.requests.map(writeFields)).toEqual(next.requests.map(writeFields));
  });

  it('a dead node (connection refused) is skipped', async () => {
    const dead = await deadAddress();
    const leader = await FakeNode.start(2);
    const c = client([dead, leader.address]);
    expect((await c.put('k', 'v')).leader.address).toBe(leader.address);
  });

  it('a redirect to a node that then dies is retried elsewhere', async () => {
    const a = await FakeNode.start(1);
    const dead = await deadAddress();
    let hinted = 0;
    a.onRequest = (x) => (hinted++ < 2 ? x.reply(errorFor(x.request, 'not-leader', { id: 2, address: dead })) : x.reply(okFor(x.request)));
    const c = client([a.address]);
    expect((await c.get('k')).value).toBe('value-of-k');
    expect(a.requests).toHaveLength(3);
  });

  it('a late answer to an abandoned attempt is dropped, not taken for a newer request', async () => {
    const slow = await FakeNode.start(1);
    const held: Parameters<FakeNode['onRequest']>[0][] = [];
    slow.onRequest = (x) => {
      held.push(x);
      // The first get is answered only after its retry went out; the retry is answered at once.
      if (held.length === 2) {
        held[0]!.reply({ ...okFor(held[0]!.request), value: 'stale' });
        x.reply(okFor(x.request));
      }
    };
    const c = client([slow.address], { attemptTimeoutMs: 50 });
    expect(await c.get('k')).toEqual({ value: 'value-of-k', index: 7 });
  });
});

describe('giving up', () => {
  it('after the overall timeout, with a clear error, when no node leads', async () => {
    const a = await FakeNode.start(1);
    a.onRequest = (x) => x.reply(errorFor(x.request, 'not-leader', null));
    const c = client([a.address, await deadAddress()], { timeoutMs: 300 });
    const err = await failure(c.put('k', 'v'));
    expect(err.code).toBe('no-leader');
    expect(err.message).toMatch(/^no leader with a majority answered within 0\.3 s: is a majority of the nodes running\? \(last: /);
  });

  it('after the overall timeout when every node is down', async () => {
    const c = client([await deadAddress(), await deadAddress()], { timeoutMs: 1000 });
    const err = await failure(c.get('k'));
    expect(err.code).toBe('no-leader');
    expect(err.message).toMatch(
      /^no leader with a majority answered within 1 s: is a majority of the nodes running\? \(last: .*ECONNREFUSED/,
    );
  });

  it('a state machine refusal is final: not retried, reported with its code', async () => {
    const leader = await FakeNode.start(1);
    leader.onRequest = (x) => x.reply(errorFor(x.request, 'stale-sequence'));
    const err = await failure(client([leader.address]).put('k', 'v'));
    expect(err).toMatchObject({ code: 'stale-sequence', node: leader.address });
    expect(err.message).toBe(`n1 (${leader.address}): fake stale-sequence`);
    expect(leader.requests).toHaveLength(1);
  });

  it('a node of another cluster refuses the connection: reported at once as refused', async () => {
    const other = await FakeNode.start(1);
    other.onRequest = () => {};
    const c = new RaftClient({ clusterId: 'another', secret: SECRET, nodes: [other.address] });
    clients.push(c);
    const err = await failure(c.get('k'));
    expect(err.code).toBe('refused');
    expect(err.message).toContain('wrong-cluster');
    expect(other.requests).toHaveLength(0);
  });

  it('an answer that is not a response of the protocol is a bad-response error', async () => {
    const odd = await FakeNode.start(1);
    odd.onRequest = (x) => x.reply({ id: x.request.id, ok: true, index: 'seven' });
    const err = await failure(client([odd.address]).get('k'));
    expect(err.code).toBe('bad-response');
    expect(err.message).toContain('index must be a non-negative integer');
  });

  it('close() fails what is in flight with closed, and later calls too', async () => {
    const stuck = await FakeNode.start(1);
    stuck.onRequest = () => {};
    const c = client([stuck.address], { attemptTimeoutMs: 10_000 });
    const pending = c.put('k', 'v');
    await new Promise<void>((resolve) => {
      stuck.onRequest = () => resolve();
      if (stuck.requests.length > 0) resolve();
    });
    c.close();
    expect((await failure(pending)).code).toBe('closed');
    expect((await failure(c.get('k'))).code).toBe('closed');
  });
});

describe('via: one node, no redirects, its answer as it is', () => {
  it('not-leader is reported with the leader it names, not followed', async () => {
    const follower = await FakeNode.start(1);
    const leader = await FakeNode.start(2);
    follower.onRequest = (x) => x.reply(errorFor(x.request, 'not-leader', { id: 2, address: leader.address }));
    const c = client([follower.address, leader.address]);
    const err = await failure(c.put('k', 'v', { via: follower.address }));
    expect(err).toMatchObject({ code: 'not-leader', node: follower.address, leader: { id: 2, address: leader.address } });
    expect(leader.requests).toHaveLength(0);
  });

  it('a stranded leader’s leadership-lost or timeout is the answer: no retry', async () => {
    const stranded = await FakeNode.start(1);
    const other = await FakeNode.start(2);
    stranded.onRequest = (x) => x.reply(errorFor(x.request, x.request.type === 'put' ? 'timeout' : 'leadership-lost', null));
    const c = client([
      { id: 1, address: stranded.address },
      { id: 2, address: other.address },
    ]);
    expect((await failure(c.put('k', 'v', { via: 1 }))).code).toBe('timeout');
    expect((await failure(c.submit('x', { via: 1 }))).code).toBe('leadership-lost');
    expect(stranded.requests).toHaveLength(2);
    expect(other.requests).toHaveLength(0);
  });

  it('silence until the deadline is a timeout; a node down is unreachable', async () => {
    const silent = await FakeNode.start(1);
    silent.onRequest = () => {};
    const c = client([silent.address]);
    const err = await failure(c.put('k', 'v', { via: silent.address, timeoutMs: 100 }));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('outcome is unknown');
    expect(silent.requests).toHaveLength(1);
    expect((await failure(c.get('k', { via: await deadAddress() }))).code).toBe('unreachable');
  });

  it('a node named by an id the client has no address for is unknown-node', async () => {
    const a = await FakeNode.start(1);
    const err = await failure(client([a.address]).status(9));
    expect(err.code).toBe('unknown-node');
    expect(err.message).toContain('n9');
  });
});

describe('status and log of one node', () => {
  it('go to the node named, by id or address, whatever it leads', async () => {
    const a = await FakeNode.start(1);
    const b = await FakeNode.start(2);
    const c = client([
      { id: 1, address: a.address },
      { id: 2, address: b.address },
    ]);
    expect((await c.status(2)).term).toBe(3);
    expect(await c.log(a.address, { from: 1, to: 5 })).toEqual({
      firstIndex: 1,
      commit: 1,
      entries: [{ type: 'noop', term: 1, index: 1, committed: true }],
    });
    expect(b.requests).toEqual([{ id: expect.any(Number), type: 'status' }]);
    expect(a.requests).toEqual([{ id: expect.any(Number), type: 'log', from: 1, to: 5 }]);
  });
});
