// The hello that opens every connection keeps other clusters and other protocol versions out:
// they get an error frame that says why, the connection closes, and the node reports it.
import { describe, expect, it } from 'vitest';
import { checkHello } from '../../src/transport/hello.js';
import { CLUSTER, ManualTimers, RawConnection, hello, heartbeat, nextTurn, rawServer, startNode, until } from './helpers.js';

describe('checkHello', () => {
  const expect1 = { clusterId: CLUSTER, self: 1 };

  it('accepts a peer hello and a client hello', () => {
    expect(checkHello(hello(2), expect1)).toEqual({ ok: true, hello: hello(2) });
    expect(checkHello(hello(0, { kind: 'client' }), expect1)).toMatchObject({ ok: true });
  });

  it.each([
    ['a Raft message', heartbeat(2, 1, 1), 'expected-hello', /the first frame must be a hello/],
    ['a JSON array', [1, 2], 'expected-hello', /must be a hello/],
    ['another version', hello(2, { version: 2 }), 'wrong-version', /speaks protocol version 1, the hello says 2/],
    ['no version', hello(2, { version: undefined }), 'wrong-version', /the hello says nothing/],
    ['another cluster', hello(2, { clusterId: 'old-cluster' }), 'wrong-cluster', /belongs to cluster "test-cluster", the hello from n2 says "old-cluster"/],
    ['an empty cluster id', hello(2, { clusterId: '' }), 'bad-hello', /clusterId must have 1 to 128 characters/],
    ['a huge cluster id', hello(2, { clusterId: 'c'.repeat(129) }), 'bad-hello', /clusterId must have 1 to 128/],
    ['an unknown kind', hello(2, { kind: 'observer' }), 'bad-hello', /kind must be one of "peer", "client"/],
    ['a peer without an id', hello(0), 'bad-hello', /from must be a node id/],
    ['a client with a negative id', hello(-1, { kind: 'client' }), 'bad-hello', /from must be a non-negative integer/],
    ['a stray field', hello(2, { token: 'x' }), 'bad-hello', /token is not a field/],
    ["this node's own id", hello(1), 'bad-hello', /claims to come from n1, this node's own id/],
  ])('refuses %s', (_, value, code, reason) => {
    const check = checkHello(value, expect1);
    expect(check).toMatchObject({ ok: false, code });
    if (!check.ok) expect(check.reason).toMatch(reason);
  });

  it('the dialing side also checks that the node it dialed answered', () => {
    expect(checkHello(hello(3), { ...expect1, peer: 2 })).toMatchObject({ ok: false, code: 'wrong-node', reason: 'dialed n2, but n3 answered' });
    expect(checkHello(hello(2, { kind: 'client' }), { ...expect1, peer: 2 })).toMatchObject({ code: 'wrong-node' });
  });
});

describe('hello over a socket', () => {
  it('a good peer hello is answered with the node’s own hello', async () => {
    const node = await startNode({ id: 1 });
    const raw = await RawConnection.hello(node.port, 2);
    expect(raw.frames).toEqual([hello(1)]);
    await node.waitForEvent('peer-connected', (e) => e.peer === 2 && e.direction === 'in');
    expect(node.transport.stats().inboundPeers).toEqual([2]);
  });

  it.each([
    ['a wrong cluster id', hello(2, { clusterId: 'old-cluster' }), 'wrong-cluster', /cluster "test-cluster", the hello from n2 says "old-cluster"/],
    ['a wrong protocol version', hello(2, { version: 99 }), 'wrong-version', /version 1, the hello says 99/],
    ['a non-hello first frame', heartbeat(2, 1, 1), 'expected-hello', /first frame must be a hello/],
  ])('%s gets an error frame with the reason, a close, an event and a count', async (_, first, code, reason) => {
    const node = await startNode({ id: 1 });
    const raw = await RawConnection.open(node.port);
    raw.send(first);
    const refusal = await raw.refusal();
    expect(refusal).toMatchObject({ type: 'error', code });
    expect(refusal.reason).toMatch(reason);
    const [event] = await node.waitForEvent('connection-rejected');
    expect(event).toMatchObject({ direction: 'in', code, reason: refusal.reason });
    expect(node.transport.stats().rejected[code as 'wrong-cluster']).toBe(1);
    expect(node.eventsOf('peer-connected')).toEqual([]);
  });

  it('no hello at all: the hello timeout refuses the connection', async () => {
    const timers = new ManualTimers();
    const node = await startNode({ id: 1, timers, helloTimeoutMs: 5000 });
    const raw = await RawConnection.open(node.port);
    await until(() => node.transport.stats().pending === 1, 'the connection to be accepted');
    expect(timers.fire(5000)).toBe(1);
    expect(await raw.refusal()).toEqual({ type: 'error', code: 'expected-hello', reason: 'no hello within 5000 ms' });
    await until(() => node.transport.stats().pending === 0, 'the pending connection to go');
  });

  it('a first frame over the hello limit is refused from its length alone', async () => {
    const node = await startNode({ id: 1 });
    const raw = await RawConnection.open(node.port);
    raw.send(hello(2, { clusterId: 'x'.repeat(5000) }));
    expect(await raw.refusal()).toMatchObject({ code: 'frame-too-large', reason: expect.stringMatching(/limit is 4096/) });
  });

  it('a node of an old cluster on a reused port: the dialing node is refused, and both sides say why', async () => {
    const stranger = await startNode({ id: 2, clusterId: 'old-cluster' });
    const node = await startNode({ id: 1, peers: [{ id: 2, port: stranger.port }], backoff: { baseMs: 10_000, maxMs: 10_000 } });
    const [failed] = await node.waitForEvent('connect-failed');
    expect(failed).toMatchObject({ peer: 2, attempt: 1 });
    expect(failed!.reason).toMatch(/^n2 refused it: wrong-cluster: this node belongs to cluster "old-cluster", the hello from n1 says "test-cluster"/);
    const [rejected] = await stranger.waitForEvent('connection-rejected');
    expect(rejected).toMatchObject({ direction: 'in', code: 'wrong-cluster' });
    // Nothing leaks to the stranger: the message waits in the queue of a link that never opened.
    node.transport.send(heartbeat(1, 2, 1));
    await nextTurn();
    expect(node.transport.stats().links).toEqual([expect.objectContaining({ peer: 2, state: 'waiting', sent: 0, queuedMessages: 1 })]);
  });

  it('the dialing node refuses a listener that answers with another node id', async () => {
    const n3 = await startNode({ id: 3 });
    const node = await startNode({ id: 1, peers: [{ id: 2, port: n3.port }], backoff: { baseMs: 10_000, maxMs: 10_000 } });
    const [rejected] = await node.waitForEvent('connection-rejected');
    expect(rejected).toMatchObject({ direction: 'out', peer: 2, code: 'wrong-node', reason: 'dialed n2, but n3 answered' });
    await node.waitForEvent('connect-failed', (e) => /this node refused it: wrong-node/.test(e.reason));
  });

  it('the dialing side gives up on a listener that never answers the hello', async () => {
    const timers = new ManualTimers();
    const { port } = await rawServer(() => {}); // accepts, reads, never answers
    const node = await startNode({ id: 1, timers, helloTimeoutMs: 3000, peers: [{ id: 2, port }] });
    await until(() => timers.pending().includes(3000), 'the hello timeout to be set');
    timers.fire(3000);
    const [failed] = await node.waitForEvent('connect-failed');
    expect(failed!.reason).toBe('this node refused it: expected-hello: no hello from n2 within 3000 ms');
  });
});
