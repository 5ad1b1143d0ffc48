// `raft-console supervise` (hidden): a cluster's supervisor as a process of its own, which is what
// `up --detach` leaves running in the background. It prints one JSON "ready" line on stdout once
// its control API is up; `up` waits for that line.
import { InvalidArgumentError, type Command } from 'commander';
import type { SupervisorOptions } from '../cluster-model/launcher.js';
import { supervise } from '../supervisor/index.js';
import { nodeCount } from './arguments.js';
import { superviseSwitches, withSwitchOptions, withTimingOptions, type SwitchFlags, type TimingFlags } from './supervisor-options.js';
import { engineOptions, withEngineOptions, type EngineFlags } from './engine-option.js';

interface SuperviseFlags extends TimingFlags, SwitchFlags, EngineFlags {
  name: string;
  dataDir?: string;
  stateDir?: string;
  nodes?: number;
  recordingCap?: number;
}

function recordingCap(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`--recording-cap must be a whole number of MB, got "${text}"`);
  return Number(text);
}

export function registerSuperviseCommand(program: Command): Command {
  const cmd = program
    .command('supervise', { hidden: true })
    .description("run a cluster's supervisor in this process (what `up --detach` starts)")
    .requiredOption('--name <name>', "the cluster's name")
    .option('--data-dir <dir>', "the cluster's folder")
    .option('--state-dir <dir>', "the folder holding every cluster's folder")
    .option('--nodes <n>', 'nodes of a new cluster', nodeCount)
    .option('--recording-cap <mb>', 'MB of recording the cluster keeps (0: none)', recordingCap);
  return withEngineOptions(withSwitchOptions(withTimingOptions(cmd))).action(async (f: SuperviseFlags) => {
    const o: SupervisorOptions = {
      ...superviseSwitches(f),
      ...engineOptions(f),
      name: f.name,
      dataDir: f.dataDir,
      stateDir: f.stateDir,
      nodes: f.nodes,
      speed: f.speed,
      electionTimeoutMs: f.electionTimeout,
      heartbeatMs: f.heartbeat,
      basePort: f.basePort,
      snapshotEvery: f.snapshotEvery,
      ...(f.recordingCap === undefined ? {} : { recording: { capMb: f.recordingCap } }),
    };
    process.exitCode = await supervise(o);
  });
}
