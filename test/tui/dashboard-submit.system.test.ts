// The dashboard's submit through a real cluster whose leader is cut off in a minority: the write
// goes to that stranded leader first (the model still names it), times out there, is resent and
// redirected until the majority's new leader commits it. However often it was resent, the cluster
// ends with exactly one entry for it. And `N`'s path, a submit to the stranded node only, comes
// back saying that node cannot commit.
//
// Timing: without CheckQuorum the stranded leader keeps leading, and elections after 2-3 s
// keep the followers pointing at it past the client's first attempt (1 s), so the client's retry
// reaches it again through a follower's redirect; the majority elects well within the dashboard's
// 5 s write timeout.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ClusterModel } from '../../src/cluster-model/index.js';
import { submitEntry } from '../../src/tui/writes.js';
import { Cli, type Status } from '../cli/helpers.js';

const NAME = 'dashboard-submit';
let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

const modelOf = (s: Status): ClusterModel => ({ ...s, events: [] });

describe('a dashboard submit while the leader is cut off in a minority', () => {
  test('adds exactly one entry, and a submit via the stranded node says it cannot commit', async () => {
    await cli.up(NAME, '3', '--election-timeout', '2000-3000', '--heartbeat', '100', '--no-check-quorum');
    const { leader } = await cli.settled(NAME);
    const before = modelOf(await cli.status(NAME)); // names the leader: the client tries it first
    await cli.ok('isolate', String(leader.id), '--name', NAME);
    // The submits start at once: the followers' timers run from the cut.
    const cut = { ...before, partition: [[leader.id], before.nodes.map((n) => n.id).filter((id) => id !== leader.id)] };

    const text = `once-${process.pid}`;
    const [submitted, via] = await Promise.all([submitEntry(before, text), submitEntry(cut, 'stranded', leader.id)]);
    expect(submitted.ok, submitted.text).toBe(true);
    expect(submitted.text).not.toContain(`led by n${leader.id}`);
    expect(via.ok).toBe(false);
    expect(via.text).toMatch(
      new RegExp(`^n${leader.id} is cut off from the majority \\(with n${leader.id}\\), so nothing it takes can commit: `),
    );

    // However often the client resent it to the stranded leader, that leader holds it at most once.
    const stranded = await cli.log(NAME, leader.id);
    expect(stranded.entries.filter((e) => e.text === `submit "${text}"`).length).toBeLessThanOrEqual(1);

    await cli.ok('heal', '--name', NAME);
    const { status: healed } = await cli.settled(NAME, (s: Status, l) =>
      s.nodes.every((n) => n.raft!.lastIndex === l.raft!.lastIndex && n.raft!.commit === l.raft!.lastIndex),
    );
    for (const n of healed.nodes) {
      const copies = (await cli.log(NAME, n.id)).entries.filter((e) => e.text === `submit "${text}"`);
      expect(copies, `n${n.id}'s log`).toHaveLength(1);
      expect(copies[0]!.committed).toBe(true);
      expect(n.raft!.commit).toBeGreaterThanOrEqual(copies[0]!.index);
    }
  });
});
