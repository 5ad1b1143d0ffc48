// Where a cluster lives on disk: one folder per cluster name, under the user's state directory
// (XDG_STATE_HOME, else ~/.local/state), holding the nodes' data directories, cluster.json, the
// token, the cluster secret and control.json. Commands in other terminals find a running cluster by its name this way.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { SecretFileError, readSecretFile, type ClusterSecret } from '../transport/secret.js';
import { SECRET_FILE } from './control-protocol.js';
import { ClusterError } from './errors.js';

export const DEFAULT_CLUSTER_NAME = 'default';

export interface FolderOptions {
  /** The cluster's name; default "default". */
  name?: string;
  /** The folder holding every cluster folder; default $XDG_STATE_HOME/raft-console. */
  stateDir?: string;
  /** The cluster's own folder, overriding name-based resolution (`--data-dir`). */
  dataDir?: string;
}

/** Names become folder names: no separators, no dot-dot, nothing a shell needs quoted. */
export function checkClusterName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    throw new ClusterError(
      `a cluster name is 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit (e.g. demo), got "${name}"`,
    );
  return name;
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  const base = xdg !== undefined && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'state');
  return join(base, 'raft-console');
}

export function clusterFolder(o: FolderOptions): { name: string; folder: string } {
  const name = checkClusterName(o.name ?? DEFAULT_CLUSTER_NAME);
  if (o.dataDir !== undefined) return { name, folder: resolve(o.dataDir) };
  return { name, folder: join(resolve(o.stateDir ?? defaultStateDir()), name) };
}

/** The cluster's secret as a client reads it: `<folder>/secret`, or the file given with --secret-file. */
export function clusterSecret(folder: string, secretFile?: string): ClusterSecret {
  try {
    return readSecretFile(secretFile ?? join(folder, SECRET_FILE));
  } catch (err) {
    if (err instanceof SecretFileError) throw new ClusterError(err.message);
    throw err;
  }
}
