// `raft-console exercise` through the built binary: the list in both languages, an exercise solved
// headless with --solve (and then listed as completed), `check` against an exercise running in
// another process, and the errors a learner can run into.
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';
import { Cli, type Run } from './helpers.js';

const BIN = join(fileURLToPath(new URL('../../', import.meta.url)), 'bin/raft-console.js');
let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

/** Runs the binary with extra environment variables (a locale). */
function runWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...cli.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

interface Listed {
  number: number;
  id: string;
  title: string;
  minutes: number;
  completedAt: number | null;
  etcd: { runs: boolean; why: string | null };
}

describe('raft-console exercise', () => {
  test('list shows the twelve exercises, in English or in Chinese by flag or locale', async () => {
    const en = JSON.parse(await cli.ok('exercise', 'list', '--json')) as Listed[];
    expect(en.map((e) => e.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(en[2]).toEqual({
      number: 3,
      id: 'leader-failure',
      title: 'Leader failure',
      minutes: 10,
      completedAt: null,
      etcd: { runs: true, why: null },
    });
    const zh = JSON.parse(await cli.ok('exercise', 'list', '--json', '--lang', 'zh')) as Listed[];
    expect(zh[2]!.title).toBe('领导者故障');
    const byLocale = await runWith({ LANG: 'zh_CN.UTF-8', LC_ALL: '' }, 'exercise', 'list');
    expect(byLocale.stdout).toContain('领导者故障');
    const human = await cli.ok('exercise', 'list');
    expect(human).toMatch(/^#\s+ID\s+MIN\s+DONE\s+ETCD\s+TITLE\n\s*1\s+first-election\s+10\s+-\s+✔\s+First election\n/);
  });

  test('start --solve runs the exercise headless, prints each step as it is checked, and marks it completed', async () => {
    const out = await cli.ok('exercise', 'start', 'leader-failure', '--solve', '--speed', 'fast', '--name', 'solo');
    const checked = out.split('\n').filter((l) => l.startsWith('✔ '));
    expect(checked).toEqual([
      '✔ 1. Wait until a leader is elected and every node follows it.',
      '✔ 2. Kill the leader.',
      "✔ 3. The heartbeats stop; a follower's election timer fires.",
      '✔ 4. A follower wins the election and leads, in a higher term.',
      '✔ 5. Restart the old leader.',
      '✔ 6. It comes back as a follower, sees the higher term, and follows the new leader.',
      '✔ all 6 steps done: exercise complete',
    ]);
    expect(out).toContain('Raft paper, sections 5.1 and 5.2.');
    const listed = JSON.parse(await cli.ok('exercise', 'list', '--json')) as Listed[];
    expect(listed.filter((e) => e.completedAt !== null).map((e) => e.id)).toEqual(['leader-failure']);
    // The exercise's cluster is gone with it.
    expect((await cli.run('status', '--name', 'solo')).code).toBe(3);
  });

  test('check tells which steps of an exercise running elsewhere are done; x and q on its stdin set it going and stop it', async () => {
    const learner = spawn(process.execPath, [BIN, 'exercise', 'start', '1', '--headless', '--speed', 'normal'], {
      env: cli.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => learner.on('exit', (code) => resolve(code)));
    let said = '';
    learner.stdout.on('data', (d: Buffer) => (said += d.toString()));
    learner.stderr.on('data', (d: Buffer) => (said += d.toString()));
    try {
      const state = await waitFor(
        () => `exercise 1 done; the learner's terminal said:\n${said}`,
        async () => {
          // Exercise 1 holds the nodes frozen until x; an x read before the exercise has frozen them
          // is answered "not now", so it is pressed again until the exercise moves (a later x, with
          // nothing frozen, is answered "not now" too).
          learner.stdin.write('x\n');
          const r = await cli.run('exercise', 'check', '1', '--json');
          const s = r.code === 0 ? (JSON.parse(r.stdout) as { done: boolean; steps: Array<{ id: string; done: boolean }> }) : undefined;
          return s?.done === true ? s : undefined;
        },
        COSTLY_PROBE,
      );
      expect(state.steps.map((s) => [s.id, s.done])).toEqual(['start', 'timeout', 'candidate', 'leader', 'follow'].map((id) => [id, true]));
      const wrong = await cli.run('exercise', 'check', '3');
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toBe(
        'raft-console exercise check: the cluster exercise runs exercise 1 (first-election), not 3 (leader-failure): `raft-console exercise check 1`\n',
      );
      learner.stdin.write('q\n');
      expect(await exited).toBe(0);
    } finally {
      learner.kill('SIGKILL');
      // A supervisor killed while its nodes are frozen leaves them behind: a purge ends them.
      await cli.run('down', '--purge', '--name', 'exercise');
    }
    const gone = await cli.run('exercise', 'check', '1');
    expect(gone.code).toBe(3);
  });

  test('an unknown exercise is a usage error that says what there is', async () => {
    const r = await cli.run('exercise', 'start', '13');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'there is no exercise "13": give a number from 1 to 12 or an id such as first-election (see `raft-console exercise list`)',
    );
  });

  test("an exercise does not take over a cluster that is not an exercise's", async () => {
    await cli.up('mine', '3');
    const r = await cli.run('exercise', 'start', '1', '--headless', '--name', 'mine');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^raft-console exercise start: .*mine/);
  });
});
