// Which cluster a command is about: --name (default "default") and --data-dir (the cluster's own
// folder), else the folder named after it under the configured data folder. Commands in another
// terminal find the running cluster's supervisor this way.
import { resolve } from 'node:path';
import { type Command } from 'commander';
// Modules, not the barrel (which brings the client library): `status` starts faster so.
import { ControlClient } from '../cluster-model/control-client.js';
import { DEFAULT_CLUSTER_NAME, type FolderOptions } from '../cluster-model/folder.js';
import { clusterName } from './arguments.js';
import { openSettings } from './settings.js';

export interface ClusterFlags {
  name: string;
  dataDir?: string;
}

/** The option of every command that talks to the nodes as a client. */
export const SECRET_FILE_OPTION = [
  '--secret-file <path>',
  "the cluster secret to prove to the nodes (default: the secret file in the cluster's folder)",
] as const;

export function withClusterOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'which cluster', clusterName, DEFAULT_CLUSTER_NAME)
    .option(
      '--data-dir <dir>',
      "the cluster's folder (default: where `up --data-dir` started the cluster of that name, else <data-folder>/<name>; see `raft-console config`)",
    );
}

/** The state directory comes along with --data-dir: a cluster kept elsewhere is noted there, to be found by its name. */
export async function folderOptions(flags: ClusterFlags): Promise<FolderOptions> {
  const stateDir = (await openSettings()).get('data-folder');
  return { name: flags.name, stateDir, ...(flags.dataDir === undefined ? {} : { dataDir: resolve(flags.dataDir) }) };
}

/** Connects to the running cluster's supervisor; the caller closes the client. */
export async function connect(flags: ClusterFlags): Promise<ControlClient> {
  return ControlClient.connect(await folderOptions(flags));
}

/** How a command line names this cluster: "" for the default one. */
export function nameFlag(flags: ClusterFlags): string {
  return (
    (flags.name === DEFAULT_CLUSTER_NAME ? '' : ` --name ${flags.name}`) +
    (flags.dataDir === undefined ? '' : ` --data-dir ${resolve(flags.dataDir)}`)
  );
}
