// The check has teeth on etcd too: with serializable reads, each member answers from its own store,
// which etcd documents as possibly stale. A member cut off by a partition (or paused, then behind)
// goes on answering reads with what it last had while the others move on, so the clients see
// stale values and the check must exit 1 with keys that are not linearizable. The same run with
// linearizable reads (check-etcd.system.test.ts) passes: what tells them apart is the reads alone.
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

test('etcd read serializably under partitions and pauses fails the check with stale reads', async () => {
  const r = await cli.run(
    'check',
    ...['--engine', 'etcd', '--nodes', '3', '--duration', '10s', '--nemesis', 'partition,pause', '--seed', '77'],
    ...['--etcd-reads', 'serializable', '--json'],
  );
  expect(r.code, r.stderr + r.stdout.slice(0, 4000)).toBe(1);
  const s = JSON.parse(r.stdout) as RunSummary;
  expect(s.result).toBe('violation');
  expect(s.workload.reads).toBe('serializable');
  expect(s.replay).toContain('--etcd-reads serializable');
  expect(s.linearizability.result).toBe('not-linearizable');
  const failing = s.linearizability.keys.filter((k) => k.failure !== undefined);
  expect(failing.length).toBeGreaterThan(0);
  // Each window ends at an operation that cannot be placed: a read (writes and cas are the same as ever).
  for (const k of failing) expect(k.failure!.text).toMatch(/read/);
});
