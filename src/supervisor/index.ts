// The supervisor: runs a cluster's node processes, keeps the live model of the cluster, acts on it
// and serves the control API. Only the CLI's entry points import it; everything else reads the
// cluster through src/cluster-model (a SupervisorHandle is a ClusterSource, supervisorLauncher a
// ClusterLauncher).
export { readClusterFile } from './cluster-file.js';
export { endOrphanNodes } from './orphans.js';
export { parseSuperviseLine, supervise, untilStopped, type ReadyLine } from './supervise-main.js';
export {
  openSupervisor,
  purgeCluster,
  startSupervisor,
  supervisorLauncher,
  type OpenedSupervisor,
  type SupervisorHandle,
} from './supervisor.js';
