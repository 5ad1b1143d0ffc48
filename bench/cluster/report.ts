// The cluster bench's printed report: a header naming the machine and its load, then for each
// cluster size a table of our figures against etcd's with the issue's aims (targets.ts), the
// 1-client floor (floor.ts) and what our snapshots cost (snapshot-cost.ts). Pure: results in, text out.
import { renderTable } from '../table.js';
import type { Floor, LatencySummary } from './floor.js';
import type { SnapshotCost } from './snapshot-cost.js';
import { aimFor, p99Met, ratioOf, throughputMet, type LoadKind } from './targets.js';

export interface LoadRow {
  kind: LoadKind;
  clients: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Ours only: the snapshots taken during the row. */
  snapshots?: SnapshotCost;
}

export interface FailoverRow {
  kills: number;
  measured: number;
  medianMs: number;
  maxMs: number;
}

export interface SystemRows {
  loads: LoadRow[];
  failover: FailoverRow | null;
}

export interface FloorMeasurement {
  rtt: LatencySummary;
  fsync: LatencySummary;
  fsyncBytes: number;
  dir: string;
  model: Floor;
}

export interface SizeSection {
  nodes: number;
  ours: SystemRows;
  etcd: SystemRows | null;
  floor: FloorMeasurement | null;
}

export interface ReportHeader {
  cpuModel: string;
  cores: number;
  node: string;
  etcdVersion: string | null;
  loadStart: number;
  loadEnd: number;
  elapsedSeconds: number;
  valueBytes: number;
  keys: number;
  seconds: number;
  warmupSeconds: number;
  compactEvery: number;
  electionTimeout: string;
}

/** A figure for a cell: thousands grouped from 1,000, else `digits` decimals; '-' when unknown. */
export function figure(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '-';
  if (x === Infinity) return 'inf';
  return Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(digits);
}

const ratioText = (r: number | null): string => (r === null ? '-' : `${r.toFixed(2)}x`);
const metText = (met: boolean | null, aim: string, haveEtcd: boolean): string =>
  met === null ? (aim !== '' && !haveEtcd ? 'needs --vs etcd' : '') : met ? 'yes' : 'NO';
const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

function comparisonTable(s: SizeSection): string {
  const haveEtcd = s.etcd !== null;
  const rows: string[][] = [];
  const push = (label: string, ours: number | null, etcd: number | null, digits: number, aim: string, met: boolean | null): void => {
    rows.push([
      label,
      figure(ours, digits),
      ...(haveEtcd ? [figure(etcd, digits), ratioText(ratioOf(ours, etcd))] : []),
      aim,
      metText(met, aim, haveEtcd),
    ]);
  };
  for (const r of s.ours.loads) {
    const e = s.etcd?.loads.find((x) => x.kind === r.kind && x.clients === r.clients) ?? null;
    const aim = aimFor(r.kind, r.clients);
    push(
      `${r.kind}/s, ${plural(r.clients, 'client')}`,
      r.opsPerSec,
      e?.opsPerSec ?? null,
      0,
      aim === null ? '' : `>= ${aim.ratio}x etcd`,
      throughputMet(aim, r.opsPerSec, e?.opsPerSec ?? null),
    );
    push('  p50 ms', r.p50Ms, e?.p50Ms ?? null, 2, '', null);
    push('  p99 ms', r.p99Ms, e?.p99Ms ?? null, 2, aim?.p99AtMostEtcd ? '<= etcd' : '', p99Met(aim, r.p99Ms, e?.p99Ms ?? null));
  }
  const f = s.ours.failover;
  if (f !== null) {
    const e = s.etcd?.failover ?? null;
    const all = f.measured === f.kills;
    push(`failover median ms (${f.measured}/${f.kills} kills)`, f.medianMs, e?.medianMs ?? null, 1, '< 300', f.medianMs < 300 && all);
    push('failover max ms', f.maxMs, e?.maxMs ?? null, 1, '< 513', f.maxMs < 513 && all);
  }
  const head = ['measurement', 'raft-console', ...(haveEtcd ? ['etcd', 'ours/etcd'] : []), 'aim', 'met'];
  return renderTable(head, rows, { align: ['left', 'right', 'right', 'right', 'right', 'right'] });
}

function floorLines(s: SizeSection): string[] {
  const fl = s.floor;
  if (fl === null) return [];
  const ours = s.ours.loads.find((r) => r.kind === 'writes' && r.clients === 1) ?? null;
  const etcd = s.etcd?.loads.find((r) => r.kind === 'writes' && r.clients === 1) ?? null;
  const vs = (r: LoadRow | null, name: string): string =>
    r === null ? '' : `${name} p50 ${figure(r.p50Ms, 2)} ms (${ratioText(ratioOf(r.p50Ms, fl.model.floorMs))} the floor)`;
  return [
    `1-client floor: loopback TCP round trip p50 ${figure(fl.rtt.p50Ms, 3)} ms (p99 ${figure(fl.rtt.p99Ms, 3)}), ` +
      `fdatasync of a ${fl.fsyncBytes}-byte append p50 ${figure(fl.fsync.p50Ms, 3)} ms (p99 ${figure(fl.fsync.p99Ms, 3)}) in the nodes' folder (under ${fl.dir})`,
    `  floor = rtt/2 + max(fsync, rtt/2 + fsync + rtt/2) + rtt/2 = 2 rtt + fsync = ${figure(fl.model.floorMs, 2)} ms ` +
      `(${figure(fl.model.floorWritesPerSec, 0)} writes/s); 3 fsyncs in series, 2 rtt + 3 fsync = ${figure(fl.model.serialMs, 2)} ms`,
    ...(ours === null ? [] : [`  measured: ${[vs(ours, 'ours'), vs(etcd, 'etcd')].filter((x) => x !== '').join(', ')}`]),
  ];
}

function snapshotTable(s: SizeSection): string[] {
  const rows = s.ours.loads.filter((r) => r.snapshots !== undefined);
  if (rows.length === 0) return [];
  const p = (x: { acks: number; p99Ms: number | null }): string => (x.acks === 0 ? '-' : `${figure(x.p99Ms, 2)} (${x.acks})`);
  const cells = rows.map((r) => {
    const c = r.snapshots!;
    return [
      `${r.kind}, ${plural(r.clients, 'client')}`,
      `${c.taken} (${c.byLeader})`,
      figure(c.medianEntries, 0),
      c.medianBytes === null ? '-' : (c.medianBytes / 1e6).toFixed(2),
      `${figure(c.medianDurationMs, 0)} / ${figure(c.maxDurationMs, 0)}`,
      figure(c.medianSerializeMs, 0),
      p(c.duringLeader),
      p(c.duringFollower),
      p(c.outside),
    ];
  });
  return [
    "Our snapshots during the rows (each node snapshots on its own; duration, from the node's event: serializing the state machine,",
    'while its writes wait, then making the file durable, while they go on). p99 latency in ms (acks) of the requests in flight during',
    'a leader snapshot, a follower one, none:',
    '',
    renderTable(
      [
        'row',
        'taken (leader)',
        'entries',
        'MB',
        'duration ms med / max',
        'serialize ms med',
        'p99 leader snap',
        'p99 follower snap',
        'p99 outside',
      ],
      cells,
      {
        align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      },
    ),
  ];
}

export function renderReport(h: ReportHeader, sections: readonly SizeSection[], etcdNote: string | null): string {
  const out: string[] = [
    '',
    `${h.cpuModel}, ${h.cores} cores, Node ${h.node}, ${h.etcdVersion === null ? 'no etcd' : `etcd ${h.etcdVersion}`}; ` +
      `load average (1 min) ${h.loadStart.toFixed(2)} at the start, ${h.loadEnd.toFixed(2)} at the end; ` +
      `the run took ${(h.elapsedSeconds / 60).toFixed(1)} min`,
    `127.0.0.1, fsync on, ${h.valueBytes}-byte values over ${h.keys.toLocaleString('en-US')} keys, ${h.warmupSeconds} s warm-up + ${h.seconds} s per row, ` +
      `our snapshots every ${h.compactEvery.toLocaleString('en-US')} entries; failover: election timeout ${h.electionTimeout} ms, SIGKILL of the leader`,
  ];
  for (const s of sections) {
    out.push('', `${s.nodes} nodes`, '', comparisonTable(s));
    const floor = floorLines(s);
    if (floor.length > 0) out.push('', ...floor);
    const snaps = snapshotTable(s);
    if (snaps.length > 0) out.push('', ...snaps);
  }
  if (etcdNote !== null) out.push('', etcdNote);
  return out.join('\n');
}
