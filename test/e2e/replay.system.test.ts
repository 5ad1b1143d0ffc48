// Replay in a real terminal (a tmux pane on a private server): a 3-node cluster is recorded while
// its leader is killed, a new one is elected, and the new leader is partitioned away and healed;
// then `raft-console replay` shows that recording at 80x24. Stepping back to before the kill shows
// the old leader in the header, forward the new one. Every wait is on what the screen shows.
import { describe, expect, test } from 'vitest';
import { headerLeader, paneForTests, skipWithoutTmux as skip } from './tmux.js';

const CLUSTER = 'replay-e2e';

if (skip) console.warn('replay.system.test.ts skipped: tmux is not installed (in CI it is required and the test runs)');

const tests = paneForTests('replay.system.test.ts');

const screen = (): Promise<string> => tests.pane().capture();
const onScreen = <T>(what: string, parse: (text: string) => T | undefined): Promise<T> => tests.pane().until(what, screen, parse, 10_000);

/** The cursor's time on the time bar (the line under the header). */
function cursorTime(text: string): string | undefined {
  return /REPLAY\s+[▶‖] \S+ (\d\d:\d\d:\d\d\.\d{3})/.exec(text.split('\n')[2] ?? '')?.[1];
}

/** Presses `key` and waits for the cursor to move (or for `done` to hold of the screen). */
async function move(key: string, done: (text: string) => boolean = () => false): Promise<string> {
  const before = cursorTime(await screen());
  await tests.pane().press(key);
  return onScreen(`the cursor to move on ${key}`, (text) => (cursorTime(text) !== before || done(text) ? text : undefined));
}

describe.skipIf(skip)('replay (tmux)', () => {
  test('stepping back to before the leader was killed shows the old leader, forward the new one', async () => {
    const cli = tests.cli();
    // up --detach returns once the cluster has a leader.
    const up = await cli.up(CLUSTER, '3');
    const old = up.nodes.find((n) => n.raft?.role === 'leader') ?? (await cli.settled(CLUSTER)).leader;
    await cli.ok('kill', String(old.id), '--name', CLUSTER);
    const { leader: next } = await cli.settled(CLUSTER, (_s, l) => l.id !== old.id);
    const others = [1, 2, 3].filter((id) => id !== next.id);
    await cli.ok('partition', String(next.id), others.join(','), '--name', CLUSTER);
    await cli.ok('heal', '--name', CLUSTER);
    await cli.ok('down', '--name', CLUSTER);

    await tests.pane().start(80, 24, `replay --name ${CLUSTER}`);
    await onScreen('the replay', (text) => (cursorTime(text) !== undefined ? true : undefined));
    // The kill is the recording's first fault: choose the fault marks (c: election, commit, fault)
    // and go to it (back while an earlier fault is named, forward from the start).
    await tests.pane().press('c', 'c');
    await onScreen('fault marks chosen', (text) => (text.split('\n')[2]?.includes('fault [') === true ? true : undefined));
    const bar = async (): Promise<string> => (await screen()).split('\n')[2] ?? '';
    while (/fault \[ -/.test(await bar())) await move('[');
    if (!/fault \[ here/.test(await bar())) await move(']');
    expect(await bar()).toMatch(/fault \[ here/);
    // One event before the kill: the old leader leads.
    const before = await move(',');
    expect(headerLeader(before), before).toMatchObject({ id: old.id });
    // Forward to the next election (c: alarm, any, election): the new leader leads.
    await tests.pane().press('c', 'c', 'c');
    await onScreen('election marks chosen', (t) => (t.split('\n')[2]?.includes('election [') === true ? true : undefined));
    const text = await move(']');
    expect(headerLeader(text), text).toMatchObject({ id: next.id });
    expect(text.split('\n')[0]).toContain('REPLAY');

    // Nothing to stop: q quits at once.
    await tests.pane().press('q');
    const exit = await tests.pane().onScreen('the command to end', (t) => /\[exited with (\d+)\]/.exec(t)?.[1]);
    expect(exit).toBe('0');
  });
});
