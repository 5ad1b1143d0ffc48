// The cluster as its clients see it (the CLI, the dashboard, the exercises, the checker): the model
// the supervisor publishes, the questions asked of it, the ClusterSource they watch and act on, its
// control API client, how a client asks for a cluster of its own, where a cluster's files are, and
// requests to its nodes. Nothing here runs nodes: that is src/supervisor.
export { ControlClient, type ConnectOptions } from './control-client.js';
export {
  CLUSTER_FILE,
  SUPERVISOR_LOG,
  CONTROL_FILE,
  SECRET_FILE,
  TOKEN_FILE,
  type Action,
  type ActionOp,
  type ActionResult,
  type ControlFile,
  type ControlMessage,
  type ControlRequest,
} from './control-protocol.js';
export { unsupportedOps } from './engine-ops.js';
export { ClusterError, type ClusterErrorCode } from './errors.js';
export { describeFault, describeFaults, describeLink, faultsInForce, type Fault } from './faults.js';
export { EventFold, foldEvents, foldedText, type FoldedEvent } from './event-fold.js';
export { eventLine, clock, type Paint, type Style } from './event-line.js';
export {
  DEFAULT_CLUSTER_NAME,
  checkClusterName,
  clusterFolder,
  clusterSecret,
  defaultStateDir,
  forgetElsewhere,
  type FolderOptions,
} from './folder.js';
export { MAX_NODES, type ClusterLauncher, type OwnedCluster, type SupervisorOptions } from './launcher.js';
export { EVENT_HISTORY, EVENT_KINDS } from './model.js';
export type * from './model.js';
export { plural } from './plural.js';
export * from './queries.js';
export { explainClientError, where, withClusterClient } from './request.js';
export { until, type ClusterSource } from './source.js';
export { SPEED_PRESETS, customTiming, describeTiming, presetTiming } from './timing.js';
export { describeSwitches, isDefault, keptSwitches, switchArgs } from './switches.js';
