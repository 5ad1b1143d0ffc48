// The files through which other terminals find a running supervisor: control.json (where it listens,
// its pid) and token (the secret a client must present). Both are readable by the user only, so no
// other local user can drive the cluster. One supervisor per folder: control.json names the live one.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, object, string, uint } from '../schema/json-shape.js';
import { DurableDir } from '../storage/durable-dir.js';
import { readJsonOrNull, writeJsonAtomic } from '../storage/json-file.js';
import { CONTROL_FILE, TOKEN_FILE, type ControlFile } from './control-protocol.js';
import { ClusterError } from './errors.js';

/** Whether a process with this pid is running (one of another user counts: it is not ours to replace). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A process that exited but was not yet reaped (a killed supervisor whose parent is slow to wait
 * for it) still answers signal 0; on Linux /proc says it is a zombie (Z) or dead (X).
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ...": the state follows the last ')' since comm may contain one.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false; // no /proc (not Linux): trust the signal
  }
}

function readControlFileShape(value: unknown): ControlFile {
  const o = object(value, CONTROL_FILE);
  const supervisorPid = uint(o, 'supervisorPid');
  // Signal 0 to pid 0 reaches this process's own group: it would always look alive.
  if (supervisorPid === 0) fail('supervisorPid must be a process id, got 0');
  return {
    name: string(o, 'name'),
    clusterId: string(o, 'clusterId'),
    url: string(o, 'url'),
    port: uint(o, 'port'),
    supervisorPid,
    startedAt: uint(o, 'startedAt'),
  };
}

/** control.json, or null when there is none, or one a supervisor killed mid-write left damaged: no supervisor to talk to. */
function readControlFile(folder: string): ControlFile | null {
  return readJsonOrNull(join(folder, CONTROL_FILE), readControlFileShape, () => null);
}

/**
 * Refuses to start a second supervisor for a folder whose supervisor is alive, and clears the files
 * of one that died without cleaning up (a SIGKILL).
 */
export async function claimFolder(folder: string, name: string): Promise<void> {
  const control = readControlFile(folder);
  if (control !== null && pidAlive(control.supervisorPid))
    throw new ClusterError(
      `a cluster named ${name} is already running (pid ${control.supervisorPid}): use --name for another, or run \`raft-console down\``,
    );
  await removeControlFiles(folder);
}

/** A fresh token for this run of the supervisor. */
export async function writeToken(folder: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await new DurableDir(folder, true).writeAtomically(TOKEN_FILE, Buffer.from(`${token}\n`));
  return token;
}

export async function writeControlFile(folder: string, control: ControlFile): Promise<void> {
  await writeJsonAtomic(join(folder, CONTROL_FILE), control);
}

export async function removeControlFiles(folder: string): Promise<void> {
  await rm(join(folder, CONTROL_FILE), { force: true });
  await rm(join(folder, TOKEN_FILE), { force: true });
}

/** What a client needs to connect, or an error saying that no such cluster is running and how to start one. */
export async function findSupervisor(folder: string, name: string): Promise<{ control: ControlFile; token: string }> {
  const notRunning = (why: string): ClusterError =>
    new ClusterError(
      `no cluster named ${name} is running${why}: start one with \`raft-console up${name === 'default' ? '' : ` --name ${name}`}\``,
      { code: 'not-running' },
    );
  const control = readControlFile(folder);
  if (control === null) throw notRunning('');
  if (!pidAlive(control.supervisorPid)) throw notRunning(` (its supervisor, pid ${control.supervisorPid}, is gone)`);
  let token: string;
  try {
    token = (await readFile(join(folder, TOKEN_FILE), 'utf8')).trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES')
      throw new ClusterError(`cannot read ${join(folder, TOKEN_FILE)}: only the user who started the cluster may drive it`);
    if (code === 'ENOENT') throw notRunning(' (its token file is missing)');
    throw err;
  }
  return { control, token };
}
