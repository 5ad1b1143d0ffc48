import { describe, expect, it } from 'vitest';
import { logAxis, renderCdf } from '../../bench/failover/cdf-plot.js';
import { electionsAfter } from '../../bench/failover/elections.js';
import { summaryTable, type RangeSummary } from '../../bench/failover/summary.js';
import { killTime, rangeTiming } from '../../bench/failover/timing.js';

const plain = { width: 40, height: 5, color: false };

describe('the Figure 16 plot', () => {
  it('spans the 1-2-5 values around the times', () => {
    expect(logAxis([160, 480])).toEqual({ from: 100, to: 500 });
    expect(logAxis([35, 35])).toEqual({ from: 20, to: 50 });
    expect(logAxis([12_000])).toEqual({ from: 10_000, to: 20_000 });
  });

  it('draws each series as a rising line that ends at its slowest trial, with axes and a legend', () => {
    const out = renderCdf(
      [
        { label: 'fast', values: [110, 120, 130, 140], total: 4 },
        { label: 'slow', values: [400, 900], total: 4 },
      ],
      plain,
    );
    // Four fast trials rise from 110 to 140 ms; two of four slow ones finish, the line stops at 900 ms.
    expect(out.split('\n')).toEqual([
      '100% |    *',
      ' 75% |   **',
      ' 50% |  **                            o',
      ' 25% | **                 ooooooooooooo',
      '  0% | *                  o',
      '     ++---------+------------+---------+',
      '  ms  100      200          500       1s',
      '      * fast (4/4)   o slow (2/4)',
    ]);
  });

  it('wraps the legend to the width and colours each series in a terminal', () => {
    const series = ['150-150', '150-151', '150-155', '150-175'].map((label) => ({ label, values: [200], total: 1 }));
    const legend = renderCdf(series, plain).split('\n').slice(7);
    expect(legend).toEqual(['      * 150-150 (1/1)   o 150-151 (1/1)', '      + 150-155 (1/1)   x 150-175 (1/1)']);
    expect(renderCdf(series.slice(0, 1), { ...plain, color: true })).toContain('\x1b[31m*\x1b[0m');
  });

  it('says so when no trial finished', () => {
    expect(renderCdf([{ label: 'x', values: [], total: 3 }], plain)).toBe('(no finished trials to plot)');
  });
});

describe('the timing of a range', () => {
  it("takes the paper's heartbeat, half the minimum timeout, and a tick that divides it", () => {
    expect(rangeTiming('150-155')).toEqual({ range: '150-155', min: 150, max: 155, heartbeatMs: 75, tickMs: 5 });
    expect(rangeTiming('12-24')).toEqual({ range: '12-24', min: 12, max: 24, heartbeatMs: 6, tickMs: 2 });
    expect(rangeTiming('150-300', 50)).toMatchObject({ heartbeatMs: 50, tickMs: 10 });
    expect(() => rangeTiming('300-150')).toThrow(RangeError);
    expect(() => rangeTiming('150-300', 150)).toThrow(RangeError);
  });

  it('kills at the given fraction of the first heartbeat interval that has not started yet', () => {
    // Next heartbeat at 1075, one every 75 ms: the last went out at 1000.
    const timer = { kind: 'heartbeat' as const, deadline: 1075, intervalMs: 75 };
    expect(killTime(timer, 0.2, 1000)).toBe(1015);
    expect(killTime(timer, 0.2, 1001)).toBe(1090);
    expect(killTime(timer, 0.5, 1200)).toBe(1262.5);
  });
});

describe('the elections of a failover', () => {
  const change = (ts: number, node: number, to: string, term: number) => ({ ts, node, from: 'follower', to, term });

  it('is one election when the first candidate wins, however many pre-vote rounds it took', () => {
    const changes = [change(1130, 2, 'pre-candidate', 4), change(1131, 2, 'candidate', 5), change(1135, 2, 'leader', 5)];
    expect(electionsAfter(changes, 1000, 4, 2, 5)).toEqual({
      timerMs: 130,
      elections: 1,
      candidacies: 1,
      preVotes: 1,
      lostPreVotes: 0,
      splitVote: false,
      splitCostMs: null,
    });
  });

  it('counts the pre-vote rounds that did not lead to a candidacy', () => {
    const changes = [
      change(1130, 2, 'pre-candidate', 4),
      change(1135, 2, 'follower', 4),
      change(1290, 3, 'pre-candidate', 4),
      change(1291, 3, 'candidate', 5),
    ];
    expect(electionsAfter(changes, 1000, 4, 3, 5)).toMatchObject({ elections: 1, preVotes: 2, lostPreVotes: 1, splitVote: false });
  });

  it('is a split vote when a term passes with no winner, costing the time to the winning candidacy', () => {
    const changes = [
      change(1150, 2, 'candidate', 5),
      change(1151, 3, 'candidate', 5),
      change(1320, 3, 'candidate', 6),
      change(1324, 3, 'leader', 6),
    ];
    expect(electionsAfter(changes, 1000, 4, 3, 6)).toMatchObject({ elections: 2, candidacies: 3, splitVote: true, splitCostMs: 170 });
  });
});

describe('the table of a run', () => {
  it('gives each range its spread and split votes within 80 columns, and says what did not hold', () => {
    const table = summaryTable([
      {
        ...empty('150-155'),
        trials: 4,
        leaderMs: [200, 250, 300, 900],
        firstWriteMs: [210, 260, 310, 910],
        splitVotes: 1,
        splitCostMs: [600],
      },
      { ...empty('12-24'), trials: 2, failed: 1, leaderMs: [40], firstWriteMs: [], spuriousElections: 7, errors: ['trial 3: no burst'] },
    ]);
    expect(table.split('\n')).toEqual([
      '                 leader known to all (ms)  first write (ms)          split votes',
      'range    trials  median   p90   p99   max  median   p90   p99   max      (cost)',
      '150-155  4          275   900   900   900     285   910   910   910  1 (600 ms)',
      '12-24    2           40    40    40    40       -     -     -     -           0',
      '12-24: 1 trial(s) failed: no new leader, or no write, within the timeout',
      '12-24: 7 election(s) with no leader killed: this machine did not hold the timing',
      '12-24: trial 3: no burst',
    ]);
  });
});

function empty(range: string): RangeSummary {
  return {
    range,
    trials: 0,
    leaderMs: [],
    firstWriteMs: [],
    failed: 0,
    splitVotes: 0,
    splitCostMs: [],
    lostPreVoteTrials: 0,
    spuriousElections: 0,
    errors: [],
    aborted: null,
  };
}
