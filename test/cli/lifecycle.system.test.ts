// One five-node cluster started with `up 5 --detach` and driven through the built binary, as a
// user would from a second terminal: status, submit, a leader crash and restart, a paused leader,
// an isolated follower, a node added and removed, and `down`, after which no process is left.
// The tests run in order on the same cluster; each waits for the cluster to settle first.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';
import { Cli, alive, type Status } from './helpers.js';

const NAME = 'life';
let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

const node = (s: Status, id: number) => s.nodes.find((n) => n.id === id)!;

describe('a five-node cluster from `up 5 --detach`', () => {
  test('status --json shows five running nodes and exactly one leader', async () => {
    const status = await cli.up(NAME, '5');
    expect(status.name).toBe(NAME);
    expect(status.nodes.map((n) => [n.id, n.process.state])).toEqual([1, 2, 3, 4, 5].map((id) => [id, 'running']));
    expect(alive(status.supervisorPid)).toBe(true);
    const { status: settled, leader } = await cli.settled(NAME);
    expect(settled.nodes.filter((n) => n.raft?.role === 'leader').map((n) => n.id)).toEqual([leader.id]);
    expect(settled.leader).toBe(leader.id);
    expect(settled.term).toBe(leader.raft!.term);
  });

  test('submit commits and says at which index and term, and which node led', async () => {
    const { leader } = await cli.settled(NAME);
    const human = await cli.ok('submit', 'hello', 'raft', '--name', NAME);
    expect(human).toMatch(new RegExp(`^committed "hello raft" at index \\d+ in term ${leader.raft!.term}, led by n${leader.id}\\n$`));
    const json = JSON.parse(await cli.ok('submit', 'again', '--json', '--name', NAME)) as Record<string, unknown>;
    expect(json).toMatchObject({ op: 'submit', text: 'again', term: leader.raft!.term, leader: leader.id });
    const { status } = await cli.settled(NAME, (s) => s.nodes.every((n) => n.raft!.commit >= (json.index as number)));
    expect(status.nodes.every((n) => n.raft!.lastIndex === json.index)).toBe(true);
  });

  test("speed changes the running cluster's preset, and back", async () => {
    expect(await cli.ok('speed', 'slow', '--name', NAME)).toBe(
      'speed slow: elections after 1500-3000 ms, heartbeat every 500 ms, tick 100 ms (slow)\n',
    );
    expect((await cli.status(NAME)).timing).toMatchObject({ preset: 'slow', tickMs: 100 });
    await cli.ok('speed', 'normal', '--name', NAME);
    expect((await cli.status(NAME)).timing).toMatchObject({ preset: 'normal', tickMs: 10 });
  });

  test('the key-value commands put, get, cas and del', async () => {
    expect(await cli.ok('put', 'color', 'red', '--name', NAME)).toMatch(/^color = "red" \(a new key\), committed at index \d+/);
    expect(await cli.ok('get', 'color', '--name', NAME)).toMatch(/^color = "red" \(read at commit index \d+\)/);
    expect(await cli.ok('cas', 'color', 'red', 'blue', '--name', NAME)).toMatch(/^color: "red" -> "blue", committed/);
    const miss = await cli.run('cas', 'color', 'red', 'green', '--json', '--name', NAME);
    expect(miss.code).toBe(1);
    expect(JSON.parse(miss.stdout)).toMatchObject({ swapped: false, current: 'blue' });
    expect(JSON.parse(await cli.ok('del', 'color', '--json', '--name', NAME))).toMatchObject({ op: 'delete', key: 'color', existed: true });
    expect(JSON.parse(await cli.ok('get', 'color', '--json', '--name', NAME))).toMatchObject({ key: 'color', value: null });
  });

  test('events --node and --kind keep only the events of those nodes and kinds', async () => {
    const read = async (...args: string[]): Promise<Array<{ node: number | null; kind: string }>> =>
      (await cli.ok('events', '--json', '--name', NAME, ...args))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { node: number | null; kind: string });
    const raftOf2 = await read('--node', '2', '--kind', 'raft');
    expect(raftOf2.length).toBeGreaterThan(0);
    expect(raftOf2.every((e) => e.node === 2 && e.kind === 'raft')).toBe(true);
    const own = await read('--kind', 'supervisor');
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((e) => e.node === null)).toBe(true);
  });

  test('kill the leader: a new leader in a higher term; restart: the old one follows with its log intact and caught up', async () => {
    const { leader: old } = await cli.settled(NAME);
    const killed = await cli.ok('kill', String(old.id), '--name', NAME);
    expect(killed).toContain(`killed n${old.id} (SIGKILL)`);
    expect(killed).toContain(`n${old.id} was the leader: the 4 voters left, a majority of 5, elect a new one`);
    const after = await cli.status(NAME);
    expect(node(after, old.id).process.state).toBe('killed');
    expect(alive(old.process.pid!)).toBe(false);
    const { leader: next } = await cli.settled(NAME, (_, l) => l.id !== old.id);
    expect(next.raft!.term).toBeGreaterThan(old.raft!.term);
    const written = JSON.parse(await cli.ok('submit', 'while n', String(old.id), 'is down', '--json', '--name', NAME)) as { index: number };

    expect(await cli.ok('restart', String(old.id), '--name', NAME)).toContain(`restarted n${old.id}`);
    const { status } = await cli.settled(NAME, (s, l) => {
      const back = node(s, old.id);
      return back.process.state === 'running' && back.raft!.commit >= written.index && back.raft!.lastIndex === l.raft!.lastIndex;
    });
    const back = node(status, old.id);
    expect(back.raft!.role).toBe('follower');
    expect(back.process.restarts).toBe(1);
    // Intact: its log still starts at 1 (nothing lost, nothing compacted) and holds what it had before.
    expect(back.raft!.firstIndex).toBe(1);
    const log = JSON.parse(await cli.ok('log', String(old.id), '--json', '--name', NAME)) as {
      entries: Array<{ index: number; text: string; committed: boolean }>;
    };
    expect(log.entries.map((e) => e.index)).toEqual(Array.from({ length: back.raft!.lastIndex }, (_, i) => i + 1));
    expect(log.entries.some((e) => e.text === 'submit "hello raft"')).toBe(true);
    expect(log.entries.at(-1)).toMatchObject({ committed: true });
  });

  test('pause the leader: the others elect another; resume: it follows', async () => {
    const { leader: old } = await cli.settled(NAME);
    expect(await cli.ok('pause', String(old.id), '--name', NAME)).toContain(`paused n${old.id} (SIGSTOP)`);
    const { leader: next } = await cli.settled(NAME, (_, l) => l.id !== old.id);
    expect(next.raft!.term).toBeGreaterThan(old.raft!.term);
    expect(node(await cli.status(NAME), old.id).process.state).toBe('paused');
    expect(await cli.ok('resume', String(old.id), '--name', NAME)).toContain(`resumed n${old.id} (SIGCONT)`);
    const { status } = await cli.settled(NAME, (s) => node(s, old.id).process.state === 'running');
    expect(node(status, old.id).raft!.role).toBe('follower');
  });

  test('isolate a follower: the others go on without it; heal: it catches up', async () => {
    const { status: before, leader } = await cli.settled(NAME);
    const follower = before.nodes.find((n) => n.id !== leader.id)!;
    expect(await cli.ok('isolate', String(follower.id), '--name', NAME)).toContain(`{${follower.id}}`);
    const w = JSON.parse(await cli.ok('submit', 'without', `n${follower.id}`, '--json', '--name', NAME)) as { index: number };
    expect(node(await cli.status(NAME), follower.id).raft!.lastIndex).toBeLessThan(w.index);
    const status = JSON.parse(await cli.ok('status', '--json', '--name', NAME)) as Status;
    expect(status.partition).toEqual([[follower.id], before.nodes.map((n) => n.id).filter((id) => id !== follower.id)]);
    expect(await cli.ok('heal', '--name', NAME)).toMatch(/^healed the network/);
    await cli.settled(
      NAME,
      (s, l) =>
        s.links.length === 0 && node(s, follower.id).raft!.lastIndex === l.raft!.lastIndex && node(s, follower.id).raft!.commit >= w.index,
    );
  });

  test('add a node (learner, then voter), then remove it', async () => {
    const added = await cli.run('add', '--json', '--name', NAME);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ ok: true, data: { node: 6 } });
    const { status } = await cli.settled(NAME, (s) => node(s, 6).raft?.membership.voters.includes(6) === true);
    expect(status.nodes).toHaveLength(6);
    expect(await cli.ok('remove', '6', '--name', NAME)).toMatch(/^removed n6/);
    const after = await cli.status(NAME);
    expect(node(after, 6)).toMatchObject({ removed: true, process: { state: 'stopped' } });
    await cli.settled(NAME, (s) => s.nodes.every((n) => n.removed || !n.raft!.membership.voters.includes(6)));
  });

  test('down stops every node and the supervisor: no process is left', async () => {
    const status = await cli.status(NAME);
    const pids = [status.supervisorPid, ...status.nodes.flatMap((n) => (n.process.pid === null ? [] : [n.process.pid]))];
    expect(pids.length).toBe(6);
    expect(await cli.ok('down', '--name', NAME)).toMatch(new RegExp(`^stopped the cluster ${NAME} \\(5 nodes\\)`));
    expect(pids.filter(alive)).toEqual([]);
    const gone = await cli.run('status', '--name', NAME);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toBe(
      `raft-console status: no cluster named ${NAME} is running: start one with \`raft-console up --name ${NAME}\`\n`,
    );
    // Started again, it is the same cluster with the same data.
    const again = await cli.up(NAME);
    expect(again.clusterId).toBe(status.clusterId);
    await waitFor(
      'the log back from disk',
      async () => ((await cli.status(NAME)).nodes.every((n) => n.removed || (n.raft !== null && n.raft.lastIndex > 5)) ? true : undefined),
      COSTLY_PROBE,
    );
  });
});
