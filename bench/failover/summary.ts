// The end of a run: per range, the distribution of the two failover times and the split votes.
import { median, percentile, round } from '../stats.js';
import type { TrialRecord } from './trial.js';

export interface RangeSummary {
  range: string;
  trials: number;
  /** Trials with a time, each measure. */
  leaderMs: number[];
  firstWriteMs: number[];
  failed: number;
  splitVotes: number;
  splitCostMs: number[];
  /** Trials that lost a pre-vote round on the way (no split vote, but an election timeout more). */
  lostPreVoteTrials: number;
  spuriousElections: number;
  /** Trials that broke before their measurement, with why. */
  errors: string[];
  /** Set when the range stopped before its last trial. */
  aborted: string | null;
}

export function summarize(range: string, records: readonly TrialRecord[], errors: string[], aborted: string | null): RangeSummary {
  const times = (pick: (r: TrialRecord) => number | null): number[] => records.map(pick).filter((x): x is number => x !== null);
  return {
    range,
    trials: records.length,
    leaderMs: times((r) => r.leaderMs),
    firstWriteMs: times((r) => r.firstWriteMs),
    failed: records.filter((r) => r.failed !== null).length,
    splitVotes: records.filter((r) => r.splitVote === true).length,
    splitCostMs: times((r) => r.splitCostMs),
    lostPreVoteTrials: records.filter((r) => r.lostPreVotes > 0).length,
    spuriousElections: records.reduce((n, r) => n + r.spuriousElections, 0),
    errors,
    aborted,
  };
}

/** median / p90 / p99 / max, or dashes when nothing was measured. */
function spread(values: readonly number[]): string[] {
  if (values.length === 0) return ['-', '-', '-', '-'];
  const sorted = [...values].sort((a, b) => a - b);
  return [median(sorted), percentile(sorted, 90), percentile(sorted, 99), sorted.at(-1)!].map((x) => String(Math.round(x)));
}

/** The table, within 80 columns: times in ms, split votes with the median of their cost; a failed trial has no time, but counts in "trials". */
export function summaryTable(rows: readonly RangeSummary[]): string {
  const head = ['range', 'trials', 'median', 'p90', 'p99', 'max', 'median', 'p90', 'p99', 'max', '(cost)'];
  const body = rows.map((r) => [
    r.range,
    String(r.trials),
    ...spread(r.leaderMs),
    ...spread(r.firstWriteMs),
    r.splitVotes === 0 ? '0' : `${r.splitVotes} (${round(median(r.splitCostMs), 0)} ms)`,
  ]);
  const all = [head, ...body];
  // Time columns at least 4 wide, so that each group's title fits over its four columns.
  const widths = head.map((_, c) => Math.max(c >= 2 && c <= 9 ? 4 : 0, ...all.map((row) => row[c]!.length)));
  const line = (row: string[]): string =>
    row
      .map((cell, c) => (c === 0 || c === 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  // The group titles start over the first column of their group.
  const start = (c: number): number => widths.slice(0, c).reduce((sum, w) => sum + w + 2, 0);
  let titles = '';
  for (const [c, title] of [
    [2, 'leader known to all (ms)'],
    [6, 'first write (ms)'],
    [10, 'split votes'],
  ] as const)
    titles = `${titles.padEnd(start(c))}${title} `;
  const notes = rows.flatMap((r) => [
    ...(r.failed > 0 ? [`${r.range}: ${r.failed} trial(s) failed: no new leader, or no write, within the timeout`] : []),
    ...(r.lostPreVoteTrials > 0
      ? [`${r.range}: ${r.lostPreVoteTrials} of ${r.trials} trial(s) lost a pre-vote round before the election`]
      : []),
    ...(r.spuriousElections > 0
      ? [`${r.range}: ${r.spuriousElections} election(s) with no leader killed: this machine did not hold the timing`]
      : []),
    ...r.errors.map((e) => `${r.range}: ${e}`),
    ...(r.aborted !== null ? [`${r.range}: stopped after ${r.trials} trial(s): ${r.aborted}`] : []),
  ]);
  return [titles.trimEnd(), ...all.map(line), ...notes].join('\n');
}
