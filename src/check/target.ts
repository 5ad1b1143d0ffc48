// The cluster a check runs against: one it starts for itself (through the launcher the CLI hands
// it, under a name of its own, deleted afterwards unless kept), or one already running under
// `--name`, driven through its supervisor's control API. Either way the check sees a ClusterSource:
// the live model, every event as it happens, and actions with their results.
import { existsSync } from 'node:fs';
import {
  ClusterError,
  ControlClient,
  clusterFolder,
  type ClusterLauncher,
  type ClusterSource,
  type FolderOptions,
  type SupervisorOptions,
} from '../cluster-model/index.js';

export interface ClusterTarget {
  readonly cluster: ClusterSource;
  /** Whether this check started the cluster (and so stops it at the end). */
  readonly owned: boolean;
  /** Ends this check's hold on the cluster: stops an owned one (deleting its data unless `keep`). */
  close(options: { keep: boolean }): Promise<void>;
}

/** Starts a new cluster for the check; refuses a name whose folder exists (a cluster kept from an earlier check, or the user's). */
export async function startOwnCluster(launcher: ClusterLauncher, options: SupervisorOptions): Promise<ClusterTarget> {
  const { name, folder } = clusterFolder(options);
  if (existsSync(folder))
    throw new ClusterError(
      `${folder} exists already (a cluster kept by an earlier check?): delete it with \`raft-console down --purge --name ${name}\`, or run against it with --name`,
    );
  const cluster = await launcher.start(options);
  return { cluster, owned: true, close: ({ keep }) => cluster.stop({ purge: !keep }) };
}

/** Connects to a cluster that runs already; the check leaves it running. */
export async function connectToCluster(options: FolderOptions): Promise<ClusterTarget> {
  const cluster = await ControlClient.connect(options);
  return { cluster, owned: false, close: () => cluster.close() };
}
