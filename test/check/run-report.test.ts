// The report's fault lines: how many faults hit of those tried, by kind, which kinds the run did
// not reach or the cluster refused at every try, and which the engine cannot do.
import { describe, expect, test } from 'vitest';
import type { FaultKind, FaultTally } from '../../src/check/nemesis.js';
import { formatRun, type RunSummary } from '../../src/check/run-report.js';

function summary(tally: Partial<Record<FaultKind, FaultTally>>, skipped: RunSummary['faults']['skipped'] = []): RunSummary {
  const full = Object.fromEntries(
    (['kill', 'pause', 'partition', 'link', 'transfer', 'campaign'] as const).map((k) => [k, tally[k] ?? { tried: 0, hit: 0 }]),
  ) as Record<FaultKind, FaultTally>;
  const hits = Object.fromEntries(Object.entries(full).map(([k, t]) => [k, t.hit])) as Record<FaultKind, number>;
  return {
    result: 'pass',
    seed: 1,
    replay: 'raft-console check --seed 1',
    startedAt: 0,
    aborted: false,
    cluster: { name: 'check-1', engine: 'etcd 3.4.23', owned: true, kept: false, folder: '/tmp/x', nodes: 3, timing: 't', switches: 's' },
    workload: {
      clients: 8,
      rate: 200,
      durationMs: 60_000,
      nemesis: ['kill', 'pause', 'partition', 'link', 'transfer', 'campaign'],
      reads: 'linearizable',
    },
    faults: {
      total: Object.values(hits).reduce((a, b) => a + b, 0),
      tried: Object.values(full).reduce((a, t) => a + t.tried, 0),
      byKind: hits,
      tally: full,
      skipped,
    },
    operations: { operations: 0, clients: 0, keys: 0, durationMs: 0, byKind: { read: z(), write: z(), cas: z() } },
    availability: { answered: 0, of: 0, share: 0 },
    latencyMs: { count: 0, p50: 0, p99: 0, max: 0 },
    linearizability: { result: 'linearizable', elapsedMs: 1, budgetMs: 60_000, keys: [] },
    checks: [],
    finals: [],
  };
}

const z = (): { ok: number; fail: number; info: number } => ({ ok: 0, fail: 0, info: 0 });

describe('the fault lines of the report', () => {
  test('faults that hit of those tried, by kind, "of" only where some try was refused', () => {
    const lines = formatRun(
      summary(
        {
          kill: { tried: 3, hit: 3 },
          pause: { tried: 3, hit: 2 },
          partition: { tried: 2, hit: 2 },
          link: { tried: 2, hit: 2 },
          transfer: { tried: 2, hit: 2 },
        },
        [{ kind: 'campaign', reason: 'etcd cannot start an election on demand' }],
      ),
    );
    expect(lines).toContain('faults: 11 hit of 12 tried (kill 3, pause 2 of 3, partition 2, link 2, transfer 2)');
    expect(lines).toContain('  skipped campaign: etcd cannot start an election on demand');
    expect(lines.join('\n')).not.toContain('not reached');
    expect(lines[0]).toContain('check-1 (etcd 3.4.23)');
  });

  test('kinds the run did not reach, and kinds refused at every try, are named', () => {
    const lines = formatRun(summary({ kill: { tried: 1, hit: 1 }, pause: { tried: 2, hit: 0 } }));
    expect(lines).toContain('faults: 1 hit of 3 tried (kill 1, pause 0 of 2)');
    expect(lines).toContain('  not reached before the run ended: partition, link, transfer, campaign');
    expect(lines).toContain('  tried, but the cluster refused each try: pause');
  });

  test('no fault tried: none', () => {
    expect(formatRun(summary({}))).toContain('faults: none');
  });
});
