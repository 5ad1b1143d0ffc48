// The CLI in a real terminal for the tmux tests: a private tmux server (its socket in the test's
// temp folder), `raft-console ...` started in a pane in the test's own state and config folders,
// the screen read with capture-pane and keys typed with send-keys. tmux is required in CI (.ci/run
// installs it); elsewhere a test without it is skipped.
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { Cli, alive } from '../cli/helpers.js';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;
/** Skip without tmux, except in CI, where a missing tmux must fail the test. */
export const skipWithoutTmux = !hasTmux && ['', 'false', '0', undefined].includes(process.env.CI);

export class Pane {
  constructor(private readonly cli: Cli) {}

  tmux(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('tmux', ['-S', join(this.cli.home, 'tmux.sock'), '-f', '/dev/null', ...args], { timeout: 5000 }, (err, stdout, stderr) => {
        if (err === null) resolve(stdout);
        else reject(new Error(`tmux ${args.join(' ')}: ${stderr.trim() || err.message}`));
      });
    });
  }

  /**
   * Starts `raft-console <args>` (with CI unset: ink draws nothing under CI) in a pane of this size.
   * The shell then tells the exit status ("[exited with 0]"; tmux 3.3 does not always reap the
   * pane's own process to know it), and remain-on-exit keeps the pane to read it. With `record`,
   * everything the pane shows is also appended to that file from its first byte (pipe-pane runs in
   * the same tmux command, before the server reads anything from the pane).
   */
  start(cols: number, rows: number, args: string, record?: string): Promise<string> {
    const env = `env -u CI FORCE_COLOR=0 XDG_STATE_HOME='${join(this.cli.home, 'state')}' XDG_CONFIG_HOME='${join(this.cli.home, 'config')}'`;
    const command = `${env} '${process.execPath}' bin/raft-console.js ${args}; echo "[exited with $?]"`;
    return this.tmux(
      'new-session',
      '-d',
      '-s',
      't',
      '-x',
      String(cols),
      '-y',
      String(rows),
      '-c',
      ROOT,
      command,
      ';',
      'set-option',
      '-t',
      't',
      'remain-on-exit',
      'on',
      ...(record === undefined ? [] : [';', 'pipe-pane', '-t', 't', '-o', `cat >> '${record}'`]),
    );
  }

  /** The pane's text (capture-pane with these options, e.g. -J, or -S - for the history too). */
  capture(...options: string[]): Promise<string> {
    return this.tmux('capture-pane', '-p', ...options, '-t', 't');
  }

  /** The whole pane as text, from the start of its history. */
  screen(): Promise<string> {
    return this.capture('-S', '-');
  }

  /** Looks at the whole pane (`screen`) until `parse` finds what it looks for. */
  onScreen<T>(what: string, parse: (text: string) => T | undefined, timeoutMs?: number): Promise<T> {
    return this.until(what, () => this.screen(), parse, timeoutMs);
  }

  /** Looks at the pane (read by `look`) until `parse` finds what it looks for; a timeout shows the last screen. */
  until<S, T>(what: string, look: () => Promise<S>, parse: (screen: S) => T | undefined, timeoutMs = 10_000): Promise<T> {
    let last: S | undefined;
    return waitFor(
      () => `${what}; the screen was:\n${Array.isArray(last) ? last.join('\n') : String(last)}`,
      async () => parse((last = await look())),
      { ...COSTLY_PROBE, timeoutMs },
    );
  }

  press(...keys: string[]): Promise<string> {
    return this.tmux('send-keys', '-t', 't', ...keys);
  }

  /** Closes the server: its panes get SIGHUP, and a dashboard stops the cluster it started; waits (a while) for the test's processes to end. */
  async close(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined);
    await waitFor('the processes to exit after kill-server', () => ![...this.cli.pids].some(alive), { timeoutMs: 5000 }).catch(
      () => undefined,
    );
  }
}

/** The leader and term the dashboard's header shows on its first line, if it shows one. */
export function headerLeader(text: string): { id: number; term: number } | undefined {
  const m = /★ leader n(\d+) · term (\d+)/.exec(text.split('\n')[0] ?? '');
  return m === null ? undefined : { id: Number(m[1]), term: Number(m[2]) };
}

/**
 * A Cli (its own folders) and a Pane for the tests of one file: made before them; after them the
 * pane is closed (the dashboard stops the cluster it started) and whatever is left is killed.
 */
export function paneForTests(file: string): { cli: () => Cli; pane: () => Pane } {
  let cli: Cli | undefined;
  let pane: Pane | undefined;
  beforeAll(async () => {
    if (!hasTmux) throw new Error(`tmux is not installed: CI must run ${file} (.ci/run installs tmux)`);
    cli = await Cli.create();
    pane = new Pane(cli);
  });
  afterAll(async () => {
    // Unset if beforeAll failed: nothing to clean up.
    if (cli === undefined) return;
    await pane!.close();
    await cli.cleanup();
  });
  return { cli: () => cli!, pane: () => pane! };
}
