// What our nodes' snapshots cost in a measured row: how long each took and how the latency of the
// operations acknowledged around it compares with the rest. Pure: the snapshots (from the nodes'
// events, raft-cluster.ts) and the acknowledgements (from the load clients) come in, on one clock.
import type { SnapshotTaken } from './snapshot-log.js';
import { median, percentile, round } from '../stats.js';

/** An acknowledged operation, in wall-clock milliseconds (performance.timeOrigin + performance.now()). */
export interface TimedAck {
  sentWall: number;
  ackWall: number;
}

export interface SnapshotDetail {
  node: number;
  role: 'leader' | 'follower';
  index: number;
  entries: number;
  bytes: number;
  /** Serializing it (the node's writes waited) and making it durable (they went on). */
  durationMs: number;
  /** Of the duration, serializing it. */
  serializeMs: number;
  /** Acks whose request was in flight at some time during the snapshot. */
  acksDuring: number;
  p99DuringMs: number | null;
}

export interface SnapshotCost {
  taken: number;
  byLeader: number;
  medianDurationMs: number | null;
  maxDurationMs: number | null;
  medianSerializeMs: number | null;
  medianEntries: number | null;
  medianBytes: number | null;
  /** p99 latency (and count) of the acks in flight during a leader snapshot. */
  duringLeader: { acks: number; p99Ms: number | null };
  /** ...during a follower snapshot and no leader snapshot. */
  duringFollower: { acks: number; p99Ms: number | null };
  /** ...during no snapshot at all. */
  outside: { acks: number; p99Ms: number | null };
  snapshots: SnapshotDetail[];
}

const p99 = (latencies: number[]): number | null => {
  if (latencies.length === 0) return null;
  latencies.sort((a, b) => a - b);
  return round(percentile(latencies, 99));
};

const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** A snapshot's window: from the start of its serialization to its event. */
function windowOf(s: SnapshotTaken): [number, number] {
  return [s.startTs, s.endTs];
}

const overlaps = (a: TimedAck, [from, to]: [number, number]): boolean => a.sentWall <= to && a.ackWall >= from;

export function snapshotCost(snapshots: readonly SnapshotTaken[], acks: readonly TimedAck[], leaderNode: number): SnapshotCost {
  const windows = snapshots.map((s) => ({ s, w: windowOf(s), leader: s.node === leaderNode }));
  const leader: number[] = [];
  const follower: number[] = [];
  const outside: number[] = [];
  const per = windows.map(() => [] as number[]);
  for (const a of acks) {
    const latency = a.ackWall - a.sentWall;
    let inLeader = false;
    let inFollower = false;
    for (const [i, x] of windows.entries()) {
      if (!overlaps(a, x.w)) continue;
      per[i]!.push(latency);
      if (x.leader) inLeader = true;
      else inFollower = true;
    }
    if (inLeader) leader.push(latency);
    else if (inFollower) follower.push(latency);
    else outside.push(latency);
  }
  const details: SnapshotDetail[] = windows.map(({ s, leader: isLeader }, i) => ({
    node: s.node,
    role: isLeader ? 'leader' : 'follower',
    index: s.index,
    entries: s.entries,
    bytes: s.bytes,
    durationMs: s.endTs - s.startTs,
    serializeMs: s.serializeMs,
    acksDuring: per[i]!.length,
    p99DuringMs: p99(per[i]!),
  }));
  const durations = details.map((d) => d.durationMs);
  return {
    taken: details.length,
    byLeader: details.filter((d) => d.role === 'leader').length,
    medianDurationMs: orNull(median(durations)),
    maxDurationMs: durations.length === 0 ? null : Math.max(...durations),
    medianSerializeMs: orNull(median(details.map((d) => d.serializeMs))),
    medianEntries: orNull(median(details.map((d) => d.entries))),
    medianBytes: orNull(median(details.map((d) => d.bytes))),
    duringLeader: { acks: leader.length, p99Ms: p99(leader) },
    duringFollower: { acks: follower.length, p99Ms: p99(follower) },
    outside: { acks: outside.length, p99Ms: p99(outside) },
    snapshots: details,
  };
}
