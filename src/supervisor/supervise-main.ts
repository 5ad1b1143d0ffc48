// The body of `raft-console supervise`: a supervisor as a process of its own, as `up --detach`
// starts it in the background. It prints one "ready" line (JSON) on stdout once its control API is
// up, so whoever started it knows when to let go; a failure to start goes to stderr with exit code
// 1. It stops its nodes cleanly on SIGINT, SIGTERM or SIGHUP, or on a `down` action.
import { ClusterError } from '../cluster-model/errors.js';
import type { SupervisorOptions } from '../cluster-model/launcher.js';
import { startSupervisor, type SupervisorHandle } from './supervisor.js';

export interface ReadyLine {
  type: 'ready';
  name: string;
  folder: string;
  url: string;
  clusterId: string;
  supervisorPid: number;
}

/** Runs until the supervisor stops; resolves with the exit code for the process. */
export async function supervise(options: SupervisorOptions): Promise<number> {
  let sup;
  try {
    sup = await startSupervisor(options);
  } catch (err) {
    if (!(err instanceof ClusterError)) throw err;
    process.stderr.write(`raft-console supervise: ${err.message}\n`);
    return 1;
  }
  const ready: ReadyLine = { type: 'ready', name: sup.name, folder: sup.folder, url: sup.url, clusterId: sup.model.clusterId, supervisorPid: process.pid };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  await untilStopped(sup);
  return 0;
}

/**
 * Waits until the supervisor has stopped. SIGINT, SIGTERM or SIGHUP stops its nodes in order; a
 * second signal (an impatient Ctrl-C) leaves at once, and the nodes follow as their stdin closes.
 */
export async function untilStopped(sup: Pick<SupervisorHandle, 'stop' | 'stopped'>): Promise<void> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let signalled = false;
  const onSignal = (): void => {
    if (signalled) process.exit(130);
    signalled = true;
    void sup.stop();
  };
  for (const s of signals) process.on(s, onSignal);
  await sup.stopped;
  for (const s of signals) process.off(s, onSignal);
}
