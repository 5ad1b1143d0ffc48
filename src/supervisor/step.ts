// Step mode on raft-console's own nodes: the supervisor switches every running node's step mode
// over its control channel, and delivers, drops, fires and advances on the learner's word.
import type { StepAction } from '../cluster-model/control-protocol.js';
import { ClusterError } from '../cluster-model/errors.js';
import type { Done } from './actions.js';
import type { Fleet } from './fleet.js';

export function stepAction(_f: Fleet, a: StepAction): Promise<Done> {
  return Promise.reject(new ClusterError(`${a.op}: step mode is being built on this branch`));
}
