// The supervisor and its control API, for the CLI and the dashboard.
export { ControlClient, type ConnectOptions } from './control-client.js';
export { CLUSTER_FILE, CONTROL_FILE, SECRET_FILE, TOKEN_FILE, type Action, type ActionOp, type ControlFile, type ControlMessage, type ControlRequest } from './control-protocol.js';
export type { ActionResult } from './control-server.js';
export { ClusterError, type ClusterErrorCode } from './errors.js';
export { DEFAULT_CLUSTER_NAME, checkClusterName, clusterFolder, clusterSecret, defaultStateDir, type FolderOptions } from './folder.js';
export { EVENT_HISTORY } from './live-model.js';
export type * from './model.js';
export { NODE_AUTOGROUP_NICE, setSessionNice } from './node-child.js';
export { endOrphanNodes } from './orphans.js';
export { supervise, untilStopped, type ReadyLine } from './supervise-main.js';
export { MAX_NODES, purgeCluster, startSupervisor, type SupervisorHandle, type SupervisorOptions } from './supervisor.js';
export { SPEED_PRESETS, customTiming, describeTiming, presetTiming } from './timing.js';
export { describeSwitches, isDefault, keptSwitches, switchArgs } from './switches.js';
