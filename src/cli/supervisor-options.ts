// The options that shape a cluster's supervisor, shared by `up` and the internal `supervise`:
// timing (a speed preset, or an explicit election timeout and heartbeat), node ports, the snapshot
// threshold, and the core's switches (PreVote, CheckQuorum, known bugs). `up`
// fills in the user's configured defaults for a new cluster; `supervise` gets everything spelled
// out on its command line, so `ps` shows what it runs.
import { type Command, InvalidArgumentError, Option } from 'commander';
// Modules, not the cluster-model barrel (which brings the client library): `up`, `supervise` and
// every node they start load less so.
import { clusterFolder, type FolderOptions } from '../cluster-model/folder.js';
import type { SupervisorOptions } from '../cluster-model/launcher.js';
import type { RaftSwitches, SpeedPreset } from '../cluster-model/model.js';
import { switchArgs } from '../cluster-model/switches.js';
import { SPEED_PRESETS } from '../cluster-model/timing.js';
import { readClusterFile } from '../supervisor/index.js';
import { KNOWN_BUG_NAMES, isBugName, type BugName } from '../raft/config.js';
import { milliseconds, msRange, port, wholeNumber } from './arguments.js';
import { thousands } from '../cluster-model/plural.js';
import { DEFAULT_SNAPSHOT_EVERY } from '../cluster-model/snapshots.js';
import { engineOptions, type EngineFlags } from './engine-option.js';
import { CliError } from './failure.js';
import type { SettingsStore } from './settings.js';

export interface TimingFlags {
  speed?: SpeedPreset;
  electionTimeout?: { min: number; max: number };
  heartbeat?: number;
  basePort?: number;
  snapshotEvery?: number;
}

export function withTimingOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--speed <preset>', 'how fast elections and heartbeats go (default: the configured speed, normal)')
        .choices(SPEED_PRESETS)
        .conflicts(['electionTimeout', 'heartbeat']),
    )
    .option('--election-timeout <min-max>', 'explicit election timeout range in ms, instead of --speed (e.g. 150-300)', msRange)
    .option('--heartbeat <ms>', 'explicit heartbeat interval in ms, instead of --speed (e.g. 50)', milliseconds('--heartbeat'))
    .option(
      '--base-port <port>',
      'node n listens on base + n - 1 (a new cluster only; default: the configured base port, or free ports)',
      port,
    )
    .option(
      '--snapshot-every <n>',
      `each node snapshots its state machine and compacts its log once this many applied entries sit in it (default: what the cluster last ran with, else ${thousands(DEFAULT_SNAPSHOT_EVERY)}; e.g. 100 to watch a follower catch up from a snapshot)`,
      wholeNumber('--snapshot-every', '100', 1),
    );
}

export interface SwitchFlags {
  /** false with --no-pre-vote. */
  preVote: boolean;
  /** false with --no-check-quorum. */
  checkQuorum: boolean;
  bug?: BugName[];
}

/** For the repeatable `--bug <name>`: commander hands each value with the list so far. */
function bugNames(text: string, previous: BugName[] | undefined): BugName[] {
  if (!isBugName(text)) throw new InvalidArgumentError(`--bug must be one of ${KNOWN_BUG_NAMES.join(', ')}, got "${text}"`);
  return previous?.includes(text) === true ? previous : [...(previous ?? []), text];
}

export function withSwitchOptions(cmd: Command): Command {
  return cmd
    .option('--no-pre-vote', 'nodes campaign without a pre-vote round (PreVote is on by default; a new cluster only)')
    .option(
      '--no-check-quorum',
      'leaders keep leading without a majority, voters ignore a live leader (CheckQuorum is on by default; a new cluster only)',
    )
    .option(
      '--bug <name>',
      `switch on a known bug in every node, for the workshop (repeatable; a new cluster only): ${KNOWN_BUG_NAMES.join(', ')}`,
      bugNames,
    );
}

/**
 * Everything the supervisor needs; a new cluster gets the user's defaults for what was not given.
 * A --data-dir holding another cluster is refused: it would run that cluster under this name.
 */
export async function supervisorOptions(
  folder: FolderOptions,
  nodes: number | undefined,
  flags: TimingFlags & SwitchFlags & EngineFlags,
  settings: SettingsStore,
): Promise<SupervisorOptions> {
  const o: SupervisorOptions = { ...folder, ...superviseSwitches(flags), ...engineOptions(flags) };
  const { name, folder: path } = clusterFolder(folder);
  const saved = (await readClusterFile(path))?.name ?? null;
  if (saved !== null && saved !== name)
    throw new CliError(
      `${path} is the folder of the cluster named ${saved}, not ${name}: add \`--name ${saved}\` to start that one, or give another --data-dir for a new cluster`,
    );
  const exists = saved !== null;
  if (nodes !== undefined || !exists) o.nodes = nodes ?? settings.get('nodes');
  if (flags.electionTimeout !== undefined || flags.heartbeat !== undefined) {
    o.electionTimeoutMs = flags.electionTimeout;
    o.heartbeatMs = flags.heartbeat;
  } else if (flags.speed !== undefined || !exists) o.speed = flags.speed ?? settings.get('speed');
  if (flags.snapshotEvery !== undefined) o.snapshotEvery = flags.snapshotEvery;
  const basePort = flags.basePort ?? (exists ? null : settings.get('base-port'));
  if (basePort !== null) o.basePort = basePort;
  o.recording = { capMb: settings.get('recording-cap') };
  return o;
}

/**
 * `raft` of the supervisor's options: the switches the flags change from the defaults, and no
 * `raft` when they change none (so a plain `up` of an existing cluster asks for nothing different).
 */
export function superviseSwitches(flags: SwitchFlags): Pick<SupervisorOptions, 'raft'> {
  const raft: Partial<RaftSwitches> = {
    ...(flags.preVote ? {} : { preVote: false }),
    ...(flags.checkQuorum ? {} : { checkQuorum: false }),
    ...(flags.bug === undefined ? {} : { bugs: flags.bug }),
  };
  return Object.keys(raft).length === 0 ? {} : { raft };
}

/** The `supervise` command line that runs a supervisor with these options. */
export function superviseArgs(o: SupervisorOptions): string[] {
  const args = ['supervise', '--name', o.name!];
  if (o.dataDir !== undefined) args.push('--data-dir', o.dataDir);
  if (o.stateDir !== undefined) args.push('--state-dir', o.stateDir);
  if (o.nodes !== undefined) args.push('--nodes', String(o.nodes));
  if (o.speed !== undefined) args.push('--speed', o.speed);
  if (o.electionTimeoutMs !== undefined) args.push('--election-timeout', `${o.electionTimeoutMs.min}-${o.electionTimeoutMs.max}`);
  if (o.heartbeatMs !== undefined) args.push('--heartbeat', String(o.heartbeatMs));
  if (o.basePort !== undefined) args.push('--base-port', String(o.basePort));
  if (o.snapshotEvery !== undefined) args.push('--snapshot-every', String(o.snapshotEvery));
  args.push(...switchArgs(o.raft ?? {}));
  if (o.engine !== undefined) args.push('--engine', o.engine);
  if (o.etcdBin !== undefined) args.push('--etcd-bin', o.etcdBin);
  if (o.recording?.capMb !== undefined) args.push('--recording-cap', String(o.recording.capMb));
  return args;
}
