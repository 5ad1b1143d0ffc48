// The cluster a check runs against: one it starts for itself (a supervisor in this process, under a
// name of its own, deleted afterwards unless kept), or one already running under `--name`, driven
// through its supervisor's control API. Either way the check sees the same things: the live model,
// every event as it happens, and actions with their results.
import { existsSync } from 'node:fs';
import { ClusterError, ControlClient, clusterFolder, type Action, type ActionResult, type ClusterEvent, type ClusterModel, type FolderOptions } from '../cluster-model/index.js';
import { startSupervisor, type SupervisorOptions } from '../supervisor/index.js';

export interface ClusterTarget {
  readonly name: string;
  /** Whether this check started the cluster (and so stops it at the end). */
  readonly owned: boolean;
  /** The cluster as last reported. */
  model(): ClusterModel;
  act(action: Action): Promise<ActionResult>;
  /** Called with every event from now on; returns a function that stops the calls. */
  onEvent(listener: (e: ClusterEvent) => void): () => void;
  /** Ends this check's hold on the cluster: stops an owned one (deleting its data unless `keep`). */
  close(options: { keep: boolean }): Promise<void>;
}

/** Starts a new cluster for the check; refuses a name whose folder exists (a cluster kept from an earlier check, or the user's). */
export async function startOwnCluster(options: SupervisorOptions): Promise<ClusterTarget> {
  const { name, folder } = clusterFolder(options);
  if (existsSync(folder))
    throw new ClusterError(`${folder} exists already (a cluster kept by an earlier check?): delete it with \`raft-console down --purge --name ${name}\`, or run against it with --name`);
  const sup = await startSupervisor(options);
  return {
    name,
    owned: true,
    model: () => sup.model,
    act: (a) => sup.act(a),
    onEvent(listener) {
      return sup.onChange((events) => events.forEach(listener));
    },
    close: ({ keep }) => sup.stop({ purge: !keep }),
  };
}

/** Connects to a cluster that runs already; the check leaves it running. */
export async function connectToCluster(options: FolderOptions): Promise<ClusterTarget> {
  const control = await ControlClient.connect(options);
  return {
    name: control.model.name,
    owned: false,
    model: () => control.model,
    act: (a) => control.act(a),
    onEvent: (listener) => control.onEvent(listener),
    close: () => control.close(),
  };
}

/**
 * Resolves true once `test` holds of the model, false after `timeoutMs`. Polls: the model of a
 * cluster driven over the control API is replaced, not changed, with each update.
 */
export async function until(target: ClusterTarget, test: (m: ClusterModel) => boolean, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (test(target.model())) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
