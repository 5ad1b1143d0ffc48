// `raft-console check --engine etcd` through the built binary: three local etcd 3.4 members for
// 20 s under every fault kind etcd can take. etcd's key-value operations are linearizable (Jepsen
// found them strict serializable), so the run must pass: a violation here is a false alarm of the
// checker or of the etcd client's outcomes. It also says how many faults of each kind hit, and
// that campaign, which etcd cannot do, was skipped.
import { existsSync } from 'node:fs';
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

describe('raft-console check --engine etcd', () => {
  test('local etcd under kills, pauses, partitions, link faults and leader transfers is linearizable and loses nothing', async () => {
    const seed = 4242;
    const r = await cli.run('check', '--engine', 'etcd', '--nodes', '3', '--duration', '20s', '--seed', String(seed), '--json');
    expect(r.code, r.stderr + r.stdout.slice(0, 4000)).toBe(0);
    const s = JSON.parse(r.stdout) as RunSummary;
    expect(s.result, `replay: ${s.replay}`).toBe('pass');
    expect(s.cluster.engine).toMatch(/^etcd/);
    expect(s.replay).toContain('--engine etcd');
    expect(s.linearizability.result).toBe('linearizable');
    expect(s.checks.filter((c) => c.ok !== true)).toEqual([]);
    expect(s.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['settled', 'converged', 'no lost writes']));
    // Every kind etcd can take hit at least once; campaign was tried once and skipped, with etcd's reason.
    for (const kind of ['kill', 'pause', 'partition', 'link', 'transfer'] as const)
      expect(s.faults.tally[kind].hit, `${kind} in ${JSON.stringify(s.faults.tally)}`).toBeGreaterThan(0);
    expect(s.faults.skipped.map((x) => x.kind)).toEqual(['campaign']);
    expect(s.faults.skipped[0]!.reason).not.toBe('');
    expect(s.operations.byKind.write.ok).toBeGreaterThan(0);
    expect(s.operations.byKind.read.ok).toBeGreaterThan(0);
    expect(s.finals.every((f) => f.value !== undefined)).toBe(true);
    // The check's own cluster is deleted afterwards.
    expect(existsSync(join(cli.home, 'state', 'raft-console', `check-${seed}`))).toBe(false);
  });
});
