// Where a cluster lives on disk: one folder per cluster name, under the user's state directory
// (XDG_STATE_HOME, else ~/.local/state), holding the nodes' data directories, cluster.json, the
// token, the cluster secret and control.json. Commands in other terminals find a running cluster by its name this way.
// A cluster started elsewhere (`up --data-dir <dir> --name X`) leaves a note of where in the state
// directory, <state>/.elsewhere/X.json, so that `status --name X` and the rest find it by its name
// alone; the note goes with `down --purge`.
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fail, object, string } from '../schema/json-shape.js';
import { readJsonOrNull, writeJsonAtomic } from '../storage/json-file.js';
import { SecretFileError, readSecretFile, type ClusterSecret } from '../transport/secret.js';
import { CLUSTER_FILE, SECRET_FILE } from './control-protocol.js';
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

/** The folder of notes for clusters kept elsewhere: a cluster name never starts with a dot, so it is no cluster's folder. */
const ELSEWHERE = '.elsewhere';

function elsewhereNote(o: FolderOptions, name: string): string {
  return join(resolve(o.stateDir ?? defaultStateDir()), ELSEWHERE, `${name}.json`);
}

/** Where the note for `name` says its cluster is, or null when there is no note. */
function readNote(path: string, name: string): string | null {
  return readJsonOrNull(
    path,
    (v) => {
      const note = object(v, `${name}.json`);
      if (string(note, 'name') !== name) fail(`it is the note of the cluster ${string(note, 'name')}`);
      const f = string(note, 'folder');
      return isAbsolute(f) ? f : fail(`folder must be an absolute path, got "${f}"`);
    },
    (d) => new ClusterError(`${path} is damaged (${d.problem}): delete it to forget it`, { code: 'bad-file', path }),
  );
}

/** The folder a note says the cluster is in; a note whose folder no longer holds a cluster is an error that says how to go on. */
function noteFolder(o: FolderOptions, name: string): string | null {
  const path = elsewhereNote(o, name);
  const folder = readNote(path, name);
  if (folder !== null && !existsSync(join(folder, CLUSTER_FILE)))
    throw new ClusterError(
      `the cluster ${name} was started with --data-dir ${folder}, which no longer holds it: give --data-dir for where it is now, or delete ${path} to forget it`,
      { code: 'not-running' },
    );
  return folder;
}

/**
 * The cluster's name and folder: --data-dir when given, else <state>/<name> when a cluster lives
 * there (a note never hides it), else the folder a note says the cluster was started in.
 */
export function clusterFolder(o: FolderOptions): { name: string; folder: string } {
  const name = checkClusterName(o.name ?? DEFAULT_CLUSTER_NAME);
  if (o.dataDir !== undefined) return { name, folder: resolve(o.dataDir) };
  const home = join(resolve(o.stateDir ?? defaultStateDir()), name);
  if (existsSync(join(home, CLUSTER_FILE))) return { name, folder: home };
  return { name, folder: noteFolder(o, name) ?? home };
}

/** Notes, for a cluster started with --data-dir outside the state directory, where it is (a supervisor does, once it owns the folder). */
export async function noteElsewhere(o: FolderOptions, name: string, folder: string): Promise<void> {
  if (o.dataDir === undefined || folder === join(resolve(o.stateDir ?? defaultStateDir()), name)) return;
  const path = elsewhereNote(o, name);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeJsonAtomic(path, { name, folder });
}

/** Forgets where the cluster of that name was, when the note points at `folder` (being deleted). */
export async function forgetElsewhere(o: FolderOptions, name: string, folder: string): Promise<void> {
  const path = elsewhereNote(o, name);
  if (readNote(path, name) === folder) await rm(path, { force: true });
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
