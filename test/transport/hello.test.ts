// The hello that opens every connection keeps other clusters and other protocol versions out, and
// the proofs that follow it keep out whoever does not hold the cluster secret or is not a member:
// they get an error frame that says why, the connection closes, and the node reports it.
import { describe, expect, it } from 'vitest';
import { checkHello, checkProof, checkProofFrame, proofOf, type Handshake } from '../../src/transport/hello.js';
import { NO_SECRET } from '../../src/transport/secret.js';
import { waitFor } from '../support/wait.js';
import {
  CLUSTER,
  ManualTimers,
  NONCE,
  RawConnection,
  SECRET,
  admit,
  answer,
  hello,
  heartbeat,
  nextTurn,
  proof,
  rawServer,
  startNode,
} from './helpers.js';

describe('checkHello', () => {
  const expect1 = { clusterId: CLUSTER, self: 1 };

  it('accepts a peer hello and a client hello', () => {
    expect(checkHello(hello(2), expect1)).toEqual({ ok: true, hello: hello(2) });
    expect(checkHello(hello(0, { kind: 'client' }), expect1)).toMatchObject({ ok: true });
  });

  it.each([
    ['a Raft message', heartbeat(2, 1, 1), 'expected-hello', /the first frame must be a hello/],
    ['a JSON array', [1, 2], 'expected-hello', /must be a hello/],
    ['another version', hello(2, { version: 1 }), 'wrong-version', /speaks protocol version 2, the hello says 1/],
    ['no version', hello(2, { version: undefined }), 'wrong-version', /the hello says nothing/],
    [
      'another cluster',
      hello(2, { clusterId: 'old-cluster' }),
      'wrong-cluster',
      /^the hello from n2 names another cluster than this node's \([^"]*\)$/,
    ],
    ['no nonce', hello(2, { nonce: undefined }), 'bad-hello', /nonce/],
    ['a short nonce', hello(2, { nonce: 'ab' }), 'bad-hello', /nonce must be 64 lowercase hex digits/],
    ['a proof in a dialer hello', hello(2, { proof: NONCE }), 'bad-hello', /proof is not a field/],
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

  it('the dialing side also checks that the node it dialed answered, with a proof', () => {
    expect(checkHello(hello(3, { proof: NONCE }), { ...expect1, peer: 2, answer: true })).toMatchObject({
      ok: false,
      code: 'wrong-node',
      reason: 'dialed n2, but n3 answered',
    });
    expect(checkHello(hello(2, { kind: 'client', proof: NONCE }), { ...expect1, peer: 2, answer: true })).toMatchObject({
      code: 'wrong-node',
    });
    expect(checkHello(hello(2), { ...expect1, peer: 2, answer: true })).toMatchObject({
      ok: false,
      code: 'bad-hello',
      reason: expect.stringMatching(/proof/),
    });
    expect(checkHello(hello(2, { proof: NONCE }), { ...expect1, peer: 2, answer: true })).toMatchObject({ ok: true });
  });
});

describe('proofs', () => {
  const h: Handshake = {
    clusterId: CLUSTER,
    dialer: { kind: 'peer', from: 2, nonce: 'a1'.repeat(32) },
    listener: { id: 1, nonce: 'b2'.repeat(32) },
  };
  const flat = { kind: 'peer', from: 2, listener: 1, dialerNonce: h.dialer.nonce, listenerNonce: h.listener.nonce };

  it('are the HMAC-SHA256 that docs/PROTOCOL.md defines, and each side accepts the other’s', () => {
    expect(proofOf(SECRET, 'dialer', h)).toBe(proof(SECRET, 'dialer', flat));
    expect(proofOf(SECRET, 'listener', h)).toBe(proof(SECRET, 'listener', flat));
    expect(checkProof(proofOf(SECRET, 'dialer', h), SECRET, 'dialer', h)).toEqual({ ok: true });
    expect(checkProofFrame({ type: 'proof', proof: proofOf(SECRET, 'dialer', h) }, SECRET, h)).toEqual({ ok: true });
  });

  const refused: [string, unknown][] = [
    ['made with another secret', { type: 'proof', proof: proofOf(Buffer.alloc(32, 8), 'dialer', h) }],
    ['made without a secret (a client given none)', { type: 'proof', proof: proofOf(NO_SECRET, 'dialer', h) }],
    [
      'replayed from another connection (other nonces)',
      { type: 'proof', proof: proofOf(SECRET, 'dialer', { ...h, listener: { id: 1, nonce: 'c3'.repeat(32) } }) },
    ],
    ['reflected: the listener’s own proof sent back', { type: 'proof', proof: proofOf(SECRET, 'listener', h) }],
    ['made for another sender', { type: 'proof', proof: proofOf(SECRET, 'dialer', { ...h, dialer: { ...h.dialer, from: 3 } }) }],
    [
      'made for a client instead of a peer',
      { type: 'proof', proof: proofOf(SECRET, 'dialer', { ...h, dialer: { ...h.dialer, kind: 'client' } }) },
    ],
    ['not a proof frame', heartbeat(2, 1, 1)],
    ['a proof that is not hex', { type: 'proof', proof: 'z'.repeat(64) }],
  ];
  it.each(refused)('a proof %s is refused with auth-failed', (_, frame) => {
    expect(checkProofFrame(frame, SECRET, h)).toMatchObject({ ok: false, code: 'auth-failed' });
  });
});

describe('hello over a socket', () => {
  it('a good peer hello is answered with the node’s own hello', async () => {
    const node = await startNode({ id: 1 });
    admit(node, 2);
    const raw = await RawConnection.hello(node.port, 2);
    expect(raw.frames).toEqual([answer(1)]);
    await node.waitForEvent('peer-connected', (e) => e.peer === 2 && e.direction === 'in');
    expect(node.transport.stats().inboundPeers).toEqual([2]);
  });

  it.each([
    ['a wrong cluster id', hello(2, { clusterId: 'old-cluster' }), 'wrong-cluster', /names another cluster/],
    ['a wrong protocol version', hello(2, { version: 99 }), 'wrong-version', /version 2, the hello says 99/],
    ['a peer that is not a member', hello(2), 'unknown-peer', /n2 is not a member this node knows/],
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
    await waitFor('the connection to be accepted', () => node.transport.stats().pending === 1);
    expect(timers.fire(5000)).toBe(1);
    expect(await raw.refusal()).toEqual({ type: 'error', code: 'expected-hello', reason: 'no hello and proof within 5000 ms' });
    await waitFor('the pending connection to go', () => node.transport.stats().pending === 0);
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
    expect(failed!.reason).toMatch(/^n2 refused it: wrong-cluster: the hello from n1 names another cluster than this node's/);
    const [rejected] = await stranger.waitForEvent('connection-rejected');
    expect(rejected).toMatchObject({ direction: 'in', code: 'wrong-cluster' });
    // Nothing leaks to the stranger: the message waits in the queue of a link that never opened.
    node.transport.send(heartbeat(1, 2, 1));
    await nextTurn();
    expect(node.transport.stats().links).toEqual([expect.objectContaining({ peer: 2, state: 'waiting', sent: 0, queuedMessages: 1 })]);
  });

  it('the dialing node refuses a listener that answers with another node id', async () => {
    const n3 = await startNode({ id: 3 });
    admit(n3, 1);
    const node = await startNode({ id: 1, peers: [{ id: 2, port: n3.port }], backoff: { baseMs: 10_000, maxMs: 10_000 } });
    const [rejected] = await node.waitForEvent('connection-rejected');
    expect(rejected).toMatchObject({ direction: 'out', peer: 2, code: 'wrong-node', reason: 'dialed n2, but n3 answered' });
    await node.waitForEvent('connect-failed', (e) => /this node refused it: wrong-node/.test(e.reason));
  });

  it('the dialing side gives up on a listener that never answers the hello', async () => {
    const timers = new ManualTimers();
    const { port } = await rawServer(() => {}); // accepts, reads, never answers
    const node = await startNode({ id: 1, timers, helloTimeoutMs: 3000, peers: [{ id: 2, port }] });
    await waitFor('the hello timeout to be set', () => timers.pending().includes(3000));
    timers.fire(3000);
    const [failed] = await node.waitForEvent('connect-failed');
    expect(failed!.reason).toBe('this node refused it: expected-hello: no hello from n2 within 3000 ms');
  });
});

describe('the handshake over a socket', () => {
  it('a peer with a wrong secret is refused after the hellos, and never reaches the core', async () => {
    const node = await startNode({ id: 1 });
    admit(node, 2);
    const raw = await RawConnection.hello(node.port, 2, {}, Buffer.alloc(32, 9));
    raw.send(heartbeat(2, 1, 1));
    expect(await raw.refusal()).toMatchObject({ code: 'auth-failed', reason: expect.stringMatching(/the dialer's proof does not match/) });
    expect(node.transport.stats()).toMatchObject({ inboundPeers: [], rejected: expect.objectContaining({ 'auth-failed': 1 }) });
    expect(node.messages).toEqual([]);
    expect(node.eventsOf('peer-connected')).toEqual([]);
  });

  it('a client with a wrong secret or none is refused; one with the secret is served', async () => {
    const node = await startNode({ id: 1 });
    for (const secret of [Buffer.alloc(32, 9), NO_SECRET]) {
      const raw = await RawConnection.hello(node.port, 5, { kind: 'client' }, secret);
      expect(await raw.refusal()).toMatchObject({ code: 'auth-failed' });
    }
    await RawConnection.hello(node.port, 5, { kind: 'client' });
    await node.waitForEvent('client-connected');
    expect(node.transport.stats().rejected['auth-failed']).toBe(2);
  });

  it('a proof replayed from an earlier connection is refused: each connection has fresh nonces', async () => {
    const node = await startNode({ id: 1 });
    admit(node, 2);
    const first = await RawConnection.hello(node.port, 2, { nonce: NONCE });
    await node.waitForEvent('peer-connected');
    const answered = first.frames[0] as Record<string, unknown>;
    const seen = proof(SECRET, 'dialer', { kind: 'peer', from: 2, listener: 1, dialerNonce: NONCE, listenerNonce: String(answered.nonce) });
    const replay = await RawConnection.open(node.port);
    replay.send(hello(2, { nonce: NONCE })); // the same hello, byte for byte
    await replay.waitForFrames(1);
    expect((replay.frames[0] as Record<string, unknown>).nonce).not.toBe(answered.nonce);
    replay.send({ type: 'proof', proof: seen });
    expect(await replay.refusal()).toMatchObject({ code: 'auth-failed' });
  });

  it('a listener’s proof sent back to it is refused (reflection)', async () => {
    const node = await startNode({ id: 1 });
    admit(node, 2);
    const raw = await RawConnection.open(node.port);
    raw.send(hello(2));
    const [answered] = (await raw.waitForFrames(1)) as Record<string, unknown>[];
    raw.send({ type: 'proof', proof: answered!.proof });
    expect(await raw.refusal()).toMatchObject({ code: 'auth-failed' });
  });

  it('a hello without its proof: the hello timeout refuses the connection', async () => {
    const timers = new ManualTimers();
    const node = await startNode({ id: 1, timers, helloTimeoutMs: 5000 });
    admit(node, 2);
    const raw = await RawConnection.open(node.port);
    raw.send(hello(2));
    await raw.waitForFrames(1);
    expect(timers.fire(5000)).toBe(1);
    expect(await raw.refusal()).toMatchObject({ code: 'expected-hello' });
    expect(node.eventsOf('peer-connected')).toEqual([]);
  });

  it('a dialing node refuses a listener that does not hold the secret (a process impersonating a peer)', async () => {
    const impostor = await startNode({ id: 2, secret: Buffer.alloc(32, 9) });
    admit(impostor, 1);
    const node = await startNode({ id: 1, peers: [{ id: 2, port: impostor.port }], backoff: { baseMs: 10_000, maxMs: 10_000 } });
    node.transport.send(heartbeat(1, 2, 1));
    const [rejected] = await node.waitForEvent('connection-rejected');
    expect(rejected).toMatchObject({
      direction: 'out',
      peer: 2,
      code: 'auth-failed',
      reason: expect.stringMatching(/the listener's proof does not match/),
    });
    // Nothing leaks to the impostor: the message waits in the queue of a link that never opened.
    await nextTurn();
    expect(node.transport.stats().links).toEqual([expect.objectContaining({ peer: 2, sent: 0, queuedMessages: 1 })]);
    expect(impostor.messages).toEqual([]);
  });

  it('two transports with the same secret connect both ways', async () => {
    const a = await startNode({ id: 1 });
    const b = await startNode({ id: 2, peers: [{ id: 1, port: a.port }] });
    a.transport.addPeer({ id: 2, port: b.port });
    b.transport.send(heartbeat(2, 1, 3));
    await a.waitForMessages(1);
    expect(a.transport.stats().rejected['auth-failed']).toBe(0);
  });
});
