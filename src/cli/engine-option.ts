// --engine and --etcd-bin: the Raft implementation a new cluster runs, and the etcd binary when it
// is etcd. A module of their own, apart from supervisor-options.ts (which loads the supervisor to
// read cluster.json), so that `exercise` defines them as `up`, `supervise` and `check` do without
// loading the supervisor.
import { type Command, Option } from 'commander';
import { ENGINE_KINDS, type EngineKind } from '../cluster-model/engine.js';
import type { SupervisorOptions } from '../cluster-model/launcher.js';

export interface EngineFlags {
  engine?: EngineKind;
  etcdBin?: string;
}

/** What each command says of the two options, and the engine it picks when none is given. */
export interface EngineHelp {
  engine: string;
  etcdBin: string;
  default?: EngineKind;
}

/** `up`'s and `supervise`'s words. */
const SUPERVISOR_HELP: EngineHelp = {
  engine:
    'the Raft implementation a new cluster runs: raft-console (its own nodes, the default) or etcd (local etcd members, with the etcd binary from PATH or --etcd-bin); an existing cluster keeps its own',
  etcdBin: 'the etcd binary to run for an etcd cluster (default: etcd from PATH)',
};

export function withEngineOptions(cmd: Command, help: EngineHelp = SUPERVISOR_HELP): Command {
  const engine = new Option('--engine <engine>', help.engine).choices(ENGINE_KINDS);
  return cmd.addOption(help.default === undefined ? engine : engine.default(help.default)).option('--etcd-bin <path>', help.etcdBin);
}

/** `engine` and `etcdBin` of the supervisor's options, as given. */
export function engineOptions(flags: EngineFlags): Pick<SupervisorOptions, 'engine' | 'etcdBin'> {
  return {
    ...(flags.engine === undefined ? {} : { engine: flags.engine }),
    ...(flags.etcdBin === undefined ? {} : { etcdBin: flags.etcdBin }),
  };
}
