// `check` catches read-without-quorum on real processes: a leader that answers reads from its own
// state (no ReadIndex round, dissertation 6.4) serves stale values once cut off in a minority. The
// stale-read episode (src/check/aimed/stale-read.ts) cuts the leader off alone and freezes it, lets
// the majority elect a leader and commit, then wakes the old leader with every read sent to it; the
// history the clients saw is then not linearizable. Without the bug the same schedule passes
// (the reads sent to the old leader are refused).
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

const run = (bug: string[]): ReturnType<Cli['run']> =>
  cli.run('check', ...['--nodes', '3', '--speed', 'normal', '--duration', '8s', '--nemesis', 'transfer', '--seed', '11', '--json'], ...bug);

describe.concurrent('check and read-without-quorum', () => {
  test('with the bug, the stale reads of a cut-off leader fail the check', async () => {
    const r = await run(['--bug', 'read-without-quorum']);
    expect(r.code, r.stderr + r.stdout.slice(0, 4000)).toBe(1);
    const s = JSON.parse(r.stdout) as RunSummary;
    expect(s.result).toBe('violation');
    expect(s.cluster.switches).toContain('BUG read-without-quorum ON');
    expect(s.linearizability.result, JSON.stringify(s.linearizability).slice(0, 2000)).toBe('not-linearizable');
  });
});
