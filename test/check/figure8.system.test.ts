// `check` catches commit-previous-term on real processes: Figure 8 of the Raft paper (5.4.2). The
// figure-8 episode (src/check/aimed/figure8.ts) plays it in step mode, every message delivered by
// the schedule: the old leader A, elected again, counts its entries of an earlier term onto a
// majority and commits them (the bug), is cut off, and B, holding an entry of a later term at the
// same index, is elected, overwrites them and commits its own. Two nodes have then committed
// different entries at one index, which the safety monitor reports (State Machine Safety). The
// schedule waits on what each step needs, never on time, so the outcome does not hang on timing.
// The same seeded run with the no-op on passes: A's first append then carries its no-op with the
// old entries, which commit legitimately, and B cannot be elected over the no-op (Figure 8 (e)).
// skip-noop alone is safe by design; it is what lets commit-previous-term show.
// --no-check-quorum as docs/CHECK.md gives the command; the schedule itself would not need it
// (each leader is stepped down by the next one's heartbeat, and a voter leaves its leader's lease
// when its own election timer fires).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FaultRecord } from '../../src/check/nemesis.js';
import type { RunSummary } from '../../src/check/run-report.js';
import { Cli } from '../cli/helpers.js';
import { expectCaught } from './caught.js';

let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

const ARGS = [
  ...['--nodes', '3', '--speed', 'fast', '--duration', '4s', '--nemesis', 'campaign', '--seed', '2'],
  ...['--clients', '4', '--rate', '40', '--no-check-quorum', '--bug', 'commit-previous-term'],
];

describe('check and Figure 8', () => {
  test('with commit-previous-term and skip-noop, the figure-8 episode makes two nodes commit different entries at one index', async () => {
    const s = await expectCaught(cli, 'commit-previous-term', [...ARGS, '--bug', 'skip-noop']);
    expect(s.cluster.switches).toContain('BUG skip-noop ON');
    expect(s.faults.aimed?.map((a) => a.name)).toEqual(['figure-8']);
    expect(s.checks.find((c) => c.name === 'safety monitor')?.text).toMatch(
      /^State Machine Safety: entry \d+ is committed with term \d+ on n\d but term \d+ on n\d$/,
    );
  });

  test('with commit-previous-term alone, the no-op commits the old entries legitimately and the same run passes', async () => {
    const out = join(cli.home, 'no-op');
    const r = await cli.run('check', ...ARGS, '--out', out, '--json');
    expect(r.code, r.stderr + r.stdout.slice(0, 4000)).toBe(0);
    const s = JSON.parse(r.stdout) as RunSummary;
    expect(s.cluster.switches).not.toContain('BUG skip-noop ON');
    expect(s.faults.aimed?.map((a) => [a.name, a.failed])).toEqual([['figure-8', 0]]);
    expect(s.faults.aimed![0]!.runs).toBeGreaterThan(0);
    expect(
      s.checks.filter((c) => c.ok !== true),
      JSON.stringify(s.checks, null, 1),
    ).toEqual([]);
    expect(s.linearizability.result).toBe('linearizable');
    // Not a schedule that stopped early: the episode starts over only after an attempt ended as
    // Figure 8 (e), A's no-op on C with the old entries and C refusing B its vote.
    const { timeline } = JSON.parse(readFileSync(join(out, 'faults.json'), 'utf8')) as { timeline: FaultRecord[] };
    const attempts = timeline.filter((f) => f.aimed === 'figure-8' && f.action.op === 'step' && f.action.on);
    expect(attempts.length).toBeGreaterThan(1);
  });
});
