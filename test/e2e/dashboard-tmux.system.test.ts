// The dashboard in a real terminal: `raft-console up 3` (the built binary) runs inside a tmux pane
// on a private server (its socket in the temp folder), and the test reads the screen with capture-pane and types with send-keys,
// as a user would. It kills the leader from the keyboard, watches the header name a new leader in
// a later term, restarts the node from the `:` command line, selects a node with a click, quits
// with q then y, and checks that the command ended and no process outlived it.
// tmux is required in CI (.ci/run installs it); elsewhere the test is skipped when tmux is missing.
import { describe, expect, test } from 'vitest';
import { alive, type Status } from '../cli/helpers.js';
import { headerLeader, paneForTests, skipWithoutTmux as skip } from './tmux.js';
import { layout, rowRegions } from '../../src/tui/layout.js';

const CLUSTER = 'default';

if (skip) console.warn('dashboard-tmux.system.test.ts skipped: tmux is not installed (in CI it is required and the test runs)');

const tests = paneForTests('dashboard-tmux.system.test.ts');

/** The whole pane as text, from the start of its history. */
const screen = (): Promise<string> => tests.pane().screen();

const onScreen = <T>(what: string, parse: (text: string) => T | undefined, timeoutMs?: number): Promise<T> =>
  tests.pane().onScreen(what, parse, timeoutMs);

const pidsOf = (s: Status): number[] => [s.supervisorPid, ...s.nodes.flatMap((n) => (n.process.pid === null ? [] : [n.process.pid]))];

describe.skipIf(skip)('the dashboard in a real terminal (tmux)', () => {
  test('kill the leader with x, see a new leader in a later term, :restart it, click a node, quit with q y: nothing is left running', async () => {
    await tests.pane().start(100, 30, 'up 3');

    const first = await onScreen('a leader in the header', headerLeader);
    const before = await tests.cli().status(CLUSTER);
    const pids = new Set(pidsOf(before));
    expect(pids.size, 'the supervisor and three node processes').toBe(4);

    await tests.pane().press(String(first.id));
    await tests.pane().press('x');
    const second = await onScreen(`a leader other than n${first.id} in a term after ${first.term}`, (text) => {
      const h = headerLeader(text);
      return h !== undefined && h.id !== first.id && h.term > first.term ? h : undefined;
    });
    expect(second.id).not.toBe(first.id);
    for (const pid of pidsOf(await tests.cli().status(CLUSTER))) pids.add(pid);

    // The killed node back with the `:` command line, then selected with a click on its row (the
    // terminal reports it in SGR form; send-keys -l types the report as the terminal would).
    await tests.pane().press(':');
    await tests.pane().press('-l', `restart ${first.id}`);
    await tests.pane().press('Enter');
    await onScreen(
      `the result of :restart ${first.id}`,
      (text) => (text.includes(`✔ restarted n${first.id}`) ? true : undefined),
      // A restart answers once the node has started again: seconds on a busy machine.
      30_000,
    );
    for (const pid of pidsOf(await tests.cli().status(CLUSTER))) pids.add(pid);
    const rows = rowRegions(layout({ cols: 100, rows: 30 }, 3, false), 3)!.nodes;
    const other = [1, 2, 3].find((id) => id !== first.id)!;
    await tests.pane().press('-l', `\u001b[<0;5;${rows.top + other}M`);
    await onScreen(`n${other} selected by the click`, (text) => (new RegExp(`^▸ n${other} `, 'm').test(text) ? true : undefined));

    await tests.pane().press('q');
    await onScreen('the quit question', (text) => (/Quit and stop the cluster/.test(text) ? true : undefined));
    await tests.pane().press('y');
    const exit = await onScreen('the command to end', (text) => /\[exited with (\d+)\]/.exec(text)?.[1]);
    expect(exit, 'the exit status of up').toBe('0');
    expect(await screen()).toContain(`cluster ${CLUSTER} stopped`);
    expect([...pids].filter(alive), 'node or supervisor processes left after quitting').toEqual([]);
  });
});
