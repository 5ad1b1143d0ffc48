// The dashboard in a real terminal: `raft-console up 3` (the built binary) runs inside a tmux pane
// on a private server (its socket in the temp folder), and the test reads the screen with capture-pane and types with send-keys,
// as a user would. It kills the leader from the keyboard, watches the header name a new leader in
// a later term, restarts the node from the `:` command line, selects a node with a click, quits
// with q then y, and checks that the command ended and no process outlived it.
// tmux is required in CI (.ci/run installs it); elsewhere the test is skipped when tmux is missing.
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';
import { Cli, alive, type Status } from '../cli/helpers.js';
import { rowRegions } from '../../src/tui/layout.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLUSTER = 'default';

const inCi = !['', 'false', '0', undefined].includes(process.env.CI);
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const skip = !hasTmux && !inCi;
if (skip) console.warn('dashboard-tmux.system.test.ts skipped: tmux is not installed (in CI it is required and the test runs)');

// Unset if beforeAll failed (no tmux in CI): afterAll then has nothing to clean up.
let cli: Cli | undefined;

/** tmux on a private server, its socket in the test's temp folder (removed with it). */
function tmux(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('tmux', ['-S', join(cli!.home, 'tmux.sock'), '-f', '/dev/null', ...args], { timeout: 5000 }, (err, stdout, stderr) => {
      if (err === null) resolve(stdout);
      else reject(new Error(`tmux ${args.join(' ')}: ${stderr.trim() || err.message}`));
    });
  });
}

/** The whole pane as text, from the start of its history. */
const screen = (): Promise<string> => tmux('capture-pane', '-p', '-S', '-', '-t', 't');

/** The leader and term the header's first line shows, if it shows one. */
function headerLeader(text: string): { id: number; term: number } | undefined {
  const m = /★ leader n(\d+) · term (\d+)/.exec(text.split('\n')[0] ?? '');
  return m === null ? undefined : { id: Number(m[1]), term: Number(m[2]) };
}

/** Looks at the screen until `parse` finds what it looks for; a timeout shows the last screen. */
function onScreen<T>(what: string, parse: (text: string) => T | undefined, timeoutMs = 10_000): Promise<T> {
  let last = '';
  return waitFor(
    () => `${what}; the screen was:\n${last}`,
    async () => parse((last = await screen())),
    { ...COSTLY_PROBE, timeoutMs },
  );
}

const pidsOf = (s: Status): number[] => [s.supervisorPid, ...s.nodes.flatMap((n) => (n.process.pid === null ? [] : [n.process.pid]))];

beforeAll(async () => {
  if (!hasTmux) throw new Error('tmux is not installed: CI must run the dashboard test (.ci/run installs tmux)');
  cli = await Cli.create();
});

afterAll(async () => {
  const started = cli;
  if (started === undefined) return;
  // Closing the pane sends SIGHUP: the dashboard stops the cluster it started; then whatever is left is killed.
  await tmux('kill-server').catch(() => undefined);
  await waitFor('the processes to exit after kill-server', () => ![...started.pids].some(alive), { timeoutMs: 5000 }).catch(
    () => undefined,
  );
  await started.cleanup();
});

describe.skipIf(skip)('the dashboard in a real terminal (tmux)', () => {
  test('kill the leader with x, see a new leader in a later term, :restart it, click a node, quit with q y: nothing is left running', async () => {
    const state = join(cli!.home, 'state');
    const config = join(cli!.home, 'config');
    const command = `env -u CI FORCE_COLOR=0 XDG_STATE_HOME='${state}' XDG_CONFIG_HOME='${config}' '${process.execPath}' bin/raft-console.js up 3; echo "[exited with $?]"`;
    // The shell tells the exit status (tmux 3.3 does not always reap the pane's own process to know
    // it); remain-on-exit keeps the pane after the shell ends, so its last words can be read.
    await tmux(
      'new-session',
      '-d',
      '-s',
      't',
      '-x',
      '100',
      '-y',
      '30',
      '-c',
      ROOT,
      command,
      ';',
      'set-option',
      '-t',
      't',
      'remain-on-exit',
      'on',
    );

    const first = await onScreen('a leader in the header', headerLeader);
    const before = await cli!.status(CLUSTER);
    const pids = new Set(pidsOf(before));
    expect(pids.size, 'the supervisor and three node processes').toBe(4);

    await tmux('send-keys', '-t', 't', String(first.id));
    await tmux('send-keys', '-t', 't', 'x');
    const second = await onScreen(`a leader other than n${first.id} in a term after ${first.term}`, (text) => {
      const h = headerLeader(text);
      return h !== undefined && h.id !== first.id && h.term > first.term ? h : undefined;
    });
    expect(second.id).not.toBe(first.id);
    for (const pid of pidsOf(await cli!.status(CLUSTER))) pids.add(pid);

    // The killed node back with the `:` command line, then selected with a click on its row (the
    // terminal reports it in SGR form; send-keys -l types the report as the terminal would).
    await tmux('send-keys', '-t', 't', ':');
    await tmux('send-keys', '-t', 't', '-l', `restart ${first.id}`);
    await tmux('send-keys', '-t', 't', 'Enter');
    await onScreen(
      `the result of :restart ${first.id}`,
      (text) => (text.includes(`✔ restarted n${first.id}`) ? true : undefined),
      // A restart answers once the node has started again: seconds on a busy machine.
      30_000,
    );
    for (const pid of pidsOf(await cli!.status(CLUSTER))) pids.add(pid);
    const rows = rowRegions({ cols: 100, rows: 30 }, 3, false)!.nodes;
    const other = [1, 2, 3].find((id) => id !== first.id)!;
    await tmux('send-keys', '-t', 't', '-l', `\u001b[<0;5;${rows.top + other}M`);
    await onScreen(`n${other} selected by the click`, (text) => (new RegExp(`^▸ n${other} `, 'm').test(text) ? true : undefined));

    await tmux('send-keys', '-t', 't', 'q');
    await onScreen('the quit question', (text) => (/Quit and stop the cluster/.test(text) ? true : undefined));
    await tmux('send-keys', '-t', 't', 'y');
    const exit = await onScreen('the command to end', (text) => /\[exited with (\d+)\]/.exec(text)?.[1]);
    expect(exit, 'the exit status of up').toBe('0');
    expect(await screen()).toContain(`cluster ${CLUSTER} stopped`);
    expect([...pids].filter(alive), 'node or supervisor processes left after quitting').toEqual([]);
  });
});
