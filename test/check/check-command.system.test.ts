// `raft-console check` through the built binary: a real three-node cluster for 20 s under every
// kind of fault, which must come out linearizable with nothing lost, its files in --out and its
// cluster gone afterwards; and the command line's mistakes, each one line and exit 2.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunSummary } from '../../src/check/run-report.js';
import { Cli } from '../cli/helpers.js';

let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

describe('raft-console check', () => {
  test('a healthy cluster under kills, pauses, partitions and link faults is linearizable and loses nothing', async () => {
    const out = join(cli.home, 'out');
    const r = await cli.run(
      'check',
      '--nodes',
      '3',
      '--duration',
      '20s',
      '--speed',
      'normal',
      '--nemesis',
      'kill,pause,partition,link',
      '--seed',
      '2024',
      '--json',
      '--out',
      out,
    );
    expect(r.code, r.stderr + r.stdout.slice(0, 4000)).toBe(0);
    const s = JSON.parse(r.stdout) as RunSummary & { files: string[] };
    expect(s.result).toBe('pass');
    expect(s.seed).toBe(2024);
    expect(s.replay).toContain('--seed 2024');
    expect(s.linearizability.result).toBe('linearizable');
    expect(s.checks.map((c) => [c.name, c.ok])).toEqual([
      ['settled', true],
      ['converged', true],
      ['no lost writes', true],
      ['one leader per term', true],
      ['safety monitor', true],
    ]);
    // Every kind of fault was injected, and the clients got work done through them.
    for (const kind of ['kill', 'pause', 'partition', 'link'] as const) expect(s.faults.byKind[kind], kind).toBeGreaterThan(0);
    expect(s.operations.byKind.write.ok).toBeGreaterThan(0);
    expect(s.operations.byKind.read.ok).toBeGreaterThan(0);
    expect(s.availability.answered).toBeGreaterThan(0);
    expect(s.finals.every((f) => f.value !== undefined)).toBe(true);

    // The files hold the same run: every operation, every fault action, the verdict.
    expect(s.files.map((f) => f.slice(out.length + 1))).toEqual(['history.json', 'faults.json', 'verdict.json', 'events.ndjson']);
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as { seed: number; operations: unknown[] };
    expect(history.seed).toBe(2024);
    expect(history.operations.length).toBe(s.operations.operations + s.finals.length);
    const faults = JSON.parse(readFileSync(join(out, 'faults.json'), 'utf8')) as { timeline: Array<{ phase: string }> };
    expect(faults.timeline.at(-1)?.phase).toBe('heal');
    expect(JSON.parse(readFileSync(join(out, 'verdict.json'), 'utf8'))).toMatchObject({ result: 'pass', seed: 2024 });

    // The check's own cluster is deleted afterwards.
    expect(existsSync(join(cli.home, 'state', 'raft-console', 'check-2024'))).toBe(false);
  });
});

describe.concurrent('check: command-line mistakes exit 2 with one line', () => {
  test.each([
    [['--duration', '5x'], /--duration must be a duration such as 60s, 2m or 500ms, got "5x"/],
    [['--duration', '10ms'], /--duration must be from 1 s to 86400 s, got "10ms"/],
    [
      ['--nemesis', 'kill,flood'],
      /--nemesis takes fault kinds separated by commas, from kill, pause, partition, link, transfer, campaign \(or none\), got "flood"/,
    ],
    [['--clients', '0'], /--clients must be a whole number from 1 to 256, got "0"/],
    [
      ['--name', 'mine', '--nodes', '3', '--bug', 'vote-not-persisted'],
      /--nodes, --bug shape a new cluster: with --name the running cluster is checked as it is/,
    ],
  ])('check %j', async (args, message) => {
    const r = await cli.run('check', ...args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  test('a bug whose schedule cannot run on the cluster is refused before the run, naming the options that fit', async () => {
    const r = await cli.run('check', '--nodes', '3', '--duration', '1s', '--bug', 'conf-change-before-term-commit', '--json');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'raft-console check: --bug conf-change-before-term-commit: its conf-change schedule needs an even number of voters, at least 4 (this cluster has 3): check --nodes 4 --no-pre-vote --no-check-quorum',
    ]);
  });

  test('check --name of a cluster that is not running exits 3', async () => {
    const r = await cli.run('check', '--name', 'absent', '--duration', '1s');
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
