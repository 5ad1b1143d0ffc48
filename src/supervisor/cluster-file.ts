// cluster.json: what a cluster is, kept across `up`s so the same name starts the same cluster again
// (same cluster id, same node ids, ports and data). Written on first start and after each change of
// membership or speed; written whole to a temporary file and renamed, so a crash never leaves half.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeId } from '../raft/types.js';
import { CLUSTER_FILE } from '../cluster-model/control-protocol.js';
import { writePrivate } from '../cluster-model/control-files.js';
import { ClusterError } from '../cluster-model/errors.js';
import type { RaftSwitches, Timing } from '../cluster-model/model.js';
import { DEFAULT_SWITCHES } from '../cluster-model/switches.js';

export interface ClusterFileNode {
  id: NodeId;
  port: number;
  /** Relative to the cluster folder, so the folder can move. */
  dataDir: string;
  /**
   * Added to a running cluster (started with --join). The others were the voters at bootstrap, and
   * must keep being started with exactly each other as --peers: that list is their configuration
   * until their log holds one.
   */
  joined: boolean;
  removed: boolean;
}

export interface ClusterFile {
  version: 1;
  name: string;
  clusterId: string;
  createdAt: number;
  /** Ports are basePort + id - 1 when set; free ports otherwise. */
  basePort: number | null;
  fsync: boolean;
  timing: Timing;
  /** PreVote, CheckQuorum and known bugs, fixed when the cluster is created (the defaults in files written before them). */
  switches: RaftSwitches;
  nodes: ClusterFileNode[];
}

export function newClusterFile(name: string, ports: number[], basePort: number | null, fsync: boolean, timing: Timing, switches: RaftSwitches): ClusterFile {
  return {
    version: 1,
    name,
    clusterId: randomUUID(),
    createdAt: Date.now(),
    basePort,
    fsync,
    timing,
    switches,
    nodes: ports.map((port, i) => ({ id: i + 1, port, dataDir: `n${i + 1}`, joined: false, removed: false })),
  };
}

export async function readClusterFile(folder: string): Promise<ClusterFile | null> {
  const path = join(folder, CLUSTER_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let file: ClusterFile;
  try {
    file = JSON.parse(text) as ClusterFile;
  } catch {
    throw new ClusterError(`${path} is not valid JSON: fix it, or delete the cluster with \`raft-console down --purge\``);
  }
  if (file.version !== 1 || !Array.isArray(file.nodes) || typeof file.clusterId !== 'string')
    throw new ClusterError(`${path} is not a raft-console cluster file (version 1): fix it, or delete the cluster with \`raft-console down --purge\``);
  file.switches ??= DEFAULT_SWITCHES;
  return file;
}

export async function writeClusterFile(folder: string, file: ClusterFile): Promise<void> {
  const path = join(folder, CLUSTER_FILE);
  await writePrivate(path, `${JSON.stringify(file, null, 2)}\n`);
}
