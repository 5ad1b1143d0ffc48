// The control API without a cluster behind it: the token check, the batching of updates, the
// order of an action's update and its result, and the model read once over plain HTTP.
import { connect } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, test } from 'vitest';
import { messageText, type ControlMessage } from '../../src/cluster-model/control-protocol.js';
import { ControlServer } from '../../src/supervisor/control-server.js';
import { LiveModel } from '../../src/supervisor/live-model.js';
import { presetTiming } from '../../src/cluster-model/timing.js';
import { waitFor } from '../support/wait.js';

const servers: ControlServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(): Promise<{ live: LiveModel; server: ControlServer }> {
  const live = new LiveModel({
    name: 'x',
    clusterId: 'c',
    engine: { kind: 'raft-console' },
    folder: '/f',
    supervisorPid: 1,
    startedAt: 0,
    timing: presetTiming('normal'),
    fsync: true,
    switches: { preVote: true, checkQuorum: true, bugs: [] },
    snapshotEvery: 10_000,
    nodes: [],
    links: [],
    partition: [],
    events: [],
    safety: { ok: true, checkedReports: 0 },
  });
  const server = await ControlServer.start({
    token: 'secret',
    live,
    tokenPath: '/f/token',
    authTimeoutMs: 100,
    act: async (a) => {
      live.say(a.op, `did ${a.op}`);
      return { ok: true, text: `did ${a.op}` };
    },
  });
  servers.push(server);
  return { live, server };
}

/** A raw client: every message it gets, and the close code. */
async function dial(server: ControlServer): Promise<{ ws: WebSocket; got: ControlMessage[]; closed: Promise<number> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`);
  const got: ControlMessage[] = [];
  ws.on('message', (raw) => got.push(JSON.parse(messageText(raw)) as ControlMessage));
  const closed = new Promise<number>((resolve) => ws.once('close', resolve));
  await new Promise((resolve) => ws.once('open', resolve));
  return { ws, got, closed };
}

describe('the control server', () => {
  test('answers GET /model with the token with the welcome, refuses a wrong token, and nothing else', async () => {
    const { live, server } = await serve();
    live.say('x', 'something happened');
    const url = `http://127.0.0.1:${server.port}/model`;
    const ok = await fetch(url, { headers: { authorization: 'Bearer secret' } });
    expect(ok.status).toBe(200);
    const welcome = (await ok.json()) as ControlMessage;
    expect(welcome).toMatchObject({ type: 'welcome', model: { name: 'x', clusterId: 'c' } });
    expect((welcome as { model: { events: unknown[] } }).model.events).toHaveLength(1);
    const bare = (await (await fetch(`${url}?events=0`, { headers: { authorization: 'Bearer secret' } })).json()) as {
      model: { events: unknown[] };
    };
    expect(bare.model.events).toEqual([]);
    const wrong = await fetch(url, { headers: { authorization: 'Bearer guess' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${server.port}/`, { headers: { authorization: 'Bearer secret' } })).status).toBe(404);
    // A request target that is no URL at all is answered too, and the server keeps serving.
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.end('GET http://[bad HTTP/1.1\r\nHost: x\r\n\r\n'));
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString('utf8')));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 (400|404)/);
    expect((await fetch(url, { headers: { authorization: 'Bearer secret' } })).status).toBe(200);
  });

  test('a client that does not authenticate in time is refused', async () => {
    const { server } = await serve();
    const c = await dial(server);
    expect(await c.closed).toBe(4401);
    expect(c.got).toEqual([
      { type: 'error', code: 'unauthorized', text: 'no auth message within 0.1 s: send {"type":"auth","token":...} first' },
    ]);
  });

  test('a request that is not JSON closes the connection with bad-request', async () => {
    const { server } = await serve();
    const c = await dial(server);
    c.ws.send('{"type":"auth","token":"secret"}');
    c.ws.send('not json');
    expect(await c.closed).toBe(4400);
    expect(c.got.map((m) => m.type)).toEqual(['welcome', 'error']);
  });

  test('a burst of events reaches the client as one update; an action answers after its update', async () => {
    const { live, server } = await serve();
    const c = await dial(server);
    c.ws.send(JSON.stringify({ type: 'auth', token: 'secret' }));
    await waitFor('the welcome', () => c.got.length === 1);
    for (let i = 0; i < 100; i++) live.say('x', `event ${i}`);
    await waitFor('the update', () => c.got.length === 2);
    const update = c.got[1] as Extract<ControlMessage, { type: 'update' }>;
    expect(update.type).toBe('update');
    expect(update.events).toHaveLength(100);
    expect(update.model).not.toHaveProperty('events');

    c.ws.send(JSON.stringify({ type: 'action', id: 7, action: { op: 'heal' } }));
    await waitFor("the action's update and result", () => c.got.length === 4);
    expect(c.got.slice(2)).toEqual([
      { type: 'update', model: expect.any(Object) as object, events: [expect.objectContaining({ kind: 'supervisor', text: 'did heal' })] },
      { type: 'result', id: 7, ok: true, text: 'did heal' },
    ]);
    // A malformed action is answered, and the connection stays.
    c.ws.send(JSON.stringify({ type: 'action', id: 8, action: { op: 'heal', node: 1 } }));
    await waitFor('the answer to the malformed action', () => c.got.length === 5);
    expect(c.got[4]).toEqual({ type: 'result', id: 8, ok: false, text: 'action.node is not a field of "heal"' });
    c.ws.close();
  });
});
