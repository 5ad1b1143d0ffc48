// `up` draws before its cluster is up: in a real terminal (a tmux pane on a private server), the
// dashboard's first frame shows every node spawned and no leader, and a leader comes in a later
// frame. Everything the command writes to the terminal is recorded (pipe-pane) from its first
// byte, so the test reads the frames in the order they were drawn instead of hoping to capture the
// screen at the right moment. tmux is required in CI (.ci/run installs it); elsewhere the test is
// skipped when tmux is missing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { paneForTests, skipWithoutTmux as skip } from './tmux.js';

const CLUSTER = 'first-frame';

if (skip) console.warn('first-frame.system.test.ts skipped: tmux is not installed (in CI it is required and the test runs)');

const tests = paneForTests('first-frame.system.test.ts');

const screen = (): Promise<string> => tests.pane().capture('-S', '-');
const onScreen = <T>(what: string, parse: (text: string) => T | undefined): Promise<T> => tests.pane().until(what, screen, parse, 15_000);

describe.skipIf(skip)('the first frame of up (tmux)', () => {
  test('up 5 says at once what it does, then draws its nodes starting with no leader, and only later a leader', async () => {
    const recording = join(tests.cli().home, 'terminal.out');
    await tests.pane().start(80, 24, `up 5 --name ${CLUSTER}`, recording);

    await onScreen('a leader in the header', (text) => (/★ leader n\d+/.test(text) ? true : undefined));
    await tests.cli().status(CLUSTER); // its processes, for the check that none outlives the test

    const drawn = readFileSync(recording, 'utf8');
    const said = drawn.indexOf(`starting the cluster ${CLUSTER}: opening the dashboard`);
    const firstFrame = drawn.indexOf(`raft-console ${CLUSTER}`);
    // The footer is a frame's last line.
    const first = drawn.slice(firstFrame, drawn.indexOf('q quit', firstFrame));
    const leader = drawn.search(/★ leader n\d+/);
    expect(said, 'the line written before the dashboard loads').toBeGreaterThanOrEqual(0);
    expect(firstFrame, 'the dashboard comes after that line').toBeGreaterThan(said);
    expect(first, 'the first frame has no leader').toContain('no leader');
    // The nodes are spawned before the dashboard is built: its first frame shows every one starting.
    for (const id of [1, 2, 3, 4, 5]) expect(first, `the first frame shows n${id} spawned`).toMatch(new RegExp(`n${id}\\b[^\\n]*spawned`));
    expect(leader, 'the leader comes in a later frame').toBeGreaterThan(firstFrame + first.length);

    await tests.pane().press('q');
    await onScreen('the quit question', (text) => (/Quit and stop the cluster/.test(text) ? true : undefined));
    await tests.pane().press('y');
    const exit = await onScreen('the command to end', (text) => /\[exited with (\d+)\]/.exec(text)?.[1]);
    expect(exit, 'the exit status of up').toBe('0');
  });
});
