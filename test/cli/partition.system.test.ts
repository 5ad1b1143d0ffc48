// The heart of the workshop, through the built binary: partition a five-node cluster 2|3 with the
// leader in the minority, hand that stranded leader an entry with `submit --via` and watch it fail
// to commit, see the majority elect a leader and commit, then heal and see every node end with the
// majority's log: the minority's uncommitted entry is gone.
//
// Timing: with CheckQuorum the stranded leader steps down one to two election timeouts after the
// cut; the elections here take 1-2 s, so the `submit --via` (a fresh CLI process) reaches it while
// it still leads, even on a busy machine.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';
import { Cli, type LogDoc, type Status } from './helpers.js';

const NAME = 'workshop';
let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

const log = (id: number): Promise<LogDoc> => cli.log(NAME, id);

describe('partition 2|3 with the leader in the minority, then heal', () => {
  test("the minority cannot commit, the majority can, and after heal every node holds the majority's log", async () => {
    await cli.up(NAME, '5', '--election-timeout', '1000-2000', '--heartbeat', '100');
    const { status, leader } = await cli.settled(NAME);
    await cli.ok('submit', 'before', '--name', NAME);

    const ids = status.nodes.map((n) => n.id);
    const minority = [leader.id, ids.find((id) => id !== leader.id)!];
    const majority = ids.filter((id) => !minority.includes(id));
    const cut = await cli.ok('partition', minority.join(','), majority.join(','), '--name', NAME);
    expect(cut).toContain(`only {${majority.join(',')}} holds a majority of the voters`);
    expect(cut).toContain(`the leader n${leader.id} is cut off in a minority`);

    // Handed to the stranded leader, the entry is appended but never commits: exit 1.
    const stranded = await cli.run('submit', 'stranded', '--via', String(leader.id), '--timeout', '8000', '--name', NAME);
    expect(stranded.code, stranded.stdout).toBe(1);
    expect(stranded.stdout).toBe('');
    expect(stranded.stderr).toMatch(
      new RegExp(`^raft-console submit: n${leader.id} (appended the entry but lost its leadership|did not commit the entry in time)`),
    );
    const minorityLog = await log(leader.id);
    const lost = minorityLog.entries.find((e) => e.text === 'submit "stranded"');
    expect(lost).toMatchObject({ committed: false, term: leader.raft!.term });

    // The majority elects a leader of a higher term and commits.
    const { leader: next } = await waitFor(
      'a leader in the majority',
      async () => {
        const s = await cli.status(NAME);
        const l = s.nodes.find((n) => majority.includes(n.id) && n.raft?.role === 'leader' && n.raft.term > leader.raft!.term);
        return l === undefined ? undefined : { status: s, leader: l };
      },
      COSTLY_PROBE,
    );
    const committed = JSON.parse(await cli.ok('submit', 'majority', '--json', '--name', NAME)) as {
      index: number;
      leader: number;
      term: number;
    };
    expect(majority).toContain(committed.leader);
    expect(committed.term).toBeGreaterThanOrEqual(next.raft!.term);
    // The minority still cannot commit, even with --via to its other node.
    const other = await cli.run('submit', 'also lost', '--via', String(minority[1]), '--timeout', '3000', '--name', NAME);
    expect(other.code).toBe(1);

    // Heal: every node ends up with the majority's log; the stranded entry is gone.
    expect(await cli.ok('heal', '--name', NAME)).toMatch(/^healed the network/);
    const { status: healed } = await cli.settled(NAME, (s: Status, l) =>
      s.nodes.every((n) => n.raft!.lastIndex === l.raft!.lastIndex && n.raft!.commit === l.raft!.lastIndex),
    );
    const logs = await Promise.all(healed.nodes.map((n) => log(n.id)));
    const reference = logs.find((l) => l.node === committed.leader)!;
    for (const l of logs) {
      expect(
        l.entries.map((e) => [e.index, e.term, e.text]),
        `n${l.node}'s log`,
      ).toEqual(reference.entries.map((e) => [e.index, e.term, e.text]));
      expect(l.entries.every((e) => e.committed)).toBe(true);
      expect(l.entries.some((e) => e.text === 'submit "stranded"')).toBe(false);
      expect(l.entries.some((e) => e.text === 'submit "majority"')).toBe(true);
    }
    // Where the stranded entry was, the minority's log now holds the majority's entry of a later term.
    expect(reference.entries.find((e) => e.index === lost!.index)!.term).toBeGreaterThan(lost!.term);
  });
});
