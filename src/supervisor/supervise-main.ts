// The body of `raft-console supervise`: a supervisor as a process of its own, as `up --detach`
// starts it in the background. It prints one line (JSON) on stdout: "ready" once its control API is
// up, so whoever started it knows when to let go, or "failed" with the problem when it cannot start
// (then also one line on stderr, and exit status 1). It stops its nodes cleanly on SIGINT, SIGTERM or
// SIGHUP, or on a `down` action.
import { ClusterError, readClusterProblem, type ClusterProblem } from '../cluster-model/errors.js';
import type { SupervisorOptions } from '../cluster-model/launcher.js';
import { EXIT_STATUS } from '../schema/exit-codes.js';
import { object, oneOf, parseJson, string, uint, validate, type Validation } from '../schema/json-shape.js';
import { startSupervisor, type SupervisorHandle } from './supervisor.js';

export interface ReadyLine {
  type: 'ready';
  name: string;
  folder: string;
  url: string;
  clusterId: string;
  supervisorPid: number;
}

/** The supervisor could not start: `text` for people, `problem` for programs (ClusterError's). */
export interface FailedLine {
  type: 'failed';
  text: string;
  problem: ClusterProblem;
}

export type SuperviseLine = ReadyLine | FailedLine;

/** The line `supervise` printed, checked: it comes from another process. */
export function parseSuperviseLine(text: string): Validation<SuperviseLine> {
  return validate((): SuperviseLine => {
    const o = object(parseJson(text, 'the line'), 'the line');
    if (oneOf(o, 'type', ['ready', 'failed']) === 'failed')
      return { type: 'failed', text: string(o, 'text'), problem: readClusterProblem(o, 'problem') };
    return {
      type: 'ready',
      name: string(o, 'name'),
      folder: string(o, 'folder'),
      url: string(o, 'url'),
      clusterId: string(o, 'clusterId'),
      supervisorPid: uint(o, 'supervisorPid'),
    };
  });
}

const say = (line: SuperviseLine): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

/** Runs until the supervisor stops; resolves with the exit status for the process. */
export async function supervise(options: SupervisorOptions): Promise<number> {
  let sup;
  try {
    sup = await startSupervisor(options);
  } catch (err) {
    if (!(err instanceof ClusterError)) throw err;
    say({ type: 'failed', text: err.message, problem: err.problem });
    process.stderr.write(`raft-console supervise: ${err.message}\n`);
    return EXIT_STATUS.failed;
  }
  say({ type: 'ready', name: sup.name, folder: sup.folder, url: sup.url, clusterId: sup.model.clusterId, supervisorPid: process.pid });
  // Its last line in supervisor.log: why it ended (a `down`, a signal, its folder deleted).
  sup.onGone((why) => process.stderr.write(`raft-console supervise: ${why}\n`));
  await untilStopped(sup);
  return EXIT_STATUS.ok;
}

/**
 * Waits until the supervisor has stopped. SIGINT, SIGTERM or SIGHUP stops its nodes in order; a
 * second signal (an impatient Ctrl-C) leaves at once, and the nodes follow as their stdin closes.
 */
export async function untilStopped(sup: Pick<SupervisorHandle, 'stop' | 'stopped'>): Promise<void> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let signalled = false;
  const onSignal = (): void => {
    if (signalled) process.exit(EXIT_STATUS.interrupted);
    signalled = true;
    void sup.stop();
  };
  for (const s of signals) process.on(s, onSignal);
  await sup.stopped;
  for (const s of signals) process.off(s, onSignal);
}
