// What a check run found, for people and for programs: `summarizeRun` gives the JSON document
// (`check --json`, and verdict.json in --out), `formatRun` the short human report. docs/CHECK.md
// explains each line.
import { thousands } from '../cluster-model/plural.js';
import type { Operation } from './history.js';
import type { AimedTally, FaultKind, FaultRecord, FaultTally, SkippedKind } from './nemesis.js';
import { formatSummary, summarize, type HistorySummary } from './report.js';
import type { CheckRun, RunResult } from './run.js';

export interface RunSummary {
  result: RunResult;
  seed: number;
  /** The command line that runs the same schedule again. */
  replay: string;
  /** Date.now() when the clients started: time 0 of every time below. */
  startedAt: number;
  aborted: boolean;
  cluster: CheckRun['cluster'];
  workload: CheckRun['workload'];
  /**
   * Faults that hit (the cluster carried out the injection), in all and by kind; by kind also the
   * episodes tried (an injection the cluster refused, such as pausing a node that is down, is tried
   * but did not hit); the kinds skipped because the engine cannot do them; and the episodes aimed at
   * the known bugs the cluster runs, with how often each ran.
   */
  faults: {
    total: number;
    tried: number;
    byKind: Record<FaultKind, number>;
    tally: Record<FaultKind, FaultTally>;
    skipped: SkippedKind[];
    /** Only when the cluster runs a bug with aimed episodes. */
    aimed?: AimedTally[];
  };
  /** The workload's operations (the final reads are in `finals`). */
  operations: HistorySummary;
  /** Operations the cluster answered (ok, or a cas that did not match), of all. */
  availability: { answered: number; of: number; share: number };
  /** Of the operations that succeeded, from invocation to completion. */
  latencyMs: { count: number; p50: number; p99: number; max: number };
  linearizability: {
    result: CheckRun['verdict']['result'];
    elapsedMs: number;
    budgetMs: number;
    keys: Array<{
      key: string;
      result: string;
      operations: number;
      explored: number;
      failure?: { operation: number; window: number[]; startsAt: number; text: string; faults: FaultRecord[] };
    }>;
  };
  checks: CheckRun['checks'];
  finals: CheckRun['finals'];
}

/** The value below which a share `q` of the sorted values lie (nearest rank). */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const answered = (op: Operation): boolean => op.outcome.type === 'ok' || (op.outcome.type === 'fail' && op.outcome.mismatch !== undefined);

/** The fault actions from a little before the window began to its end: what the cluster went through meanwhile. */
function faultsAround(window: readonly Operation[], faults: readonly FaultRecord[]): FaultRecord[] {
  const from = Math.min(...window.map((op) => op.invokedAt));
  const to = Math.max(...window.map((op) => op.completedAt));
  const before = faults.filter((f) => f.at < from);
  // The last action before the window tells what state it began in.
  return [...before.slice(-1), ...faults.filter((f) => f.at >= from && f.at <= to)];
}

export function summarizeRun(run: CheckRun, replay: string): RunSummary {
  // The workload's operations: the final reads after healing are reported on their own.
  const ops = run.history.operations.filter((op) => op.client !== run.finalReader);
  const latencies = ops
    .filter((op) => op.outcome.type === 'ok')
    .map((op) => op.completedAt - op.invokedAt)
    .sort((a, b) => a - b);
  const got = ops.filter(answered).length;
  return {
    result: run.result,
    seed: run.seed,
    replay,
    startedAt: run.startedAt,
    aborted: run.aborted,
    cluster: run.cluster,
    workload: run.workload,
    operations: summarize({ operations: ops }),
    faults: {
      total: Object.values(run.faultCounts).reduce((a, b) => a + b, 0),
      tried: Object.values(run.faultTally).reduce((a, t) => a + t.tried, 0),
      byKind: run.faultCounts,
      tally: run.faultTally,
      skipped: run.skippedKinds,
      ...(run.aimed.length === 0 ? {} : { aimed: run.aimed }),
    },
    availability: { answered: got, of: ops.length, share: ops.length === 0 ? 0 : got / ops.length },
    latencyMs: { count: latencies.length, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? 0 },
    linearizability: {
      result: run.verdict.result,
      elapsedMs: run.verdict.elapsedMs,
      budgetMs: run.verdict.budgetMs,
      keys: run.verdict.keys.map((k) => ({
        key: k.key,
        result: k.result,
        operations: k.operations,
        explored: k.explored,
        ...(k.failure === undefined
          ? {}
          : {
              failure: {
                operation: k.failure.op.id,
                window: k.failure.window.map((op) => op.id),
                startsAt: Math.min(...k.failure.window.map((op) => op.invokedAt)),
                text: k.failure.text,
                faults: faultsAround(k.failure.window, run.faults),
              },
            }),
      })),
    },
    checks: run.checks,
    finals: run.finals,
  };
}

// --- The human report ---------------------------------------------------------------------------

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function describeAction(f: FaultRecord): string {
  const a = f.action;
  switch (a.op) {
    case 'kill':
    case 'restart':
    case 'pause':
    case 'resume':
      return `${a.op} ${a.nodes.map((id) => `n${id}`).join(',')}`;
    case 'partition':
      return `partition ${a.groups.map((g) => `{${g.join(',')}}`).join(' | ')}`;
    case 'link': {
      const what =
        a.drop === 1
          ? 'cut'
          : [a.delayMs === undefined ? '' : `delay ${a.delayMs} ms`, a.drop === undefined ? '' : `loss ${Math.round(a.drop * 100)}%`]
              .filter((s) => s !== '')
              .join(', ');
      return `link n${a.from} ${a.oneWay === true ? '->' : '<->'} n${a.to} ${what}`;
    }
    default:
      return a.op;
  }
}

/** One line per fault action: time since the run began, what, and whether it was done. */
export function faultLine(f: FaultRecord): string {
  const aimed = f.aimed === undefined ? '' : `[${f.aimed}] `;
  return `${(f.at / 1000).toFixed(3).padStart(8)} s  ${aimed}${describeAction(f)}${f.ok ? '' : `  (refused: ${f.text})`}`;
}

/**
 * "faults: 19 hit of 20 tried (kill 5, pause 5 of 6, ...)", the kinds asked for that never hit, and
 * the kinds skipped because the engine cannot do them.
 */
function faultLines(s: RunSummary): string[] {
  const f = s.faults;
  const skipped = new Set(f.skipped.map((x) => x.kind));
  const kinds = s.workload.nemesis.filter((k) => !skipped.has(k));
  const each = kinds
    .filter((k) => f.tally[k].tried > 0)
    .map((k) => `${k} ${f.tally[k].hit}${f.tally[k].tried === f.tally[k].hit ? '' : ` of ${f.tally[k].tried}`}`);
  const lines = [f.tried === 0 ? 'faults: none' : `faults: ${thousands(f.total)} hit of ${thousands(f.tried)} tried (${each.join(', ')})`];
  const untried = kinds.filter((k) => f.tally[k].tried === 0);
  const refused = kinds.filter((k) => f.tally[k].tried > 0 && f.tally[k].hit === 0);
  if (untried.length > 0) lines.push(`  not reached before the run ended: ${untried.join(', ')}`);
  if (refused.length > 0) lines.push(`  tried, but the cluster refused each try: ${refused.join(', ')}`);
  for (const x of f.skipped) lines.push(`  skipped ${x.kind}: ${x.reason}`);
  for (const a of f.aimed ?? []) {
    const failed = a.failed === 0 ? '' : `, ${a.failed} stopped by an error (${a.errors.join('; ')})`;
    lines.push(`  aimed at ${a.bug}: ${a.name} ran ${a.runs === 1 ? 'once' : `${a.runs} times`}${failed}: ${a.describe}`);
  }
  return lines;
}

const MARK = { true: '✓', false: '✗', null: '?' } as const;

export function formatRun(s: RunSummary): string[] {
  const c = s.cluster;
  const lines = [
    `check of ${c.owned ? 'a new cluster' : 'the running cluster'} ${c.name} (${c.engine}${s.workload.reads === 'serializable' ? ', SERIALIZABLE reads: they may be stale' : ''}): ${c.nodes} nodes, ${c.timing}; ${c.switches}`,
    `seed ${s.seed}; the same schedule again: ${s.replay}`,
    ...(s.aborted ? ['interrupted: the checks ran on what was recorded until then'] : []),
    '',
    ...formatSummary(s.operations),
  ];
  const perSecond = s.operations.durationMs === 0 ? 0 : s.operations.operations / (s.operations.durationMs / 1000);
  lines.push(
    `rate: ${thousands(Math.round(perSecond))} operations a second (asked for ${thousands(s.workload.rate)}: a client waits for its answer before the next)`,
  );
  lines.push(...faultLines(s));
  lines.push(
    `availability: ${(s.availability.share * 100).toFixed(1)}% answered (${thousands(s.availability.answered)} of ${thousands(s.availability.of)}: ok, or a cas that did not match)`,
  );
  const l = s.latencyMs;
  lines.push(
    l.count === 0
      ? 'latency: no operation succeeded'
      : `latency of the ${thousands(l.count)} ok operations: p50 ${duration(l.p50)}, p99 ${duration(l.p99)}, max ${duration(l.max)}`,
  );

  const lin = s.linearizability;
  const explored = lin.keys.reduce((n, k) => n + k.explored, 0);
  const linOk = lin.result === 'linearizable' ? true : lin.result === 'not-linearizable' ? false : null;
  const linText =
    lin.result === 'unknown'
      ? `unknown: the checker's ${duration(lin.budgetMs)} budget ran out (keys ${lin.keys
          .filter((k) => k.result === 'unknown')
          .map((k) => k.key)
          .join(', ')}); try a larger --budget or a shorter run`
      : `${
          lin.result === 'linearizable'
            ? 'linearizable'
            : `NOT linearizable (keys ${lin.keys
                .filter((k) => k.result === 'not-linearizable')
                .map((k) => k.key)
                .join(', ')})`
        }: ${lin.keys.length} keys, ${thousands(explored)} states explored in ${duration(lin.elapsedMs)}`;
  const checks = [{ name: 'linearizable', ok: linOk, text: linText }, ...s.checks];
  const width = Math.max(...checks.map((x) => x.name.length));
  lines.push('', 'checks:');
  for (const x of checks) lines.push(`  ${MARK[`${x.ok}`]} ${x.name.padEnd(width)}  ${x.text}`);

  for (const k of lin.keys) {
    if (k.failure === undefined) continue;
    lines.push('', `the smallest failing window on key ${k.key}, from ${(k.failure.startsAt / 1000).toFixed(3)} s into the run:`);
    for (const line of k.failure.text.split('\n')) lines.push(`  ${line}`);
    lines.push(
      k.failure.faults.length === 0
        ? '  no fault was injected or undone around it'
        : '  the faults around it (seconds since the run began):',
    );
    for (const f of k.failure.faults) lines.push(`  ${faultLine(f)}`);
  }

  const verdict = {
    pass: 'PASS: linearizable, and every check passed',
    violation: 'VIOLATION: see the ✗ above',
    unknown: 'UNKNOWN: no violation found, but not everything could be checked (see ? above)',
  }[s.result];
  lines.push('', `verdict: ${verdict}`);
  return lines;
}
