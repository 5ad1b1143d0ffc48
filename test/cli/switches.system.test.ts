// `up --no-pre-vote --no-check-quorum --bug NAME`: the switches are kept in cluster.json, every
// node is started with them, `status` shows them (only when they differ from the defaults), and a
// later `up` of the same cluster with other switches keeps the saved ones and says so. Also: the
// richer state each node reports (term runs, timer, the leader's progress) reaches `status --json`,
// and so does the safety monitor's verdict.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ClusterEvent } from '../../src/cluster-model/index.js';
import { Cli } from './helpers.js';

let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

const nodeStarts = async (name: string): Promise<ClusterEvent[]> =>
  (await cli.ok('events', '--json', '--name', name))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ClusterEvent)
    .filter((e) => e.kind === 'node' && e.type === 'started');

describe("a cluster's Raft switches", () => {
  test('are given to every node, kept in cluster.json, and shown by status', async () => {
    const status = await cli.up('buggy', '2', '--speed', 'fast', '--no-pre-vote', '--bug', 'commit-previous-term');
    const switches = { preVote: false, checkQuorum: true, bugs: ['commit-previous-term'] };
    expect(status.switches).toEqual(switches);
    const file = JSON.parse(await readFile(join(status.folder, 'cluster.json'), 'utf8')) as { switches: unknown };
    expect(file.switches).toEqual(switches);
    const starts = await nodeStarts('buggy');
    expect(starts.map((e) => e.node).sort()).toEqual([1, 2]);
    expect(starts.map((e) => e.data!.switches)).toEqual([switches, switches]);
    const human = await cli.ok('status', '--name', 'buggy');
    expect(human).toContain('\nfaults: Raft: PreVote off, BUG commit-previous-term ON\n');
  });

  test("status --json carries each node's term runs and timer, and the leader's view of its follower", async () => {
    const { status, leader } = await cli.settled('buggy', (s) =>
      s.nodes.every((n) => n.raft!.commit >= 1 && n.raft!.commit === n.raft!.lastIndex),
    );
    const follower = status.nodes.find((n) => n.id !== leader.id)!;
    // One run per leader that appended to the log: a busy machine may hold more than one election
    // in a two-node cluster at the fast speed, each leader adding its empty entry of its own term.
    const runs = leader.raft!.runs;
    expect(runs[0]![0]).toBe(1);
    for (let i = 1; i < runs.length; i++) {
      expect(runs[i]![0]).toBeGreaterThan(runs[i - 1]![0]);
      expect(runs[i]![1]).toBeGreaterThan(runs[i - 1]![1]);
    }
    expect(runs.at(-1)![1]).toBe(leader.raft!.term);
    expect(leader.raft!.timer).toMatchObject({ kind: 'heartbeat', intervalMs: 10 });
    const last = leader.raft!.lastIndex;
    expect(leader.raft!.progress).toEqual({ [follower.id]: { match: last, next: last + 1, state: 'replicate' } });
    expect(follower.raft!.runs).toEqual(leader.raft!.runs);
    expect(follower.raft!.timer).toMatchObject({ kind: 'election' });
    expect(follower.raft!.progress).toEqual({});
  });

  test('an `up` of the existing cluster with other switches keeps the saved ones and says so', async () => {
    await cli.ok('down', '--name', 'buggy');
    const out = await cli.ok('up', '--detach', '--name', 'buggy', '--no-check-quorum');
    expect(out).toContain(
      'note: it keeps the Raft switches it was created with (PreVote off, BUG commit-previous-term ON): they apply to a new cluster only',
    );
    expect(out).toContain('raft: PreVote off, BUG commit-previous-term ON');
    const status = await cli.status('buggy');
    expect(status.switches).toEqual({ preVote: false, checkQuorum: true, bugs: ['commit-previous-term'] });
    // The restarted nodes run with the saved switches too.
    const starts = await nodeStarts('buggy');
    expect(starts.map((e) => e.data!.switches)).toEqual([status.switches, status.switches]);
  });

  test("a cluster with the defaults shows no switches in status, only the safety monitor's line", async () => {
    const status = await cli.up('plain', '1', '--speed', 'fast');
    expect(status.switches).toEqual({ preVote: true, checkQuorum: true, bugs: [] });
    expect(status.safety).toMatchObject({ ok: true });
    const human = await cli.ok('status', '--name', 'plain');
    expect(human).not.toContain('Raft:');
    expect(human).toMatch(/\nfaults: none\nsafety: OK \(checked \d+ reports?\)\n$/);
  });

  test('an unknown bug is a usage error naming the known ones', async () => {
    const r = await cli.run('up', '--detach', '--name', 'nope', '--bug', 'off-by-one');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--bug must be one of commit-previous-term, vote-without-log-check, vote-not-persisted, read-without-quorum, conf-change-before-term-commit, skip-noop, got "off-by-one"',
    );
    expect(r.stdout).toBe('');
  });
});
