import { describe, expect, it } from 'vitest';
import { floorModel } from '../../bench/cluster/floor.js';
import { figure, renderReport, type ReportHeader, type SizeSection } from '../../bench/cluster/report.js';
import { snapshotCost } from '../../bench/cluster/snapshot-cost.js';
import { aimFor, p99Met, ratioOf, throughputMet } from '../../bench/cluster/targets.js';

describe('the aims', () => {
  it('are the issue’s ratios: writes 1.2x / 1.5x / 2x at 1 / 16 / 64 clients with p99 <= etcd, reads 1.5x at 64', () => {
    expect(aimFor('writes', 1)).toEqual({ ratio: 1.2, p99AtMostEtcd: true });
    expect(aimFor('writes', 16)).toEqual({ ratio: 1.5, p99AtMostEtcd: true });
    expect(aimFor('writes', 64)).toEqual({ ratio: 2, p99AtMostEtcd: true });
    expect(aimFor('writes', 8)).toBeNull();
    expect(aimFor('reads', 64)).toEqual({ ratio: 1.5, p99AtMostEtcd: false });
    expect(aimFor('reads', 1)).toBeNull();
  });

  it('are met at the ratio exactly, and undecided without an etcd figure', () => {
    const aim = aimFor('writes', 64);
    expect(throughputMet(aim, 2000, 1000)).toBe(true);
    expect(throughputMet(aim, 1999, 1000)).toBe(false);
    expect(throughputMet(aim, 2000, null)).toBeNull();
    expect(throughputMet(null, 2000, 1000)).toBeNull();
    expect(p99Met(aim, 5, 5)).toBe(true);
    expect(p99Met(aim, 5.01, 5)).toBe(false);
    expect(p99Met(aimFor('reads', 64), 1, 5)).toBeNull();
    expect(ratioOf(3, 0)).toBeNull();
    expect(ratioOf(3, 2)).toBe(1.5);
  });
});

describe('floorModel', () => {
  it('is rtt/2 + max(fsync, rtt + fsync) + rtt/2 = 2 rtt + fsync; in series, 2 rtt + 3 fsync', () => {
    const f = floorModel(0.1, 1);
    expect(f.floorMs).toBeCloseTo(1.2, 9);
    expect(f.serialMs).toBeCloseTo(3.2, 9);
    expect(f.floorWritesPerSec).toBe(833);
  });
});

describe('snapshotCost', () => {
  const snap = (node: number, startTs: number, endTs: number) => ({
    node,
    index: 10_000,
    entries: 10_000,
    bytes: 2_000_000,
    serializeMs: 5,
    startTs,
    endTs,
  });

  it('splits the acks in flight during a leader snapshot, a follower one, and none', () => {
    const acks = [
      { sentWall: 0, ackWall: 2 }, // outside
      { sentWall: 95, ackWall: 130 }, // during the leader's snapshot (100-120)
      { sentWall: 195, ackWall: 205 }, // during the follower's (200-240)
      { sentWall: 300, ackWall: 301 }, // outside
    ];
    const c = snapshotCost([snap(1, 100, 120), snap(2, 200, 240)], acks, 1);
    expect(c.taken).toBe(2);
    expect(c.byLeader).toBe(1);
    expect(c.duringLeader).toEqual({ acks: 1, p99Ms: 35 });
    expect(c.duringFollower).toEqual({ acks: 1, p99Ms: 10 });
    expect(c.outside).toEqual({ acks: 2, p99Ms: 2 });
    expect(c.medianDurationMs).toBe(30);
    expect(c.maxDurationMs).toBe(40);
    expect(c.medianSerializeMs).toBe(5);
    expect(c.snapshots.map((s) => [s.role, s.durationMs, s.acksDuring])).toEqual([
      ['leader', 20, 1],
      ['follower', 40, 1],
    ]);
  });
});

describe('renderReport', () => {
  const header: ReportHeader = {
    cpuModel: 'Test CPU',
    cores: 2,
    node: 'v20.0.0',
    etcdVersion: '3.4.23',
    loadStart: 0.5,
    loadEnd: 1.25,
    elapsedSeconds: 300,
    valueBytes: 100,
    keys: 10_000,
    seconds: 10,
    warmupSeconds: 1,
    compactEvery: 10_000,
    electionTimeout: '150-300',
  };
  const row = (kind: 'writes' | 'reads', clients: number, opsPerSec: number, p99Ms: number) => ({
    kind,
    clients,
    opsPerSec,
    p50Ms: 1,
    p99Ms,
  });
  const section: SizeSection = {
    nodes: 3,
    ours: { loads: [row('writes', 1, 1200, 2), row('writes', 64, 10_000, 30), row('reads', 64, 9000, 9)], failover: null },
    etcd: { loads: [row('writes', 1, 1000, 2), row('writes', 64, 6000, 20), row('reads', 64, 5000, 10)], failover: null },
    floor: null,
  };

  it('prints the machine and the load, then each row with etcd, the ratio, the aim and whether it was met', () => {
    const lines = renderReport(header, [section], null).split('\n');
    expect(lines[1]).toBe(
      'Test CPU, 2 cores, Node v20.0.0, etcd 3.4.23; load average (1 min) 0.50 at the start, 1.25 at the end; the run took 5.0 min',
    );
    const find = (prefix: string, from = 0): string[] =>
      lines
        .slice(from)
        .find((l) => l.startsWith(prefix))!
        .trim()
        .split(/\s{2,}/);
    expect(find('writes/s, 1 client')).toEqual(['writes/s, 1 client', '1,200', '1,000', '1.20x', '>= 1.2x etcd', 'yes']);
    expect(find('writes/s, 64 clients')).toEqual(['writes/s, 64 clients', '10,000', '6,000', '1.67x', '>= 2x etcd', 'NO']);
    const at64 = lines.findIndex((l) => l.startsWith('writes/s, 64'));
    expect(find('  p99 ms', at64)).toEqual(['p99 ms', '30.00', '20.00', '1.50x', '<= etcd', 'NO']);
    expect(find('reads/s, 64 clients')).toEqual(['reads/s, 64 clients', '9,000', '5,000', '1.80x', '>= 1.5x etcd', 'yes']);
  });

  it('says an aim needs etcd when there is none', () => {
    const text = renderReport({ ...header, etcdVersion: null }, [{ ...section, etcd: null }], 'etcd comparison skipped: no etcd');
    expect(text).toContain('needs --vs etcd');
    expect(text.trimEnd().endsWith('etcd comparison skipped: no etcd')).toBe(true);
  });

  it('formats figures: thousands grouped, decimals below, a dash when unknown', () => {
    expect(figure(12_345.6, 2)).toBe('12,346');
    expect(figure(1.234, 2)).toBe('1.23');
    expect(figure(null)).toBe('-');
    expect(figure(NaN)).toBe('-');
  });
});
