import { describe, expect, it } from 'vitest';
import { SnapshotLog } from '../../bench/cluster/snapshot-log.js';

describe('SnapshotLog', () => {
  it("times a snapshot from its node's event (serialized, then made durable, ending at the event) and counts the entries since the previous one", () => {
    const log = new SnapshotLog(2);
    log.started(0);
    expect(log.saved({ index: 10_000, bytes: 700_000, serializeMs: 20, durableMs: 60 }, 1180)).toEqual({
      node: 2,
      index: 10_000,
      entries: 10_000,
      bytes: 700_000,
      serializeMs: 20,
      startTs: 1100,
      endTs: 1180,
    });
    expect(log.saved({ index: 20_003, bytes: 710_000, serializeMs: 10, durableMs: 40 }, 2050)).toMatchObject({
      entries: 10_003,
      startTs: 2000,
      endTs: 2050,
    });
    expect(log.taken.map((s) => s.index)).toEqual([10_000, 20_003]);
  });

  it('counts from the snapshot a restarted node recovered', () => {
    const log = new SnapshotLog(1);
    log.started(30_000);
    expect(log.saved({ index: 40_000, bytes: 1, serializeMs: 0, durableMs: 5 }, 5000)).toMatchObject({ entries: 10_000, startTs: 4995 });
  });
});
