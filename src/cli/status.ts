// `raft-console status`: the supervisor's live model, one row per node with every field it keeps
// (process, Raft state, log, membership), the cluster's timing and network faults above and below.
import { relative } from 'node:path';
import { type Command } from 'commander';
import { describeSwitches, describeTiming, isDefault, type ClusterModel, type NodeModel } from '../cluster-model/index.js';
import { connect, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { paintFor, type Paint } from './colour.js';
import { guarded } from './failure.js';
import { leaderOf, members } from '../cluster-model/index.js';
import { table, type Cell, type Row } from './table.js';

interface StatusFlags extends ClusterFlags {
  json?: boolean;
}

/** `status --json`: the model without its event history, and the leader it shows. */
function statusDocument(model: ClusterModel): Record<string, unknown> {
  const { events: _events, ...rest } = model;
  const leader = leaderOf(model);
  return { ...rest, leader: leader?.id ?? null, term: leader?.raft?.term ?? null };
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

function nodeRow(n: NodeModel, leader: NodeModel | null, folder: string, now: number): Row {
  const r = n.raft;
  const dash = '-';
  const p = n.process;
  return [
    `n${n.id}`,
    roleCell(n, leader),
    r?.term ?? dash,
    r === null || r.leader === 0 ? dash : `n${r.leader}`,
    r === null || r.vote === 0 ? dash : `n${r.vote}`,
    r === null ? dash : `${r.firstIndex}-${r.lastIndex}`,
    r?.lastTerm ?? dash,
    r?.commit ?? dash,
    r?.applied ?? dash,
    r?.snapshotIndex ?? dash,
    r === null ? dash : `${r.membership.voters.join(',')}${r.membership.learners.length > 0 ? ` +${r.membership.learners.join(',')}` : ''}`,
    membershipOf(n),
    processCell(n),
    p.pid ?? dash,
    p.state === 'running' || p.state === 'paused' ? (p.startedAt === null ? dash : ago(now - p.startedAt)) : dash,
    p.restarts,
    n.address,
    relative(folder, n.dataDir) || '.',
  ];
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

function network(model: ClusterModel): string {
  if (model.links.length === 0) return 'network: healthy';
  const groups = model.partition.length > 0 ? `partitioned ${model.partition.map((g) => `{${g.join(',')}}`).join(' | ')}; ` : '';
  const links = model.links
    .map((l) => {
      const what = [
        l.blocked ? 'cut' : '',
        l.delayMs > 0 ? `delay ${l.delayMs} ms` : '',
        l.loss > 0 ? `loss ${+(l.loss * 100).toFixed(1)}%` : '',
      ].filter((w) => w !== '');
      return `n${l.from}->n${l.to} ${what.join(', ')}`;
    })
    .join('; ');
  return `network: ${groups}faulty links: ${links}`;
}

function safety(model: ClusterModel, paint: Paint): string {
  const v = model.safety;
  if (v.ok) return `safety: OK (checked ${v.checkedReports} reports)`;
  return paint('red', `safety: VIOLATED: ${v.property}: ${v.text} (seen ${ago(Date.now() - v.ts)} ago, after ${v.checkedReports} reports)`);
}

function humanStatus(model: ClusterModel, paint: Paint): string[] {
  const now = Date.now();
  const leader = leaderOf(model);
  const lead = leader === null ? paint('red', 'no leader') : paint('green', `n${leader.id} leads term ${leader.raft!.term}`);
  const lines = [
    `${paint('bold', `cluster ${model.name}`)}: ${members(model).length} nodes, ${lead}; ${describeTiming(model.timing)}${model.fsync ? '' : paint('red', '; UNSAFE: fsync off')}`,
    paint('dim', `id ${model.clusterId}, supervisor pid ${model.supervisorPid}, up ${ago(now - model.startedAt)}, folder ${model.folder}`),
    '',
    ...table(
      HEADERS,
      model.nodes.map((n) => nodeRow(n, leader, model.folder, now)),
      paint,
    ),
    '',
    network(model),
    safety(model, paint),
  ];
  // Only when changed: a bug switched on is the first thing to know about a misbehaving cluster.
  if (!isDefault(model.switches))
    lines.push(paint(model.switches.bugs.length > 0 ? 'red' : 'yellow', `raft: ${describeSwitches(model.switches)}`));
  for (const n of model.nodes)
    if (n.process.state === 'crashed' && n.process.stderrTail.length > 0)
      lines.push(paint('red', `n${n.id} crashed: ${n.process.stderrTail.at(-1)}`));
  return lines;
}

export function registerStatusCommand(program: Command): Command {
  return withClusterOptions(
    program
      .command('status')
      .description('show every node of the running cluster: role, term, log, commit, process')
      .option('--json', 'print the model as one JSON document'),
  ).action(
    guarded('status', async (flags: StatusFlags) => {
      const client = await connect(flags);
      try {
        const model = client.model;
        const out = flags.json === true ? [JSON.stringify(statusDocument(model))] : humanStatus(model, paintFor(process.stdout));
        process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        await client.close();
      }
    }),
  );
}
