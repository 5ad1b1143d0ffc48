// Nothing from the wire can crash a process (issue 11): JSON nested 100,000 deep on every port a
// process reads (a node's client and peer port, its stdin control channel, the supervisor's
// control API), a term of 2^53-1 from a peer, and a committed entry no replica can run. Each is
// refused on its own, with a reason, and every process stays up and the cluster keeps committing.
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { findSupervisor } from '../../src/cluster-model/control-files.js';
import { messageText } from '../../src/cluster-model/control-protocol.js';
import { defaultStateDir } from '../../src/cluster-model/folder.js';
import { DiskStorage } from '../../src/storage/index.js';
import { Cli, alive } from '../cli/helpers.js';
import { waitFor } from '../support/wait.js';
import { Cluster } from './cluster.js';
import { frame } from './wire.js';

const DEPTH = 100_000;
const deep = '['.repeat(DEPTH) + ']'.repeat(DEPTH);

describe('JSON nested 100,000 deep', () => {
  it('is refused on the client port, the peer port and stdin, and every node keeps running and committing', async () => {
    const cluster = await Cluster.start(3);
    const { id: leader } = await cluster.leader();
    const follower = cluster.ids.find((id) => id !== leader)!;
    const client = cluster.client();
    await client.put('before', '1');

    // A client request whose value is the deep array.
    const asClient = await cluster.connect(leader, 'client');
    expect(await asClient.finish(frame(`{"id":1,"type":"put","clientId":"c","seq":1,"key":"k","value":${deep}}`))).toContainEqual(
      expect.objectContaining({ type: 'error', code: 'bad-frame', reason: 'the frame body nests objects or arrays deeper than 64 levels' }),
    );
    // A peer message, posing as the leader, whose context is the deep array. The leader is paused
    // meanwhile: redialing, it would take its place (the newest connection from a peer wins).
    cluster.node(leader).pause();
    const asPeer = await cluster.connect(follower, 'peer', leader);
    asPeer.send(`{"type":"heartbeat","from":${leader},"to":${follower},"term":1,"commit":0,"context":${deep}}`);
    expect(await asPeer.refusal()).toBe('bad-frame');
    cluster.node(leader).resume();
    // Control lines on a node's stdin: answered, not obeyed, and the node reads on. 100,000 deep is
    // over the line limit (64 KiB); 10,000 deep is within it, and over the depth limit.
    const shallower = '['.repeat(10_000) + ']'.repeat(10_000);
    cluster
      .node(follower)
      .child.stdin!.write(`{"id":77,"op":"transfer","to":${deep}}\n{"id":78,"op":"transfer","to":${shallower}}\n{"id":79,"op":"heal"}\n`);
    await cluster.node(follower).waitFor('the answer to the next line', (e) => e.kind === 'control' && e.id === 79 && e.ok === true);
    const refusals = cluster
      .node(follower)
      .events.filter((e) => e.kind === 'control' && e.ok === false)
      .map((e) => e.text);
    expect(refusals).toEqual([
      'a control line of 200031 bytes was dropped: the limit is 65536',
      expect.stringMatching(/^the control line nests objects or arrays deeper than 64 levels: \{"id":78/),
    ]);

    for (const id of cluster.ids) expect(cluster.node(id).running, `n${id} is running`).toBe(true);
    expect((await client.put('after', '2')).result.ok).toBe(true);
    const { kv } = await cluster.converged(cluster.ids);
    expect(kv.get('after')).toBe('2');
  });
});

describe('a peer message with term 2^53-1, or a snapshot that does not restore', () => {
  it('is refused, and moves no term and stores nothing', async () => {
    const cluster = await Cluster.start(3);
    const { id: leader, term } = await cluster.leader();
    const follower = cluster.ids.find((id) => id !== leader)!;
    // Paused while it is impersonated: redialing, it would take the forger's place.
    cluster.node(leader).pause();
    const forged = await cluster.connect(follower, 'peer', leader);
    forged.send(JSON.stringify({ type: 'heartbeat', from: leader, to: follower, term: 2 ** 53 - 1, commit: 0 }));
    expect(await forged.refusal()).toBe('invalid-message');
    const refused = await cluster
      .node(follower)
      .waitFor('the refusal', (e) => e.type === 'connection-rejected' && e.code === 'invalid-message');
    expect(refused.reason).toBe('term must be an integer from 0 to 281474976710656, got 9007199254740991');
    const status = await cluster.probe.status(follower);
    expect(status.term).toBeLessThan(term + 5);

    // Well-formed for the schema, but its state machine data does not restore: stored, it would
    // stop the node at every start. It is dropped before the core sees it.
    const snapshot = {
      meta: { index: status.commit + 100, term: status.term, membership: status.membership },
      data: `{"v":1,"data":${deep}}`,
    };
    const forger = await cluster.connect(follower, 'peer', leader);
    forger.send(JSON.stringify({ type: 'snapshot', from: leader, to: follower, term: status.term, snapshot }));
    const dropped = await cluster.node(follower).waitFor('the snapshot refusal', (e) => e.type === 'snapshot-refused');
    expect(dropped.reason).toMatch(/^the kv snapshot nests objects or arrays deeper than 64 levels/);
    forger.close();
    cluster.node(leader).resume();
    expect((await cluster.client().put('k', 'v')).result.ok).toBe(true);
    expect((await cluster.leader()).term).toBeLessThan(term + 10);
    await cluster.converged(cluster.ids);
    expect(cluster.node(follower).running).toBe(true);
  });
});

describe('a committed entry no replica can run (a poison entry)', () => {
  it('is refused alike on every replica, at every start, and the cluster keeps committing', async () => {
    // Written straight into each node's log before it starts, as an older build (or a forged
    // append) would have left it: entry 1, a put whose value is nested 100,000 deep.
    const poison = `{"v":1,"op":"put","clientId":"c","seq":1,"key":"k","value":${deep}}`;
    const cluster = await Cluster.start(3, [], [], async (id, dataDir, clusterId) => {
      const { storage } = await DiskStorage.open(dataDir, { clusterId, nodeId: id });
      await storage.save({ entries: [{ type: 'normal', term: 1, index: 1, data: poison }], hardState: { term: 1, vote: 0, commit: 0 } });
      await storage.close();
    });
    await cluster.leader();
    const refused = (id: number) =>
      cluster.node(id).waitFor(`n${id} to refuse entry 1`, (e) => e.type === 'entry-refused' && e.index === 1);
    for (const id of cluster.ids) {
      const e = await refused(id);
      expect(e).toMatchObject({ code: 'malformed', reason: 'the entry data nests objects or arrays deeper than 64 levels' });
    }
    const client = cluster.client();
    expect((await client.put('after', '1')).result.ok).toBe(true);
    const { kv } = await cluster.converged(cluster.ids);
    expect(kv.get('k')).toBe(null);

    // Replayed at a restart: refused again, not a crash.
    const restarted = cluster.ids[0]!;
    await cluster.node(restarted).kill();
    await cluster.startNode(restarted);
    await refused(restarted);
    expect((await client.put('after-restart', '1')).result.ok).toBe(true);
    await cluster.converged(cluster.ids);
    for (const id of cluster.ids) expect(cluster.node(id).running).toBe(true);
  });
});

describe('the supervisor’s control API', () => {
  const cli = Cli.create();
  afterAll(async () => (await cli).cleanup());

  it('refuses a message nested 100,000 deep, and the supervisor and its nodes keep running', async () => {
    const c = await cli;
    const before = await c.up('deep', '1');
    const { control, token } = await findSupervisor(join(defaultStateDir({ XDG_STATE_HOME: join(c.home, 'state') }), 'deep'), 'deep');
    const ws = new WebSocket(control.url);
    const messages: Array<Record<string, unknown>> = [];
    ws.on('message', (raw) => messages.push(JSON.parse(messageText(raw)) as Record<string, unknown>));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'auth', token }));
    await waitFor('the welcome', () => messages.some((m) => m.type === 'welcome'));
    ws.send(`{"type":"action","id":1,"action":{"op":"kill","nodes":${deep}}}`);
    expect(await closed).toBe(4400);
    expect(messages.find((m) => m.type === 'error')).toMatchObject({
      code: 'bad-request',
      text: expect.stringMatching(/deeper than 64 levels/),
    });

    expect(alive(before.supervisorPid)).toBe(true);
    const after = await c.status('deep');
    expect(after.nodes.map((n) => n.process.state)).toEqual(['running']);
    await c.settled('deep');
  });
});
