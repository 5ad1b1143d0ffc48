import { describe, expect, it } from 'vitest';
import { SnapshotLog } from '../../bench/cluster/snapshot-log.js';

const commit = (ts: number): string =>
  JSON.stringify({ ts, node: 2, kind: 'raft', type: 'commit', from: 1, to: 5, term: 1, replicas: 0, voters: 0, text: '...' });

describe('SnapshotLog', () => {
  it('times a snapshot from the last commit line before it to its event, and counts the entries since the previous one', () => {
    const log = new SnapshotLog(2);
    log.started(0);
    expect(log.sawLine(commit(1000))).toBe(true);
    expect(log.sawLine(commit(1100))).toBe(true);
    expect(log.sawLine(JSON.stringify({ ts: 1150, node: 2, kind: 'state', role: 'follower' }))).toBe(false);
    expect(log.snapshotTaken(10_000, 1180, 700_000)).toEqual({
      node: 2,
      index: 10_000,
      entries: 10_000,
      bytes: 700_000,
      startTs: 1100,
      endTs: 1180,
    });
    log.sawLine(commit(2000));
    expect(log.snapshotTaken(20_003, 2050, null)).toMatchObject({ entries: 10_003, startTs: 2000, endTs: 2050 });
    expect(log.taken.map((s) => s.index)).toEqual([10_000, 20_003]);
  });

  it('counts from the snapshot a restarted node recovered, and knows no start before its first commit line', () => {
    const log = new SnapshotLog(1);
    log.started(30_000);
    expect(log.snapshotTaken(40_000, 5000, null)).toMatchObject({ entries: 10_000, startTs: null });
  });
});
