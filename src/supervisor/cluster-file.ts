// cluster.json: what a cluster is, kept across `up`s so the same name starts the same cluster again
// (same cluster id, same node ids, ports and data). The file is read once, when the supervisor
// starts, into the live model and what only the file holds (ClusterSetup); from then on it is
// derived from those two (clusterFileOf) and written by the live model at start and after each
// change of membership or speed; written whole to a temporary file and renamed, so a crash never
// leaves half.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeId } from '../raft/types.js';
import { CLUSTER_FILE } from '../cluster-model/control-protocol.js';
import { writePrivate } from '../cluster-model/control-files.js';
import { ClusterError } from '../cluster-model/errors.js';
import type { ClusterModel, NodeModel, RaftSwitches, Timing } from '../cluster-model/model.js';
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

/** How a node is started, which only cluster.json holds: its port, its data directory, whether it joined. */
export type NodeSetup = Omit<ClusterFileNode, 'removed'>;

/** What cluster.json holds beyond the live model. */
export interface ClusterSetup {
  /** The name it was created with (the model has the one it runs under: "default" for a --data-dir). */
  name: string;
  createdAt: number;
  basePort: number | null;
  /** Every node the cluster ever had, removed ones included, in id order. */
  nodes: NodeSetup[];
}

/** A node of cluster.json as the model shows it before its process starts. */
export function nodeModel(folder: string, n: NodeSetup, removed: boolean): NodeModel {
  return {
    id: n.id,
    address: `127.0.0.1:${n.port}`,
    dataDir: join(folder, n.dataDir),
    process: { state: 'stopped', pid: null, exitCode: null, signal: null, stderrTail: [], startedAt: null, restarts: 0 },
    raft: null,
    removed,
  };
}

/** The cluster of cluster.json, none of its nodes started, as the live model and what only the file holds. */
export function fromClusterFile(file: ClusterFile, run: Pick<ClusterModel, 'name' | 'folder' | 'supervisorPid' | 'startedAt'>): { model: ClusterModel; setup: ClusterSetup } {
  const { name, folder, supervisorPid, startedAt } = run;
  const model: ClusterModel = {
    name,
    clusterId: file.clusterId,
    folder,
    supervisorPid,
    startedAt,
    timing: file.timing,
    fsync: file.fsync,
    switches: file.switches,
    nodes: file.nodes.map((n) => nodeModel(folder, n, n.removed)),
    links: [],
    partition: [],
    events: [],
    safety: { ok: true, checkedReports: 0 },
  };
  return { model, setup: { name: file.name, createdAt: file.createdAt, basePort: file.basePort, nodes: file.nodes.map(({ removed: _removed, ...n }) => n) } };
}

/** cluster.json as the live model says it is now. */
export function clusterFileOf(model: ClusterModel, setup: ClusterSetup): ClusterFile {
  const removed = new Set(model.nodes.filter((n) => n.removed).map((n) => n.id));
  return {
    version: 1,
    name: setup.name,
    clusterId: model.clusterId,
    createdAt: setup.createdAt,
    basePort: setup.basePort,
    fsync: model.fsync,
    timing: model.timing,
    switches: model.switches,
    nodes: setup.nodes.map((n) => ({ ...n, removed: removed.has(n.id) })),
  };
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
