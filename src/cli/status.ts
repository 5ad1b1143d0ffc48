// `raft-console status`: the supervisor's live model, one row per node with every field it keeps
// (process, Raft state, log, membership), the cluster's timing and snapshot threshold above and the
// faults in force below. On an etcd cluster the header names the engine, the fields etcd does not
// report read "n/a" (never a placeholder number), and a second table gives each member's etcd id
// and client URL.
// On a terminal it fits the terminal's width, leaving out the least wanted columns; --wide, or
// output into a pipe or a file, prints every column.
import { relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { type Command } from 'commander';
// Modules, not the barrel (which brings the client library): `status` starts faster so.
import { engineName, reports, type StateField } from '../cluster-model/engine.js';
import { describeFaults, faultsInForce } from '../cluster-model/faults.js';
import type { ClusterModel, NodeModel } from '../cluster-model/model.js';
import { plural } from '../cluster-model/plural.js';
import { leaderOf, members } from '../cluster-model/queries.js';
import { describeSnapshotEvery } from '../cluster-model/snapshots.js';
import { describeTiming } from '../cluster-model/timing.js';
import { columns } from '../tui/text-width.js';
import { folderOptions, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { readModelOnce } from '../cluster-model/model-once.js';
import { paintFor, type Paint } from './colour.js';
import { checkEtcdFlags, etcdAttachOptions, withEtcdConnectionOptions, type EtcdFlags } from './etcd-options.js';
import { guarded } from './failure.js';
import { fitColumns, table, type Cell, type Row } from './table.js';

interface StatusFlags extends ClusterFlags, EtcdFlags {
  json?: boolean;
  wide?: boolean;
}

/** The flags of `status` that only mean something with --etcd. */
const ETCD_ONLY = ['cacert', 'cert', 'key', 'user'] as const;

/** The model once: of a cluster raft-console runs, from its supervisor; with --etcd, one look at a cluster that runs elsewhere. */
async function modelOnce(flags: StatusFlags): Promise<ClusterModel> {
  if (flags.etcd === undefined) return readModelOnce({ ...(await folderOptions(flags)), events: false });
  const options = await etcdAttachOptions({ ...flags, etcd: flags.etcd });
  // Loaded only for --etcd: the JSON gateway's client is not needed otherwise.
  const { EtcdAttachment } = await import('../cluster-model/etcd-attach.js');
  const attachment = await EtcdAttachment.open(options);
  try {
    return attachment.model;
  } finally {
    await attachment.close();
  }
}

/** A terminal that does not say how wide it is is taken to be this wide. */
const DEFAULT_TERMINAL_WIDTH = 80;

/** `status --json`: the model without its event history, the leader it shows, and the faults in force. */
export function statusDocument(model: ClusterModel): Record<string, unknown> {
  const { events: _events, ...rest } = model;
  const leader = leaderOf(model);
  return { ...rest, leader: leader?.id ?? null, term: leader?.raft?.term ?? null, faults: faultsInForce(model) };
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

function roleCell(n: NodeModel, leader: NodeModel | null): Cell {
  if (n.raft === null) return { text: '-', style: 'dim' };
  // A node that is not running keeps the role it last reported: shown in brackets, as history.
  if (n.process.state !== 'running') return { text: `(${n.raft.role})`, style: 'dim' };
  if (n.raft.role === 'leader') return { text: n === leader ? '★ leader' : '★ leader (stale)', style: n === leader ? 'green' : 'yellow' };
  if (n.raft.role === 'follower') return { text: '· follower' };
  return { text: `${n.raft.role === 'candidate' ? '◆' : '◇'} ${n.raft.role}`, style: 'yellow' };
}

function processCell(n: NodeModel): Cell {
  const p = n.process;
  const style = p.state === 'running' ? undefined : p.state === 'crashed' ? 'red' : p.state === 'starting' ? 'dim' : 'yellow';
  // How it ended, for a node that is down: "crashed (code 1)", "killed (SIGKILL)".
  const how =
    p.state === 'running' || p.state === 'paused' || p.state === 'starting' ? null : p.exitCode !== null ? `code ${p.exitCode}` : p.signal;
  return { text: how === null ? p.state : `${p.state} (${how})`, style };
}

function membershipOf(n: NodeModel): string {
  if (n.removed) return 'removed';
  const m = n.raft?.membership;
  if (m === undefined) return '-';
  if (m.voters.includes(n.id)) return 'voter';
  if (m.learners.includes(n.id)) return 'learner';
  return 'none';
}

/** What a field the engine does not report reads (etcd's log, for one). */
const NOT_EXPOSED: Cell = { text: 'n/a', style: 'dim' };

function nodeRow(n: NodeModel, leader: NodeModel | null, model: ClusterModel, now: number): Row {
  const r = n.raft;
  const dash = '-';
  const p = n.process;
  const shown = (fields: StateField[], cell: () => Cell | string | number): Cell | string | number =>
    r === null ? dash : fields.every((f) => reports(model.engine, f)) ? cell() : NOT_EXPOSED;
  return [
    `n${n.id}`,
    roleCell(n, leader),
    r?.term ?? dash,
    r === null || r.leader === 0 ? dash : `n${r.leader}`,
    shown(['vote'], () => (r!.vote === 0 ? dash : `n${r!.vote}`)),
    shown(['firstIndex', 'lastIndex'], () => `${r!.firstIndex}-${r!.lastIndex}`),
    shown(['lastTerm'], () => r!.lastTerm),
    r?.commit ?? dash,
    r?.applied ?? dash,
    shown(['snapshotIndex'], () => r!.snapshotIndex),
    r === null ? dash : `${r.membership.voters.join(',')}${r.membership.learners.length > 0 ? ` +${r.membership.learners.join(',')}` : ''}`,
    membershipOf(n),
    processCell(n),
    p.pid ?? dash,
    p.state === 'running' || p.state === 'paused' ? (p.startedAt === null ? dash : ago(now - p.startedAt)) : dash,
    p.restarts,
    n.address,
    relative(model.folder, n.dataDir) || '.',
  ];
}

const ETCD_HEADERS = ['NODE', 'ETCD MEMBER ID', 'CLIENT URL', 'PEER URL', 'DB SIZE'];

/** "20 KiB", "1.5 MiB": a database size as a person reads it. */
function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const kib = n / 1024;
  return kib < 1024 ? `${Number(kib.toFixed(1))} KiB` : `${Number((kib / 1024).toFixed(1))} MiB`;
}

/** Each etcd member behind a node id: its id as etcd prints it, where clients and peers reach it, its database size. */
function etcdLines(model: ClusterModel, paint: Paint, width: number): string[] {
  const rows: Row[] = model.nodes.flatMap((n) =>
    n.etcd === undefined
      ? []
      : [
          [
            `n${n.id}`,
            n.etcd.memberId === '' ? { text: '(not started)', style: 'dim' as const } : n.etcd.memberId,
            n.etcd.clientUrl,
            n.etcd.peerUrl,
            n.etcd.dbSize === null ? '-' : bytes(n.etcd.dbSize),
          ],
        ],
  );
  if (rows.length === 0) return [];
  const shown = fitColumns(ETCD_HEADERS, rows, width, ['DB SIZE', 'PEER URL']);
  return ['', ...table(shown.headers, shown.rows, paint)];
}

const HEADERS = [
  'NODE',
  'ROLE',
  'TERM',
  'LEADER',
  'VOTE',
  'LOG',
  'LAST TERM',
  'COMMIT',
  'APPLIED',
  'SNAP',
  'CONFIG',
  'MEMBER',
  'PROCESS',
  'PID',
  'UP',
  'RESTARTS',
  'ADDRESS',
  'DATA',
];

/** The columns about raft-console's own processes, which a cluster it is attached to has none of. */
const PROCESS_ONLY = ['PID', 'UP', 'RESTARTS', 'DATA'];

/** The columns a narrow terminal goes without, least wanted first. */
const DROP_FIRST = ['DATA', 'ADDRESS', 'PID', 'RESTARTS', 'UP', 'SNAP', 'LAST TERM', 'CONFIG', 'VOTE', 'APPLIED', 'MEMBER', 'LEADER'];

/** "faults: none", or every fault in force: on one line when it fits, else one a line. */
function faultLines(model: ClusterModel, paint: Paint, width: number): string[] {
  const faults = describeFaults(faultsInForce(model));
  if (faults.length === 0) return ['faults: none'];
  const painted = faults.map(({ fault, text }) =>
    paint(fault.kind === 'switches' && fault.switches.bugs.length > 0 ? 'red' : 'yellow', text),
  );
  if (columns(`faults: ${faults.map((f) => f.text).join('; ')}`) <= width) return [`faults: ${painted.join('; ')}`];
  return ['faults:', ...painted.map((text) => `  ${text}`)];
}

function safety(model: ClusterModel, paint: Paint, now: number): string {
  const v = model.safety;
  if (v.ok) return `safety: OK (checked ${plural(v.checkedReports, 'report')})`;
  return paint(
    'red',
    `safety: VIOLATED: ${v.property}: ${v.text} (seen ${ago(now - v.ts)} ago, after ${plural(v.checkedReports, 'report')})`,
  );
}

/** The parts joined by `sep` on as few lines as fit in `width`, in order (measured without colour codes). */
function sideBySide(parts: string[], sep: string, width: number): string[] {
  const lines: string[] = [];
  for (const part of parts) {
    const joined = lines.length === 0 ? part : `${lines.at(-1)!}${sep}${part}`;
    if (lines.length > 0 && columns(stripVTControlCharacters(joined)) <= width) lines[lines.length - 1] = joined;
    else lines.push(part);
  }
  return lines;
}

/** What `status` prints for people, in `width` terminal columns (Infinity: every column). */
export function statusLines(model: ClusterModel, paint: Paint, width: number, now: number): string[] {
  const leader = leaderOf(model);
  const lead = leader === null ? paint('red', 'no leader') : paint('green', `n${leader.id} leads term ${leader.raft!.term}`);
  const etcdId = model.engine.kind === 'etcd' && model.engine.clusterIdHex !== null ? `, etcd cluster ${model.engine.clusterIdHex}` : '';
  const remote = model.engine.kind === 'etcd' && model.engine.remote;
  // A cluster raft-console is attached to has no supervisor and no folder here: where it was reached instead.
  const about = remote
    ? `${model.engine.kind === 'etcd' && model.engine.clusterIdHex !== null ? `etcd cluster ${model.engine.clusterIdHex}, ` : ''}attached, read once`
    : `id ${model.clusterId}${etcdId}, supervisor pid ${model.supervisorPid}, up ${ago(now - model.startedAt)}`;
  const folder = remote ? `through ${model.name}` : `folder ${model.folder}`;
  // A cluster raft-console only looks at runs no process of raft-console's: no pid, uptime, restarts or data folder to show.
  const headers = remote ? HEADERS.filter((h) => !PROCESS_ONLY.includes(h)) : HEADERS;
  const rows = model.nodes
    .map((n) => nodeRow(n, leader, model, now))
    .map((r) => (remote ? r.filter((_, i) => headers.includes(HEADERS[i]!)) : r));
  const shown = fitColumns(headers, rows, width, DROP_FIRST);
  const engine = model.engine.kind === 'etcd' ? ` (${engineName(model.engine)})` : '';
  const title = `${paint('bold', `cluster ${model.name}${engine}`)}: ${plural(members(model).length, 'node')}, ${lead}`;
  const timing = `${describeTiming(model.timing)}${model.fsync ? '' : paint('red', '; UNSAFE: fsync off')}`;
  const lines = [
    // An attached etcd cluster's snapshot count is its members' flag, which its APIs do not tell.
    ...sideBySide([title, timing, ...(remote ? [] : [describeSnapshotEvery(model.snapshotEvery)])], '; ', width),
    ...sideBySide([paint('dim', about), paint('dim', folder)], paint('dim', ', '), width),
    '',
    ...table(shown.headers, shown.rows, paint),
    ...etcdLines(model, paint, width),
    '',
    ...faultLines(model, paint, width),
    safety(model, paint, now),
  ];
  for (const n of model.nodes)
    if (n.process.state === 'crashed' && n.process.stderrTail.length > 0)
      lines.push(paint('red', `n${n.id} crashed: ${n.process.stderrTail.at(-1)}`));
  return lines;
}

/** How wide `status` may print: a terminal's width (80 when it does not say); every column with --wide or into a pipe or file. */
function outputWidth(flags: StatusFlags, out: NodeJS.WriteStream): number {
  if (flags.wide === true || !out.isTTY) return Infinity;
  return out.columns > 0 ? out.columns : DEFAULT_TERMINAL_WIDTH;
}

export function registerStatusCommand(program: Command): Command {
  return withEtcdConnectionOptions(
    withClusterOptions(
      program
        .command('status')
        .description(
          'show every node of the running cluster (role, term, log, commit, process) and the faults in force; with --etcd, of an etcd cluster that runs elsewhere',
        )
        .option('--wide', 'print every column, however wide the terminal (output into a pipe or a file always has them all)')
        .option('--json', 'print the model, its leader and the faults in force as one JSON document'),
    ),
  ).action(
    guarded('status', async (flags: StatusFlags, cmd: Command) => {
      checkEtcdFlags(flags, cmd, ETCD_ONLY);
      const model = await modelOnce(flags);
      const out =
        flags.json === true
          ? [JSON.stringify(statusDocument(model))]
          : statusLines(model, paintFor(process.stdout), outputWidth(flags, process.stdout), Date.now());
      process.stdout.write(`${out.join('\n')}\n`);
    }),
  );
}
