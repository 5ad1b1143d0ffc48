// cluster.json: what a cluster is, kept across `up`s so the same name starts the same cluster again
// (same cluster id, same node ids, ports and data). The file is read once, when the supervisor
// starts, into the live model and what only the file holds (ClusterSetup); from then on it is
// derived from those two (clusterFileOf) and written by the live model at start and after each
// change of membership or speed; written whole to a temporary file and renamed, so a crash never
// leaves half.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { NodeId } from '../raft/types.js';
import {
  array,
  at,
  boolean,
  fail,
  field,
  has,
  nodeId,
  object,
  oneOf,
  show,
  string,
  stringOrNull,
  uint,
  type JsonObject,
} from '../schema/json-shape.js';
import { readJsonOrNull, writeJsonAtomic } from '../storage/json-file.js';
import { CLUSTER_FILE } from '../cluster-model/control-protocol.js';
import { ClusterError } from '../cluster-model/errors.js';
import type { ClusterModel, NodeModel, RaftSwitches, Timing } from '../cluster-model/model.js';
import { ENGINE_KINDS, etcdUnreported, RAFT_CONSOLE_ENGINE, type EngineInfo, type EngineKind } from '../cluster-model/engine.js';
import { isHexId } from '../etcd/ids.js';
import { advertisedPeerUrl, clientUrl, memberName, type EtcdMemberSetup } from './etcd/setup.js';
import { DEFAULT_SWITCHES } from '../cluster-model/switches.js';
import { readSnapshotEvery, readSwitches, readTiming } from '../cluster-model/model-reader.js';
import { DEFAULT_SNAPSHOT_EVERY } from '../cluster-model/snapshots.js';

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
  /** An etcd member: its ports and member id (etcd/setup.ts); absent for raft-console's nodes. */
  etcd?: EtcdMemberSetup;
}

export interface ClusterFile {
  version: 1;
  name: string;
  /** The Raft implementation its nodes run; absent (raft-console) in files written before etcd. */
  engine: EngineKind;
  clusterId: string;
  createdAt: number;
  /** Ports are basePort + id - 1 when set; free ports otherwise. */
  basePort: number | null;
  fsync: boolean;
  timing: Timing;
  /** PreVote, CheckQuorum and known bugs, fixed when the cluster is created (the defaults in files written before them). */
  switches: RaftSwitches;
  /** Passed to every node as --compact-every; changed by `up --snapshot-every` (the default in files written before it). */
  snapshotEvery: number;
  nodes: ClusterFileNode[];
}

/** How a node is started, which only cluster.json holds: its port, its data directory, whether it joined. */
export type NodeSetup = Omit<ClusterFileNode, 'removed'>;

/** What cluster.json holds beyond the live model. */
export interface ClusterSetup {
  /** The name it was created with (the model has the one it runs under: "default" for a --data-dir). */
  name: string;
  engine: EngineKind;
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
    ...(n.etcd === undefined
      ? {}
      : {
          etcd: {
            memberId: n.etcd.memberId ?? '',
            name: memberName(n.id),
            clientUrl: clientUrl(n.etcd),
            peerUrl: advertisedPeerUrl(n.etcd),
            learner: n.joined,
            dbSize: null,
          },
        }),
  };
}

/** What the model says of an engine before its members have said anything. */
function engineInfo(kind: EngineKind): EngineInfo {
  if (kind === 'raft-console') return RAFT_CONSOLE_ENGINE;
  // Votes come from the members' log lines.
  return {
    kind,
    version: null,
    clusterIdHex: null,
    remote: false,
    writable: true,
    unreported: etcdUnreported({ raftStatus: false, logs: true }),
  };
}

/** The cluster of cluster.json, none of its nodes started, as the live model and what only the file holds. */
export function fromClusterFile(
  file: ClusterFile,
  run: Pick<ClusterModel, 'name' | 'folder' | 'supervisorPid' | 'startedAt'>,
): { model: ClusterModel; setup: ClusterSetup } {
  const { name, folder, supervisorPid, startedAt } = run;
  const model: ClusterModel = {
    name,
    clusterId: file.clusterId,
    engine: engineInfo(file.engine),
    folder,
    supervisorPid,
    startedAt,
    timing: file.timing,
    fsync: file.fsync,
    switches: file.switches,
    snapshotEvery: file.snapshotEvery,
    nodes: file.nodes.map((n) => nodeModel(folder, n, n.removed)),
    links: [],
    partition: [],
    events: [],
    safety: { ok: true, checkedReports: 0 },
  };
  return {
    model,
    setup: {
      name: file.name,
      engine: file.engine,
      createdAt: file.createdAt,
      basePort: file.basePort,
      nodes: file.nodes.map(({ removed: _removed, ...n }) => n),
    },
  };
}

/** cluster.json as the live model says it is now. */
export function clusterFileOf(model: ClusterModel, setup: ClusterSetup): ClusterFile {
  const removed = new Set(model.nodes.filter((n) => n.removed).map((n) => n.id));
  return {
    version: 1,
    name: setup.name,
    engine: setup.engine,
    clusterId: model.clusterId,
    createdAt: setup.createdAt,
    basePort: setup.basePort,
    fsync: model.fsync,
    timing: model.timing,
    switches: model.switches,
    snapshotEvery: model.snapshotEvery,
    nodes: setup.nodes.map((n) => ({ ...n, removed: removed.has(n.id) })),
  };
}

export function newClusterFile(
  name: string,
  ports: number[],
  basePort: number | null,
  fsync: boolean,
  timing: Timing,
  switches: RaftSwitches,
  snapshotEvery: number,
  engine: { kind: 'raft-console' } | { kind: 'etcd'; members: EtcdMemberSetup[] } = { kind: 'raft-console' },
): ClusterFile {
  return {
    version: 1,
    name,
    engine: engine.kind,
    clusterId: randomUUID(),
    createdAt: Date.now(),
    basePort,
    fsync,
    timing,
    switches,
    snapshotEvery,
    nodes: ports.map((port, i) => ({
      id: i + 1,
      port,
      dataDir: `n${i + 1}`,
      joined: false,
      removed: false,
      ...(engine.kind === 'etcd' ? { etcd: engine.members[i]! } : {}),
    })),
  };
}

export async function readClusterFile(folder: string): Promise<ClusterFile | null> {
  const path = join(folder, CLUSTER_FILE);
  const fix = 'fix it, or delete the cluster with `raft-console down --purge`';
  const readNode = (n: unknown, where: string): ClusterFileNode => {
    const o = object(n, where);
    return {
      id: nodeId(o, 'id', where),
      port: uint(o, 'port', where),
      dataDir: string(o, 'dataDir', where),
      joined: boolean(o, 'joined', where),
      removed: boolean(o, 'removed', where),
      ...(has(o, 'etcd') ? { etcd: readEtcdMember(object(field(o, 'etcd'), at(where, 'etcd')), at(where, 'etcd')) } : {}),
    };
  };
  const read = (value: unknown): ClusterFile => {
    const o = object(value, 'the cluster file');
    if (field(o, 'version') !== 1) fail(`version must be 1, got ${show(field(o, 'version'))}`);
    const file: ClusterFile = {
      version: 1,
      name: string(o, 'name'),
      // Files written before etcd could run have no engine: raft-console.
      engine: has(o, 'engine') ? oneOf(o, 'engine', ENGINE_KINDS) : 'raft-console',
      clusterId: string(o, 'clusterId'),
      createdAt: uint(o, 'createdAt'),
      basePort: field(o, 'basePort') === null ? null : uint(o, 'basePort'),
      fsync: boolean(o, 'fsync'),
      timing: readTiming(object(field(o, 'timing'), 'timing'), 'timing'),
      // Files written before the switches were kept have the defaults.
      switches: has(o, 'switches') ? readSwitches(object(field(o, 'switches'), 'switches'), 'switches') : DEFAULT_SWITCHES,
      snapshotEvery: has(o, 'snapshotEvery') ? readSnapshotEvery(o, '') : DEFAULT_SNAPSHOT_EVERY,
      nodes: array(o, 'nodes').map((n, i) => readNode(n, `nodes[${i}]`)),
    };
    if (file.nodes.some((n) => (n.etcd !== undefined) !== (file.engine === 'etcd')))
      fail(
        file.engine === 'etcd' ? 'every node of an etcd cluster needs its etcd ports' : 'etcd ports on a node of a raft-console cluster',
      );
    return file;
  };
  return readJsonOrNull(
    path,
    read,
    (d) =>
      new ClusterError(
        d.code === 'not-json'
          ? `${path} is not valid JSON: ${fix}`
          : `${path} is not a raft-console cluster file (version 1): ${d.problem}; ${fix}`,
        { code: 'bad-file', path },
      ),
  );
}

function readEtcdMember(o: JsonObject, where: string): EtcdMemberSetup {
  const memberId = stringOrNull(o, 'memberId', where);
  if (memberId !== null && !isHexId(memberId)) fail(`${at(where, 'memberId')} must be an etcd member id in hex, got ${show(memberId)}`);
  return {
    clientPort: port(o, 'clientPort', where),
    peerPort: port(o, 'peerPort', where),
    proxyPort: port(o, 'proxyPort', where),
    memberId,
    initialCluster: stringOrNull(o, 'initialCluster', where),
  };
}

function port(o: JsonObject, key: string, where: string): number {
  const p = uint(o, key, where);
  if (p < 1 || p > 65535) fail(`${at(where, key)} must be a port (1-65535), got ${p}`);
  return p;
}

export async function writeClusterFile(folder: string, file: ClusterFile): Promise<void> {
  // A raft-console cluster's file stays as it was before etcd: no engine field.
  const { engine, ...rest } = file;
  await writeJsonAtomic(join(folder, CLUSTER_FILE), engine === 'raft-console' ? rest : file);
}
