import { describe, expect, it } from 'vitest';
import { checkHistory } from '../../src/check/linearizability.js';
import { formatSummary, formatVerdict, summarize } from '../../src/check/report.js';
import { cas, hardToDecide, history, read, write } from './histories.js';

const mixed = history(
  write(1, 'x', 'a', 0, 10),
  write(2, 'y', 'b', 5, 15, 'info'),
  read(3, 'x', 'a', 20, 1530),
  read(1, 'y', null, 30, 40, 'info'),
  cas(2, 'x', 'a', 'c', 40, 50),
  cas(3, 'x', 'z', 'c', 60, 70, 'fail'),
);

describe('summarize', () => {
  it('counts operations by kind and outcome, with clients, keys and the time they span', () => {
    expect(summarize(mixed)).toEqual({
      operations: 6,
      clients: 3,
      keys: 2,
      durationMs: 1530,
      byKind: {
        read: { ok: 1, fail: 0, info: 1 },
        write: { ok: 1, fail: 0, info: 1 },
        cas: { ok: 1, fail: 1, info: 0 },
      },
    });
  });

  it('prints one line for the whole and one per kind of operation present', () => {
    expect(formatSummary(summarize(mixed))).toEqual([
      '6 operations by 3 clients on 2 keys over 1.5 s',
      '  reads         2  (1 ok, 1 indeterminate)',
      '  writes        2  (1 ok, 1 indeterminate)',
      '  cas           2  (1 ok, 1 failed)',
    ]);
    expect(formatSummary(summarize({ operations: [] }))).toEqual(['0 operations by 0 clients on 0 keys over 0.0 s']);
  });
});

describe('formatVerdict', () => {
  it('says in one line that a linearizable history is', () => {
    const lines = formatVerdict(checkHistory(mixed));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Linearizable: every key's history fits a single copy of the register \(2 keys, 6 operations, \d+ states explored in \d\.\d\d s\)\.$/,
    );
  });

  it('shows each key that is not linearizable with its window, indented', () => {
    const h = history(write(1, 'x', 'a', 0, 10), write(2, 'x', 'b', 20, 30), read(3, 'x', 'a', 40, 50), write(1, 'y', 'a', 0, 10));
    const lines = formatVerdict(checkHistory(h));
    expect(lines[0]).toMatch(/^NOT linearizable: 1 key of 2 \(/);
    expect(lines).toContain('Key x: not linearizable (3 operations checked).');
    expect(lines).toContain("    client 3  read x -> 'a'  40..50  <- cannot be placed");
  });

  it('names the keys the budget did not cover', () => {
    let t = 0;
    const lines = formatVerdict(checkHistory(hardToDecide(), { budgetMs: 50, now: () => t++ }));
    expect(lines[0]).toMatch(/^Unknown: the search reached its limits \(50 ms, or 8,000,000 states on one key\) before finishing/);
    expect(lines).toContain('Not decided within the budget: key x. A larger time budget may settle it.');
  });
});
