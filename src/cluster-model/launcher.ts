// How a client gets a cluster of its own (an exercise, a check): it says what cluster it wants and
// is handed a launcher by the CLI, which runs the supervisor in this process. Declared here, with
// the clients, so that only the CLI imports src/supervisor.
import type { EngineKind } from './engine.js';
import type { FolderOptions } from './folder.js';
import type { RaftSwitches, SpeedPreset } from './model.js';
import type { ClusterSource } from './source.js';

/** The most nodes a cluster has. */
export const MAX_NODES = 15;

/** The cluster to run: its folder, and how a new one is shaped (an existing cluster keeps its own where noted). */
export interface SupervisorOptions extends FolderOptions {
  /** Nodes of a new cluster (default 3); an existing cluster keeps its own. */
  nodes?: number;
  /** Node n listens on basePort + n - 1 (a new cluster only); default: free ports. */
  basePort?: number;
  /** A speed preset; default "normal", or what the cluster last ran at. */
  speed?: SpeedPreset;
  /** Explicit timing instead of a preset (either one; the other keeps the "normal" value). */
  electionTimeoutMs?: { min: number; max: number };
  heartbeatMs?: number;
  /** Each node snapshots once this many applied entries sit in its log; default 10,000, or what the cluster last ran with. */
  snapshotEvery?: number;
  /** false runs the nodes with --unsafe-no-fsync (a new cluster only). */
  fsync?: boolean;
  /** PreVote, CheckQuorum, known bugs (a new cluster only; default: PreVote and CheckQuorum on, no bug). */
  raft?: Partial<RaftSwitches>;
  /** The Raft implementation a new cluster runs (default raft-console); an existing cluster keeps its own. */
  engine?: EngineKind;
  /** The etcd binary for an etcd cluster; default `etcd` from PATH. */
  etcdBin?: string;
  /**
   * The cluster's recording (replay-format.ts): the most MB it keeps, oldest dropped first (default
   * 64; 0 records nothing), and a folder for it instead of the cluster folder's `recording`
   * (`check --out`), emptied first.
   */
  recording?: { capMb?: number; dir?: string };
}

/** A cluster this process started, and so stops. */
export interface OwnedCluster extends ClusterSource {
  /** Stops every node and the supervisor; purge deletes the cluster's folder (all but its recording with keepRecording). */
  stop(options?: { purge?: boolean; keepRecording?: boolean }): Promise<void>;
}

export interface ClusterLauncher {
  /** Starts the cluster (a new one, or the one saved in its folder) and resolves once its nodes are started. */
  start(options: SupervisorOptions): Promise<OwnedCluster>;
  /** Deletes a stopped cluster's folder, data and all; resolves with the folder, or null when there was none. */
  purge(options: FolderOptions): Promise<string | null>;
}
