// One real three-node cluster, driven in-process through startSupervisor and over the control API:
// crashes, restarts, pauses, a partition that cuts the leader off, link faults, a node added and
// removed, and the token check. The tests run in order on the same cluster.
import { readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ControlClient } from '../../src/cluster-model/control-client.js';
import { messageText, type ControlMessage } from '../../src/cluster-model/control-protocol.js';
import type { ClusterEvent } from '../../src/cluster-model/model.js';
import { startSupervisor, type SupervisorHandle } from '../../src/supervisor/supervisor.js';
import { waitFor } from '../support/wait.js';
import { alive, converged, pidsOf, settledLeader, tempStateHome } from './helpers.js';

let sup: SupervisorHandle;
let stateHome: string;
const pids = new Set<number>();

beforeAll(async () => {
  stateHome = await tempStateHome();
  sup = await startSupervisor({ name: 'three' });
  sup.subscribe(() => pidsOf(sup.model, pids));
});

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset here when beforeAll failed: its declared type is for the tests, which run only once it is set
  await sup?.stop();
  for (const pid of pids) expect(alive(pid), `node pid ${pid} outlived its supervisor`).toBe(false);
  await rm(stateHome, { recursive: true, force: true });
});

const node = (id: number) => sup.model.nodes.find((n) => n.id === id)!;

describe('a supervised three-node cluster', () => {
  test('starts three nodes in their own data directories and elects one leader', async () => {
    expect(sup.model.nodes.map((n) => [n.id, n.process.state])).toEqual([
      [1, 'running'],
      [2, 'running'],
      [3, 'running'],
    ]);
    expect(new Set(sup.model.nodes.map((n) => n.dataDir)).size).toBe(3);
    expect(sup.model.nodes.every((n) => n.dataDir.startsWith(join(process.env.XDG_STATE_HOME!, 'raft-console', 'three')))).toBe(true);
    expect((await stat(join(sup.folder, 'token'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(sup.folder, 'control.json'))).mode & 0o777).toBe(0o600);
    const leader = await waitFor('a leader', () => settledLeader(sup.model));
    expect(sup.model.nodes.filter((n) => n.raft?.role === 'leader')).toEqual([leader]);
  });

  test('kill the leader: the model shows it killed, and a new leader in a higher term', async () => {
    const old = await waitFor('a leader', () => settledLeader(sup.model));
    const term = old.raft!.term;
    const r = await sup.act({ op: 'kill', nodes: [old.id] });
    expect(r.ok).toBe(true);
    expect(r.text).toContain(`killed n${old.id} (SIGKILL): a crash`);
    expect(old.process).toMatchObject({ state: 'killed', signal: 'SIGKILL', pid: null });
    const next = await waitFor('a new leader', () => settledLeader(sup.model));
    expect(next.id).not.toBe(old.id);
    expect(next.raft!.term).toBeGreaterThan(term);
    expect(sup.model.events.some((e) => e.kind === 'supervisor' && e.type === 'kill' && e.text === r.text)).toBe(true);

    // Restart: same id, same data directory, same port; it rejoins as a follower and catches up.
    const address = old.address;
    const r2 = await sup.act({ op: 'restart', nodes: [old.id] });
    expect(r2).toMatchObject({ ok: true });
    expect(old.process.state).toBe('running');
    expect(old.process.restarts).toBe(1);
    expect(old.address).toBe(address);
    const leader = await waitFor('the restarted node to catch up', () => converged(sup.model));
    expect(old.raft!.role).toBe('follower');
    expect(old.raft!.lastIndex).toBe(leader.raft!.lastIndex);
  });

  test('pause the leader: the others elect another; resumed, it follows', async () => {
    const old = await waitFor('a leader', () => settledLeader(sup.model));
    expect(await sup.act({ op: 'pause', nodes: [old.id] })).toMatchObject({ ok: true });
    expect(old.process.state).toBe('paused');
    const next = await waitFor('a leader among the others', () => settledLeader(sup.model));
    expect(next.id).not.toBe(old.id);
    expect(await sup.act({ op: 'pause', nodes: [old.id] })).toMatchObject({
      ok: false,
      text: `cannot pause n${old.id}: it is paused; resume it first`,
    });
    expect(await sup.act({ op: 'resume', nodes: [old.id] })).toMatchObject({ ok: true });
    await waitFor('all three to converge', () => converged(sup.model));
    expect(old.raft!.role).toBe('follower');
  });

  test('partition with the leader in the minority: the majority elects a new leader; heal converges', async () => {
    const old = await waitFor('a leader', () => settledLeader(sup.model));
    const others = sup.model.nodes.filter((n) => n.id !== old.id).map((n) => n.id);
    const r = await sup.act({ op: 'partition', groups: [[old.id]] });
    expect(r.ok).toBe(true);
    expect(r.text).toContain(`only {${others.join(',')}} holds a majority`);
    expect(sup.model.partition).toEqual([[old.id], others]);
    // Both directions of both cut links, from the old leader to each of the others.
    expect(sup.model.links.filter((l) => l.blocked)).toHaveLength(4);
    const term = old.raft!.term;
    const next = await waitFor('a leader in the majority', () => {
      const l = sup.model.nodes.find((n) => others.includes(n.id) && n.raft?.role === 'leader' && n.raft.term > term);
      return l !== undefined && others.every((id) => node(id).raft!.leader === l.id) ? l : undefined;
    });
    expect(others).toContain(next.id);

    // Restarted inside the partition, it is cut off again as soon as it starts.
    const since = Date.now();
    expect(await sup.act({ op: 'kill', nodes: [old.id] })).toMatchObject({ ok: true });
    expect(await sup.act({ op: 'restart', nodes: [old.id] })).toMatchObject({ ok: true });
    const told = sup.model.events.find((e) => e.node === old.id && e.kind === 'control' && e.ts >= since);
    expect(told?.text).toBe(
      `n${old.id} network faults: blocked to ${others.map((id) => `n${id}`).join(', ')}; blocked from ${others.map((id) => `n${id}`).join(', ')}`,
    );

    expect(await sup.act({ op: 'heal' })).toMatchObject({ ok: true });
    expect(sup.model.links).toEqual([]);
    expect(sup.model.partition).toEqual([]);
    const leader = await waitFor('one leader and one log after healing', () => converged(sup.model));
    expect(leader.raft!.term).toBeGreaterThan(term);
  });

  test('link faults: delay and loss both ways or one way, a full drop is a cut', async () => {
    const r = await sup.act({ op: 'link', from: 1, to: 2, delayMs: 20, drop: 0.1 });
    expect(r).toMatchObject({ ok: true, text: 'link n1 -> n2 delay 20 ms, loss 10%; n2 -> n1 delay 20 ms, loss 10%' });
    const cut = await sup.act({ op: 'link', from: 3, to: 1, drop: 1, oneWay: true });
    expect(cut).toMatchObject({ ok: true, text: 'link n3 -> n1 cut (one way)' });
    expect(sup.model.links).toEqual([
      { from: 1, to: 2, blocked: false, delayMs: 20, loss: 0.1 },
      { from: 2, to: 1, blocked: false, delayMs: 20, loss: 0.1 },
      { from: 3, to: 1, blocked: true, delayMs: 0, loss: 0 },
    ]);
    expect(await sup.act({ op: 'link', from: 1, to: 1, drop: 1 })).toMatchObject({
      ok: false,
      text: 'a link joins two different nodes, got n1 twice',
    });
    expect(await sup.act({ op: 'heal' })).toMatchObject({
      ok: true,
      text: 'healed the network: every link delivers again (3 faulty links mended)',
    });
    await waitFor('the cluster to settle', () => converged(sup.model));
  });

  test('actions on nodes that do not exist, or in the wrong state, say why and what to do', async () => {
    expect(await sup.act({ op: 'kill', nodes: [7] })).toEqual({
      ok: false,
      text: 'no node 7: nodes are 1-3',
      problem: { code: 'not-a-node', node: 7, removed: false },
    });
    expect(await sup.act({ op: 'resume', nodes: [1] })).toEqual({
      ok: false,
      text: 'cannot resume n1: it is running; it is not paused',
      problem: { code: 'node-state', node: 1, op: 'resume', state: 'running' },
    });
    const leader = await waitFor('a leader', () => settledLeader(sup.model));
    expect(await sup.act({ op: 'transfer', node: leader.id })).toMatchObject({
      ok: false,
      text: `n${leader.id} is already the leader (term ${leader.raft!.term})`,
    });
    const failed = sup.model.events.filter((e) => e.kind === 'supervisor' && e.data?.ok === false);
    expect(failed.map((e) => e.text)).toContain('no node 7: nodes are 1-3');
  });

  test('leadership transfer and a forced election', async () => {
    const leader = await waitFor('a leader', () => settledLeader(sup.model));
    const to = sup.model.nodes.find((n) => n.id !== leader.id)!.id;
    const r = await sup.act({ op: 'transfer', node: to });
    expect(r).toMatchObject({ ok: true, text: `n${leader.id} handed leadership to n${to}: n${to} leads term ${node(to).raft!.term}` });
    await waitFor('the cluster to settle', () => converged(sup.model));
    const campaigner = sup.model.nodes.find((n) => n.raft?.role === 'follower')!;
    expect(await sup.act({ op: 'campaign', node: campaigner.id })).toMatchObject({ ok: true });
    expect(await sup.act({ op: 'campaign', node: to === campaigner.id ? leader.id : campaigner.id })).toHaveProperty('ok');
    await waitFor('the cluster to settle', () => converged(sup.model));
  });

  test('a node that dies on its own is reported crashed, with its signal', async () => {
    const victim = node(3);
    process.kill(victim.process.pid!, 'SIGKILL');
    await waitFor('the crash in the model', () => victim.process.state === 'crashed');
    expect(victim.process.signal).toBe('SIGKILL');
    // The event follows within the reorder window.
    const crashed = await waitFor('the crash in the events', () => sup.model.events.filter((e) => e.type === 'crashed').at(-1));
    expect(crashed).toMatchObject({ kind: 'supervisor', text: 'n3 crashed (SIGKILL)' });
    // Its port is taken for a while (as by a socket that lingers): the restart waits for it.
    // (It hangs up on the peers that dial n3 meanwhile, as a closed port would.)
    const squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(Number(victim.address.split(':')[1]), '127.0.0.1', resolve));
    setTimeout(() => squatter.close(), 500);
    const r = await sup.act({ op: 'restart', nodes: [3] });
    expect(r, r.text).toMatchObject({ ok: true });
    expect(victim.process.state).toBe('running');
    await waitFor('the cluster to settle', () => converged(sup.model));
  });

  test('the speed changes while the cluster runs: same ticks, longer or shorter', async () => {
    expect(await sup.act({ op: 'speed', preset: 'slow' })).toEqual({
      ok: true,
      text: 'speed slow: elections after 1500-3000 ms, heartbeat every 500 ms, tick 100 ms (slow)',
      data: { timing: { preset: 'slow', tickMs: 100, electionTimeoutMs: { min: 1500, max: 3000 }, heartbeatMs: 500 } },
      outcome: { code: 'speed', timing: { preset: 'slow', tickMs: 100, electionTimeoutMs: { min: 1500, max: 3000 }, heartbeatMs: 500 } },
    });
    expect(sup.model.events.filter((e) => e.kind === 'control' && e.text.endsWith('ticks every 100 ms'))).toHaveLength(3);
    expect(await sup.act({ op: 'speed', preset: 'normal' })).toMatchObject({ ok: true });
    expect(sup.model.timing).toEqual({ preset: 'normal', tickMs: 10, electionTimeoutMs: { min: 150, max: 300 }, heartbeatMs: 50 });
    expect(JSON.parse(await readFile(join(sup.folder, 'cluster.json'), 'utf8'))).toHaveProperty('timing', sup.model.timing);
  });

  test('add a node (learner, then voter) and remove it again', async () => {
    const added = await sup.act({ op: 'add' });
    expect(added.ok, added.text).toBe(true);
    expect(added.text).toMatch(
      /^added n4 at 127\.0\.0\.1:\d+: joined as a learner, caught up, promoted to voter \(entry \d+\); 4 voters now, a majority is 3$/,
    );
    const story = sup.model.events.filter((e) => e.kind === 'supervisor' && e.type === 'add').map((e) => e.text);
    expect(story[0]).toMatch(/^adding n4 at/);
    expect(story.some((t) => t.startsWith('n4 joins as a learner'))).toBe(true);
    const four = await waitFor('n4 to catch up as a voter', () => {
      const m = converged(sup.model);
      return m !== undefined && m.raft!.membership.voters.includes(4) ? node(4) : undefined;
    });
    expect(four.raft!.membership).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    pidsOf(sup.model, pids);

    const removed = await sup.act({ op: 'remove', node: 4 });
    expect(removed.ok, removed.text).toBe(true);
    expect(removed.text).toMatch(/^removed n4: the change committed at entry \d+; n4 is stopped; 3 voters now, a majority is 2$/);
    expect(four).toMatchObject({ removed: true, process: { state: 'stopped' } });
    const leader = await waitFor('the cluster to settle', () => converged(sup.model));
    expect(leader.raft!.membership).toEqual({ voters: [1, 2, 3], learners: [] });
    expect(await sup.act({ op: 'restart', nodes: [4] })).toEqual({
      ok: false,
      text: 'n4 was removed from the cluster: nodes are 1-3',
      problem: { code: 'not-a-node', node: 4, removed: true },
    });
  });

  test('add --learner leaves the node a learner, caught up, until promote makes it a voter', async () => {
    const added = await sup.act({ op: 'add', learner: true });
    expect(added.ok, added.text).toBe(true);
    expect(added.text).toMatch(
      /^added n5 at 127\.0\.0\.1:\d+ as a learner \(entry \d+\): it receives the log but does not vote; `raft-console promote 5` makes it a voter once it has caught up$/,
    );
    expect(added.outcome).toMatchObject({ code: 'added-learner', node: 5 });
    pidsOf(sup.model, pids);
    // It catches up by Raft on its own, and stays a learner: nothing promotes it.
    const leader = await waitFor('n5 to catch up as a learner', () => converged(sup.model));
    expect(leader.raft!.membership).toEqual({ voters: [1, 2, 3], learners: [5] });
    expect(node(5).raft!.membership).toEqual({ voters: [1, 2, 3], learners: [5] });

    expect(await sup.act({ op: 'promote', node: 1 })).toMatchObject({
      ok: false,
      text: 'n1 is a voter already: only a learner can be promoted (`raft-console add --learner` adds one)',
      problem: { code: 'not-a-learner', node: 1, voter: true },
    });
    expect(await sup.act({ op: 'promote', node: 9 })).toMatchObject({ ok: false, problem: { code: 'not-a-node', node: 9 } });

    const promoted = await sup.act({ op: 'promote', node: 5 });
    expect(promoted.ok, promoted.text).toBe(true);
    expect(promoted.text).toMatch(/^promoted n5 to voter \(entry \d+\); 4 voters now, a majority is 3$/);
    expect(promoted.outcome).toMatchObject({ code: 'promoted', node: 5, voters: 4 });
    const settled = await waitFor('n5 to be a voter everywhere', () => {
      const m = converged(sup.model);
      return m !== undefined && m.raft!.membership.voters.includes(5) ? m : undefined;
    });
    expect(settled.raft!.membership).toEqual({ voters: [1, 2, 3, 5], learners: [] });
    expect(await sup.act({ op: 'promote', node: 5 })).toMatchObject({
      ok: false,
      problem: { code: 'not-a-learner', node: 5, voter: true },
    });

    expect(await sup.act({ op: 'remove', node: 5 })).toMatchObject({ ok: true });
    await waitFor('the cluster to settle', () => converged(sup.model));
  });

  test('the control API refuses a wrong token', async () => {
    const ws = new WebSocket(sup.url);
    const messages: ControlMessage[] = [];
    ws.on('message', (raw) => messages.push(JSON.parse(messageText(raw)) as ControlMessage));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'auth', token: 'not-the-token' }));
    const code = await new Promise<number>((resolve) => ws.once('close', resolve));
    expect(code).toBe(4401);
    expect(messages).toEqual([{ type: 'error', code: 'unauthorized', text: expect.stringContaining('wrong token') as string }]);
  });

  test('the control API: welcome with the model, live events, an action round trip', async () => {
    const client = await ControlClient.connect({ name: 'three' });
    try {
      expect(client.model.clusterId).toBe(sup.model.clusterId);
      expect(client.model.nodes.map((n) => n.id)).toEqual([1, 2, 3, 4, 5]);
      const events: ClusterEvent[] = [];
      client.subscribe((added) => events.push(...added));
      const follower = sup.model.nodes.find((n) => n.raft?.role === 'follower' && !n.removed)!;
      const r = await client.act({ op: 'link', from: follower.id, to: 1 === follower.id ? 2 : 1, delayMs: 5 });
      expect(r.ok).toBe(true);
      // The update carrying the action's effects arrives before its result.
      expect(client.model.links).toHaveLength(2);
      expect(events.some((e) => e.kind === 'supervisor' && e.text === r.text)).toBe(true);
      expect(await client.act({ op: 'heal' })).toMatchObject({ ok: true });
      expect(client.model.links).toEqual([]);
      // A malformed action is answered, not fatal.
      expect(await client.act({ op: 'kill', nodes: [] } as never)).toEqual({
        ok: false,
        text: 'action.nodes must be a non-empty list of node ids, got [] (e.g. [1, 3])',
      });
      expect((await client.snapshot()).events.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });
});
