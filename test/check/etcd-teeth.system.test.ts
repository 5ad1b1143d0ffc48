// The check has teeth on etcd too: with serializable reads, each member answers from its own store,
// which etcd documents as possibly stale. A member cut off by a partition goes on answering reads
// with what it last had while the others move on (and a follower applies a write a little after
// the leader acknowledged it), so the clients see stale values and the check must exit 1 with keys
// that are not linearizable. The same run with linearizable reads (check-etcd.system.test.ts)
// passes: what tells them apart is the reads alone.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunSummary } from '../../src/check/run-report.js';
import { Cli } from '../cli/helpers.js';

let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

test('etcd read serializably under partitions fails the check with stale reads', async () => {
  const r = await cli.run(
    'check',
    ...['--engine', 'etcd', '--nodes', '3', '--duration', '15s', '--nemesis', 'partition', '--keys', '2', '--seed', '77'],
    ...['--etcd-reads', 'serializable', '--json'],
  );
  const s = JSON.parse(r.stdout) as RunSummary;
  expect(r.code, `${r.stderr}${JSON.stringify({ checks: s.checks, operations: s.operations, faults: s.faults.tally })}`).toBe(1);
  expect(s.result).toBe('violation');
  expect(s.workload.reads).toBe('serializable');
  expect(s.replay).toContain('--etcd-reads serializable');
  expect(s.linearizability.result).toBe('not-linearizable');
  const failing = s.linearizability.keys.filter((k) => k.failure !== undefined);
  expect(failing.length).toBeGreaterThan(0);
  // Each window ends at an operation that cannot be placed: a read (writes and cas are the same as ever).
  for (const k of failing) expect(k.failure!.text).toMatch(/read/);
});
