// The etcd engine end to end through the built CLI, as a user runs it: `up 3 --engine etcd` opens
// the dashboard in a real terminal (tmux, 100x30) on three local etcd members, and commands from
// another terminal break and mend the cluster while the screen shows it: the leader killed and a
// new one in a higher term, a partition with the leader in the minority (the majority elects, and
// `put` through its new leader commits a write that `get` reads back), heal, a member added and
// removed, and `down` leaving no etcd process behind.
// Needs etcd (Debian's etcd-server; CI installs it) and tmux.
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import type { Run } from '../cli/helpers.js';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';
import { headerLeader, paneForTests, skipWithoutTmux } from './tmux.js';

const hasEtcd = spawnSync('etcd', ['--version']).status === 0;
const skip = skipWithoutTmux || (!hasEtcd && ['', 'false', '0', undefined].includes(process.env.CI));
if (skip) console.warn('etcd.system.test.ts skipped: tmux or etcd is not installed (in CI both are required and the test runs)');

const tests = paneForTests('etcd.system.test.ts');

const onScreen = <T>(what: string, parse: (text: string) => T | undefined, timeoutMs?: number): Promise<T> =>
  tests.pane().onScreen(what, parse, timeoutMs);

/** A leader other than `not`, in a term after `after`, on screen. */
const newLeader = (not: number, after: number, among: number[] = [1, 2, 3]): Promise<{ id: number; term: number }> =>
  onScreen(`a leader among n${among.join(', n')} other than n${not} in a term after ${after}`, (text) => {
    const h = headerLeader(text);
    return h !== undefined && h.id !== not && among.includes(h.id) && h.term > after ? h : undefined;
  });

/** The etcd processes whose command line names this test's folders. */
function etcdProcesses(): string[] {
  const r = spawnSync('pgrep', ['-af', `${tests.cli().home}.*--initial-cluster`], { encoding: 'utf8' });
  return r.stdout.trim().split('\n').filter(Boolean);
}

describe.skipIf(skip)('an etcd cluster from the CLI, on the dashboard (tmux)', () => {
  test('up 3 --engine etcd, kill the leader, partition it away, heal, add and remove a member, down: no etcd left', async () => {
    const cli = tests.cli();
    await tests.pane().start(100, 30, 'up 3 --engine etcd');
    const first = await onScreen('a leader in the header', headerLeader, 20_000);

    // The leader killed from another terminal: the other two elect a new one, in a later term.
    await cli.ok('kill', String(first.id));
    const second = await newLeader(first.id, first.term);
    await cli.ok('restart', String(first.id));

    // The leader cut off in a minority: the majority elects and commits a write.
    const others = [1, 2, 3].filter((id) => id !== second.id);
    await cli.ok('partition', String(second.id), others.join(','));
    const third = await newLeader(second.id, second.term, others);
    // --via: to a member of the majority (etcd forwards a write to its leader), not the old leader
    // that may still think it leads. Two busy members can elect again between commands, and etcd
    // then answers "leader changed" or "no leader" (exit 1): a command that got one is sent again
    // (putting "yes" again is harmless); any other answer is the one asserted.
    const viaMajority = (...args: string[]): Promise<Run> =>
      waitFor(
        `raft-console ${args.join(' ')} through n${third.id} without an election in the way`,
        async () => {
          const r = await cli.run(...args, '--via', String(third.id), '--name', 'default');
          return r.code !== 0 && /leader changed|no leader/.test(r.stderr) ? undefined : r;
        },
        COSTLY_PROBE,
      );
    const put = await viaMajority('put', 'written-in-the-majority', 'yes');
    expect(put, put.stderr).toMatchObject({ code: 0, stderr: '' });
    const committed = /^written-in-the-majority = "yes", committed at revision (\d+) \(answered by n(\d+)\)$/.exec(put.stdout.trim());
    expect(committed?.[2], put.stdout).toBe(String(third.id));
    const get = await viaMajority('get', 'written-in-the-majority');
    expect(get, get.stderr).toMatchObject({ code: 0, stderr: '' });
    const read = /^written-in-the-majority = "yes" \(read at revision (\d+), answered by n(\d+)\)$/.exec(get.stdout.trim());
    expect(read?.[2], get.stdout).toBe(String(third.id));
    expect(Number(read?.[1])).toBeGreaterThanOrEqual(Number(committed?.[1]));
    await cli.ok('heal');
    await cli.settled('default', (s) => s.nodes.filter((n) => !n.removed && n.process.state === 'running').length === 3);

    // A member added (a learner, then promoted) and removed, through etcd's member API.
    expect(await cli.ok('add')).toMatch(/added n4/);
    await onScreen('n4 on the dashboard', (text) => (/\bn4\b/.test(text) ? true : undefined));
    expect(await cli.ok('remove', '4')).toMatch(/removed n4/);

    // down from another terminal ends the dashboard's command, and every member with it.
    await cli.ok('down');
    const exit = await onScreen('the command to end', (text) => /\[exited with (\d+)\]/.exec(text)?.[1], 20_000);
    expect(exit).toBe('0');
    expect(etcdProcesses()).toEqual([]);
  });
});
