// `raft-console check`: a Jepsen-style test of the real cluster (raft-console's nodes, or local
// etcd members with --engine etcd). Clients read, write and compare-and-set a few keys while a
// nemesis kills, pauses, partitions and slows nodes, moves leadership and forces elections; then
// everything is healed and the history is checked for linearizability, along with lost writes,
// the nodes' agreement and one leader per term. docs/CHECK.md explains the report.
import { randomInt } from 'node:crypto';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { SupervisorOptions } from '../cluster-model/index.js';
import { thousands } from '../cluster-model/plural.js';
import { DEFAULT_SNAPSHOT_EVERY } from '../cluster-model/snapshots.js';
import { RECORDING_DIR } from '../cluster-model/replay-format.js';
import { join, resolve } from 'node:path';
import { supervisorLauncher } from '../supervisor/index.js';
import { FAULT_KINDS, type FaultKind } from '../check/nemesis.js';
import { OUT_FILES, writeRunFiles } from '../check/out-files.js';
import { formatRun, summarizeRun } from '../check/run-report.js';
import { runCheck, type CheckRunOptions, type RunResult } from '../check/run.js';
import type { EtcdReads } from '../check/etcd-client.js';
import { clusterName, duration, nodeCount, wholeNumber } from './arguments.js';
import { folderOptions } from './cluster-options.js';
import { paintFor } from './colour.js';
import { engineOptions, withEngineOptions, type EngineFlags } from './engine-option.js';
import { EXIT_STATUS, type ExitCode } from '../schema/exit-codes.js';
import { guarded } from './failure.js';
import { openSettings } from './settings.js';
import { superviseSwitches, withSwitchOptions, withTimingOptions, type SwitchFlags, type TimingFlags } from './supervisor-options.js';

/** How `check` ends for each verdict; a bad command line and no such cluster end as for every command. */
const VERDICT_EXIT: Record<RunResult, ExitCode> = { pass: 'ok', violation: 'violation', unknown: 'unknown' };

const DEFAULT_NODES = 5;

interface CheckFlags extends TimingFlags, SwitchFlags, EngineFlags {
  nodes?: number;
  duration: number;
  clients: number;
  rate: number;
  keys: number;
  nemesis: FaultKind[];
  seed?: number;
  budget: number;
  json?: boolean;
  out?: string;
  keep?: boolean;
  name?: string;
  etcdReads?: EtcdReads;
}

/** "kill,pause" or "none": the fault kinds, each once. */
function faultKinds(text: string): FaultKind[] {
  if (text.trim() === 'none') return [];
  const kinds = text.split(',').map((k) => k.trim());
  for (const k of kinds)
    if (!(FAULT_KINDS as readonly string[]).includes(k))
      throw new InvalidArgumentError(
        `--nemesis takes fault kinds separated by commas, from ${FAULT_KINDS.join(', ')} (or none), got "${k}" (e.g. kill,partition)`,
      );
  return [...new Set(kinds)] as FaultKind[];
}

const seconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/** The command line that runs the same schedule again. */
function replayCommand(f: CheckFlags, seed: number, nodes: number): string {
  const args = ['raft-console check'];
  if (f.name !== undefined) args.push('--name', f.name);
  else {
    if (f.engine !== undefined && f.engine !== 'raft-console') args.push('--engine', f.engine);
    if (f.etcdBin !== undefined) args.push('--etcd-bin', f.etcdBin);
    args.push('--nodes', String(nodes));
    if (f.electionTimeout !== undefined) args.push('--election-timeout', `${f.electionTimeout.min}-${f.electionTimeout.max}`);
    if (f.heartbeat !== undefined) args.push('--heartbeat', String(f.heartbeat));
    if (f.electionTimeout === undefined && f.heartbeat === undefined) args.push('--speed', f.speed ?? 'normal');
    if (!f.preVote) args.push('--no-pre-vote');
    if (!f.checkQuorum) args.push('--no-check-quorum');
    for (const b of f.bug ?? []) args.push('--bug', b);
    if (f.snapshotEvery !== undefined) args.push('--snapshot-every', String(f.snapshotEvery));
  }
  args.push('--duration', seconds(f.duration), '--clients', String(f.clients), '--rate', String(f.rate), '--keys', String(f.keys));
  args.push('--nemesis', f.nemesis.length === 0 ? 'none' : f.nemesis.join(','), '--seed', String(seed));
  if (f.etcdReads !== undefined && f.etcdReads !== 'linearizable') args.push('--etcd-reads', f.etcdReads);
  return args.join(' ');
}

/** The flags that shape a new cluster, which a cluster used with --name already has. */
function newClusterFlags(f: CheckFlags): string[] {
  return [
    ...(f.nodes === undefined ? [] : ['--nodes']),
    ...(f.speed === undefined ? [] : ['--speed']),
    ...(f.electionTimeout === undefined ? [] : ['--election-timeout']),
    ...(f.heartbeat === undefined ? [] : ['--heartbeat']),
    ...(f.basePort === undefined ? [] : ['--base-port']),
    ...(f.snapshotEvery === undefined ? [] : ['--snapshot-every']),
    ...(f.preVote ? [] : ['--no-pre-vote']),
    ...(f.checkQuorum ? [] : ['--no-check-quorum']),
    ...(f.bug === undefined ? [] : ['--bug']),
    ...(f.keep === true ? ['--keep'] : []),
    ...(f.engine === undefined ? [] : ['--engine']),
    ...(f.etcdBin === undefined ? [] : ['--etcd-bin']),
  ];
}

async function clusterOptions(f: CheckFlags, seed: number): Promise<CheckRunOptions['cluster']> {
  const settings = await openSettings();
  const stateDir = settings.get('data-folder');
  if (f.name !== undefined) return { kind: 'existing', folder: await folderOptions({ name: f.name }) };
  // Its own defaults, not the user's `config` for `up`: a normal speed and free ports.
  const supervisor: SupervisorOptions = {
    name: `check-${seed}`,
    stateDir,
    nodes: f.nodes ?? DEFAULT_NODES,
    // Recorded into --out DIR, where the purge at the end leaves it: `raft-console replay DIR`.
    recording: { capMb: settings.get('recording-cap'), ...(f.out === undefined ? {} : { dir: join(resolve(f.out), RECORDING_DIR) }) },
    ...superviseSwitches(f),
    ...engineOptions(f),
  };
  if (f.electionTimeout !== undefined || f.heartbeat !== undefined) {
    supervisor.electionTimeoutMs = f.electionTimeout;
    supervisor.heartbeatMs = f.heartbeat;
  } else supervisor.speed = f.speed ?? 'normal';
  if (f.basePort !== undefined) supervisor.basePort = f.basePort;
  if (f.snapshotEvery !== undefined) supervisor.snapshotEvery = f.snapshotEvery;
  return { kind: 'new', launcher: supervisorLauncher, supervisor, keep: f.keep === true };
}

/** Ctrl-C stops the clients and the nemesis, heals, and checks what was recorded; a second one leaves at once. */
function interruptible(): { signal: AbortSignal; release: () => void } {
  const aborter = new AbortController();
  const onSignal = (): void => {
    if (aborter.signal.aborted) process.exit(EXIT_STATUS.interrupted);
    aborter.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: aborter.signal,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export function registerCheckCommand(program: Command): Command {
  const cmd = program
    .command('check')
    .description('test the cluster for linearizability under faults, Jepsen-style: clients, a nemesis, then a verdict')
    .option('--nodes <n>', `nodes of the new cluster (default ${DEFAULT_NODES})`, nodeCount)
    .addOption(
      new Option('--duration <time>', 'how long the clients run and faults are injected (60s, 2m, 500ms)')
        .argParser(duration('--duration', '60s', 1000, 24 * 3_600_000))
        .default(60_000, '60s'),
    )
    .option('--clients <n>', 'concurrent clients, one operation in flight each', wholeNumber('--clients', '8', 1, 256), 8)
    .option('--rate <n>', 'operations per second, all clients together', wholeNumber('--rate', '200', 1, 100_000), 200)
    .option('--keys <n>', 'keys the clients share', wholeNumber('--keys', '5', 1, 1000), 5)
    .addOption(
      new Option('--nemesis <kinds>', 'faults to inject, separated by commas, or none')
        .argParser(faultKinds)
        .default([...FAULT_KINDS], FAULT_KINDS.join(',')),
    )
    .option(
      '--seed <S>',
      "seed of the clients' and the nemesis's choices (default: random, printed in the report)",
      wholeNumber('--seed', '42', 0),
    )
    .addOption(
      new Option('--budget <time>', 'time the linearizability checker may take before it answers unknown')
        .argParser(duration('--budget', '60s', 100))
        .default(60_000, '60s'),
    )
    .option('--json', 'print the report as one JSON document')
    .option('--out <dir>', `write ${OUT_FILES.join(', ')} into this folder, and the cluster's recording (\`raft-console replay DIR\`)`)
    .option('--keep', 'keep the new cluster (stopped, its data in its folder) instead of deleting it')
    .option('--name <name>', 'check this running cluster instead of starting a new one (it is left running, healed)', clusterName);
  withEngineOptions(cmd, {
    engine: 'the Raft implementation of the new cluster (a running one has its own)',
    etcdBin: 'the etcd binary for --engine etcd (default: etcd from PATH)',
  }).addOption(
    new Option(
      '--etcd-reads <kind>',
      'on etcd, read linearizably (the default) or serializably: each member answers from its own store, possibly stale (an experiment: the check should fail)',
    ).choices(['linearizable', 'serializable']),
  );
  withSwitchOptions(withTimingOptions(cmd));
  // A check's cluster has defaults of its own, not the user's `config` for `up`.
  for (const o of cmd.options) {
    if (o.long === '--speed') o.description = 'how fast elections and heartbeats go (default: normal)';
    if (o.long === '--base-port') o.description = 'node n listens on base + n - 1 (default: free ports)';
    if (o.long === '--snapshot-every')
      o.description = `each node snapshots its state machine and compacts its log once this many applied entries sit in it (default: ${thousands(DEFAULT_SNAPSHOT_EVERY)})`;
  }
  cmd.addHelpText(
    'after',
    `
Exit codes: ${EXIT_STATUS.ok} linearizable and every check passed; ${EXIT_STATUS.violation} a violation (or the check could not run:
stderr says why); ${EXIT_STATUS.usage} a bad command line; ${EXIT_STATUS['not-running']} no cluster of that --name is running; ${EXIT_STATUS.unknown} unknown (no violation
found, but the checker ran out of --budget or a check could not be made); ${EXIT_STATUS.interrupted} interrupted.

A new cluster is named check-<seed>, runs at normal speed on free ports, and is deleted afterwards
unless --keep. --engine etcd checks local etcd members instead of raft-console's nodes: the same
clients, nemesis and checks (fault kinds etcd cannot do are skipped, and the report says so). The report says how to run the same schedule again (--seed). See docs/CHECK.md.`,
  );
  return cmd.action(
    guarded('check', async (flags: CheckFlags) => {
      if (flags.etcdReads !== undefined && flags.name === undefined && flags.engine !== 'etcd')
        cmd.error('error: --etcd-reads is for an etcd cluster: add --engine etcd', { exitCode: EXIT_STATUS.usage, code: 'check.conflict' });
      if (flags.name !== undefined) {
        const shaping = newClusterFlags(flags);
        if (shaping.length > 0)
          cmd.error(`error: ${shaping.join(', ')} shape a new cluster: with --name the running cluster is checked as it is`, {
            exitCode: EXIT_STATUS.usage,
            code: 'check.conflict',
          });
      }
      const seed = flags.seed ?? randomInt(1, 2 ** 31);
      const cluster = await clusterOptions(flags, seed);
      const showProgress = flags.json !== true && process.stderr.isTTY;
      const paint = paintFor(process.stderr);
      const { signal, release } = interruptible();
      let run;
      try {
        run = await runCheck({
          cluster,
          clients: flags.clients,
          rate: flags.rate,
          keys: flags.keys,
          durationMs: flags.duration,
          nemesis: flags.nemesis,
          seed,
          budgetMs: flags.budget,
          ...(flags.etcdReads === undefined ? {} : { etcdReads: flags.etcdReads }),
          signal,
          ...(showProgress ? { onProgress: (line: string) => process.stderr.write(`${paint('dim', line)}\n`) } : {}),
        });
      } finally {
        release();
      }
      const summary = summarizeRun(run, replayCommand(flags, seed, run.cluster.nodes));
      const files = flags.out === undefined ? [] : await writeRunFiles(flags.out, run, summary);
      if (flags.json === true) process.stdout.write(`${JSON.stringify({ ...summary, files })}\n`);
      else {
        const lines = formatRun(summary);
        if (files.length > 0) lines.push(`files: ${files.join(', ')}`);
        if (run.cluster.kept)
          lines.push(
            `the cluster ${run.cluster.name} is kept in ${run.cluster.folder}: \`raft-console up --name ${run.cluster.name}\` starts it again`,
          );
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      process.exitCode = EXIT_STATUS[run.aborted ? 'interrupted' : VERDICT_EXIT[run.result]];
    }),
  );
}
