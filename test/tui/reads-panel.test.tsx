// The reads panel's rows: each read a node told, and a stale answer marked where the events show a
// later term's leader had committed beyond what the answering node had applied.
import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../../src/cluster-model/index.js';
import { readRows } from '../../src/tui/reads-panel.js';
import { labelsFor } from '../../src/tui/labels.js';

const labels = labelsFor('en');

function ev(ts: number, node: number, kind: string, type: string, data: Record<string, unknown>): ClusterEvent {
  return { ts, node, kind, type, text: type, data: { type, ...data } };
}

const served = (ts: number, node: number, value: string, term: number, applied: number, confirmed: string): ClusterEvent =>
  ev(ts, node, 'node', 'read-served', { key: 'x', value, index: applied, applied, term, confirmed, untold: 0 });

describe('the reads panel', () => {
  it('marks an answer stale once a leader of a later term committed beyond it, and says how each was confirmed', () => {
    const rows = readRows(
      [
        served(1, 1, '1', 2, 3, 'read-index'),
        ev(2, 2, 'raft', 'commit', { from: 4, to: 5, term: 3, replicas: 2, voters: 3 }),
        served(3, 1, '1', 2, 3, 'unconfirmed'),
        served(4, 2, '2', 3, 5, 'read-index'),
        ev(5, 1, 'node', 'read-refused', { key: 'x', code: 'timeout', reason: 'no majority', leader: 0, untold: 2 }),
      ],
      labels,
    );
    expect(rows.map((r) => [r.node, r.answer, r.how, r.stale])).toEqual([
      [1, '"1"', 'ReadIndex at commit 3', null],
      [1, '"1"', 'UNCONFIRMED at commit 3', 'STALE (n2 committed 5, term 3)'],
      [2, '"2"', 'ReadIndex at commit 5', null],
      [1, 'refused', 'timeout: no majority', null],
    ]);
    expect(rows[3]!.untold).toBe(2);
  });
});
